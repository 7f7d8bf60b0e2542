package contract_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
)

// cassetteFiles are every committed cassette, good and known-bad.
func cassetteFiles(f *testing.F) []string {
	good, err := filepath.Glob("../recording/testdata/cassettes/*.yaml")
	require.NoError(f, err)
	bad, err := filepath.Glob("../recording/testdata/cassettes/bad/*.yaml")
	require.NoError(f, err)
	require.NotEmpty(f, good)
	return append(good, bad...)
}

// FuzzValidate: whatever a gateway answers, the validator does not panic, gives the same
// answer twice, locates every failure, renders each finding on one line and never with
// something key-looking in it. Seeded with the responses of the cassettes and the hostile
// table.
func FuzzValidate(f *testing.F) {
	v, err := contract.New(contract.Options{})
	require.NoError(f, err)
	for _, file := range cassetteFiles(f) {
		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		require.NoError(f, err, file)
		for _, i := range c.Interactions {
			r := i.Response
			f.Add(r.Code, r.Headers.Get("Content-Type"), r.Headers.Get("Retry-After"), r.Headers.Get("Content-Encoding"), []byte(r.Body))
		}
	}
	for _, hc := range hostile.Cases() {
		if hc.Body != nil && len(hc.Body) < 4096 {
			f.Add(hc.Status, hc.Header.Get("Content-Type"), "", hc.Header.Get("Content-Encoding"), hc.Body)
		}
	}
	f.Add(429, "application/json", "0", "", []byte(`{"error":{"message":"","type":"x","param":null,"code":null}}`))
	f.Add(200, "application/json; charset=utf-8", "", "", []byte(`{"tools":[{"type":1},{"type":"function","function":{"name":5}}],"tool_choice":{},"response_format":[],"metadata":{"a":1}}`))

	f.Fuzz(func(t *testing.T, status int, ct, retryAfter, encoding string, body []byte) {
		h := http.Header{"Content-Type": {ct}, "Retry-After": {retryAfter}, "Content-Encoding": {encoding}}
		req := http.Header{}
		testtarget.HostedAuth.Apply(req)
		ex := contract.Exchange{Method: http.MethodPost, Path: "/threads/t/runs/r/cancel", RequestHeader: req, Status: status, Header: h, Body: body}
		vs := v.Validate(ex).Violations()
		assert.Equal(t, vs, v.Validate(ex).Violations(), "the same answer twice")
		for _, vi := range vs {
			s := vi.String()
			assert.NotEmpty(t, s)
			assert.NotContains(t, s, "\n")
			assert.NotContains(t, s, "\r")
			assert.Empty(t, redact.Find(s), "key-looking text in %q", s)
			if vi.Failed() {
				assert.NotEmpty(t, vi.Where(), "a failure is located: %s", s)
			}
		}
	})
}
