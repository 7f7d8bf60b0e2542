// Package specdoc decodes the embedded api/openapi.yaml once per process, for the packages
// that read it (TestSpecIsValid validates the file, TestGeneratedCodeIsCurrent its copy).
package specdoc

import (
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
)

// Load returns the embedded spec without its servers (it is served and called on any host,
// at / and /v1). Every caller gets the same document: read it, never change it.
var Load = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := spec.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("loading the embedded spec: %w", err)
	}
	doc.Servers = nil
	return doc, nil
})
