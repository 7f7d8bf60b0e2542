package hostile_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
)

// Each case is an http.Handler: serve it and point the consumer under test at it.
func Example() {
	for _, name := range []string{"html_502", "unknown_status"} {
		hc := hostile.Get(name)
		srv := httptest.NewServer(hc)
		resp, err := http.Post(srv.URL+hostile.Path, "", nil)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		srv.Close()
		fmt.Println(hc.Name, hc.Class, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Output:
	// html_502 infrastructure 502 text/html
	// unknown_status malformed 200 application/json
}
