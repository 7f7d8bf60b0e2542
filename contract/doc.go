// Package contract checks that a gateway's answers to Cancel Run match api/openapi.yaml and
// says where they do not: a Validator per exchange, a validating Transport, a scenario Suite
// (offline or live, LiveFromEnv) and go-vcr cassettes, redacted before anything is written.
package contract
