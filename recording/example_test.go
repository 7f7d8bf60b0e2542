package recording_test

import (
	"fmt"
	"os"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/recording"
)

// Replay a recorded cassette through the validator.
func ExampleReplay() {
	v, err := contract.New(contract.Options{})
	if err != nil {
		panic(err)
	}
	data, err := os.ReadFile("testdata/cassettes/bad/portkey_example.yaml")
	if err != nil {
		panic(err)
	}
	results, err := recording.Replay(v, "portkey_example", data)
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println(r.Name, r.Verdict, len(r.Failures()), "failures")
	}
	// Output:
	// portkey_example fail 5 failures
}
