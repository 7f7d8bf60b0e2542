package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

// Validate a JSON body captured from a gateway: give its status (and, when known, the
// IDs it must echo with --thread and --run).
func Example_validate() {
	body := `{"error":{"message":"No run found with id 'run_abc'.","type":"invalid_request_error","param":null,"code":null}}`
	for _, status := range []string{"404", "418"} {
		code := run(context.Background(), []string{"validate", "--status", status, "-"},
			strings.NewReader(body), os.Stdout, io.Discard, os.Getenv)
		fmt.Println("exit", code)
	}
	// Output:
	// exit 0
	// -: status: 418 is not documented for cancelRun; the body says "No run found with id 'run_abc'." (status_code)
	// exit 1
}
