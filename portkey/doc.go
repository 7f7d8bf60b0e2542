// Package portkey is the hand-written client side around the generated client in gen:
// Portkey credentials, and a guarded CancelRun that sends IDs exactly.
package portkey
