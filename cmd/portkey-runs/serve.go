package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

const serveUsage = `Usage: portkey-runs serve [flags]

Serves the reference Cancel Run server from memory, seeded with one run per status on
thread_demo (run_queued, run_in_progress, ..., run_expired), until interrupted (Ctrl-C or
SIGTERM). Logs one line per request on standard error.

Flags:
  --addr ADDR            listen address (default 127.0.0.1:8080)
  --cancel-delay D       how long a cancelled run stays cancelling (default 1s; 0: at once)
  --upstream             be the OpenAI-compatible provider behind a Portkey gateway instead of
                         the gateway: only Authorization: Bearer is asked for (the gateway
                         forwards nothing else), answers carry x-request-id,
                         openai-processing-ms and openai-version

Example:
  portkey-runs serve --addr 127.0.0.1:8080
  # in another shell: any non-empty credentials are accepted
  PORTKEY_API_KEY=any PORTKEY_VIRTUAL_KEY=any portkey-runs check --target http://127.0.0.1:8080/v1 --faults

  # behind the real gateway (npx @portkey-ai/gateway --port=8787 --headless): see make interop
  portkey-runs serve --upstream --addr 127.0.0.1:8081
`

func serveFlags(fs *flag.FlagSet) func(context.Context, env, []string) int {
	addr := fs.String("addr", refserver.DefaultAddr, "listen `ADDR`ess")
	delay := new(time.Duration)
	*delay = refserver.DefaultCancelDelay
	fs.Var((*duration)(delay), "cancel-delay", "how long a cancelled run stays cancelling")
	upstream := fs.Bool("upstream", false, "be the OpenAI-compatible provider behind a gateway")
	return func(ctx context.Context, e env, args []string) int {
		if len(args) > 0 {
			fmt.Fprintf(e.stderr, "portkey-runs serve: unexpected argument %q: serve takes only flags\n", args[0])
			return exitError
		}
		if *delay < 0 {
			fmt.Fprintf(e.stderr, "portkey-runs serve: --cancel-delay %s is negative\n", *delay)
			return exitError
		}
		log := slog.New(slog.NewTextHandler(e.stderr, nil))
		ready := func(a net.Addr) {
			log.Info("listening", "url", "http://"+a.String()+"/v1", "thread", refserver.DemoThread)
		}
		opts := []refserver.Option{refserver.WithLogger(log), refserver.WithCancelDelay(*delay)}
		if *upstream {
			opts = append(opts, refserver.WithUpstream())
		}
		if err := refserver.Serve(ctx, *addr, ready, opts...); err != nil {
			fmt.Fprintf(e.stderr, "portkey-runs serve: %v\n", err)
			return exitError
		}
		return exitPass
	}
}
