// Command loadgen measures the reference server on loopback (requests per second, p50/p99
// latency, validation on and off) against a bare net/http handler writing a constant Run
// body and, with -peer, another server of the spec such as Prism's mock.
//
//	go run ./cmd/loadgen [-n 100000] [-d 5s] [-c 8] [-peer http://127.0.0.1:4010 -peer-name prism]
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/bench"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// A target is one server under load, started afresh for each round.
type target struct {
	name  string
	start func(runs int) (base string, path func(int) string, stop func(), err error)
}

// local starts the handler that newHandler builds for runs cancels on a loopback port.
func local(name string, newHandler func(runs int) (http.Handler, error)) target {
	return target{name, func(runs int) (string, func(int) string, func(), error) {
		h, err := newHandler(runs)
		if err != nil {
			return "", nil, nil, err
		}
		base, stop, err := serve(h)
		return base, bench.LoadPath, stop, err
	}}
}

func run() error {
	n := flag.Int("n", 100000, "at most this many requests per target and round")
	d := flag.Duration("d", 5*time.Second, "at most this long per target and round")
	c := flag.Int("c", 8, "concurrent connections")
	rounds := flag.Int("rounds", 3, "rounds; the table shows each target's median round by requests per second")
	warm := flag.Int("warmup", 2000, "requests sent first to each target in each round, not measured")
	peer := flag.String("peer", "", "base URL of another server of the spec to load too (loopback only)")
	peerName := flag.String("peer-name", "peer", "name of -peer in the table")
	peerPath := flag.String("peer-path", "/threads/thread_def456/runs/run_def456/cancel", "path -peer serves the operation at")
	wait := flag.Duration("wait", 3*time.Minute, "how long to wait for -peer to answer")
	serveName := flag.String("serve", "", "only serve the target named bare, on or off with -n runs on a loopback port, "+
		"print its URL and serve until interrupted (for a load generator in another process, bench/wrk.sh)")
	cpuProfile := flag.String("cpuprofile", "", "with -serve, write a CPU profile of the serving to this file")
	flag.Parse()
	if *serveName != "" {
		return serveOnly(*serveName, *n, *cpuProfile)
	}
	if *n <= 0 || *d <= 0 || *c <= 0 || *rounds <= 0 || *warm < 0 {
		return errors.New("-n, -d, -c and -rounds must be positive")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	targets := []target{
		local("bare net/http, constant body", func(int) (http.Handler, error) { return bench.BareHandler(), nil }),
		local("refserver, validation on", func(runs int) (http.Handler, error) { return bench.RefServer(runs) }),
		local("refserver, validation off", func(runs int) (http.Handler, error) {
			return bench.RefServer(runs, refserver.WithoutValidation())
		}),
	}
	if *peer != "" {
		if err := bench.CheckLoopback(*peer); err != nil {
			return err
		}
		if err := waitFor(ctx, *peer+*peerPath, *wait); err != nil {
			return err
		}
		targets = append(targets, target{*peerName, func(int) (string, func(int) string, func(), error) {
			return *peer, func(int) string { return *peerPath }, func() {}, nil
		}})
	}

	header := http.Header{"Openai-Beta": {"assistants=v2"}}
	portkey.Auth{APIKey: "pk-load", VirtualKey: "vk-load"}.Apply(header)
	fmt.Printf("closed-loop load on loopback: %d connections, at most %d requests or %s per target and round, "+
		"after %d warm-up requests; median of %d rounds\n\n", *c, *n, *d, *warm, *rounds)
	results := make([][]bench.LoadResult, len(targets))
	for range *rounds {
		for i, t := range targets {
			res, err := measure(ctx, t, bench.Load{Header: header, Concurrency: *c, Requests: *n, Duration: *d}, *warm)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			results[i] = append(results[i], res)
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\trequests\terrors\tnon-200\treq/s\tp50\tp99\treq/s vs bare\tp99 vs bare\t")
	var bare bench.LoadResult
	for i, t := range targets {
		rs := results[i]
		slices.SortFunc(rs, func(a, b bench.LoadResult) int { return cmp.Compare(a.PerSecond(), b.PerSecond()) })
		res := rs[len(rs)/2]
		if i == 0 {
			bare = res
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%s\t%s\t%.3fx\t%.2fx\t\n", t.name, res.Requests, res.Errors,
			res.Requests-res.Statuses[http.StatusOK], res.PerSecond(), ms(res.P50), ms(res.P99),
			res.PerSecond()/bare.PerSecond(), float64(res.P99)/float64(bare.P99))
	}
	return tw.Flush()
}

// measure starts t with runs for the warm-up and the load, warms it up on the runs after
// the measured ones (so that every measured cancel is a first cancel), and loads it.
func measure(ctx context.Context, t target, l bench.Load, warm int) (bench.LoadResult, error) {
	base, path, stop, err := t.start(l.Requests + warm)
	if err != nil {
		return bench.LoadResult{}, err
	}
	defer stop()
	runtime.GC()
	l.Base = base
	if warm > 0 {
		w := l
		w.Requests, w.Path = warm, func(i int) string { return path(l.Requests + i) }
		if _, err := w.Run(ctx); err != nil {
			return bench.LoadResult{}, err
		}
	}
	l.Path = path
	return l.Run(ctx)
}

// serveOnly serves one target on a loopback port until SIGINT or SIGTERM, profiling the
// serving into profile unless it is empty.
func serveOnly(name string, runs int, profile string) (err error) {
	var h http.Handler
	switch name {
	case "bare":
		h = bench.BareHandler()
	case "on":
		h, err = bench.RefServer(runs)
	case "off":
		h, err = bench.RefServer(runs, refserver.WithoutValidation())
	default:
		return fmt.Errorf("-serve %q: want bare, on or off", name)
	}
	if err != nil {
		return err
	}
	base, stop, err := serve(h)
	if err != nil {
		return err
	}
	defer stop()
	runtime.GC()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
	}
	fmt.Println(base)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	<-ctx.Done()
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// serve serves h on a fresh loopback port.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// waitFor polls url with POST until it answers at all, for at most d.
func waitFor(ctx context.Context, url string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	hc := &http.Client{Timeout: 5 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
		if err != nil {
			return err
		}
		if resp, err := hc.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer within %s", url, d)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
