package portkey

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// Header names of Portkey's security schemes (api/openapi.yaml).
const (
	HeaderAPIKey     = "x-portkey-api-key"
	HeaderVirtualKey = "x-portkey-virtual-key"
	HeaderProvider   = "x-portkey-provider"
	HeaderConfig     = "x-portkey-config"
	HeaderCustomHost = "x-portkey-custom-host"
)

// Auth holds the credentials of one of the four combinations Portkey accepts:
// APIKey with VirtualKey; APIKey with Provider and ProviderKey; APIKey with Config;
// or APIKey with Provider, ProviderKey and CustomHost.
type Auth struct {
	APIKey      string
	VirtualKey  string
	Provider    string
	ProviderKey string // sent as Authorization: Bearer
	Config      string
	CustomHost  string
}

// Validate reports whether a satisfies one of the combinations.
func (a Auth) Validate() error {
	switch {
	case a.APIKey == "":
		return errors.New("portkey: an API key is required (PORTKEY_API_KEY)")
	case a.VirtualKey != "", a.Config != "":
		return nil
	case a.Provider != "" && a.ProviderKey != "":
		return nil
	case a.Provider != "" || a.ProviderKey != "" || a.CustomHost != "":
		return errors.New("portkey: a provider needs both its name and its key (PORTKEY_PROVIDER, PORTKEY_PROVIDER_KEY)")
	default:
		return errors.New("portkey: the API key needs a virtual key, a config, or a provider and its key (PORTKEY_VIRTUAL_KEY, PORTKEY_CONFIG, PORTKEY_PROVIDER)")
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

// Editor returns a request editor for the generated client that applies a.
func (a Auth) Editor() gen.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		a.Apply(req.Header)
		return nil
	}
}

// String names the credentials that are set, never their values.
func (a Auth) String() string {
	mask := func(v string) string {
		if v == "" {
			return `""`
		}
		return "[redacted]"
	}
	return fmt.Sprintf("portkey.Auth{APIKey:%s VirtualKey:%s Provider:%q ProviderKey:%s Config:%s CustomHost:%q}",
		mask(a.APIKey), mask(a.VirtualKey), a.Provider, mask(a.ProviderKey), mask(a.Config), a.CustomHost)
}

// GoString is String, so that %#v does not print keys either.
func (a Auth) GoString() string { return a.String() }
