package recording_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/recording"
)

var update = flag.Bool("update", false, "re-record testdata/cassettes/*.yaml from internal/testtarget (the reference server behind a stand-in gateway)")

const (
	cassetteDir = "testdata/cassettes"
	badDir      = "testdata/cassettes/bad"
)

// committed is one committed cassette: a scenario sent with some credentials.
type committed struct {
	auth portkey.Auth
	sc   contract.Scenario
}

var wrongKeyAuth = portkey.Auth{APIKey: "Wr0ngK3yA9bC8dE7fG6hJ5kL4m", VirtualKey: testtarget.VirtualKey}

// recordings are the scenarios the issue asks for that no real capture shows, recorded from
// internal/testtarget (the reference server behind a gateway-header handler,
// never a live service). A cancel refused with 400 is real_openai_not_cancellable.yaml.
func committedRecordings() []committed {
	unknown := contract.RunRef{ThreadID: contract.UnknownThreadID, RunID: contract.UnknownRunID}
	sc := func(name string, ref contract.RunRef, status int) contract.Scenario {
		return contract.Scenario{Name: name, ThreadID: ref.ThreadID, RunID: ref.RunID, Expect: []int{status}}
	}
	rateLimited := sc("rate_limited", unknown, 429)
	rateLimited.Prefer, rateLimited.RequireHeaders = "code=429,retry-after=2", []string{"Retry-After"}
	gatewayFailure := sc("gateway_failure", unknown, 500)
	gatewayFailure.Prefer = "code=500"
	return []committed{
		{testtarget.HostedAuth, sc("cancel_cancelling", testtarget.RunInProgress, 200)},
		{testtarget.HostedAuth, sc("cancel_cancelled", testtarget.RunImmediate, 200)},
		{wrongKeyAuth, sc("unauthorized", unknown, 401)},
		{testtarget.HostedAuth, sc("not_found", unknown, 404)},
		{testtarget.HostedAuth, rateLimited},
		{testtarget.HostedAuth, gatewayFailure},
		{testtarget.GatewayAuth, sc("self_hosted_gateway", testtarget.RunGateway, 200)},
	}
}

var openAIBeta = http.Header{"Openai-Beta": {"assistants=v2"}}

// TestRecordRedactsEverySecret records every scenario through the fake target, which only
// answers the real-looking keys, and proves that no key survives in what was written and
// that the redacted cassettes still replay.
func TestRecordRedactsEverySecret(t *testing.T) {
	srv := testtarget.New(t)
	dir := t.TempDir()
	if *update {
		dir = cassetteDir
	}
	for _, r := range committedRecordings() {
		s := &contract.Suite{BaseURL: srv.URL + "/v1", Auth: r.auth, Header: openAIBeta}
		rs, err := recording.Record(context.Background(), s, dir, []contract.Scenario{r.sc})
		require.NoError(t, err)
		require.Len(t, rs, 1)
		assert.Equal(t, contract.Pass, rs[0].Verdict, "%s: %v", r.sc.Name, testtarget.Lines(rs[0].Violations()))
	}

	secrets := []string{testtarget.APIKey, testtarget.VirtualKey, testtarget.ProviderKey, wrongKeyAuth.APIKey, "sk-proj", "Bearer sk"}
	for _, r := range committedRecordings() {
		file := filepath.Join(dir, r.sc.Name+".yaml")
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, s := range secrets {
			assert.NotContains(t, string(b), s, file)
		}
		assert.Empty(t, redact.Find(string(b)), file)
		assert.Contains(t, string(b), redact.Marker, "%s: the credentials were recorded, redacted", file)

		// Replay: the same request, real keys and all, matches the redacted recording.
		rt, err := recording.Replayer(file)
		require.NoError(t, err)
		s := &contract.Suite{BaseURL: "http://replay.invalid/v1", Auth: r.auth, Header: openAIBeta, Client: &http.Client{Transport: rt}}
		res := s.Run(context.Background(), r.sc)
		assert.Equal(t, contract.Pass, res.Verdict, "%s: %v", r.sc.Name, testtarget.Lines(res.Violations()))
		assert.Equal(t, r.sc.Expect[0], res.Status, r.sc.Name)
	}
}

