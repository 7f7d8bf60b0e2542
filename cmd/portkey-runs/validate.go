package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/seed-a6d846e6/portkey-runs/cmd/portkey-runs/internal/report"
	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/recording"
)

const validateUsage = `Usage: portkey-runs validate [flags] FILE...

Validates what you captured from a gateway against the Cancel Run contract. Each FILE
(- reads standard input; a directory stands for the cassettes, *.yaml, directly in it) is
one of:
  - a go-vcr cassette (YAML with interactions:), every interaction validated;
  - an HTTP response as 'curl -i' prints it: status line (HTTP/1.1 or HTTP/2), headers,
    a blank line, the body; responses printed before the last one (100 Continue,
    redirects followed with -L) are skipped;
  - a JSON body, validated as the answer with status --status.
A cassette's requests say which operation each answer is for; a curl dump or a JSON body
is judged as the answer of --operation.
Prints one line per violation, prefixed with the input it came from: a failure as it is,
"notice: " before drift and infrastructure findings, which do not fail (drift does with
--strict), "error: " before what could not be judged (a body over the size limit). A curl
dump or a JSON body does not say which call it answered (the same Run answers create,
retrieve and cancel): the rules of one call (a cancel answers cancelling or cancelled, a
create queued) apply to it only when --operation names the call.

Flags:
  --operation ID the call a curl dump or JSON body answered: cancelRun (the default),
                 getRun, createRun or createThreadAndRun
  --status N     status of a bare JSON body (default 200)
  --thread ID    thread the response must echo (curl -i dumps and JSON bodies)
  --run ID       run the response must echo
  --strict       count drift (properties or response headers the spec does not declare) as a failure

Exit codes: 0 every input conforms, 1 an input violates the contract, 2 usage or I/O error,
or an input that could not be judged (a body over the validator's limit).

Examples:
  curl -si -X POST "$URL/threads/thread_abc/runs/run_abc/cancel" -H ... > cancel.txt
  portkey-runs validate --thread thread_abc --run run_abc cancel.txt
  portkey-runs validate recording/testdata/cassettes
  echo '{"error":{"message":"No run found","type":"invalid_request_error","param":null,"code":null}}' |
    portkey-runs validate --status 404 -
`

// maxInput bounds what validate reads from one input: the validator's body limit, plus
// room for a capture's headers or a cassette's YAML around the body.
const maxInput = contract.DefaultMaxBody + 1<<20

func validateFlags(fs *flag.FlagSet) func(context.Context, env, []string) int {
	status := fs.Int("status", 200, "status of a bare JSON body")
	thread := fs.String("thread", "", "thread `ID` the response must echo")
	runID := fs.String("run", "", "run `ID` the response must echo")
	strict := fs.Bool("strict", false, "count drift as a failure")
	operation := fs.String("operation", "", "the call a curl dump or JSON body answered (default cancelRun)")
	return func(ctx context.Context, e env, args []string) int {
		if len(args) == 0 {
			fmt.Fprintln(e.stderr, "portkey-runs validate: name at least one FILE (- for standard input); run 'portkey-runs validate --help'")
			return exitError
		}
		if *status < 100 || *status > 599 {
			fmt.Fprintf(e.stderr, "portkey-runs validate: --status %d is not an HTTP status (100 to 599)\n", *status)
			return exitError
		}
		v, err := contract.New(contract.Options{Strict: *strict, Secrets: e.secrets})
		if err != nil {
			fmt.Fprintf(e.stderr, "portkey-runs validate: %v\n", err)
			return exitError
		}
		if *operation != "" && !slices.Contains(v.Operations(), *operation) {
			fmt.Fprintf(e.stderr, "portkey-runs validate: --operation %s is not one of %s\n", redact.Escape(*operation), strings.Join(v.Operations(), ", "))
			return exitError
		}
		in := input{status: *status, thread: *thread, run: *runID, operation: *operation}
		code, conforming, notices, inputs := exitPass, 0, 0, 0
		for _, arg := range args {
			names, err := expand(arg)
			if err != nil {
				fmt.Fprintf(e.stderr, "%s: %s\n", redact.Escape(arg), e.red.Line(err.Error()))
				code, inputs = exitError, inputs+1
				continue
			}
			for _, name := range names {
				inputs++
				results, err := in.validate(e, v, name)
				if err != nil {
					fmt.Fprintf(e.stderr, "%s: %s\n", redact.Escape(name), e.red.Line(err.Error()))
					code = exitError
					continue
				}
				verdict := contract.Pass
				for _, r := range results {
					for _, x := range r.Violations() {
						prefix := ""
						switch x.Severity {
						case contract.Unjudged:
							prefix = "error: "
						case contract.Notice:
							notices, prefix = notices+1, "notice: "
						}
						fmt.Fprintf(e.stdout, "%s: %s%s\n", redact.Escape(r.Name), prefix, e.red.Line(x.String()))
					}
					if r.Verdict == contract.Fail || verdict == contract.Pass {
						verdict = r.Verdict
					}
				}
				switch verdict {
				case contract.Fail:
					if code == exitPass {
						code = exitFail
					}
				case contract.Error: // nothing said about the contract, as for a read error
					code = exitError
				default:
					conforming++
				}
			}
		}
		fmt.Fprintf(e.stderr, "portkey-runs validate: %d of %d inputs conform (%s)\n", conforming, inputs, report.Count(notices, "notice"))
		return code
	}
}

