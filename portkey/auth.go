package portkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// Header names of Portkey's security schemes (api/openapi.yaml).
const (
	HeaderAPIKey     = "x-portkey-api-key"
	HeaderVirtualKey = "x-portkey-virtual-key"
	HeaderProvider   = "x-portkey-provider"
	HeaderConfig     = "x-portkey-config"
	HeaderCustomHost = "x-portkey-custom-host"

	// HeaderGatewayException, set to true on an answer, says the gateway itself failed,
	// possibly after the upstream acted on the request.
	HeaderGatewayException = "x-portkey-gateway-exception"
)

// Environment variables read by AuthFrom and New.
const (
	EnvBaseURL     = "PORTKEY_BASE_URL"
	EnvAPIKey      = "PORTKEY_API_KEY"
	EnvVirtualKey  = "PORTKEY_VIRTUAL_KEY"
	EnvProvider    = "PORTKEY_PROVIDER"
	EnvProviderKey = "PORTKEY_PROVIDER_KEY"
	EnvConfig      = "PORTKEY_CONFIG"
	EnvCustomHost  = "PORTKEY_CUSTOM_HOST"
)

// Auth holds the credentials of one of the combinations api/openapi.yaml accepts:
// APIKey with VirtualKey, with Provider (a Model Catalog slug, or with ProviderKey and
// optionally CustomHost) or with Config; or, for a self-hosted gateway, Provider with
// ProviderKey, or Config alone.
type Auth struct {
	APIKey      string
	VirtualKey  string
	Provider    string
	ProviderKey string // sent as Authorization: Bearer
	Config      string
	CustomHost  string
}

// AuthFromEnv reads the credentials from the PORTKEY_* variables of the process
// environment: AuthFrom(os.Getenv).
func AuthFromEnv() Auth { return AuthFrom(os.Getenv) }

// AuthFrom reads the credentials from the PORTKEY_* variables through getenv; it is the
// one place in this module that knows those variables.
func AuthFrom(getenv func(string) string) Auth {
	return Auth{
		APIKey:      getenv(EnvAPIKey),
		VirtualKey:  getenv(EnvVirtualKey),
		Provider:    getenv(EnvProvider),
		ProviderKey: getenv(EnvProviderKey),
		Config:      getenv(EnvConfig),
		CustomHost:  getenv(EnvCustomHost),
	}
}

// Validate reports whether a satisfies one of the combinations.
func (a Auth) Validate() error {
	switch {
	case a.Config != "", a.Provider != "" && (a.APIKey != "" || a.ProviderKey != ""), a.APIKey != "" && a.VirtualKey != "":
		return nil
	case a.APIKey == "" && a.VirtualKey != "":
		return errors.New("portkey: a virtual key needs the API key (PORTKEY_API_KEY)")
	case a.APIKey == "":
		return errors.New("portkey: an API key is required (PORTKEY_API_KEY), unless a self-hosted gateway gets a provider and its key (PORTKEY_PROVIDER, PORTKEY_PROVIDER_KEY) or a config (PORTKEY_CONFIG)")
	case a.ProviderKey != "" || a.CustomHost != "":
		return errors.New("portkey: a provider key needs its provider name (PORTKEY_PROVIDER)")
	default:
		return errors.New("portkey: the API key needs a virtual key, a config, or a provider (PORTKEY_VIRTUAL_KEY, PORTKEY_CONFIG, PORTKEY_PROVIDER)")
	}
}

// Apply sets a's non-empty credentials on h.
func (a Auth) Apply(h http.Header) {
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set(HeaderAPIKey, a.APIKey)
	set(HeaderVirtualKey, a.VirtualKey)
	set(HeaderProvider, a.Provider)
	set(HeaderConfig, a.Config)
	set(HeaderCustomHost, a.CustomHost)
	if a.ProviderKey != "" {
		h.Set("Authorization", "Bearer "+a.ProviderKey)
	}
}

// Editor returns a request editor for the generated client that applies a; send through
// an http.Client whose CheckRedirect is CheckRedirect, so that no redirect carries a away.
func (a Auth) Editor() gen.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		a.Apply(req.Header)
		return nil
	}
}

// Secrets lists the credential values set in a, which must never appear in output: the
// keys, the config, and the values of the secret-named properties of a JSON config.
func (a Auth) Secrets() []string {
	var s []string
	for _, v := range []string{a.APIKey, a.VirtualKey, a.ProviderKey, a.Config} {
		if v != "" {
			s = append(s, v)
		}
	}
	var config any
	if json.Unmarshal([]byte(a.Config), &config) == nil {
		s = appendSecretValues(s, "", config)
	}
	return s
}

// appendSecretValues appends the strings of v held under a secret-looking name.
func appendSecretValues(s []string, name string, v any) []string {
	switch v := v.(type) {
	case string:
		if v != "" && redact.IsSecretName(name) {
			s = append(s, v)
		}
	case map[string]any:
		for k, e := range v {
			s = appendSecretValues(s, k, e)
		}
	case []any:
		for _, e := range v {
			s = appendSecretValues(s, name, e)
		}
	}
	return s
}

// String names the credentials that are set, never their values.
func (a Auth) String() string {
	mask := func(v string) string {
		if v == "" {
			return `""`
		}
		return redact.Marker
	}
	return fmt.Sprintf("portkey.Auth{APIKey:%s VirtualKey:%s Provider:%q ProviderKey:%s Config:%s CustomHost:%q}",
		mask(a.APIKey), mask(a.VirtualKey), a.Provider, mask(a.ProviderKey), mask(a.Config), a.CustomHost)
}

// GoString is String, so that %#v does not print keys either.
func (a Auth) GoString() string { return a.String() }
