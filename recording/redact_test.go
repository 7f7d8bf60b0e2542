package recording

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
)

func TestRedactInteraction(t *testing.T) {
	body := `{"error":{"message":"Incorrect API key provided: ` + testtarget.ProviderKey + `.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
	i := &cassette.Interaction{
		Request: cassette.Request{
			Headers: http.Header{"X-Portkey-Api-Key": {testtarget.APIKey}, "Cookie": {"session=abc"}, "X-Portkey-Config": {testtarget.Config}},
			URL:     "https://api.portkey.ai/v1/threads/t/runs/r/cancel?api_key=" + testtarget.APIKey,
			Form:    url.Values{"api_key": {testtarget.APIKey}},
		},
		Response: cassette.Response{
			Headers:       http.Header{"Set-Cookie": {"__cf_bm=" + testtarget.APIKey + "; HttpOnly"}, "Content-Length": {strconv.Itoa(len(body))}},
			Body:          body,
			ContentLength: int64(len(body)),
		},
	}
	require.NoError(t, redactInteraction(nil, i))
	out := fmt.Sprintf("%+v", *i)
	for _, s := range []string{testtarget.APIKey, "sk-proj", "session=abc", "api_key\":\"sk"} {
		assert.NotContains(t, out, s)
	}
	assert.Empty(t, redact.Find(out))
	assert.Equal(t, `{"error":{"code":"invalid_api_key","message":"Incorrect API key provided: [REDACTED].","param":null,"type":"invalid_request_error"}}`, i.Response.Body)
	assert.Equal(t, int64(len(i.Response.Body)), i.Response.ContentLength)
	assert.Equal(t, strconv.Itoa(len(i.Response.Body)), i.Response.Headers.Get("Content-Length"))
}

// TestRedactInteractionGzip: a gzip body is inflated, redacted and stored decoded, since
// redacting the compressed bytes as text would find nothing.
func TestRedactInteractionGzip(t *testing.T) {
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, err := zw.Write([]byte(`{"echo":{"api_key":"` + testtarget.ProviderKey + `"}}`))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	for _, enc := range []string{"gzip", "x-gzip"} {
		i := &cassette.Interaction{Response: cassette.Response{
			Headers:       http.Header{"Content-Encoding": {enc}, "Content-Length": {strconv.Itoa(zb.Len())}},
			Body:          zb.String(),
			ContentLength: int64(zb.Len()),
		}}
		require.NoError(t, redactInteraction(nil, i))
		assert.Equal(t, `{"echo":{"api_key":"[REDACTED]"}}`, i.Response.Body, enc)
		assert.Empty(t, i.Response.Headers.Get("Content-Encoding"), enc)
		assert.True(t, i.Response.Uncompressed, enc)
		assert.Equal(t, int64(len(i.Response.Body)), i.Response.ContentLength, enc)
		assert.Equal(t, strconv.Itoa(len(i.Response.Body)), i.Response.Headers.Get("Content-Length"), enc)
	}

	broken := &cassette.Interaction{Response: cassette.Response{
		Headers: http.Header{"Content-Encoding": {"gzip"}},
		Body:    zb.String()[:zb.Len()/2],
	}}
	err = redactInteraction(nil, broken)
	require.Error(t, err, "a body that cannot be inflated cannot be checked for keys")
	assert.NotContains(t, err.Error(), testtarget.ProviderKey)
}
