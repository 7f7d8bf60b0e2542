package refserver_test

import (
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// upstreamPost posts as a gateway does to its provider. The answers are not checked against
// the spec: it describes the gateway's surface, which asks for Portkey credentials.
func (f *fixture) upstreamPost(t *testing.T, escapedPath string, header http.Header) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.http.URL, nil)
	require.NoError(t, err)
	req.URL.Opaque = escapedPath
	req.Header = header
	res, err := f.http.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return answer{res.StatusCode, res.Header, body}
}

// What the Portkey gateway forwards to its upstream: the provider key, nothing x-portkey-*.
func bearer() http.Header { return http.Header{"Authorization": {"Bearer sk-test"}} }

func TestUpstreamAcceptsTheBearerKeyAloneAndAnswersAsOpenAI(t *testing.T) {
	f := newFixture(t, refserver.WithUpstream())
	f.seed(t, "thread_1", "run_1", gen.RunStatusInProgress)

	a := f.upstreamPost(t, "/v1"+cancelPath("thread_1", "run_1"), bearer())
	assert.Equal(t, gen.RunStatusCancelling, a.run(t).Status)
	assert.Regexp(t, regexp.MustCompile(`^req_[0-9a-f]{32}$`), a.header.Get("x-request-id"))
	assert.Regexp(t, regexp.MustCompile(`^[0-9]+$`), a.header.Get("openai-processing-ms"))
	assert.Equal(t, "2020-10-01", a.header.Get("openai-version"))

	again := f.upstreamPost(t, "/v1"+cancelPath("thread_1", "run_1"), bearer())
	assert.Equal(t, http.StatusBadRequest, again.status)
	assert.NotEqual(t, a.header.Get("x-request-id"), again.header.Get("x-request-id"), "one ID per answer")
	assert.Equal(t, "2020-10-01", again.header.Get("openai-version"), "errors carry the headers too")
}

func TestUpstreamRefusesWithoutBearerInOpenAIWords(t *testing.T) {
	f := newFixture(t, refserver.WithUpstream())
	f.seed(t, "thread_1", "run_1", gen.RunStatusInProgress)
	for name, h := range map[string]http.Header{
		"portkey headers only": {"X-Portkey-Api-Key": {"pk"}, "X-Portkey-Virtual-Key": {"vk"}},
		"basic scheme":         {"Authorization": {"Basic c2s6"}},
		"empty bearer":         {"Authorization": {"Bearer "}},
	} {
		t.Run(name, func(t *testing.T) {
			a := f.upstreamPost(t, "/v1"+cancelPath("thread_1", "run_1"), h)
			require.Equal(t, http.StatusUnauthorized, a.status, string(a.body))
			e := a.apiError(t)
			assert.Contains(t, e.Message, "Authorization: Bearer")
			assert.Equal(t, "missing_api_key", *e.Code)
			assert.NotEmpty(t, a.header.Get("x-request-id"))
		})
	}
	f.seed(t, "thread_2", "run_2", gen.RunStatusQueued)
	assert.Equal(t, gen.RunStatusCancelling, f.upstreamPost(t, "/v1"+cancelPath("thread_2", "run_2"), bearer()).run(t).Status,
		"the refused requests changed nothing")
}

func TestGatewayModeStillWantsPortkeyCredentialsAndSendsNoProviderHeaders(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusInProgress)
	a := f.post(t, "/v1"+cancelPath("thread_1", "run_1"), bearer())
	assert.Equal(t, http.StatusUnauthorized, a.status, string(a.body))
	assert.Empty(t, a.header.Get("x-request-id"))
	assert.Empty(t, a.header.Get("openai-version"))
}
