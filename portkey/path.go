package portkey

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

// ErrEmptyID is returned, before anything is sent, when a thread or run ID is empty.
var ErrEmptyID = errors.New("portkey: thread ID and run ID must not be empty")

// ErrInvalidID is returned, before anything is sent, when a thread or run ID is not valid
// UTF-8 (the spec's IDs are strings, and no JSON answer could echo it) or is "." or ".."
// (no path segment can carry it: URLs and proxies remove dot segments, RFC 3986 5.2.4).
var ErrInvalidID = errors.New(`portkey: thread ID and run ID must be valid UTF-8, and neither "." nor ".."`)

// checkIDs is the guard Cancel and CancelRun share.
func checkIDs(threadID, runID string) error {
	switch {
	case threadID == "" || runID == "":
		return ErrEmptyID
	case !utf8.ValidString(threadID) || !utf8.ValidString(runID), wire.DotSegment(threadID), wire.DotSegment(runID):
		return ErrInvalidID
	}
	return nil
}

// CancelRun is the generated client's CancelRunWithResponse after checking the IDs, for
// callers of the raw generated responses; Client.Cancel returns the Run or an *APIError.
func CancelRun(ctx context.Context, c *gen.ClientWithResponses, threadID, runID string, editors ...gen.RequestEditorFn) (*gen.CancelRunResponse, error) {
	if err := checkIDs(threadID, runID); err != nil {
		return nil, err
	}
	return c.CancelRunWithResponse(ctx, threadID, runID, nil, editors...)
}
