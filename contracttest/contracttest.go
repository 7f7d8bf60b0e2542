// Package contracttest makes a test fail on every exchange that breaks the contract: a
// validating transport around yours, or a ready http.Client.
package contracttest

import (
	"net/http"
	"testing"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// Require returns a validating transport around base (http.DefaultTransport when nil)
// that fails t on every contract failure, naming the exchange and the violation.
func Require(t testing.TB, base http.RoundTripper) http.RoundTripper {
	t.Helper()
	v, err := contract.Default()
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	return &contract.Transport{Base: base, Validator: v, Report: func(r contract.Result) {
		for _, f := range r.Failures() {
			t.Errorf("contract: %s: %s", r.Name, f)
		}
	}}
}

// Client returns an http.Client whose every exchange of the spec must conform: a failure
// fails t. It has a 30 s timeout and follows no redirect.
func Client(t testing.TB) *http.Client {
	t.Helper()
	return &http.Client{Transport: Require(t, nil), Timeout: contract.DefaultTimeout, CheckRedirect: portkey.CheckRedirect}
}
