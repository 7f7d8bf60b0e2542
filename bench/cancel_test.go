package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

var creds = portkey.Auth{APIKey: "pk-test", VirtualKey: "vk-test"}

// runServer answers every request with the typical full Run body.
func runServer(tb testing.TB) *httptest.Server {
	body := TypicalBody()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// A canceller cancels the run the bodies describe, the way one client does it.
type canceller func(ctx context.Context) (status string, err error)

// rawCancel is the baseline: net/http and encoding/json into the generated Run, by hand.
func rawCancel(tb testing.TB, baseURL string) canceller {
	hc := &http.Client{}
	url := baseURL + CancelPath
	return func(ctx context.Context) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
		if err != nil {
			return "", err
		}
		creds.Apply(req.Header)
		req.Header.Set("OpenAI-Beta", "assistants=v2")
		resp, err := hc.Do(req)
		if err != nil {
			return "", err
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return "", err
		}
		var run gen.Run
		if err := json.Unmarshal(body, &run); err != nil {
			return "", err
		}
		return string(run.Status), nil
	}
}

// portkeyCancel is our client as users build it: defaults, so retries are on.
func portkeyCancel(tb testing.TB, baseURL string, opts ...portkey.Option) canceller {
	c, err := portkey.New(append([]portkey.Option{portkey.WithBaseURL(baseURL + "/v1"), portkey.WithAuth(creds)}, opts...)...)
	require.NoError(tb, err)
	return func(ctx context.Context) (string, error) {
		run, err := c.Cancel(ctx, ThreadID, RunID)
		if err != nil {
			return "", err
		}
		return string(run.Status), nil
	}
}

// openaiCancel is openai-go v3 with its defaults (2 retries) and Portkey's headers.
func openaiCancel(tb testing.TB, baseURL string) canceller {
	c := openai.NewClient(
		option.WithBaseURL(baseURL+"/v1/"),
		option.WithAPIKey("sk-unused"),
		option.WithHeader(portkey.HeaderAPIKey, creds.APIKey),
		option.WithHeader(portkey.HeaderVirtualKey, creds.VirtualKey),
	)
	return func(ctx context.Context) (string, error) {
		run, err := c.Beta.Threads.Runs.Cancel(ctx, ThreadID, RunID)
		if err != nil {
			return "", err
		}
		return string(run.Status), nil
	}
}

var clients = []struct {
	name string
	new  func(testing.TB, string) canceller
}{
	{"raw", rawCancel},
	{"portkey", func(tb testing.TB, u string) canceller { return portkeyCancel(tb, u) }},
	{"openai-go", openaiCancel},
}

func TestClientsCancel(t *testing.T) {
	srv := runServer(t)
	for _, c := range clients {
		status, err := c.new(t, srv.URL)(context.Background())
		require.NoError(t, err, c.name)
		assert.Equal(t, "cancelled", status, c.name)
	}
}

// BenchmarkCancel is one Cancel call over loopback, the same full Run body for each client.
func BenchmarkCancel(b *testing.B) {
	for _, c := range clients {
		b.Run("impl="+c.name, func(b *testing.B) {
			cancel := c.new(b, runServer(b).URL)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cancel(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCancelTransport is our client's Cancel without and with the validating
// transport under it.
func BenchmarkCancelTransport(b *testing.B) {
	v, err := contract.New(contract.Options{})
	require.NoError(b, err)
	for _, validate := range []bool{false, true} {
		name := "transport=none"
		if validate {
			name = "transport=contract"
		}
		b.Run(name, func(b *testing.B) {
			var failures, reports atomic.Int64
			var opts []portkey.Option
			if validate {
				opts = append(opts, portkey.WithHTTPClient(&http.Client{Transport: &contract.Transport{Validator: v, Report: func(r contract.Result) {
					reports.Add(1)
					failures.Add(int64(len(r.Failures())))
				}}}))
			}
			cancel := portkeyCancel(b, runServer(b).URL, opts...)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cancel(ctx); err != nil {
					b.Fatal(err)
				}
			}
			if failures.Load() != 0 || validate && reports.Load() == 0 {
				b.Fatalf("%d reports, %d failures", reports.Load(), failures.Load())
			}
		})
	}
}

// cannedTransport answers every request with the typical Run body, without a network.
type cannedTransport struct{ body []byte }

func (c cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: int64(len(c.body)),
		Body: io.NopCloser(bytes.NewReader(c.body)), Request: req}, nil
}

// BenchmarkTransportOnly isolates what the validating transport adds to one call: the
// same request and canned response, read to the end, with and without it.
func BenchmarkTransportOnly(b *testing.B) {
	v, err := contract.New(contract.Options{})
	require.NoError(b, err)
	canned := cannedTransport{TypicalBody()}
	for _, validate := range []bool{false, true} {
		name := "transport=none"
		var rt http.RoundTripper = canned
		var failures atomic.Int64
		if validate {
			name = "transport=contract"
			rt = &contract.Transport{Base: canned, Validator: v, Report: func(r contract.Result) { failures.Add(int64(len(r.Failures()))) }}
		}
		b.Run(name, func(b *testing.B) {
			req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1"+CancelPath, nil)
			require.NoError(b, err)
			creds.Apply(req.Header)
			b.ReportAllocs()
			for b.Loop() {
				resp, err := rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, resp.Body); err != nil {
					b.Fatal(err)
				}
				_ = resp.Body.Close()
			}
			if failures.Load() != 0 {
				b.Fatal("contract failures")
			}
		})
	}
}
