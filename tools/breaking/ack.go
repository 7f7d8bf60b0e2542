package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Ack acknowledges a breaking change that was made on purpose.
type Ack struct {
	ID     string `yaml:"id"`     // the change id, as printed
	Where  string `yaml:"where"`  // the location, as printed
	Text   string `yaml:"text"`   // optional: only changes whose text contains this
	Reason string `yaml:"reason"` // why users can live with it; required
}

// Matches reports whether a acknowledges c.
func (a Ack) Matches(c Change) bool {
	return a.ID == c.ID && a.Where == c.Where && strings.Contains(c.Text, a.Text)
}

// ParseAcks reads an acknowledgement file: a YAML map with one key, acknowledged, holding a
// list of Ack. Unknown keys and entries without an id, a where or a reason are errors.
func ParseAcks(data []byte) ([]Ack, error) {
	var f struct {
		Acknowledged []Ack `yaml:"acknowledged"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	for i, a := range f.Acknowledged {
		missing := []string{}
		for _, kv := range [][2]string{{"id", a.ID}, {"where", a.Where}, {"reason", a.Reason}} {
			if strings.TrimSpace(kv[1]) == "" {
				missing = append(missing, kv[0])
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("entry %d (id %q): %s required", i+1, a.ID, strings.Join(missing, ", "))
		}
	}
	return f.Acknowledged, nil
}
