// Package portkeyruns turns Portkey's Cancel Run operation into Go: api/openapi.yaml is the
// source of truth, gen/ is generated from it, and the rest is written by hand around gen/
// (ARCHITECTURE.md names the rooms).
package portkeyruns

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config api/types.cfg.yaml api/openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config api/client.cfg.yaml api/openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config api/server.cfg.yaml api/openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config api/spec.cfg.yaml api/openapi.yaml
//go:generate go run ./internal/wire/internal/docgen internal/wire/doc.gen.go
