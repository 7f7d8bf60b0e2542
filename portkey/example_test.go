package portkey_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// startReference runs the reference server with thread_abc/run_abc in progress and
// thread_abc/run_done completed. It prints, for each request, the attempt number and the
// names of the credential headers that came with it.
func startReference() *httptest.Server {
	s, err := refserver.New()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Store.Seed("thread_abc", "run_abc", gen.RunStatusInProgress); err != nil {
		log.Fatal(err)
	}
	if _, err := s.Store.Seed("thread_abc", "run_done", gen.RunStatusCompleted); err != nil {
		log.Fatal(err)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var names []string
		for _, k := range []string{portkey.HeaderAPIKey, portkey.HeaderVirtualKey, portkey.HeaderProvider, "Authorization", portkey.HeaderConfig, portkey.HeaderCustomHost} {
			if r.Header.Get(k) != "" {
				names = append(names, strings.ToLower(k))
			}
		}
		fmt.Printf("server: attempt %s with %s\n", r.Header.Get(portkey.HeaderRetryAttempt), strings.Join(names, ", "))
		s.ServeHTTP(w, r)
	}))
}

// cancel cancels run_abc with c and prints the run's status.
func cancel(c *portkey.Client) {
	run, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(run.Status)
}

// With PORTKEY_API_KEY and one of PORTKEY_VIRTUAL_KEY, PORTKEY_CONFIG or PORTKEY_PROVIDER
// (+ PORTKEY_PROVIDER_KEY) set, New needs no options and calls the hosted gateway.
func ExampleNew() {
	c, err := portkey.New()
	if err != nil {
		log.Fatal(err) // names the missing variable, never a key
	}
	run, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(run.Status)
}

// The seed's combination: a Portkey API key and a virtual key.
func ExampleNew_virtualKey() {
	srv := startReference()
	defer srv.Close()

	c, err := portkey.New(
		portkey.WithBaseURL(srv.URL+"/v1"), // leave out for https://api.portkey.ai/v1
		portkey.WithAuth(portkey.Auth{APIKey: "pk-example", VirtualKey: "vk-example"}),
	)
	if err != nil {
		log.Fatal(err)
	}
	cancel(c)
	// Output:
	// server: attempt 0 with x-portkey-api-key, x-portkey-virtual-key
	// cancelling
}

// A provider and its own key, sent as Authorization: Bearer.
func ExampleNew_provider() {
	srv := startReference()
	defer srv.Close()

	c, err := portkey.New(
		portkey.WithBaseURL(srv.URL+"/v1"),
		portkey.WithAuth(portkey.Auth{APIKey: "pk-example", Provider: "openai", ProviderKey: "sk-example"}),
	)
	if err != nil {
		log.Fatal(err)
	}
	cancel(c)
	// Output:
	// server: attempt 0 with x-portkey-api-key, x-portkey-provider, authorization
	// cancelling
}

// A saved Portkey config (or an inline JSON config).
func ExampleNew_config() {
	srv := startReference()
	defer srv.Close()

	c, err := portkey.New(
		portkey.WithBaseURL(srv.URL+"/v1"),
		portkey.WithAuth(portkey.Auth{APIKey: "pk-example", Config: "pc-example"}),
	)
	if err != nil {
		log.Fatal(err)
	}
	cancel(c)
	// Output:
	// server: attempt 0 with x-portkey-api-key, x-portkey-config
	// cancelling
}

// A self-hosted gateway forwarding to an upstream of your choice.
func ExampleNew_customHost() {
	srv := startReference()
	defer srv.Close()

	c, err := portkey.New(
		portkey.WithBaseURL(srv.URL+"/v1"), // the gateway, e.g. http://localhost:8787/v1
		portkey.WithAuth(portkey.Auth{APIKey: "pk-example", Provider: "openai", ProviderKey: "sk-example",
			CustomHost: "http://127.0.0.1:9000/v1"}),
	)
	if err != nil {
		log.Fatal(err)
	}
	cancel(c)
	// Output:
	// server: attempt 0 with x-portkey-api-key, x-portkey-provider, authorization, x-portkey-custom-host
	// cancelling
}

// Retries are on by default. Here the reference server answers 503 twice (asked for with
// its Prefer header) and the third attempt succeeds; X-Retry-Attempt numbers them.
func ExampleClient_Cancel_retries() {
	srv := startReference()
	defer srv.Close()

	c, err := portkey.New(
		portkey.WithBaseURL(srv.URL+"/v1"),
		portkey.WithAuth(portkey.Auth{APIKey: "pk-example", VirtualKey: "vk-example"}),
		portkey.WithMaxRetries(2), // the default
		portkey.WithHeader("Prefer", "code=503, retry-after-ms=10, times=2"),
	)
	if err != nil {
		log.Fatal(err)
	}
	cancel(c)
	// Output:
	// server: attempt 0 with x-portkey-api-key, x-portkey-virtual-key
	// server: attempt 1 with x-portkey-api-key, x-portkey-virtual-key
	// server: attempt 2 with x-portkey-api-key, x-portkey-virtual-key
	// cancelling
}

// Every non-2xx answer is an *APIError.
func ExampleAPIError() {
	srv := startReference()
	defer srv.Close()

	c, err := portkey.New(
		portkey.WithBaseURL(srv.URL+"/v1"),
		portkey.WithAuth(portkey.Auth{APIKey: "pk-example", VirtualKey: "vk-example"}),
	)
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Cancel(context.Background(), "thread_abc", "run_done")
	var apiErr *portkey.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Type)
		fmt.Println(apiErr.Message)
	}
	// Output:
	// server: attempt 0 with x-portkey-api-key, x-portkey-virtual-key
	// 400 invalid_request_error
	// Cannot cancel run with status 'completed'.
}

// RetryTransport also serves a client built by hand, here around the generated client.
func ExampleRetryTransport() {
	srv := startReference()
	defer srv.Close()

	rt := portkey.NewRetryTransport(http.DefaultTransport)
	hc := &http.Client{Transport: rt, Timeout: 30 * time.Second}
	auth := portkey.Auth{APIKey: "pk-example", Config: "pc-example"}
	g, err := gen.NewClientWithResponses(srv.URL+"/v1", gen.WithHTTPClient(hc), gen.WithRequestEditorFn(auth.Editor()))
	if err != nil {
		log.Fatal(err)
	}
	prefer := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Prefer", "code=429, retry-after-ms=10, times=1")
		return nil
	}
	res, err := portkey.CancelRun(context.Background(), g, "thread_abc", "run_abc", prefer)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.StatusCode(), res.JSON200.Status)
	// Output:
	// server: attempt 0 with x-portkey-api-key, x-portkey-config
	// server: attempt 1 with x-portkey-api-key, x-portkey-config
	// 200 cancelling
}

// An ID of "." or ".." is refused before anything is sent: URLs and proxies remove dot
// segments (RFC 3986 5.2.4), so no request could carry it.
func ExampleCancelRun_dotSegment() {
	g, err := gen.NewClientWithResponses("https://api.portkey.ai/v1")
	if err != nil {
		log.Fatal(err)
	}
	_, err = portkey.CancelRun(context.Background(), g, "thread_abc", "..")
	fmt.Println(errors.Is(err, portkey.ErrInvalidID))
	// Output: true
}
