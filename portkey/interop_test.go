package portkey_test

import (
	"context"
	"net/http"
	"os"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestInteropGatewayException runs in make interop only (interop/gateway/run.sh sets the
// variables): the real gateway without the override fails a cancel the upstream performed;
// the client does not retry it and says so, and the run is cancelled upstream.
func TestInteropGatewayException(t *testing.T) {
	stock, patched, upstream := os.Getenv("INTEROP_STOCK_GATEWAY"), os.Getenv("INTEROP_GATEWAY"), os.Getenv("INTEROP_UPSTREAM")
	if stock == "" || patched == "" || upstream == "" {
		t.Skip("make interop sets INTEROP_STOCK_GATEWAY, INTEROP_GATEWAY and INTEROP_UPSTREAM")
	}
	auth := portkey.Auth{APIKey: "pk-interop", Provider: "openai", ProviderKey: "sk-interop", CustomHost: upstream}
	ct := &countingTransport{}
	c, err := portkey.New(portkey.WithBaseURL(stock), portkey.WithAuth(auth), portkey.WithHTTPClient(&http.Client{Transport: ct}))
	require.NoError(t, err)
	_, err = c.Cancel(context.Background(), "thread_demo", "run_queued")
	var gwErr *portkey.GatewayError
	require.ErrorAs(t, err, &gwErr)
	assert.Equal(t, 500, gwErr.StatusCode)
	assert.Equal(t, int32(1), ct.n.Load(), "not retried")
	t.Log(err)

	c, err = portkey.New(portkey.WithBaseURL(patched), portkey.WithAuth(auth))
	require.NoError(t, err)
	_, err = c.Cancel(context.Background(), "thread_demo", "run_queued")
	var apiErr *portkey.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "Cannot cancel run with status 'cancelled'", "the failed cancel had cancelled it")
}