func TestReplayerSaysWhyNothingMatches(t *testing.T) {
	rt, err := recording.Replayer(filepath.Join(cassetteDir, "self_hosted_gateway.yaml"))
	require.NoError(t, err)
	auth := testtarget.GatewayAuth
	auth.Provider = "anthropic"
	s := &contract.Suite{BaseURL: "http://replay.invalid/v1", Auth: auth, Header: openAIBeta, Client: &http.Client{Transport: rt}}
	res := s.Run(context.Background(), contract.Scenario{Name: "x", ThreadID: testtarget.RunGateway.ThreadID, RunID: testtarget.RunGateway.RunID})
	assert.Equal(t, contract.Error, res.Verdict)
	require.Len(t, res.Violations(), 1)
	assert.Contains(t, res.Violations()[0].Rule, `header X-Portkey-Provider ["anthropic"], recorded ["openai"]`)
}

// TestGoodCassettesConform replays every committed recording: no failures, and the only
// notices are the infrastructure outcomes the scenario was about, or, for a real capture
// (real_*.yaml), that its request went to the provider without Portkey's credentials.
func TestGoodCassettesConform(t *testing.T) {
	v := validator(t, contract.Options{Strict: true})
	rs, err := recording.ReplayDir(v, os.DirFS(cassetteDir))
	require.NoError(t, err)
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
		assert.Equal(t, contract.Pass, r.Verdict, r.Name)
		assert.Empty(t, r.Failures(), r.Name)
		for _, n := range r.Violations() {
			if strings.HasPrefix(r.Name, "real_") && n.Location == "request headers" {
				continue
			}
			assert.Equal(t, contract.CheckInfrastructure, n.Check, "%s: %s", r.Name, n)
		}
	}
	want := []string{"real_openai_not_cancellable"}
	for _, r := range committedRecordings() {
		want = append(want, r.sc.Name)
	}
	slices.Sort(want)
	assert.Equal(t, want, names)

	embedded, err := recording.ReplayDir(v, recording.Embedded)
	require.NoError(t, err)
	assert.Equal(t, rs, embedded, "recording.Embedded is testdata/cassettes/*.yaml")
}

// TestKnownBadCassettes: each cassette under testdata/cassettes/bad yields exactly the
// violations of its hand-reviewed .golden file, no more, no fewer.
func TestKnownBadCassettes(t *testing.T) {
	v := validator(t, contract.Options{})
	files, err := filepath.Glob(filepath.Join(badDir, "*.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 8)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			golden, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".golden")
			require.NoError(t, err, "every known-bad cassette needs a reviewed golden file")
			want := testtarget.GoldenLines(string(golden))
			rs, err := replayFile(v, f)
			require.NoError(t, err)
			require.Len(t, rs, 1)
			got := testtarget.Lines(rs[0].Violations())
			slices.Sort(got)
			slices.Sort(want)
			assert.Equal(t, want, got)
			assert.Equal(t, contract.Fail, rs[0].Verdict)
		})
	}
}

// TestTestdataHasNoSecrets scans every file under this package's testdata and contract's
// (the real captures) for anything secret-looking. reviewedFileID is an OpenAI file ID in
// a real 404 message (contract/testdata/real), not a key.
const (
	reviewedFileID = "file-m6Lfp5SoxoTcZrHO2C0Zp5lx"
	realDir        = "../contract/testdata/real"
)

