package report

import (
	"encoding/json"
	"io"
)

// JSONVersion is the version of the structure JSON writes; it changes only when a field
// is removed or changes meaning. 2: severity "error" for what could not be judged, which
// checks_errors counts apart from checks_failed and notices.
const JSONVersion = 2

// The JSON report, field by field (README "Main command" documents it).
type (
	jsonReport struct {
		Version    int         `json:"version"`
		Verdict    string      `json:"verdict"` // pass, fail, error
		Strict     bool        `json:"strict"`
		Start      string      `json:"start"` // RFC 3339, UTC
		DurationMS float64     `json:"duration_ms"`
		Summary    Summary     `json:"summary"`
		Groups     []jsonGroup `json:"groups"`
	}
	jsonGroup struct {
		Name    string       `json:"name"`
		Target  string       `json:"target"`
		Results []jsonResult `json:"results"`
	}
	jsonResult struct {
		Name       string      `json:"name"`
		Status     int         `json:"status"` // 0: no response
		Verdict    string      `json:"verdict"`
		DurationMS float64     `json:"duration_ms"`
		Checks     []jsonCheck `json:"checks"`
	}
	jsonCheck struct {
		Check      string          `json:"check"`
		Result     string          `json:"result"` // pass, fail, error
		Violations []jsonViolation `json:"violations"`
	}
	jsonViolation struct {
		Severity string `json:"severity"` // failure, error, notice
		Where    string `json:"where"`    // "body /status", "status", "header Retry-After", ...
		Location string `json:"location"` // JSON pointer into the body, or Where when outside it
		Value    string `json:"value"`
		Rule     string `json:"rule"`
		Message  string `json:"message"` // the whole violation on one line
	}
)

// JSON writes r as one indented JSON document (version JSONVersion).
func JSON(w io.Writer, r *Report) error {
	s := r.Summary()
	out := jsonReport{Version: JSONVersion, Verdict: string(s.Verdict()), Strict: r.Strict,
		Start: r.Start.UTC().Format("2006-01-02T15:04:05.000Z07:00"), DurationMS: millis(r.Duration),
		Summary: s, Groups: []jsonGroup{}}
	for _, g := range r.Groups {
		jg := jsonGroup{Name: r.clean(g.Name), Target: r.target(g.Target), Results: []jsonResult{}}
		for _, res := range g.Results {
			jr := jsonResult{Name: r.clean(res.Name), Status: res.Status, Verdict: string(res.Verdict),
				DurationMS: millis(res.Duration), Checks: []jsonCheck{}}
			for _, c := range res.Checks {
				jc := jsonCheck{Check: r.clean(string(c.Check)), Result: string(c.Verdict), Violations: []jsonViolation{}}
				for _, v := range c.Violations {
					jc.Violations = append(jc.Violations, jsonViolation{Severity: v.Severity.String(),
						Where: r.clean(v.Where()), Location: r.clean(v.Location), Value: r.clean(v.Value),
						Rule: r.clean(v.Rule), Message: r.line(v)})
				}
				jr.Checks = append(jr.Checks, jc)
			}
			jg.Results = append(jg.Results, jr)
		}
		out.Groups = append(out.Groups, jg)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
