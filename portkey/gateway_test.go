package portkey_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// TestCancelAfterAGatewayExceptionIsNotRetried: @portkey-ai/gateway 1.15.2 without the
// @hono/node-server pin answers a cancel the upstream performed with this 500; a retry
// would get 400 "Cannot cancel run with status 'cancelling'" and hide both facts.
func TestCancelAfterAGatewayExceptionIsNotRetried(t *testing.T) {
	srv, s := serve(t,
		reply{status: 500, header: map[string]string{"x-portkey-gateway-exception": "true", "x-portkey-trace-id": "", "x-request-id": "req_up_1"},
			body: `{"status":"failure","message":"Something went wrong"}`},
		reply{status: 400, body: `{"error":{"message":"Cannot cancel run with status 'cancelling'.","type":"invalid_request_error","param":null,"code":null}}`})
	rt, fs := fastRetry()
	c := newClient(t, srv, rt)
	start := time.Now()
	run, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	assert.Nil(t, run)
	assert.Len(t, s.requests(), 1, "not retried")
	assert.Empty(t, fs.waits)
	assert.Less(t, time.Since(start), time.Second, "back at once")

	var gwErr *portkey.GatewayError
	require.ErrorAs(t, err, &gwErr)
	assert.Equal(t, portkey.APIError{StatusCode: 500, Message: "Something went wrong", RequestID: "req_up_1"}, *gwErr.APIError)
	var apiErr *portkey.APIError
	assert.True(t, errors.As(err, &apiErr), "still an *APIError for errors.As")
	assert.Contains(t, err.Error(), "the gateway failed")
	assert.Contains(t, err.Error(), "the upstream may have cancelled the run")
}

func TestGatewayExceptionIsNeverRetriedByTheTransport(t *testing.T) {
	for _, v := range []string{"true", "TRUE", " true"} {
		srv, s := serve(t, reply{status: 502, header: map[string]string{"x-portkey-gateway-exception": v}, body: `{}`})
		rt, _ := fastRetry()
		status, err := post(t, context.Background(), rt, srv.URL, "")
		require.NoError(t, err)
		assert.Equal(t, 502, status)
		assert.Len(t, s.requests(), 1, "%q", v)
	}
	srv, s := serve(t, reply{status: 502, header: map[string]string{"x-portkey-gateway-exception": "false"}, body: `{}`})
	rt, _ := fastRetry()
	_, err := post(t, context.Background(), rt, srv.URL, "")
	require.NoError(t, err)
	assert.Len(t, s.requests(), 3, "false is retried as any 502")
}

// TestRequestIDFromWhicheverIsSet: the gateway sends an empty x-portkey-trace-id unless the
// caller set one, and forwards the upstream's x-request-id.
func TestRequestIDFromWhicheverIsSet(t *testing.T) {
	for name, tc := range map[string]struct {
		header map[string]string
		want   string
	}{
		"empty trace id, upstream's request id": {map[string]string{"x-portkey-trace-id": "", "x-request-id": "req_up"}, "req_up"},
		"blank request id, trace id":            {map[string]string{"x-portkey-trace-id": "trace_1", "x-request-id": " "}, "trace_1"},
		"neither":                               {map[string]string{"x-portkey-trace-id": ""}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			srv, _ := serve(t, reply{status: 404, header: tc.header, body: `{"error":{"message":"No run found with id 'run_abc'.","type":"invalid_request_error","param":null,"code":null}}`})
			_, err := newClient(t, srv, nil).Cancel(context.Background(), "thread_abc", "run_abc")
			var apiErr *portkey.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.want, apiErr.RequestID)
		})
	}
}
