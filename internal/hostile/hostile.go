package hostile

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ThreadID and RunID are the IDs the cases' runs carry; request them so that the bodies
// echo the path.
const (
	ThreadID = "thread_hostile"
	RunID    = "run_hostile"
	Path     = "/threads/" + ThreadID + "/runs/" + RunID + "/cancel"
)

// Run is a conforming answer to cancelling RunID: the cases below break it one way each.
const Run = `{"id":"run_hostile","object":"thread.run","created_at":1700000000,` +
	`"thread_id":"thread_hostile","assistant_id":"asst_hostile","status":"cancelling",` +
	`"required_action":null,"last_error":null,"expires_at":1700000600,"started_at":1700000001,` +
	`"cancelled_at":null,"failed_at":null,"completed_at":null,"incomplete_details":null,` +
	`"model":"gpt-4o-mini","instructions":"","tools":[],"metadata":{},"usage":null,` +
	`"max_prompt_tokens":null,"max_completion_tokens":null,"truncation_strategy":null,` +
	`"tool_choice":null,"parallel_tool_calls":true,"response_format":"auto"}`

// HugeSize is the size of the huge bodies: far past every consumer's limit.
const HugeSize = 100 << 20

// DripInterval is how long the dripping case waits between bytes; use a deadline well
// below it.
const DripInterval = time.Second

// Class is what a case is, which decides what each consumer must make of it.
type Class string

const (
	// Conforming is a valid answer once decoded as its headers say (a control).
	Conforming Class = "conforming"
	// Malformed breaks the contract in its body or headers: a client fails with a clean
	// error (unless it documents a leniency), a validator reports a located failure.
	Malformed Class = "malformed"
	// Infrastructure is a failure of the gateway or the connection: nothing can be said
	// about the contract, and a client fails with a clean error.
	Infrastructure Class = "infrastructure"
	// TooLarge is a body no bounded reader takes whole: a consumer stops at its limit.
	TooLarge Class = "too_large"
)

// Case is one hostile response. It serves itself (use it as an http.Handler); Body holds
// its raw bytes when they mean something on their own, nil when it is streamed (huge,
// dripping or cut bodies).
type Case struct {
	Name   string
	Class  Class
	Status int
	Header http.Header
	Body   []byte
	serve  func(w http.ResponseWriter, r *http.Request) // nil: write Status, Header, Body
}

// ServeHTTP answers with the case, whatever the request.
func (c Case) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.serve != nil {
		c.serve(w, r)
		return
	}
	writeHeader(w, c.Status, c.Header)
	_, _ = w.Write(c.Body)
}

func writeHeader(w http.ResponseWriter, status int, h http.Header) {
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
}

// Cases returns the table, a fresh copy each time (callers may change it).
func Cases() []Case {
	t := table()
	out := make([]Case, len(t))
	for i, c := range t {
		out[i] = c.clone()
	}
	return out
}

// clone copies c deeply enough that a caller's changes do not reach the table.
func (c Case) clone() Case {
	c.Header = c.Header.Clone()
	c.Body = bytes.Clone(c.Body)
	return c
}

