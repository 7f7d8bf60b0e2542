//go:build tools

// This file pins the code generator to the version in go.mod.
package portkeyruns

import _ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
