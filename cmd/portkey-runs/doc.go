// Command portkey-runs runs the Cancel Run contract suite and reports it for people and
// for CI: against the in-process reference server and the module's recordings by default,
// or against a live gateway (check); it also validates captured responses (validate),
// records cassettes (record) and serves the reference server (serve).
//
// Run `portkey-runs --help` for the commands and `portkey-runs <command> --help` for each.
package main
