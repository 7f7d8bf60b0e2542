package contract

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// Environment variables of live mode, besides portkey's credentials and PORTKEY_BASE_URL.
const (
	EnvThreadID = "PORTKEY_THREAD_ID" // with EnvRunID: a run to cancel for real
	EnvRunID    = "PORTKEY_RUN_ID"
	EnvRecord   = "PORTKEY_RECORD" // true: record each live exchange as a cassette
	// EnvAssistantID is the assistant of the run live mode creates without EnvRunID.
	EnvAssistantID = "PORTKEY_ASSISTANT_ID"
)

// DefaultAssistantID is the assistant of the created run when EnvAssistantID is unset;
// the reference server runs any assistant, a real service only its own.
const DefaultAssistantID = "asst_portkey_runs_check"

// ErrNoCredentials means no credential is set at all: live mode does not apply. Its text
// names the variables to set; the caller adds what for.
var ErrNoCredentials = errors.New("no credentials: set PORTKEY_API_KEY and PORTKEY_VIRTUAL_KEY " +
	"(or PORTKEY_PROVIDER and PORTKEY_PROVIDER_KEY, or PORTKEY_CONFIG)")

// Live is the configuration of live mode, read from the environment.
type Live struct {
	BaseURL string       // PORTKEY_BASE_URL, else portkey.DefaultBaseURL
	Auth    portkey.Auth // portkey.AuthFrom
	Run     RunRef       // PORTKEY_THREAD_ID and PORTKEY_RUN_ID; zero when unset: Lifecycle
	Record  bool         // PORTKEY_RECORD
	// Assistant is PORTKEY_ASSISTANT_ID, else DefaultAssistantID.
	Assistant string
}

// LiveFromEnv reads live mode's configuration through getenv (os.Getenv, or a map in
// tests). It returns ErrNoCredentials when no credential is set, and an error naming the
// variables to fix when the credentials or the run are incomplete.
func LiveFromEnv(getenv func(string) string) (Live, error) {
	l := Live{BaseURL: getenv(portkey.EnvBaseURL), Auth: portkey.AuthFrom(getenv),
		Run: RunRef{ThreadID: getenv(EnvThreadID), RunID: getenv(EnvRunID)}, Assistant: getenv(EnvAssistantID)}
	if l.BaseURL == "" {
		l.BaseURL = portkey.DefaultBaseURL
	}
	if l.Assistant == "" {
		l.Assistant = DefaultAssistantID
	}
	if l.Auth == (portkey.Auth{}) {
		return l, ErrNoCredentials
	}
	if err := l.Auth.Validate(); err != nil {
		return l, err
	}
	if (l.Run.ThreadID == "") != (l.Run.RunID == "") {
		return l, fmt.Errorf("contract: set both %s and %s, or neither", EnvThreadID, EnvRunID)
	}
	if v := getenv(EnvRecord); v != "" {
		rec, err := strconv.ParseBool(v)
		if err != nil {
			return l, fmt.Errorf("contract: %s=%q is not a boolean", EnvRecord, v)
		}
		l.Record = rec
	}
	return l, nil
}

// unknownIDStatuses are the documented 4xx answers to unknown IDs; 401 (the credentials
// are wrong), 408 and 429 (infrastructure) are not among them.
var unknownIDStatuses = []int{400, 403, 404, 409, 412, 446}

// Scenarios returns live mode's scenarios: unknown IDs must give a documented 4xx, a
// request without credentials 401 or 403, and with Run set, cancelling it 200 (a 400 says
// it is not cancellable: nothing checked). Without Run, Suite.Lifecycle provisions one.
func (l Live) Scenarios() []Scenario {
	scs := []Scenario{
		{Name: "unknown_run", ThreadID: UnknownThreadID, RunID: UnknownRunID, Expect: unknownIDStatuses},
		{Name: "no_credentials", ThreadID: UnknownThreadID, RunID: UnknownRunID, NoAuth: true, Expect: []int{401, 403}},
	}
	if l.Run != (RunRef{}) {
		scs = append(scs, Scenario{Name: "cancel_run", ThreadID: l.Run.ThreadID, RunID: l.Run.RunID, Expect: []int{200}, NotCancellable: true})
	}
	return scs
}

// Suite returns a Suite for the live target, sending OpenAI-Beta: assistants=v2 as
// OpenAI's clients do.
func (l Live) Suite() *Suite {
	return &Suite{BaseURL: l.BaseURL, Auth: l.Auth, Header: http.Header{"OpenAI-Beta": {"assistants=v2"}}}
}
