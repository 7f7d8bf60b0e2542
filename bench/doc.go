// Package bench measures this module against what users would otherwise pick (raw
// net/http, openai-go, kin-openapi, libopenapi-validator, Prism) on the same work. It is
// its own module so that the main module never depends on the peers.
package bench