func TestTestdataHasNoSecrets(t *testing.T) {
	n := 0
	walk := func(root string, fn fs.WalkDirFunc) error {
		return errors.Join(filepath.WalkDir(root, fn), filepath.WalkDir("../contract/testdata", fn))
	}
	err := walk("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		found := redact.Find(string(b))
		if strings.HasPrefix(path, realDir) {
			// The entropy test also flags an OpenAI file ID and the bodies' own file names.
			found = slices.DeleteFunc(found, func(s string) bool {
				_, err := os.Stat(filepath.Join(realDir, "bodies", s+".json"))
				return s == reviewedFileID || err == nil
			})
		}
		assert.Empty(t, found, path)
		for _, s := range []string{testtarget.APIKey, testtarget.VirtualKey, testtarget.ProviderKey} {
			assert.NotContains(t, string(b), s, path)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, n, 10)
}

// headersCassette is a cassette of interactions 404s whose response headers have keys
// names each, K0 to K<keys-1>.
func headersCassette(interactions, keys int) string {
	var b strings.Builder
	b.WriteString("version: 2\ninteractions:\n")
	for j := range interactions {
		fmt.Fprintf(&b, "    - id: %d\n      request:\n        method: POST\n        url: http://x/threads/t/runs/r/cancel\n"+
			"      response:\n        code: 404\n        headers:\n", j)
		for i := range keys {
			fmt.Fprintf(&b, "            K%d: [v]\n", i)
		}
	}
	return b.String()
}

// aliasCassette has its second interaction as an alias of the first.
const aliasCassette = "version: 2\ninteractions:\n" +
	"    - &i {id: 0, request: {method: POST, url: 'http://x/threads/t/runs/r/cancel'}, response: {code: 404}}\n" +
	"    - *i\n"

// TestReplayRefusesMappingsTooLargeToDecode: go-vcr's YAML decoder compares each key of a
// mapping with every other (40,000 keys, 549 KB: 9.6 s), so a cassette whose mapping has
// more keys than a cassette needs (256), or an alias (which decodes a mapping again
// wherever it is used), is refused, by name, for replay and the replaying transport alike.
func TestReplayRefusesMappingsTooLargeToDecode(t *testing.T) {
	v := validator(t, contract.Options{})
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name+".yaml")
		require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
		return path
	}
	for name, c := range map[string]struct{ data, err string }{
		"keys_257":  {headersCassette(1, 257), "line 10: a mapping of 257 keys, more than a cassette has (at most 256)"},
		"keys_5000": {headersCassette(1, 5000), "line 10: a mapping of 5000 keys, more than a cassette has (at most 256)"},
		"alias":     {aliasCassette, "line 4: a YAML alias, which cassettes do not use"},
	} {
		path := write(name, c.data)
		rs, err := replayFile(v, path)
		require.EqualError(t, err, "recording: loading cassette "+name+": "+c.err, name)
		assert.Empty(t, rs)
		_, err = recording.Replayer(path)
		require.EqualError(t, err, "recording: loading cassette "+path+": "+c.err, name)
	}
	// Many mappings of up to 256 keys each: a cost linear in the size, and replayed.
	rs, err := replayFile(v, write("keys_256", headersCassette(100, 256)))
	require.NoError(t, err)
	assert.Len(t, rs, 100)
}

// BenchmarkReplayManyKeys replays a cassette whose headers have n keys: in one mapping,
// which is refused, and in mappings of 200, which are replayed.
func BenchmarkReplayManyKeys(b *testing.B) {
	v := validator(b, contract.Options{})
	for _, n := range []int{1000, 10000, 40000} {
		for _, shape := range []struct {
			name               string
			interactions, keys int
		}{{"one_mapping", 1, n}, {"mappings_of_200", n / 200, 200}} {
			b.Run(fmt.Sprintf("%s/keys=%d", shape.name, n), func(b *testing.B) {
				path := filepath.Join(b.TempDir(), "c.yaml")
				data := headersCassette(shape.interactions, shape.keys)
				require.NoError(b, os.WriteFile(path, []byte(data), 0o600))
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					_, _ = replayFile(v, path)
				}
			})
		}
	}
}
