// Package refserver is an in-memory reference implementation of Portkey's Cancel Run
// operation (with Create and Retrieve, to make and follow runs), built on the generated
// strict server in gen, for tests and the CLI's serve; it behaves like the real service
// and injects faults asked for with a Prefer header.
package refserver
