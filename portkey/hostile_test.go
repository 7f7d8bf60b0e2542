package portkey_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// clientLenient are the malformed cases the client accepts on purpose, and the status it
// then returns: it decodes as encoding/json does (last duplicate wins, invalid UTF-8
// becomes U+FFFD) and keeps unknown statuses, for forward compatibility. The contract
// validator is where they fail.
var clientLenient = map[string]gen.RunStatus{
	"duplicate_keys":      gen.RunStatusQueued,
	"invalid_utf8":        gen.RunStatusCancelling,
	"unknown_status":      "paused",
	"many_keys_duplicate": gen.RunStatusCancelling,
}

// TestCancelHostileResponses: every hostile response gives a run or a typed, clean error,
// within the deadline and without reading past the body limit.
func TestCancelHostileResponses(t *testing.T) {
	for _, hc := range hostile.Cases() {
		t.Run(hc.Name, func(t *testing.T) {
			c, ctx := hostileClient(t, hc)
			run, err := c.Cancel(ctx, hostile.ThreadID, hostile.RunID)
			if err != nil {
				assert.NotContains(t, err.Error(), hostile.EchoedKey)
			}

			if st, ok := clientLenient[hc.Name]; ok {
				require.NoError(t, err)
				assert.Equal(t, st, run.Status)
				return
			}
			var (
				decodeErr *portkey.DecodeError
				apiErr    *portkey.APIError
				tooLarge  *portkey.BodyTooLargeError
			)
			switch hc.Class {
			case hostile.Conforming:
				require.NoError(t, err)
				assert.Equal(t, hostile.RunID, run.ID)
				return
			case hostile.Malformed:
				require.ErrorAs(t, err, &decodeErr)
				assert.Equal(t, 200, decodeErr.StatusCode)
				assert.NotEmpty(t, decodeErr.Excerpt)
			case hostile.TooLarge:
				require.ErrorAs(t, err, &tooLarge)
				assert.EqualValues(t, portkey.DefaultMaxResponseBytes, tooLarge.Limit)
			case hostile.Infrastructure:
				switch hc.Name {
				case "html_502":
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, 502, apiErr.StatusCode)
					assert.Equal(t, "body: 502 Bad Gateway 502 Bad Gateway nginx", apiErr.Message)
				case "drip":
					require.ErrorIs(t, err, context.DeadlineExceeded)
				case "cut_mid_body":
					require.ErrorIs(t, err, io.ErrUnexpectedEOF)
				case "redirect_302", "redirect_307", "redirect_308": // never followed
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, hc.Status, apiErr.StatusCode)
					assert.Contains(t, apiErr.Message, hostile.Nowhere+"/v1"+hostile.Path+`" not followed`)
				default:
					t.Fatalf("no expectation for %s", hc.Name)
				}
			default:
				t.Fatalf("no expectation for class %s", hc.Class)
			}
			assert.Nil(t, run)
		})
	}
}

// TestGenHostileResponses: the generated client, through the same limits, never panics or
// hangs either, and stops at the body limit.
func TestGenHostileResponses(t *testing.T) {
	for _, hc := range hostile.Cases() {
		t.Run(hc.Name, func(t *testing.T) {
			c, ctx := hostileClient(t, hc)
			resp, err := portkey.CancelRun(ctx, c.Gen(), hostile.ThreadID, hostile.RunID)
			var tooLarge *portkey.BodyTooLargeError
			switch {
			case hc.Class == hostile.TooLarge:
				require.ErrorAs(t, err, &tooLarge)
			case hc.Name == "drip", hc.Name == "cut_mid_body":
				require.Error(t, err)
			case err != nil:
				// The generated parser decodes JSON bodies of documented statuses only.
				assert.False(t, errors.As(err, &tooLarge), err)
				assert.Equal(t, hostile.Malformed, hc.Class, err)
			default:
				assert.Equal(t, hc.Status, resp.StatusCode())
			}
		})
	}
}

// hostileClient serves hc and returns a client for it with a context that ends 300ms in
// for the drip case and otherwise only guards against a hang.
func hostileClient(t *testing.T, hc hostile.Case) (*portkey.Client, context.Context) {
	srv := httptest.NewServer(hc)
	t.Cleanup(srv.Close)
	timeout := 10 * time.Second
	if hc.Name == "drip" {
		timeout = 300 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	// The client holds the key the echoed_key case sends back.
	return newClient(t, srv, nil, portkey.WithAuth(portkey.Auth{APIKey: hostile.EchoedKey, VirtualKey: "vk"})), ctx
}
