// Package refserver is an in-memory reference implementation of Portkey's Cancel Run
// operation, built on the generated strict server in gen, for tests and the CLI's serve.
//
// It behaves like the real service: cancel moves a queued, in_progress or requires_action
// run to cancelling and, after the cancel delay, to cancelled; other statuses answer 400
// "Cannot cancel run with status '<status>'."; unknown threads and runs answer 404; a
// request that satisfies none of the spec's security combinations answers 401. Every error
// uses OpenAI's envelope.
//
// Faults for client tests are asked for per request with a Prefer header, a comma-separated
// list of key=value (applied after authentication and validation, never changing a run):
//
//	code=NNN          answer NNN: 429 and 500 in the OpenAI envelope, 502/503/504 with the
//	                  gateway's {"status":"failure"} body, other documented statuses in the
//	                  envelope; an undocumented status answers 400
//	retry-after=N     send Retry-After: N (default 1 with code=429)
//	retry-after-ms=N  send retry-after-ms: N
//	delay=D           wait D (a Go duration, at most 30s) before answering; ends early, with
//	                  nothing changed, when the client gives up
//	truncate=true     send half of the body under the full Content-Length and close the
//	                  connection; without code=, the body is what the cancel would answer,
//	                  and the run is not changed
//	times=N           apply to the first N requests with the same Prefer value for the same
//	                  thread and run only
package refserver