// table is built once: gzipping Run and the deep nesting cost more than a copy.
var table = sync.OnceValue(func() []Case {
	jsonCT := func() http.Header { return http.Header{"Content-Type": {"application/json"}} }
	body := func(name string, class Class, status int, h http.Header, b string) Case {
		if h.Get("Content-Length") == "" {
			h.Set("Content-Length", strconv.Itoa(len(b)))
		}
		return Case{Name: name, Class: class, Status: status, Header: h, Body: []byte(b)}
	}
	replace := func(old, new string) string {
		if !strings.Contains(Run, old) {
			panic("hostile: Run has no " + old)
		}
		return strings.Replace(Run, old, new, 1)
	}
	gz := gzipped([]byte(Run))
	return []Case{
		body("truncated_json", Malformed, 200, jsonCT(), Run[:len(Run)/2]),
		body("empty_200", Malformed, 200, jsonCT(), ""),
		body("html_502", Infrastructure, 502, http.Header{"Content-Type": {"text/html"}},
			"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
		body("text_plain_200", Malformed, 200, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Run),
		body("invalid_utf8", Malformed, 200, jsonCT(), replace(`"model":"gpt-4o-mini"`, "\"model\":\"gpt-4o\xff\xfe-mini\"")),
		body("deep_nesting", Malformed, 200, jsonCT(), replace(`"metadata":{}`, `"metadata":{"a":`+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+`}`)),
		{Name: "huge_body", Class: TooLarge, Status: 200, Header: jsonCT(), serve: huge(true)},
		{Name: "huge_body_chunked", Class: TooLarge, Status: 200, Header: jsonCT(), serve: huge(false)},
		body("duplicate_keys", Malformed, 200, jsonCT(), replace(`"status":"cancelling"`, `"status":"cancelling","status":"queued"`)),
		body("numbers_as_strings", Malformed, 200, jsonCT(), replace(`"created_at":1700000000`, `"created_at":"1700000000"`)),
		body("number_1e400", Malformed, 200, jsonCT(), replace(`"created_at":1700000000`, `"created_at":1e400`)),
		body("unknown_status", Malformed, 200, jsonCT(), replace(`"status":"cancelling"`, `"status":"paused"`)),
		{Name: "drip", Class: Infrastructure, Status: 200, Header: jsonCT(), serve: drip},
		{Name: "cut_mid_body", Class: Infrastructure, Status: 200, Header: jsonCT(), serve: cutMidBody},
		body("gzip_with_header", Conforming, 200, http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}, string(gz)),
		body("gzip_without_header", Malformed, 200, jsonCT(), string(gz)),
		{Name: "gzip_huge", Class: TooLarge, Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}, serve: gzipHuge},
		// A free-form object of manyKeys keys, within every size limit: judged in linear time.
		body("many_keys", Conforming, 200, jsonCT(), replace(`"response_format":"auto"`, freeForm(keyMembers("")))),
		body("many_keys_duplicate", Malformed, 200, jsonCT(), replace(`"response_format":"auto"`, freeForm(keyMembers(`,"k0":0`)))),
		// Redirects off the origin, to a loopback port where nothing listens: whoever follows
		// one gets a connection error instead of the 3xx.
		redirect("redirect_302", http.StatusFound),
		redirect("redirect_307", http.StatusTemporaryRedirect),
		redirect("redirect_308", http.StatusPermanentRedirect),
		// Echoes and injections: a consumer holding EchoedKey as a credential never prints
		// it, and prints every name and value with its control characters escaped.
		body("echoed_key", Malformed, 200, http.Header{"Content-Type": {"application/json"}, "X-Echo": {EchoedKey}},
			replace(`"created_at":1700000000`, `"created_at":"`+EchoedKey+`","`+EchoedKey+`":"`+EchoedKey+`"`)),
		body("control_characters", Malformed, 200, jsonCT(),
			replace(`"created_at":1700000000`, `"created_at":"\u001b[2J\u0007","\u001b]0;`+Forged+`\u0007\u009b31m\u202e\n`+Forged+`\n":1`)),
	}
})

// manyKeys is the number of keys of the many_keys cases' object (some 350 KB of JSON):
// a check that compares each key with every other takes seconds on it.
const manyKeys = 32000

// freeForm is a response_format whose JSON schema, a free-form object, has the members
// of members.
func freeForm(members string) string {
	return `"response_format":{"type":"json_schema","json_schema":{"name":"many_keys","schema":{` + members + `}}}`
}

// keyMembers returns the members "k0":0 to "k<manyKeys-1>":0, then tail.
func keyMembers(tail string) string {
	var b strings.Builder
	for i := range manyKeys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":0`)
	}
	return b.String() + tail
}

// Nowhere is an origin on loopback where nothing listens, the redirect cases' target.
const Nowhere = "http://127.0.0.1:1"

func redirect(name string, status int) Case {
	return Case{Name: name, Class: Infrastructure, Status: status, Header: http.Header{"Location": {Nowhere + "/v1" + Path}}}
}

// Redirect answers every request with status and a Location on origin (scheme://host),
// keeping the request's path and query.
func Redirect(status int, origin string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, origin+r.URL.RequestURI(), status)
	})
}

// EchoedKey is the credential the echoed_key case sends back, in a value and as a name.
// Nothing in it looks like a key: only knowing it finds it.
const EchoedKey = "3f9a0c7d1e5b2a8c4d6e0f1a2b3c4d5e"

// Forged is the line the control_characters case tries to print on a line of its own.
const Forged = "portkey-runs validate: 1 of 1 inputs conform (0 notices)"

// Get returns a copy of the case called name; it panics when there is none (a typo in a
// test).
func Get(name string) Case {
	for _, c := range table() {
		if c.Name == name {
			return c.clone()
		}
	}
	panic("hostile: no case " + name)
}

// HugeBody streams HugeSize bytes of a JSON object whose one string never ends in time,
// generated as it is read, so that nothing holds it whole.
func HugeBody() io.Reader {
	head := `{"id":"run_hostile","instructions":"`
	return io.MultiReader(strings.NewReader(head), io.LimitReader(as{}, HugeSize-int64(len(head))-2), strings.NewReader(`"}`))
}

// as is an endless run of 'a's, read 32 KiB at a time.
type as struct{}

var block = bytes.Repeat([]byte("a"), 32<<10)

func (as) Read(p []byte) (int, error) { return copy(p, block), nil }

// huge serves HugeBody, with its Content-Length when declared; it stops as soon as the
// client stops reading.
func huge(declared bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if declared {
			w.Header().Set("Content-Length", strconv.Itoa(HugeSize))
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(w, HugeBody()) // ends early with an error once the client is gone
	}
}

