package portkey

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// ErrEmptyID is returned, before anything is sent, when a thread or run ID is empty.
var ErrEmptyID = errors.New("portkey: thread ID and run ID must not be empty")

// ErrInvalidID is returned, before anything is sent, when a thread or run ID is not valid
// UTF-8: the spec's IDs are strings, and no JSON answer could echo it.
var ErrInvalidID = errors.New("portkey: thread ID and run ID must be valid UTF-8")

// checkIDs is the guard Cancel and CancelRun share.
func checkIDs(threadID, runID string) error {
	switch {
	case threadID == "" || runID == "":
		return ErrEmptyID
	case !utf8.ValidString(threadID) || !utf8.ValidString(runID):
		return ErrInvalidID
	}
	return nil
}

// CancelRun calls the generated client's CancelRun after checking the IDs and with each ID
// sent as exactly one path segment: the generated client escapes "/" and "%" but lets
// url.Parse resolve "." and ".." away. It returns the raw generated response; Client.Cancel
// is the convenience that returns the Run or an *APIError.
func CancelRun(ctx context.Context, c *gen.ClientWithResponses, threadID, runID string, editors ...gen.RequestEditorFn) (*gen.CancelRunResponse, error) {
	if err := checkIDs(threadID, runID); err != nil {
		return nil, err
	}
	editors = append(editors, func(_ context.Context, req *http.Request) error {
		base, err := generatedBase(req.URL, threadID, runID)
		if err != nil {
			return err
		}
		*req.URL = CancelURL(base, threadID, runID)
		return nil
	})
	return c.CancelRunWithResponse(ctx, threadID, runID, nil, editors...)
}

// generatedBase is u, the URL the generated client built for the cancel operation, with
// the operation's path segments taken off. Those are known: "threads", the thread ID,
// "runs", the run ID and "cancel", less the ones url.Parse resolved away (a "." ID takes
// itself, a ".." ID itself and the segment before it). IDs holding "/" arrive escaped.
func generatedBase(u *url.URL, threadID, runID string) (*url.URL, error) {
	n := 5 - dots(threadID) - dots(runID)
	raw := u.EscapedPath()
	cut := len(raw)
	for range n {
		cut = strings.LastIndexByte(raw[:cut], '/')
		if cut < 0 {
			return nil, errors.New("portkey: the generated request's path " + strconv.Quote(raw) + " is not the cancel operation's")
		}
	}
	path, err := url.PathUnescape(raw[:cut])
	if err != nil {
		return nil, err
	}
	base := *u
	base.Path, base.RawPath = path, raw[:cut]
	return &base, nil
}

// dots is how many path segments url.Parse drops for an ID: 1 for ".", 2 for "..".
func dots(id string) int {
	switch id {
	case ".":
		return 1
	case "..":
		return 2
	}
	return 0
}

// CancelURL returns base with the cancel operation's path appended, each ID exactly one
// path segment ("/", "%", "." and ".." escaped). base is not changed.
func CancelURL(base *url.URL, threadID, runID string) url.URL {
	return PathURL(base, "threads", threadID, "runs", runID, "cancel")
}

// PathURL returns base with segs appended, each exactly one path segment (escaped as
// EscapeSegment does). base is not changed.
func PathURL(base *url.URL, segs ...string) url.URL {
	u := *base
	path, raw := strings.TrimSuffix(base.Path, "/"), strings.TrimSuffix(base.EscapedPath(), "/")
	for _, s := range segs {
		path, raw = path+"/"+s, raw+"/"+EscapeSegment(s)
	}
	u.Path, u.RawPath = path, raw
	if u.RawPath == u.Path {
		u.RawPath = ""
	}
	return u
}

// EscapeSegment escapes s as one URL path segment, dot segments included.
func EscapeSegment(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}
