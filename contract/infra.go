package contract

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// infrastructure classifies what is not about the contract: a call that failed, a timeout,
// a redirect (never followed), rate limiting, a server or gateway failure. It returns a
// notice (Unjudged for a redirect), or a zero Violation (empty Rule) when the exchange is
// none of those.
func (v *Validator) infrastructure(ex Exchange, body any) Violation {
	iv := Violation{Check: CheckInfrastructure, Location: "status", Severity: Notice}
	if ex.Err != nil {
		iv.Location, iv.Value = "connection", ""
		msg := truncate(strings.Join(strings.Fields(v.red.String(ex.Err.Error())), " "), 300)
		var ne net.Error
		if errors.Is(ex.Err, context.DeadlineExceeded) || errors.As(ex.Err, &ne) && ne.Timeout() {
			iv.Rule = "timed out: " + msg
		} else {
			iv.Rule = "failed: " + msg
		}
		return iv
	}
	switch {
	case ex.Status/100 == 3 && ex.Header.Get("Location") != "":
		iv.Location, iv.Value = "header Location", quote(truncate(v.red.URL(ex.Header.Get("Location")), maxValue))
		iv.Rule = "redirects the cancel (" + strconv.Itoa(ex.Status) + "), not followed: its answer is not judged"
		iv.Severity = Unjudged
	case ex.Status == 429:
		iv.Rule = "rate limited"
		if ra := ex.Header.Get("Retry-After"); ra != "" {
			iv.Rule += ", Retry-After " + quote(truncate(v.red.String(ra), 40))
		}
	case ex.Status == 408:
		iv.Rule = "request timed out"
	case ex.Status >= 500:
		obj, _ := body.(map[string]any)
		switch {
		case strings.EqualFold(ex.Header.Get(portkey.HeaderGatewayException), "true"):
			iv.Rule = "gateway failure (" + portkey.HeaderGatewayException + ": true)"
		case obj != nil && obj["status"] == "failure":
			iv.Rule = "gateway failure"
		default:
			iv.Rule = "server error"
		}
	}
	if iv.Rule == "" {
		return Violation{}
	}
	if iv.Location == "status" {
		iv.Value = strconv.Itoa(ex.Status)
	}
	return iv
}
