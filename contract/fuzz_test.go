package contract_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/seed-a6d846e6/portkey-runs/contract"
)

// FuzzValidate: no input makes the validator panic, and every violation renders on one line.
func FuzzValidate(f *testing.F) {
	v, err := contract.New(contract.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(200, "application/json", "2", []byte(`{"id":"run_1"}`))
	f.Add(429, "application/json", "0", []byte(`{"error":{"message":"","type":"x","param":null,"code":null}}`))
	f.Add(404, "text/html", "", []byte(`<html>`))
	f.Add(200, "application/json; charset=utf-8", "", []byte(`{"tools":[{"type":1},{"type":"function","function":{"name":5}}],"tool_choice":{},"response_format":[],"metadata":{"a":1}}`))
	f.Add(500, "application/json", "x", []byte(`{"status":"failure","message":null}`))
	files, _ := filepath.Glob("testdata/cassettes/bad/*.yaml")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(200, "application/json", "", b)
	}
	f.Fuzz(func(t *testing.T, status int, ct, retryAfter string, body []byte) {
		h := http.Header{"Content-Type": {ct}, "Retry-After": {retryAfter}}
		for _, vi := range v.Validate(contract.Exchange{Path: "/threads/t/runs/r/cancel", RequestHeader: h, Status: status, Header: h, Body: body}) {
			if s := vi.String(); s == "" || containsNewline(s) {
				t.Fatalf("violation renders badly: %q", s)
			}
		}
	})
}

func containsNewline(s string) bool {
	for _, r := range s {
		if r == '\n' || r == '\r' {
			return true
		}
	}
	return false
}
