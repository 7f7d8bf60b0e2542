package main

import (
	"fmt"
	"os"
	"strings"
)

// Removing a status value narrows the 200 response: clients are fine, but a gateway that
// returns `expired` no longer conforms, so the change breaks servers.
func ExampleCompare() {
	base, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		panic(err)
	}
	revision := strings.Replace(string(base), "        - expired\n", "", 1)
	changes, err := Compare(base, []byte(revision))
	if err != nil {
		panic(err)
	}
	for _, c := range changes {
		if c.Where == "POST /threads/{thread_id}/runs/{run_id}/cancel" { // also found at the other operations answering a Run
			fmt.Println(c)
		}
	}
	// Output:
	// error response-property-enum-value-removed at POST /threads/{thread_id}/runs/{run_id}/cancel: removed the `expired` enum value from the `status` response property for the response status `200` (breaks servers)
}
