package contract_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
)

// bareKin validates a response with kin-openapi's own ValidateResponse, the operation's
// route built by hand (no router lookup).
type bareKin struct{ route *routers.Route }

func newBareKin(t testing.TB) bareKin {
	doc, err := spec.GetSpec()
	require.NoError(t, err)
	doc.Servers = nil
	item := doc.Paths.Value(contract.CancelPathTemplate(t))
	return bareKin{&routers.Route{Spec: doc, Path: contract.CancelPathTemplate(t), PathItem: item, Method: http.MethodPost, Operation: item.Post}}
}

func (k bareKin) validate(status int, header http.Header, body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, "http://x/threads/t/runs/r/cancel", nil)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: k.route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// TestSchemaVerdictsMatchKin: over every cassette, the checks kin-openapi also makes
// (status, content type, headers, body schema) fail exactly when kin's own
// ValidateResponse fails.
func TestSchemaVerdictsMatchKin(t *testing.T) {
	v := validator(t, contract.Options{})
	kin := newBareKin(t)
	files, err := filepath.Glob("../recording/testdata/cassettes/*.yaml")
	require.NoError(t, err)
	bad, err := filepath.Glob("../recording/testdata/cassettes/bad/*.yaml")
	require.NoError(t, err)
	files = append(files, bad...)
	require.Greater(t, len(files), 15)
	kinChecks := map[contract.Check]bool{contract.CheckStatusCode: true, contract.CheckContentType: true,
		contract.CheckResponseHeaders: true, contract.CheckSchema: true}
	for _, f := range files {
		c, err := cassette.Load(f[:len(f)-len(".yaml")])
		require.NoError(t, err)
		for _, i := range c.Interactions {
			p := i.Response
			ours := false
			for _, vi := range v.Validate(contract.Exchange{Status: p.Code, Header: p.Headers, Body: []byte(p.Body)}).Violations() {
				ours = ours || vi.Failed() && kinChecks[vi.Check]
			}
			kinErr := kin.validate(p.Code, p.Headers, []byte(p.Body))
			assert.Equal(t, kinErr != nil, ours, "%s: kin says %v", f, kinErr)
		}
	}
}

// A typical 200 body: the spec's fullest example, with an undeclared field (v1's file_ids).
func typicalRun(b testing.TB) []byte {
	ex := exampleValue(b, "CancelledRunFilled").(map[string]any)
	ex["file_ids"] = []any{}
	return mustJSONTB(b, ex)
}

func BenchmarkValidate(b *testing.B) {
	v, err := contract.New(contract.Options{})
	require.NoError(b, err)
	body := typicalRun(b)
	ex := contract.Exchange{Method: "POST", Path: "/v1/threads/thread_def456/runs/run_def456/cancel",
		Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if vs := v.Validate(ex).Violations(); len(vs) != 1 {
			b.Fatal(vs)
		}
	}
}

func BenchmarkBareKinValidateResponse(b *testing.B) {
	kin := newBareKin(b)
	body := typicalRun(b)
	h := http.Header{"Content-Type": {"application/json"}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := kin.validate(200, h, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := contract.New(contract.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
