package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Load is a closed-loop HTTP load: Concurrency workers each send one POST, wait for the
// answer and read it, then send the next, until Requests have been sent or Duration has
// passed, whichever comes first. It only targets loopback addresses.
type Load struct {
	// Base is the target's URL without a path, e.g. http://127.0.0.1:8080.
	Base string
	// Path gives the path (and query) of the i-th request, i from 0 to Requests-1.
	Path        func(i int) string
	Header      http.Header
	Concurrency int           // workers; 8 when 0
	Requests    int           // at most this many requests; required
	Duration    time.Duration // at most this long; required
	Timeout     time.Duration // per request; 10s when 0
}

// LoadResult is what a Load measured.
type LoadResult struct {
	Requests int         // answered requests
	Errors   int         // requests without an answer (connection errors, timeouts)
	Statuses map[int]int // answers by status
	Elapsed  time.Duration
	P50, P99 time.Duration // latency of answered requests
}

// PerSecond is the rate of answered requests.
func (r LoadResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

func (r LoadResult) String() string {
	return fmt.Sprintf("%d requests in %.2fs (%d errors, statuses %v): %.0f/s, p50 %s, p99 %s",
		r.Requests, r.Elapsed.Seconds(), r.Errors, r.Statuses, r.PerSecond(), round(r.P50), round(r.P99))
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// CheckLoopback returns an error unless base is an http URL on a loopback address.
func CheckLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	if u.Scheme != "http" {
		return fmt.Errorf("load: %q is not an http URL", base)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("load: %q is not a loopback address; this load generator sends only to loopback", host)
	}
	return nil
}

// Run applies the load and measures it. It stops early when ctx ends.
func (l Load) Run(ctx context.Context) (LoadResult, error) {
	if err := CheckLoopback(l.Base); err != nil {
		return LoadResult{}, err
	}
	if l.Requests <= 0 || l.Duration <= 0 || l.Path == nil {
		return LoadResult{}, errors.New("load: Path, Requests and Duration are required")
	}
	workers := l.Concurrency
	if workers <= 0 {
		workers = 8
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	tr := &http.Transport{MaxIdleConnsPerHost: workers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	ctx, stop := context.WithTimeout(ctx, l.Duration)
	defer stop()
	var next atomic.Int64
	type tally struct {
		lat      []time.Duration
		errors   int
		statuses map[int]int
	}
	tallies := make([]tally, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range tallies {
		t := &tallies[w]
		t.statuses = map[int]int{}
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= l.Requests {
					return
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.Base+l.Path(i), nil)
				if err != nil {
					t.errors++
					continue
				}
				for k, v := range l.Header {
					req.Header[k] = v
				}
				began := time.Now()
				resp, err := hc.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
				if ctx.Err() != nil {
					return // cut off by the time bound: not counted
				}
				if err != nil {
					t.errors++
					continue
				}
				t.lat = append(t.lat, time.Since(began))
				t.statuses[resp.StatusCode]++
			}
		})
	}
	wg.Wait()
	res := LoadResult{Elapsed: time.Since(start), Statuses: map[int]int{}}
	var lat []time.Duration
	for _, t := range tallies {
		lat = append(lat, t.lat...)
		res.Errors += t.errors
		for s, n := range t.statuses {
			res.Statuses[s] += n
		}
	}
	res.Requests = len(lat)
	if len(lat) > 0 {
		slices.Sort(lat)
		res.P50 = lat[(len(lat)-1)*50/100]
		res.P99 = lat[(len(lat)-1)*99/100]
	}
	return res, nil
}
