// Command portkey-runs runs the Cancel Run contract suite (check), validates captured
// responses (validate), records cassettes (record) and serves the reference server (serve);
// `portkey-runs <command> --help` shows a command's flags.
package main
