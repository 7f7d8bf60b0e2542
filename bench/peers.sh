#!/usr/bin/env bash
# Loads Prism's mock of api/openapi.yaml (from the npm registry) and the Go servers under the
# same closed-loop load (cmd/loadgen), and prints one table. Run from the repository root
# (make bench-peers). Skips, with one line, when node or npm are absent.
set -euo pipefail

PRISM_PORT="${PRISM_PORT:-4010}"
PRISM_VERSION="${PRISM_VERSION:-5}"
GO="${GO:-go}"

if ! command -v node >/dev/null || ! command -v npx >/dev/null; then
	echo "bench-peers: node and npm (npx) are not installed; skipping the Prism comparison"
	exit 0
fi

log="$(mktemp)"
pgid=""
cleanup() {
	if [[ -n "$pgid" ]]; then
		kill -- "-$pgid" 2>/dev/null || true
	fi
	rm -f "$log"
}
trap cleanup EXIT

# Prism gets its own process group, so that stopping it stops npx's children too; timeout
# bounds its life whatever happens to this script.
setsid timeout 900 npx --yes "@stoplight/prism-cli@${PRISM_VERSION}" mock --host 127.0.0.1 -p "$PRISM_PORT" api/openapi.yaml >"$log" 2>&1 &
pgid=$!
echo "bench-peers: started Prism ${PRISM_VERSION} (npx) on 127.0.0.1:${PRISM_PORT}; waiting for it to answer"

# loadgen waits (up to -wait) for Prism to answer before it loads anything.
if ! "$GO" run -C bench ./cmd/loadgen -peer "http://127.0.0.1:${PRISM_PORT}" -peer-name "prism ${PRISM_VERSION} mock" -wait 4m "$@"; then
	echo "bench-peers: the load failed; Prism's log:" >&2
	tail -20 "$log" >&2
	exit 1
fi
echo "bench-peers: $(grep -m1 -o 'Prism is listening.*' "$log" || echo 'Prism started')"
