package recording

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seed-a6d846e6/portkey-runs/contract"
)

// HeaderExpect, on a recorded response, keeps what its scenario expected, so that a
// replay gives the live verdict: "scenario NAME; expect 401 403; no-credentials;
// not-cancellable; require Retry-After" (the last three only when they apply).
const HeaderExpect = "Portkey-Runs-Expect"

// expectation renders sc's expectations as HeaderExpect's value.
func expectation(sc contract.Scenario) string {
	codes := make([]string, len(sc.Expect))
	for i, c := range sc.Expect {
		codes[i] = strconv.Itoa(c)
	}
	parts := []string{"scenario " + sc.Name, "expect " + strings.Join(codes, " ")}
	if sc.NoAuth {
		parts = append(parts, "no-credentials")
	}
	if sc.NotCancellable {
		parts = append(parts, "not-cancellable")
	}
	if len(sc.RequireHeaders) > 0 {
		parts = append(parts, "require "+strings.Join(sc.RequireHeaders, " "))
	}
	return strings.Join(parts, "; ")
}

// parseExpectation reads HeaderExpect's value back into a Scenario's expectations.
func parseExpectation(s string) (contract.Scenario, error) {
	var sc contract.Scenario
	for _, part := range strings.Split(s, ";") {
		key, rest, _ := strings.Cut(strings.TrimSpace(part), " ")
		switch key {
		case "scenario":
			sc.Name = rest
		case "expect":
			for _, f := range strings.Fields(rest) {
				n, err := strconv.Atoi(f)
				if err != nil || n < 100 || n > 599 {
					return sc, fmt.Errorf("%s: %s is not a status", HeaderExpect, strconv.Quote(f))
				}
				sc.Expect = append(sc.Expect, n)
			}
		case "no-credentials":
			sc.NoAuth = true
		case "not-cancellable":
			sc.NotCancellable = true
		case "require":
			sc.RequireHeaders = strings.Fields(rest)
		default:
			return sc, fmt.Errorf("%s: unknown part %q", HeaderExpect, cut(part, 40))
		}
	}
	return sc, nil
}

// cut keeps at most n bytes of s, whole runes.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
