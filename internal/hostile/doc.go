// Package hostile is test support: one table of misbehaving Cancel Run responses (broken
// JSON, wrong types, huge, slow or cut bodies, ...) that every consumer's tests run through.
package hostile
