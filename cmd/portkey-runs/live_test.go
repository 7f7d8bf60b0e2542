package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// TestLive runs check against PORTKEY_BASE_URL (default: the hosted gateway) with the
// credentials of the process environment; it skips without them.
func TestLive(t *testing.T) {
	if portkey.AuthFromEnv() == (portkey.Auth{}) {
		t.Skip("live: no credentials: set PORTKEY_API_KEY and PORTKEY_VIRTUAL_KEY (or PORTKEY_PROVIDER and PORTKEY_PROVIDER_KEY, or PORTKEY_CONFIG)")
	}
	target := os.Getenv(portkey.EnvBaseURL)
	if target == "" {
		target = portkey.DefaultBaseURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := run(ctx, []string{"check", "-v", "--target", target}, strings.NewReader(""), writer{t}, writer{t}, os.Getenv)
	assert.Equal(t, exitPass, code)
}

// writer logs what the command prints.
type writer struct{ t *testing.T }

func (w writer) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
