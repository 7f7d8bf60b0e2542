package portkey

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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
	var base basePath
	if gc, ok := c.ClientInterface.(*gen.Client); ok {
		u, err := url.Parse(gc.Server)
		if err != nil {
			return nil, err
		}
		base = newBasePath(u)
	}
	editors = append(editors, func(_ context.Context, req *http.Request) error {
		base.setCancel(req.URL, threadID, runID)
		return nil
	})
	return c.CancelRunWithResponse(ctx, threadID, runID, nil, editors...)
}

// basePath is a base URL's path without its trailing slash, decoded and escaped.
type basePath struct{ path, raw string }

func newBasePath(u *url.URL) basePath {
	return basePath{strings.TrimSuffix(u.Path, "/"), strings.TrimSuffix(u.EscapedPath(), "/")}
}

// setCancel sets u's path to the cancel operation's, each ID exactly one segment.
func (b basePath) setCancel(u *url.URL, threadID, runID string) {
	u.Path = b.path + "/threads/" + threadID + "/runs/" + runID + "/cancel"
	u.RawPath = b.raw + "/threads/" + EscapeSegment(threadID) + "/runs/" + EscapeSegment(runID) + "/cancel"
	if u.RawPath == u.Path {
		u.RawPath = ""
	}
}

// EscapeSegment escapes s as one URL path segment, dot segments included.
func EscapeSegment(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}
