// Command onlyprints writes one line like check's summary and exits: the floor that
// `portkey-runs check` is timed against (bench/cmd/startup).
package main

import "fmt"

func main() {
	fmt.Printf("PASS %d results: %d passed, 0 failed, 0 errors; %d checks, 0 failed, 0 errors\n", 18, 18, 143)
}
