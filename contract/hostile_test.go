package contract_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// hostileFailures is the first failure the validator must report for each malformed case
// with bytes of its own: located, and saying what is wrong.
var hostileFailures = map[string]string{
	"truncated_json":      "body: is not valid JSON (unexpected EOF) (schema)",
	"empty_200":           "body: is empty, expected a JSON value (schema)",
	"text_plain_200":      `header Content-Type: "text/plain; charset=utf-8" is not application/json (content_type)`,
	"invalid_utf8":        "body: is not valid UTF-8 (byte 334) (schema)",
	"deep_nesting":        "body: is not valid JSON (invalid character '[' exceeded max depth) (schema)",
	"duplicate_keys":      "body /status: appears twice in its object: readers disagree on which value counts (schema)",
	"numbers_as_strings":  `body /created_at: "1700000000" is not an integer (schema)`,
	"number_1e400":        "body /created_at: 1e400 is not an integer (schema)",
	"unknown_status":      `body /status: "paused" is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired (schema)`,
	"gzip_without_header": "body: is gzip data, but Content-Encoding does not say gzip (schema)",
	"many_keys_duplicate": "body /response_format/json_schema/schema/k0: appears twice in its object: readers disagree on which value counts (schema)",
	"echoed_key":          `body /created_at: "[REDACTED]" is not an integer (schema)`,
	"control_characters":  `body /created_at: "\u001b[2J\u0007" is not an integer (schema)`,
}

// hostileSecrets are the credentials the validators of these tests hold.
var hostileSecrets = contract.Options{Secrets: []string{hostile.EchoedKey}}

// TestValidateHostileBodies: each case with bytes of its own, validated as recorded, gives
// its located failure, an infrastructure notice, or nothing when it conforms.
func TestValidateHostileBodies(t *testing.T) {
	v, err := contract.New(hostileSecrets)
	require.NoError(t, err)
	for _, hc := range hostile.Cases() {
		if hc.Body == nil {
			continue
		}
		t.Run(hc.Name, func(t *testing.T) {
			vs := v.Validate(contract.Exchange{Path: hostile.Path, Status: hc.Status, Header: hc.Header, Body: hc.Body}).Violations()
			var failures, infra []string
			for _, vi := range vs {
				switch {
				case vi.Failed():
					failures = append(failures, vi.String())
				case vi.Check == contract.CheckInfrastructure:
					infra = append(infra, vi.String())
				}
			}
			switch hc.Class {
			case hostile.Conforming:
				assert.Empty(t, vs)
			case hostile.Malformed:
				require.NotEmpty(t, failures, "located failure expected")
				assert.Equal(t, hostileFailures[hc.Name], failures[0])
			case hostile.Infrastructure: // a 5xx in any media type: the target failed, nothing is judged
				assert.Empty(t, failures)
				assert.Equal(t, []string{`status: 502 server error, a "text/html" body: "<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> <hr><center>nginx</center> </body> </html>" (infrastructure)`}, infra)
			default:
				t.Fatalf("no expectation for %s", hc.Class)
			}
		})
	}
}

// TestTransportHostileResponses: the validating transport, on every case, reports one
// result with the verdict of its class, returns within the deadline and hands the caller
// the answer (or the error) it got.
func TestTransportHostileResponses(t *testing.T) {
	v, err := contract.New(hostileSecrets)
	require.NoError(t, err)
	for _, hc := range hostile.Cases() {
		t.Run(hc.Name, func(t *testing.T) {
			srv := httptest.NewServer(hc)
			defer srv.Close()
			var mu sync.Mutex
			var results []contract.Result
			hc2 := &http.Client{Transport: &contract.Transport{Validator: v, Report: func(r contract.Result) {
				mu.Lock()
				defer mu.Unlock()
				results = append(results, r)
			}}, CheckRedirect: portkey.CheckRedirect}
			timeout := 10 * time.Second // a hang guard only
			if hc.Name == "drip" {
				timeout = 300 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+hostile.Path, nil)
			require.NoError(t, err)
			portkey.Auth{APIKey: "pk-test", VirtualKey: "vk-test"}.Apply(req.Header)
			resp, err := hc2.Do(req)
			if err == nil && hc.Class != hostile.TooLarge {
				_, err = io.ReadAll(resp.Body) // the same bytes, or the same error, as without the transport
			}
			if resp != nil {
				resp.Body.Close()
			}

			require.Len(t, results, 1)
			r := results[0]
			want := map[hostile.Class]contract.Verdict{
				hostile.Conforming: contract.Pass,
				hostile.Malformed:  contract.Fail,
				hostile.TooLarge:   contract.Error,
			}[hc.Class]
			switch hc.Name {
			case "html_502": // a 5xx in any media type is infrastructure: a notice, as for JSON
				want = contract.Pass
				assert.Empty(t, r.Failures())
			case "drip", "cut_mid_body":
				want = contract.Error
				require.Error(t, err, "the caller gets the error too")
			case "redirect_302", "redirect_307", "redirect_308": // the answer is elsewhere: not judged
				want = contract.Error
				require.NoError(t, err)
				assert.Equal(t, []string{`header Location: "http://127.0.0.1:1/v1/threads/thread_hostile/runs/run_hos..." redirects the cancel (` +
					strconv.Itoa(hc.Status) + `), not followed: its answer is not judged (infrastructure)`}, testtarget.Lines(r.Violations()))
			default:
				require.NoError(t, err)
			}
			assert.Equal(t, want, r.Verdict, "%v", r.Violations())
			if f := hostileFailures[hc.Name]; f != "" && hc.Name != "gzip_with_header" {
				require.NotEmpty(t, r.Failures())
				assert.Equal(t, f, r.Failures()[0].String())
			}
		})
	}
}
