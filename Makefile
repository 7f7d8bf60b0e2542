# Everything runs through the go command; a fresh machine needs only Go and the module proxy.
GO ?= go

.PHONY: all generate test test-short run serve vet fmt breaking

all: generate test

## generate: regenerate gen/ from api/openapi.yaml
generate:
	$(GO) generate ./...

# Modules besides the main one, each with its own go.mod.
SUBMODULES := tools/breaking bench

## test: vet and run every offline test in every module (the README's test command; CI runs it)
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	for m in $(SUBMODULES); do $(GO) vet -C $$m ./... && $(GO) test -C $$m -race -count=1 ./... || exit 1; done

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

## breaking: fail on breaking changes to api/openapi.yaml since BASE not acknowledged in
## api/breaking-ok.yaml (tools/breaking is its own module, so oasdiff stays out of go.mod)
BASE ?= HEAD~1
breaking:
	$(GO) build -C tools/breaking -o bin/breaking . && tools/breaking/bin/breaking -base '$(BASE)'
