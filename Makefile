# Everything runs through the go command; a fresh machine needs only Go and the module proxy.
GO ?= go

.PHONY: all generate test test-all test-short run serve vet fmt breaking bench bench-peers bench-go bench-load bench-wrk bench-startup fuzz lint-spec interop-prism interop

all: generate test

## generate: regenerate gen/ from api/openapi.yaml
generate:
	$(GO) generate ./...

# Modules besides the main one, each with its own go.mod.
SUBMODULES := tools/breaking bench

# -race needs cgo and a C compiler; without one (go env CGO_ENABLED is 0) tests run without it.
RACE := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race)

## test: vet and run every offline test of the main module, with -race when cgo is available
## (the README's test command; needs only Go)
test:
	@$(if $(RACE),,echo 'test: no C compiler for cgo, so running without -race')
	$(GO) vet ./...
	$(GO) test $(RACE) -count=1 ./...

## test-all: test, then vet and test the peer modules (bench/, tools/breaking), with -race
## when cgo is available (CI runs it: .ci/run)
test-all: test
	for m in $(SUBMODULES); do $(GO) vet -C $$m ./... && $(GO) test -C $$m $(RACE) -count=1 ./... || exit 1; done

## test-short: the tests without regenerating gen/
test-short:
	$(GO) test -short ./...

## run: the main job (the contract suite against the embedded default); flags via ARGS,
## e.g. make run ARGS='--format junit --output contract.xml'
run:
	$(GO) run ./cmd/portkey-runs check $(ARGS)

## serve: the reference server on 127.0.0.1:8080 (flags via ARGS, e.g. ARGS='--cancel-delay 0')
serve:
	$(GO) run ./cmd/portkey-runs serve $(ARGS)

## fmt: gofmt the hand-written code
fmt:
	gofmt -w $$(git ls-files '*.go' | grep -v '^gen/')

## lint-spec: Spectral (spectral:oas) and Redocly (recommended-strict) on SPEC, at the versions
## pinned in interop/package-lock.json (npm ci); any error fails. Needs node and npm, unlike make test.
SPEC ?= api/openapi.yaml
INTEROP_ENV = REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
lint-spec: interop/node_modules/.package-lock.json
	cd interop && $(INTEROP_ENV) npx --no-install spectral lint --fail-severity error --ruleset .spectral.yaml '$(abspath $(SPEC))'
	cd interop && $(INTEROP_ENV) npx --no-install redocly lint --config redocly.yaml '$(abspath $(SPEC))'

## interop-prism: Prism (pinned in interop/) as a validating proxy flags every known-bad
## recording and passes the good ones (contract.TestPrismAgrees)
interop-prism: interop/node_modules/.package-lock.json
	PRISM='$(abspath interop/node_modules/.bin/prism)' $(GO) test -count=1 -run '^TestPrismAgrees$$' ./contract

interop/node_modules/.package-lock.json: interop/package-lock.json interop/package.json
	cd interop && npm ci --no-audit --no-fund --loglevel error

## breaking: fail on breaking changes to api/openapi.yaml since BASE not acknowledged in
## api/breaking-ok.yaml (tools/breaking is its own module, so oasdiff stays out of go.mod)
BASE ?= HEAD~1
breaking:
	$(GO) build -C tools/breaking -o bin/breaking . && tools/breaking/bin/breaking -base '$(BASE)'

## bench: the Go benchmarks against the peers (bench/) and in the packages, compared with
## benchstat (pinned in bench/go.mod); the reference server under wrk (bench-wrk); check's
## start-up (bench-startup); last, each ratio of issue 17 beside its target (bench/cmd/ratios).
## Results go to bench/out/. BENCH_COUNT runs per benchmark (benchstat wants 6 or more).
BENCH_COUNT ?= 6
BENCHSTAT = $(GO) run -C bench golang.org/x/perf/cmd/benchstat
bench: BENCH_GO_ON = 1
bench: bench-go bench-wrk bench-startup
	@echo; echo "== Each ratio beside its target, from bench/out/ (load average now: $$(cut -d' ' -f1-3 /proc/loadavg))"
	@$(GO) run -C bench ./cmd/ratios out/peers.txt out/wrk.txt out/startup.txt
	@if [ -e bench/out/packages.failed ]; then cat bench/out/packages.failed; exit 1; fi

