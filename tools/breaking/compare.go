package main

import (
	"fmt"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/checker/rules"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// Change is one breaking change between two versions of the spec.
type Change struct {
	Level  checker.Level // the harsher of the client and the server verdict
	ID     string        // oasdiff's change id, e.g. response-property-enum-value-removed
	Where  string        // "POST /path" for an operation, else the spec section
	Text   string        // oasdiff's description, without colour
	Breaks string        // "clients", "servers" or "clients and servers"
}

func (c Change) String() string {
	return fmt.Sprintf("%s %s at %s: %s (breaks %s)", c.Level, c.ID, c.Where, c.Text, c.Breaks)
}

// Compare returns the changes from base to revision that break a client or a server that
// conformed to base. oasdiff judges for clients; this spec also judges servers (the contract
// validator checks gateways, the reference server implements it), so a change that narrows a
// response or widens a request, which oasdiff reports as info, is breaking here too.
func Compare(base, revision []byte) ([]Change, error) {
	s1, err := loadSpec(base, "base")
	if err != nil {
		return nil, err
	}
	s2, err := loadSpec(revision, "revision")
	if err != nil {
		return nil, err
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	all := checker.CheckBackwardCompatibilityUntilLevel(
		checker.NewConfig(checker.GetAllChecks()), d, sources, checker.INFO)

	byID := map[string]rules.Rule{}
	for _, r := range checker.GetAllRules().Metadata() {
		byID[r.Id] = r
	}
	l := checker.NewDefaultLocalizer()
	var out []Change
	for _, c := range all {
		client := c.GetLevel()
		server := checker.INFO
		if r, ok := byID[c.GetId()]; ok && client == r.Level {
			// a lower level than the rule's means a guard nullified the effect: for both sides
			server = serverLevel(r)
		}
		if !client.IsBreaking() && !server.IsBreaking() {
			continue
		}
		out = append(out, Change{
			Level:  max(client, server),
			ID:     c.GetId(),
			Where:  where(c),
			Text:   c.GetUncolorizedText(l),
			Breaks: breaks(client.IsBreaking(), server.IsBreaking()),
		})
	}
	return out, nil
}

// serverLevel applies oasdiff's severity law to the other side of the wire: what narrows a
// response or widens a request breaks a server that conformed to the old spec.
func serverLevel(r rules.Rule) checker.Level {
	if slices.Contains(r.Guards, rules.GuardNegotiated) {
		return checker.INFO // the client picks the status or media type; oasdiff judged it
	}
	switch r.Effect {
	case rules.EffectNarrows:
		return rules.DeriveLevel(rules.EffectWidens, r.Direction, r.Guards...)
	case rules.EffectWidens:
		return rules.DeriveLevel(rules.EffectNarrows, r.Direction, r.Guards...)
	}
	return checker.INFO // no direction to mirror; the client verdict covers it
}

func breaks(client, server bool) string {
	switch {
	case client && server:
		return "clients and servers"
	case server:
		return "servers"
	}
	return "clients"
}

func where(c checker.Change) string {
	if op := c.GetOperation(); op != "" {
		return op + " " + c.GetPath()
	}
	if p := c.GetPath(); p != "" {
		return p
	}
	return c.GetSection()
}

// loadSpec parses one version of the spec; $refs outside the document are refused.
func loadSpec(data []byte, name string) (*load.SpecInfo, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	s, err := load.NewSpecInfoFromData(loader, data, name)
	if err != nil {
		return nil, fmt.Errorf("load %s spec: %w", name, err)
	}
	return s, nil
}
