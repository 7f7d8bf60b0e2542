// Command portkey-runs runs the Cancel Run contract suite (check), validates captured
// responses (validate), records cassettes (record), serves the reference server (serve)
// and prints its versions (version);
// `portkey-runs <command> --help` shows a command's flags.
package main
