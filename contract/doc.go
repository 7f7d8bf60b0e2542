// Package contract judges a gateway's answers to Cancel Run, and to the Create and Retrieve
// calls that make and follow a run, against api/openapi.yaml: a Validator turns an Exchange
// into a Result, a Transport judges live traffic, a Suite runs Scenarios and Lifecycle.
// Recordings are package recording's; test helpers, package contracttest's.
package contract