// gzipHuge serves a gzip body of a few hundred kilobytes that inflates to HugeSize: gzip
// members, one compressed megabyte repeated, which readers decode as one stream.
func gzipHuge(w http.ResponseWriter, r *http.Request) {
	const mb = 1 << 20
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(http.StatusOK)
	head := `{"id":"run_hostile","instructions":"`
	chunk := gzippedMB()
	_, _ = w.Write(gzipped([]byte(head + strings.Repeat("a", mb-len(head)))))
	for i := 1; i < HugeSize/mb-1; i++ {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	_, _ = w.Write(gzipped([]byte(strings.Repeat("a", mb-2) + `"}`)))
}

var gzippedMB = sync.OnceValue(func() []byte { return gzipped(bytes.Repeat([]byte("a"), 1<<20)) })

// drip writes Run one byte per DripInterval, flushing each, until it is done or the
// client gives up.
func drip(w http.ResponseWriter, r *http.Request) {
	writeHeader(w, http.StatusOK, http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(Run))}})
	rc := http.NewResponseController(w)
	tick := time.NewTicker(DripInterval)
	defer tick.Stop()
	for i := 0; i < len(Run); i++ {
		if _, err := w.Write([]byte{Run[i]}); err != nil || rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// cutMidBody declares the whole Run but sends half of it, then closes the connection.
func cutMidBody(w http.ResponseWriter, _ *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic("hostile: cannot hijack: " + err.Error())
	}
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(Run)) + "\r\nConnection: close\r\n\r\n" + Run[:len(Run)/2])
	_ = buf.Flush()
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// The cases above are answers for a client; the requests below are for a server, each
// refused by one that is bounded: answered Status (0: maybe not at all), nothing changed,
// the connection closed.

// HiddenPath is the path of the request that the smuggling cases hide; a server that
// runs it cancels the run HiddenRunID of ThreadID.
const (
	HiddenRunID = "run_hidden"
	HiddenPath  = "/threads/" + ThreadID + "/runs/" + HiddenRunID + "/cancel"
)

// Request is one hostile request: Raw is written at once on a new connection, then Drip a
// byte per DripInterval; with Cut the client then closes its side.
type Request struct {
	Name   string
	Raw    string
	Drip   string
	Cut    bool
	Status int
}

// Requests returns the hostile requests, a fresh copy each time.
func Requests() []Request {
	const creds = "Host: hostile.test\r\nX-Portkey-Api-Key: pk\r\nX-Portkey-Virtual-Key: vk\r\n"
	head := func(path string) string { return "POST /v1" + path + " HTTP/1.1\r\n" + creds }
	hidden := head(HiddenPath) + "Content-Length: 0\r\n\r\n"
	pad := strings.Repeat("a", 70<<10) // over any server's body limit for a cancel (64 KiB here)
	return []Request{
		{Name: "oversized_body_hiding_request", Status: http.StatusBadRequest,
			Raw: head(Path) + "Content-Length: " + strconv.Itoa(len(pad)+len(hidden)) + "\r\n\r\n" + pad + hidden},
		{Name: "oversized_chunked_body_then_request", Status: http.StatusBadRequest,
			Raw: head(Path) + "Transfer-Encoding: chunked\r\n\r\n" + strconv.FormatInt(int64(len(pad)), 16) + "\r\n" + pad + "\r\n0\r\n\r\n" + hidden},
		{Name: "body_cut_short", Status: http.StatusBadRequest, Cut: true,
			Raw: head(Path) + "Content-Length: 100\r\n\r\n" + strings.Repeat("a", 10)},
		{Name: "body_dripping", Status: http.StatusBadRequest,
			Raw: head(Path) + "Content-Length: 40\r\n\r\n", Drip: strings.Repeat("a", 40)},
		{Name: "header_dripping", Raw: "POST /v1" + Path + " HTTP/1.1\r\n", Drip: creds + "\r\n"},
		{Name: "path_bad_escape", Status: http.StatusBadRequest, Raw: head("/threads/"+ThreadID+"/runs/run%/cancel") + "\r\n"},
		{Name: "path_bad_escape_digits", Status: http.StatusBadRequest, Raw: head("/threads/"+ThreadID+"/runs/run%zz/cancel") + "\r\n"},
		{Name: "path_1mb", Status: http.StatusRequestHeaderFieldsTooLarge, Raw: head("/threads/"+strings.Repeat("a", 1<<20)+"/runs/"+RunID+"/cancel") + "\r\n"},
		{Name: "header_name_invalid", Status: http.StatusBadRequest, Raw: head(Path) + "Bad Name: x\r\n\r\n"},
		{Name: "transfer_coding_unknown", Status: http.StatusNotImplemented, Raw: head(Path) + "Transfer-Encoding: zip\r\n\r\n"},
		{Name: "host_missing", Status: http.StatusBadRequest, Raw: "POST /v1" + Path + " HTTP/1.1\r\nX-Portkey-Api-Key: pk\r\nX-Portkey-Virtual-Key: vk\r\n\r\n"},
	}
}
