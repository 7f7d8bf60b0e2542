#!/usr/bin/env bash
# make interop: the reference server behind the real Portkey gateway (@portkey-ai/gateway,
# pinned in package-lock.json, with the @hono/node-server override) and behind the same
# gateway as npm installs it (../gateway-stock), then the Node SDKs and openai-go against
# serve. Loopback only; every process it starts is stopped on exit; each step is bounded.
set -euo pipefail
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "interop: node or npm not found; skipped"
	exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
GO=${GO:-go}

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "interop: FAIL: $*"
	for f in "$work"/*.log; do echo "--- $(basename "$f") (last lines)"; tail -n 15 "$f"; done
	exit 1
}

for d in "$here" "$here/../gateway-stock"; do
	(cd "$d" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$work/npm.log" 2>&1 ||
		fail "npm ci in $d"
done
hono() { node -p "require('$1/node_modules/@hono/node-server/package.json').version"; }
echo "interop: @portkey-ai/gateway 1.15.2 with @hono/node-server $(hono "$here") (override) and $(hono "$here/../gateway-stock") (as npm resolves it)"
timeout 300 "$GO" build -C "$root" -o "$work/portkey-runs" ./cmd/portkey-runs || fail "go build"

freeport() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
waitport() {
	for _ in $(seq 150); do
		(: </dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.2
	done
	fail "nothing listens on 127.0.0.1:$1 after 30s"
}
up=$(freeport) ref=$(freeport) gw=$(freeport) stock=$(freeport) echo=$(freeport)
node "$here/echo.cjs" "$echo" 2>"$work/echo.log" &
pids+=($!)
"$work/portkey-runs" serve --upstream --addr "127.0.0.1:$up" --cancel-delay 0 2>"$work/upstream.log" &
pids+=($!)
"$work/portkey-runs" serve --addr "127.0.0.1:$ref" --cancel-delay 0 2>"$work/serve.log" &
pids+=($!)
gateway() { # dir port log: the gateway, bound to loopback by loopback.cjs
	(cd "$1" && exec node --require "$here/loopback.cjs" node_modules/@portkey-ai/gateway/build/start-server.js --port="$2" --headless) >"$3" 2>&1 &
	pids+=($!)
}
gateway "$here" "$gw" "$work/gateway.log"
gateway "$here/../gateway-stock" "$stock" "$work/gateway-stock.log"
for p in "$up" "$ref" "$gw" "$stock" "$echo"; do waitport "$p"; done

# What the gateway wants: a provider, its key as Bearer, the upstream; it forwards the key
# and Prefer (so the fault scenarios run through it), and strips every x-portkey-* header.
export PORTKEY_API_KEY=pk-interop PORTKEY_PROVIDER=openai PORTKEY_PROVIDER_KEY=sk-interop \
	PORTKEY_CUSTOM_HOST="http://127.0.0.1:$up/v1"
check() { # port run: check --target through one gateway; prints the report, returns its exit code
	local code=0
	timeout 120 "$work/portkey-runs" check --target "http://127.0.0.1:$1/v1" --thread thread_demo --run "$2" \
		--faults --timeout 20s 2>"$work/check-progress.log" || code=$?
	return "$code"
}

echo "== what the gateway does, as internal/testtarget's stand-in gateway claims"
cancel() { # custom-host extra-curl-args...: POST a cancel through the gateway, headers and body to stdout
	local hostarg=$1
	shift
	timeout 20 curl -sS -i -X POST "http://127.0.0.1:$gw/v1/threads/thread_demo/runs/run_x/cancel" -H 'x-portkey-provider: openai' \
		-H "x-portkey-custom-host: $hostarg" -H 'x-portkey-api-key: pk-interop' "$@"
}
got=$(cancel "http://127.0.0.1:$echo/v1" -H 'Authorization: Bearer sk-interop' -H 'Prefer: code=429') || fail "curl to the gateway"
body=$(printf '%s' "$got" | tail -n 1)
node -e '
const h = JSON.parse(process.argv[1]).headers;
const bad = Object.keys(h).filter((k) => k.startsWith("x-portkey-"));
if (bad.length) throw new Error("forwarded " + bad.join(", "));
if (h.authorization !== "Bearer sk-interop") throw new Error("authorization: " + h.authorization);
if (h.prefer !== "code=429") throw new Error("prefer: " + h.prefer);
' "$body" || fail "the upstream got: $body"
for want in 'x-portkey-trace-id: ' 'x-portkey-last-used-option-index: config' 'x-portkey-provider: openai' \
	'x-portkey-retry-attempt-count: 0' 'x-portkey-cache-status: DISABLED'; do
	printf '%s' "$got" | tr -d '\r' | grep -qx "$want" || fail "the gateway's answer lacks '$want': $got"
done
got=$(cancel "http://127.0.0.1:$echo/v1") || fail "curl to the gateway"
printf '%s' "$got" | tail -n 1 | grep -q '"authorization":"Bearer undefined"' ||
	fail "without a key, the gateway did not send 'Bearer undefined': $got"
echo "interop: the gateway strips x-portkey-*, forwards Authorization and Prefer (Bearer undefined without a key), adds its headers (empty trace id)"

echo "== check --target through the gateway (override)"
code=0
check "$gw" run_queued | tee "$work/check.txt" || code=$?
[ "$code" -eq 0 ] || fail "check through the gateway exited $code, want 0"

echo "== check --target through the gateway as npm installs it (no override)"
code=0
check "$stock" run_in_progress | tee "$work/check-stock.txt" || code=$?
[ "$code" -eq 2 ] || fail "check through the stock gateway exited $code, want 2"
grep -q 'cancel_run (500' "$work/check-stock.txt" || fail "no 500 for cancel_run through the stock gateway"
grep -q 'gateway failure (x-portkey-gateway-exception: true)' "$work/check-stock.txt" ||
	fail "no line names the gateway exception"
grep -q 'path=/v1/threads/thread_demo/runs/run_in_progress/cancel status=200' "$work/upstream.log" ||
	fail "the upstream did not answer the stock gateway's cancel with 200"
echo "interop: behind the stock gateway the upstream cancelled run_in_progress (200); the gateway answered 500"

echo "== check --target through the gateway: upstream down (2), no /v1 in --target (1)"
down=$(freeport)
code=0
PORTKEY_CUSTOM_HOST="http://127.0.0.1:$down/v1" timeout 120 "$work/portkey-runs" check --target "http://127.0.0.1:$gw/v1" \
	--timeout 20s >"$work/check-down.txt" 2>&1 || code=$?
[ "$code" -eq 2 ] || fail "check with the upstream down exited $code, want 2: $(cat "$work/check-down.txt")"
grep -q 'ECONNREFUSED' "$work/check-down.txt" || fail "the report does not show the gateway's ECONNREFUSED"
grep 'infrastructure)' "$work/check-down.txt" | head -n 1
code=0
timeout 120 "$work/portkey-runs" check --target "http://127.0.0.1:$gw" --timeout 20s >"$work/check-nov1.txt" 2>&1 || code=$?
[ "$code" -eq 1 ] || fail "check without /v1 exited $code, want 1"
grep -q 'does --target end in /v1?' "$work/check-nov1.txt" || fail "no hint about /v1: $(cat "$work/check-nov1.txt")"
grep -m 1 'does --target end in /v1?' "$work/check-nov1.txt"

echo "== record through each gateway, then replay: the same exit code"
rr() { # port run want: record, then check --cassettes, each exiting want; run - makes its own
	local code=0 dir="$work/cassettes-$1" target=(--thread thread_demo --run "$2")
	[ "$2" = - ] && target=(--assistant asst_interop)
	timeout 120 "$work/portkey-runs" record --target "http://127.0.0.1:$1/v1" --out "$dir" "${target[@]}" \
		--faults --timeout 20s >"$work/record-$1.txt" 2>&1 || code=$?
	[ "$code" -eq "$3" ] || fail "record through 127.0.0.1:$1 exited $code, want $3"
	code=0
	timeout 120 "$work/portkey-runs" check --cassettes "$dir" >"$work/replay-$1.txt" 2>&1 || code=$?
	[ "$code" -eq "$3" ] || fail "replaying what was recorded through 127.0.0.1:$1 exited $code, want $3"
	echo "interop: record and replay through 127.0.0.1:$1 both exit $3"
}
rr "$gw" - 0 # run_queued was cancelled by the check above: record creates its own run
rr "$stock" run_requires_action 2

echo "== the Go client through the gateway without the override: one try, *GatewayError, the run cancelled"
up2=$(freeport)
"$work/portkey-runs" serve --upstream --addr "127.0.0.1:$up2" --cancel-delay 0 2>"$work/upstream2.log" &
pids+=($!)
waitport "$up2"
INTEROP_STOCK_GATEWAY="http://127.0.0.1:$stock/v1" INTEROP_GATEWAY="http://127.0.0.1:$gw/v1" INTEROP_UPSTREAM="http://127.0.0.1:$up2/v1" \
	timeout 300 "$GO" test -C "$root" -count=1 -v -run '^TestInteropGatewayException$' ./portkey >"$work/go-client.log" 2>&1 ||
	fail "the Go client through the gateway"
grep -E 'gateway failed|^(ok|---)' "$work/go-client.log"

echo "== Node SDKs against serve"
timeout 120 node "$here/sdk.mjs" "http://127.0.0.1:$ref/v1" || fail "Node SDKs"

echo "== openai-go against the reference server (bench/)"
timeout 300 "$GO" test -C "$root/bench" -count=1 -run '^TestOpenAIGo' . || fail "openai-go interop"

echo "interop: passed"
