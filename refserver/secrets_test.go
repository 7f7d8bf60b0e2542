package refserver_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// TestServeLogRedactsKeysInPaths: a key sent as an ID (a client's mistake) is logged
// redacted; headers, query and body never are.
func TestServeLogRedactsKeysInPaths(t *testing.T) {
	const key = "sk-proj-Qw3rTy7uIoP9aS2dF5gH8jK1lZ4xC6vB0nM3qW9eR2tY5uI8"
	var buf syncBuffer
	addr := startServe(t, refserver.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))

	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/v1"+cancelPath(key, "run_1")+"?api_key="+key,
		strings.NewReader(`{"api_key":"`+key+`"}`))
	require.NoError(t, err)
	portkey.Auth{APIKey: key, Provider: "openai", ProviderKey: key}.Apply(req.Header)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()

	require.Eventually(t, func() bool { return strings.Contains(buf.String(), "status=") }, 5*time.Second, 10*time.Millisecond)
	log := buf.String()
	assert.Contains(t, log, "path=/v1/threads/[REDACTED]/runs/run_1/cancel")
	assert.NotContains(t, log, key[8:20])
}
