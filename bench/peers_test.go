package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// A responseValidator says whether one Cancel Run response conforms, the way one peer
// does it. Each is built once from the same embedded spec.
type responseValidator interface {
	valid(req *http.Request, resp *http.Response) bool
}

// ours is the contract validator: every check, including semantics and drift.
type ours struct{ v *contract.Validator }

func newOurs(tb testing.TB) ours {
	v, err := contract.New(contract.Options{})
	require.NoError(tb, err)
	return ours{v}
}

func (o ours) valid(req *http.Request, resp *http.Response) bool {
	return o.v.ValidateResponse(req, resp).Verdict != contract.Fail
}

// kin is bare kin-openapi: openapi3filter.ValidateResponse on a route found once.
type kin struct{ route *routers.Route }

func newKin(tb testing.TB) kin {
	doc, err := spec.GetSpec()
	require.NoError(tb, err)
	doc.Servers = nil
	require.NoError(tb, doc.Validate(context.Background()))
	router, err := gorillamux.NewRouter(doc)
	require.NoError(tb, err)
	req, err := http.NewRequest(http.MethodPost, CancelPath[len("/v1"):], nil)
	require.NoError(tb, err)
	route, _, err := router.FindRoute(req)
	require.NoError(tb, err)
	return kin{route}
}

var kinOptions = &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}

func (k kin) valid(req *http.Request, resp *http.Response) bool {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: k.route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   resp.Body,
		Options:                kinOptions,
	}
	return openapi3filter.ValidateResponse(req.Context(), in) == nil
}

// libopenapiValidator is pb33f's libopenapi-validator: ValidateHttpResponse.
type libopenapiValidator struct{ v validator.Validator }

func newLibopenapi(tb testing.TB) libopenapiValidator {
	raw, err := spec.PathToRawSpec("spec")["spec"]()
	require.NoError(tb, err)
	doc, err := libopenapi.NewDocument(raw)
	require.NoError(tb, err)
	v, errs := validator.NewValidator(doc)
	require.Empty(tb, errs)
	return libopenapiValidator{v}
}

func (l libopenapiValidator) valid(req *http.Request, resp *http.Response) bool {
	ok, _ := l.v.ValidateHttpResponse(req, resp)
	return ok
}

// exchange is a Cancel Run request with credentials and a 200 response whose body can be
// read again after reset.
type exchange struct {
	req  *http.Request
	resp *http.Response
	body []byte
}

func newExchange(tb testing.TB, body []byte) *exchange {
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1"+CancelPath, nil)
	require.NoError(tb, err)
	portkey.Auth{APIKey: "pk-test", VirtualKey: "vk-test"}.Apply(req.Header)
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(body)), Request: req}
	ex := &exchange{req: req, resp: resp, body: body}
	ex.reset()
	return ex
}

func (ex *exchange) reset() { ex.resp.Body = io.NopCloser(bytes.NewReader(ex.body)) }

var peers = []struct {
	name string
	new  func(testing.TB) responseValidator
}{
	{"contract", func(tb testing.TB) responseValidator { return newOurs(tb) }},
	{"libopenapi-validator", func(tb testing.TB) responseValidator { return newLibopenapi(tb) }},
	{"kin-openapi", func(tb testing.TB) responseValidator { return newKin(tb) }},
}
