// Package portkey is the hand-written client around the generated client in gen: New
// assembles it with Portkey credentials, retries (RetryTransport), bounded reads and typed
// errors (APIError), and Client.Cancel cancels a run with IDs sent exactly.
package portkey
