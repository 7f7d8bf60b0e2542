// Command breaking fails when api/openapi.yaml breaks its users compared with the spec at a
// base git ref, unless each breaking change is acknowledged with a reason in the file beside
// the spec (api/breaking-ok.yaml). It is oasdiff used as a library; `make breaking` runs it.
package main
