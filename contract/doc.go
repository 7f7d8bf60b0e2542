// Package contract checks that a gateway's answers to Cancel Run, and to the Create and
// Retrieve calls that make and follow a run, match api/openapi.yaml and says where they do
// not: a Validator per exchange, a validating Transport, a scenario Suite (offline or live,
// LiveFromEnv, Lifecycle) and go-vcr cassettes, redacted before anything is written.
package contract
