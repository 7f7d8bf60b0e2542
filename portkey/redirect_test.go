package portkey_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// elsewhere is a second origin that counts the requests reaching it.
type elsewhere struct {
	mu  sync.Mutex
	got []http.Header
}

func (e *elsewhere) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.got = append(e.got, r.Header.Clone())
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(runJSON))
}

func (e *elsewhere) seen() []http.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.got
}

// TestCancelNeverFollowsARedirect: a target redirecting to another port gets no follow-up,
// so the other origin sees no credential; Cancel returns an *APIError naming the redirect,
// and the generated client gets the 3xx itself, with or without the caller's http.Client.
func TestCancelNeverFollowsARedirect(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, own := range []bool{false, true} {
			t.Run(strconv.Itoa(status)+"/own_client="+strconv.FormatBool(own), func(t *testing.T) {
				other := &elsewhere{}
				to := httptest.NewServer(other)
				defer to.Close()
				from := httptest.NewServer(hostile.Redirect(status, to.URL))
				defer from.Close()
				opts := []portkey.Option{portkey.WithBaseURL(from.URL + "/v1"), portkey.WithAuth(portkey.Auth{APIKey: "pk-SECRET-api", VirtualKey: "vk-SECRET-virtual", Config: "pc-SECRET-config"})}
				if own {
					opts = append(opts, portkey.WithHTTPClient(&http.Client{}))
				}
				c, err := portkey.New(opts...)
				require.NoError(t, err)

				run, err := c.Cancel(context.Background(), "thread_a", "run_b")
				assert.Nil(t, run)
				var apiErr *portkey.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, status, apiErr.StatusCode)
				assert.Equal(t, `redirect to "`+to.URL+`/v1/threads/thread_a/runs/run_b/cancel" not followed (credentials never leave their origin)`, apiErr.Message)

				resp, err := portkey.CancelRun(context.Background(), c.Gen(), "thread_a", "run_b")
				require.NoError(t, err)
				assert.Equal(t, status, resp.StatusCode())
				assert.Empty(t, other.seen(), "the other origin is never called")
			})
		}
	}
}

// TestCheckRedirect: the policy hands back the 3xx answer, whatever the redirect.
func TestCheckRedirect(t *testing.T) {
	other := &elsewhere{}
	to := httptest.NewServer(other)
	defer to.Close()
	from := httptest.NewServer(hostile.Redirect(http.StatusTemporaryRedirect, to.URL))
	defer from.Close()
	req, err := http.NewRequest(http.MethodPost, from.URL+"/v1/threads/t/runs/r/cancel", nil)
	require.NoError(t, err)
	portkey.Auth{APIKey: "pk-SECRET-api", VirtualKey: "vk-SECRET-virtual"}.Apply(req.Header)
	resp, err := (&http.Client{CheckRedirect: portkey.CheckRedirect}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
	assert.Empty(t, other.seen())
}

// TestRedirectErrorShowsNoPassword: a Location with user info is named without it.
func TestRedirectErrorShowsNoPassword(t *testing.T) {
	srv, _ := serve(t, reply{status: http.StatusTemporaryRedirect, header: map[string]string{"Location": "http://admin:hunter2-Pa55@127.0.0.1:1/v1/x"}})
	_, err := newClient(t, srv, nil).Cancel(context.Background(), "thread_a", "run_b")
	var apiErr *portkey.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "@127.0.0.1:1/v1/x")
	assert.NotContains(t, err.Error(), "hunter2")
}
