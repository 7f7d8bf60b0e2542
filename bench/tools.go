//go:build tools

package bench

// benchstat prints `make bench`'s comparisons; importing it here pins its version in go.mod.
import _ "golang.org/x/perf/cmd/benchstat"
