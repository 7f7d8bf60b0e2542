package testtarget

import (
	"net/http"
	"strings"

	"github.com/seed-a6d846e6/portkey-runs/contract"
)

// Lines renders violations one per line, as reports print them.
func Lines(vs []contract.Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.String())
	}
	return out
}

// GoldenLines are the lines of a golden file that are neither blank nor comments.
func GoldenLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// Cancel posts to url with HostedAuth's credentials, as a Cancel Run client would.
func Cancel(hc *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		return nil, err
	}
	HostedAuth.Apply(req.Header)
	return hc.Do(req)
}
