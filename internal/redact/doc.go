// Package redact removes secrets from HTTP exchanges and from what is printed: the known
// credentials (Redactor), credential headers, cookies, and any header, query or body value
// that looks like a key; Line also escapes control characters. Recordings, logs, reports
// and errors all use it, so that there is one definition of what a secret looks like.
package redact