## bench-peers: bench, with Prism's mock (npm, via npx) under the same load as the Go servers
bench-peers: bench-go
	GO=$(GO) bash bench/peers.sh

# Under bench (BENCH_GO_ON), a failing in-package benchmark fails bench after its table.
bench-go:
	mkdir -p bench/out
	rm -f bench/out/packages.failed
	@echo "bench: load average at the start: $$(cut -d' ' -f1-3 /proc/loadavg)"
	@echo 'bench: running the benchmarks $(BENCH_COUNT) times each (a few minutes)'
	$(GO) test -C bench -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) . >bench/out/peers.txt || { cat bench/out/peers.txt; exit 1; }
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./portkey ./refserver ./contract >bench/out/packages.txt || { cat bench/out/packages.txt; \
		echo 'bench: an in-package benchmark failed (bench/out/packages.txt)' | tee bench/out/packages.failed; $(if $(BENCH_GO_ON),,exit 1;) }
	@echo; echo '== One Cancel call over loopback (vs raw net/http + encoding/json)'
	@$(BENCHSTAT) -filter '.name:Cancel' -col /impl out/peers.txt
	@echo; echo '== Validating one 200 response (vs our contract validator)'
	@$(BENCHSTAT) -filter '.name:Validate' -col /impl out/peers.txt
	@echo; echo '== Validate on a body already read (vs json.Valid on the same bytes)'
	@$(BENCHSTAT) -filter '.name:ValidateBytes' -col /impl out/peers.txt
	@echo; echo '== Building each validator once'
	@$(BENCHSTAT) -filter '.name:Build' -col /impl out/peers.txt
	@echo; echo '== One Cancel call through the validating transport (vs without)'
	@$(BENCHSTAT) -filter '.name:CancelTransport' -col /transport out/peers.txt
	@echo; echo '== The validating transport alone, on a canned response (vs without)'
	@$(BENCHSTAT) -filter '.name:TransportOnly' -col /transport out/peers.txt
	@echo; echo '== In-package benchmarks'
	@$(BENCHSTAT) out/packages.txt

bench-load:
	$(GO) run -C bench ./cmd/loadgen

## bench-wrk: the reference server in its own process under wrk (apt-get install wrk), 8 and
## 64 connections, validation on and off against bare net/http (results in bench/out/wrk.txt)
bench-wrk:
	GO=$(GO) bash bench/wrk.sh

## bench-startup: `portkey-runs check` on the embedded default against a binary that only
## prints (bench/cmd/onlyprints), both built here, 15 runs each, interleaved (bench/cmd/startup)
bench-startup:
	mkdir -p bench/out/bin
	$(GO) build -o bench/out/bin/portkey-runs ./cmd/portkey-runs
	$(GO) build -C bench -o out/bin/onlyprints ./cmd/onlyprints
	$(GO) run -C bench ./cmd/startup -n 15 check='out/bin/portkey-runs check' only-prints=out/bin/onlyprints >bench/out/startup.txt
	@echo; echo '== portkey-runs check on the embedded default vs a binary that only prints'
	@$(BENCHSTAT) -col /impl out/startup.txt

## fuzz: run each fuzz target for FUZZTIME (their seeds already run in make test); a
## crasher is written to the package's testdata/fuzz/<target>/: commit it with the fix
FUZZTIME ?= 10s
FUZZ_TARGETS := ./portkey:FuzzCancelPath ./internal/redact:FuzzRedact ./contract:FuzzValidate ./recording:FuzzReplay ./contract:FuzzFastPath ./refserver:FuzzServeRequest ./refserver:FuzzCheckerAsMiddleware ./refserver:FuzzEncodeRun
fuzz:
	for t in $(FUZZ_TARGETS); do \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s "$${t%%:*}" || exit 1; \
	done

## interop: the reference server (serve --upstream) behind the real Portkey gateway (npm ci
## in interop/gateway, pinned, with the @hono/node-server override; and interop/gateway-stock
## without it), the Node SDKs and openai-go against serve; without node or npm it skips
interop:
	GO=$(GO) bash interop/gateway/run.sh
