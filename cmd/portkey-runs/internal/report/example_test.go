package report_test

import (
	"os"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/cmd/portkey-runs/internal/report"
	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/recording"
)

// Replay a known-bad recording and print the report for people, without colour.
func ExampleHuman() {
	v, err := contract.Default()
	if err != nil {
		panic(err)
	}
	data, err := os.ReadFile("../../../../recording/testdata/cassettes/bad/id_not_echoing.yaml")
	if err != nil {
		panic(err)
	}
	rs, err := recording.Replay(v, "id_not_echoing", data)
	if err != nil {
		panic(err)
	}
	r := &report.Report{Duration: 2 * time.Millisecond, Groups: []report.Group{{Name: "cassettes", Target: "bad", Results: rs}}}
	if err := report.Human(os.Stdout, r, report.HumanOptions{}); err != nil {
		panic(err)
	}
	// Output:
	// cassettes: bad
	//   FAIL  id_not_echoing (200, 0.0ms)
	//       pass  request
	//       pass  status_code
	//       pass  content_type
	//       pass  response_headers
	//       pass  schema
	//       FAIL  semantic
	//             body /id: "run_xyz789" does not echo the request's run_id "run_abc123" (semantic)
	//       pass  drift
	//
	// Failures:
	//   FAIL  cassettes.id_not_echoing: semantic
	//         body /id: "run_xyz789" does not echo the request's run_id "run_abc123" (semantic)
	//
	// FAIL 1 result: 0 passed, 1 failed, 0 errors; 7 checks, 1 failed, 0 errors; 0 notices (2.0ms)
}
