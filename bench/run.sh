#!/usr/bin/env bash
# run.sh: benchmarks against the real stack (nginx + spawn-fcgi workers + PostgreSQL + Redis),
# with two baselines measured in the same run: a bare libfcgi responder behind the same
# nginx, and nginx serving a static file. Prints requests/s, latency and ratios.
#   BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_WORKERS (4)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_start

echo "# wrk -t$T -c$C -d${D}s over HTTPS through nginx; $PSS_TEST_WORKERS FastCGI processes each; $(nproc) cores"
run "static file (nginx)" /static/bench.json static
run "bare libfcgi responder" /bench/bare bare
run "GET /api/health" /api/health health
run "GET /api" /api index

# Accounts: a session read (cached) against /api/health, and logins, which bcrypt cost 12
# bounds by design (the harness's login rate limit is lifted for this run).
sed -i -E 's/(zone=pss_login:10m) rate=[0-9]+r\/[sm]/\1 rate=100000r\/s/' "$ST/nginx/site.conf"
kill -HUP "$(cat "$ST/run/nginx.pid")"; sleep 1
printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add benchuser bench@example.com --password-stdin >/dev/null
TOKEN=$(curl -fsk -H 'Content-Type: application/json' -d '{"username":"benchuser","password":"Bench-pass-1"}' \
	"$PSS_TEST_URL/api/auth/login" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "login for the benchmark failed" >&2; exit 1; }
run "GET /api/auth/me (cached)" /api/auth/me me -H "Authorization: Bearer $TOKEN"
cat >"$ST/login.lua" <<'EOL'
wrk.method = "POST"
wrk.body = '{"username":"benchuser","password":"Bench-pass-1"}'
wrk.headers["Content-Type"] = "application/json"
EOL
run "POST /api/auth/login" /api/auth/login login -s "$ST/login.lua"
echo
echo "ratios (higher is better):"
echo "  /api/health / bare responder = $(ratio "$RPS_health" "$RPS_bare")"
echo "  /api/health / static file    = $(ratio "$RPS_health" "$RPS_static")"
echo "  bare responder / static file = $(ratio "$RPS_bare" "$RPS_static")"
echo "  /api/auth/me / /api/health   = $(ratio "$RPS_me" "$RPS_health")"
echo "  logins per second per core   = $(ratio "$RPS_login" "$(nproc)")   (bcrypt cost 12)"
