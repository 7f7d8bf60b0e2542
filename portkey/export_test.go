package portkey

import (
	"context"
	"time"
)

// SetClock replaces t's clock and sleep, for tests.
func SetClock(t *RetryTransport, now func() time.Time, sleep func(context.Context, time.Duration) error) {
	t.now, t.sleep = now, sleep
}

// Delay exposes the backoff of an attempt.
func (t *RetryTransport) Delay(attempt int) time.Duration { return t.delay(attempt) }
