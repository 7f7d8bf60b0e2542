// Package redact removes secrets from HTTP exchanges: credential headers, cookies, and any
// header, query or body value that looks like a key. Recordings, logs and reports all use it,
// so that there is one definition of what a secret looks like.
package redact
