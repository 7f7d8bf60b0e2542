// Package contract checks that what a gateway answers on Cancel Run
// (POST /threads/{thread_id}/runs/{run_id}/cancel) matches api/openapi.yaml, and says where
// it does not: status, content type, headers, body schema, semantics no schema can express,
// and drift, apart from infrastructure outcomes (timeouts, 429, 5xx).
//
// A Validator checks one exchange; a Transport validates every exchange of an http.Client
// (Client and Require fail a test on a violation); a Suite runs scenarios against any base
// URL; ReplayFile, Replayer and Record work with go-vcr cassettes, redacted before anything
// is written. Live mode reads its target and credentials from the environment (LiveFromEnv).
package contract