// expand returns the inputs arg names: the cassettes (*.yaml) directly in arg when it is
// a directory, else arg itself.
func expand(arg string) ([]string, error) {
	if arg == "-" {
		return []string{arg}, nil
	}
	st, err := os.Stat(arg)
	if err != nil || !st.IsDir() {
		return []string{arg}, nil // read reports what is wrong
	}
	names, err := filepath.Glob(filepath.Join(arg, "*.yaml"))
	if err == nil && len(names) == 0 {
		err = errors.New("no cassette (*.yaml) in this directory")
	}
	return names, err
}

// input is what validate knows besides the data: the status and IDs given as flags.
type input struct {
	status      int
	thread, run string
	operation   string // empty: the default, without its rules
}

var cassetteLine = regexp.MustCompile(`(?m)^interactions:`)

// validate reads the input called name, works out what it is, and validates it: one result
// named name, or one per interaction of a cassette.
func (in input) validate(e env, v *contract.Validator, name string) ([]contract.Result, error) {
	data, err := read(e, name)
	if err != nil {
		return nil, err
	}
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	var ex contract.Exchange
	switch {
	case len(t) == 0:
		return nil, errors.New("is empty")
	case bytes.HasPrefix(t, []byte("HTTP/")):
		if ex, err = parseResponse(t); err != nil {
			return nil, fmt.Errorf("reading the HTTP response: %w", err)
		}
	case cassetteLine.Match(t):
		return validateCassette(v, name, data)
	default:
		// Sniffed without decoding: the validator refuses a body past its limit unread.
		if t[0] != '{' && t[0] != '[' && !json.Valid(t) {
			return nil, errors.New("is neither a go-vcr cassette, nor an HTTP response as 'curl -i' prints it, nor JSON; run 'portkey-runs validate --help'")
		}
		ex = contract.Exchange{Status: in.status, Header: http.Header{"Content-Type": {"application/json"}}, Body: t}
		if in.status == http.StatusOK && len(t) <= contract.DefaultMaxBody && isErrorBody(t) {
			fmt.Fprintf(e.stderr, "%s: an error body is judged as a 200 answer: pass its status with --status N\n", redact.Escape(name))
		}
	}
	ex.ThreadID, ex.RunID, ex.Operation = in.thread, in.run, in.operation
	r := v.Validate(ex)
	r.Name = name
	return []contract.Result{r}, nil
}

// read returns the input's bytes: standard input for "-", else the file.
func read(e env, name string) ([]byte, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("is larger than %d MiB", maxInput>>20)
	}
	return data, nil
}

// validateCassette validates every interaction of a cassette; each result is named after
// the input (plus #id when the cassette holds several interactions).
func validateCassette(v *contract.Validator, name string, data []byte) ([]contract.Result, error) {
	rs, err := recording.Replay(v, name, data)
	if err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // not recording's wrapping, which names the input again
		}
		return nil, fmt.Errorf("reading the cassette: %w", err)
	}
	return rs, nil
}

var (
	shortVersion = regexp.MustCompile(`^HTTP/([0-9]) `)
	statusLine   = regexp.MustCompile(`^HTTP/[0-9](\.[0-9])? [0-9]{3}\b`)
)

// parseResponse reads an HTTP response as 'curl -i' prints it. Responses printed before
// the last one (100 Continue, redirects followed with -L, a proxy's CONNECT answer) are
// skipped; the body is everything after the headers, which curl prints already decoded,
// whatever Transfer-Encoding says.
func parseResponse(data []byte) (contract.Exchange, error) {
	for range 16 {
		// curl prints HTTP/2 and HTTP/3 status lines without the minor version net/http expects.
		if m := shortVersion.FindSubmatchIndex(data); m != nil {
			fixed := append([]byte("HTTP/"), data[m[2]:m[3]]...)
			data = append(append(fixed, ".0 "...), data[m[1]:]...)
		}
		br := bufio.NewReader(bytes.NewReader(data))
		// As the answer to a HEAD request, the response's body is left unread.
		resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodHead})
		if err != nil {
			return contract.Exchange{}, err
		}
		rest, _ := io.ReadAll(br) // reading from memory cannot fail
		if next := bytes.TrimLeft(rest, "\r\n"); statusLine.Match(next) {
			data = next
			continue
		}
		if resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			return contract.Exchange{}, fmt.Errorf("the informational %d response is not followed by a response", resp.StatusCode)
		}
		return contract.Exchange{Status: resp.StatusCode, Header: resp.Header, Body: rest}, nil
	}
	return contract.Exchange{}, errors.New("too many responses in one input")
}

// isErrorBody reports whether a JSON body looks like an error: OpenAI's envelope or the
// gateway's failure.
func isErrorBody(b []byte) bool {
	var body struct {
		Error  json.RawMessage `json:"error"`
		Status string          `json:"status"`
	}
	return json.Unmarshal(b, &body) == nil && (body.Error != nil || body.Status == "failure")
}
