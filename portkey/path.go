package portkey

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// ErrEmptyID is returned, before anything is sent, when a thread or run ID is empty.
var ErrEmptyID = errors.New("portkey: thread ID and run ID must not be empty")

// CancelRun calls the generated client's CancelRun after checking the IDs and with each ID
// sent as exactly one path segment: the generated client escapes "/" and "%" but lets
// url.Parse resolve "." and ".." away.
func CancelRun(ctx context.Context, c *gen.ClientWithResponses, threadID, runID string, editors ...gen.RequestEditorFn) (*gen.CancelRunResponse, error) {
	if threadID == "" || runID == "" {
		return nil, ErrEmptyID
	}
	server := ""
	if gc, ok := c.ClientInterface.(*gen.Client); ok {
		server = gc.Server
	}
	editors = append(editors, segmentPath(server, threadID, runID))
	return c.CancelRunWithResponse(ctx, threadID, runID, nil, editors...)
}

// segmentPath rewrites the request path so that each ID stays one segment.
func segmentPath(server, threadID, runID string) gen.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		base, err := url.Parse(server)
		if err != nil {
			return err
		}
		prefix := strings.TrimSuffix(base.Path, "/")
		rawPrefix := strings.TrimSuffix(base.EscapedPath(), "/")
		req.URL.Path = prefix + "/threads/" + threadID + "/runs/" + runID + "/cancel"
		req.URL.RawPath = rawPrefix + "/threads/" + EscapeSegment(threadID) + "/runs/" + EscapeSegment(runID) + "/cancel"
		return nil
	}
}

// EscapeSegment escapes s as one URL path segment, dot segments included.
func EscapeSegment(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}
