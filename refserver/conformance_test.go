package refserver_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// TestContractSuite runs the contract package's standard scenarios, faults included,
// against the server as serve seeds it, at / and at /v1. (Every other test in this package
// also checks each answer with the contract validator, in fixture.do.)
func TestContractSuite(t *testing.T) {
	v, err := strictValidator()
	require.NoError(t, err)
	for _, prefix := range []string{"", "/v1"} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			s, err := refserver.New()
			require.NoError(t, err)
			require.NoError(t, refserver.SeedDemo(s.Store))
			srv := httptest.NewServer(s)
			defer srv.Close()

			suite := &contract.Suite{BaseURL: srv.URL + prefix, Auth: creds, Client: srv.Client(), Validator: v}
			scenarios := contract.Scenarios(contract.Seeds{
				Cancellable: contract.RunRef{ThreadID: refserver.DemoThread, RunID: refserver.DemoRunID(gen.RunStatusRequiresAction)},
				Terminal:    contract.RunRef{ThreadID: refserver.DemoThread, RunID: refserver.DemoRunID(gen.RunStatusExpired)},
				Faults:      true,
			})
			require.Len(t, scenarios, 10)
			for _, r := range suite.RunAll(context.Background(), scenarios) {
				assert.Equal(t, contract.Pass, r.Verdict, "%s: %d %v", r.Name, r.Status, r.Violations())
				assert.Empty(t, r.Failures(), r.Name)
			}
		})
	}
}
