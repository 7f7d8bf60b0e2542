package refserver

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

// openAIVersion is the openai-version header OpenAI sends.
const openAIVersion = "2020-10-01"

// noKey is OpenAI's 401 message for a request without a bearer key.
const noKey = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."

// bearerOnly answers 401 to a request without Authorization: Bearer, as OpenAI does before
// routing; any non-empty token is accepted.
func bearerOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !wire.Sent(r.Header, "Authorization") {
			code := "missing_api_key"
			writeError(w, http.StatusUnauthorized, envelope(noKey, "invalid_request_error", nil, &code), nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// providerWriter adds the headers an OpenAI answer carries when the status is written.
type providerWriter struct {
	http.ResponseWriter
	start       time.Time
	now         func() time.Time
	wroteHeader bool
}

func (w *providerWriter) WriteHeader(status int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		h := w.Header()
		h.Set("x-request-id", requestID())
		h.Set("openai-processing-ms", strconv.FormatInt(w.now().Sub(w.start).Milliseconds(), 10))
		h.Set("openai-version", openAIVersion)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *providerWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

func (w *providerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestID is a fresh "req_" + 32 hex digits, as OpenAI's.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:])
}
