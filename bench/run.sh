#!/usr/bin/env bash
# run.sh: benchmarks against the real stack (nginx + spawn-fcgi workers + PostgreSQL + Redis),
# with two baselines measured in the same run: a bare libfcgi responder behind the same
# nginx, and nginx serving a static file. Prints requests/s, latency and ratios.
#   BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_WORKERS (4)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
D=${BENCH_SECONDS:-10}; C=${BENCH_CONNECTIONS:-32}; T=${BENCH_THREADS:-2}
export PSS_TEST_WORKERS=${BENCH_WORKERS:-4}
command -v wrk >/dev/null || install_packages wrk
build >/dev/null

ST=$(mktemp -d /tmp/pss-bench.XXXXXX)
trap '"$PSS_TOP/tests/harness.sh" stop "$ST"' EXIT
"$PSS_TOP/tests/harness.sh" start "$ST" >"$ST.log" 2>&1 || { cat "$ST.log"; exit 1; }
source "$ST/env"
# quiet logs for the bench: nginx access log off, workers at warn
sed -i 's|access_log .*;|access_log off;|' "$ST/nginx/nginx.conf"

# The baseline responder on its own socket, with as many processes as the application.
cc -O2 -o "$ST/bare-responder" "$PSS_TOP/bench/bare-responder.c" $(pkg-config --cflags --libs fcgi 2>/dev/null || echo -lfcgi)
spawn-fcgi -s "$ST/run/bare.sock" -M 0660 -F "$PSS_TEST_WORKERS" -P "$ST/run/bare.pid" -- "$ST/bare-responder" >/dev/null
echo '{"status":"ok","static":true}' >"$PSS_TOP/static/bench.json"
trap 'rm -f "$PSS_TOP/static/bench.json"; kill $(cat "$ST/run/bare.pid") 2>/dev/null; "$PSS_TOP/tests/harness.sh" stop "$ST"' EXIT
cat >>"$ST/nginx/site.conf" <<EOC
upstream pss_bare { server unix:$ST/run/bare.sock; }
EOC
sed -i "s|	location / {|	location = /bench/bare { fastcgi_pass pss_bare; include $ST/nginx/fastcgi-bare.conf; }\n	location / {|" "$ST/nginx/site.conf"
grep -v '^fastcgi_pass' "$ST/nginx/fastcgi.conf" >"$ST/nginx/fastcgi-bare.conf"
kill -HUP "$(cat "$ST/run/nginx.pid")"; sleep 1

run() { # NAME PATH VAR [wrk options]: prints "NAME rps p50 p99"
	local out name=$1 path=$2 var=$3
	shift 3
	if [ $# -eq 0 ]; then
		curl -fsk "$PSS_TEST_URL$path" >/dev/null || { echo "$name: $path does not answer 200" >&2; return 1; }
	fi
	out=$(wrk -t"$T" -c"$C" -d"${D}s" --latency "$@" "$PSS_TEST_URL$path")
	local rps p50 p99 non2xx
	rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
	p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
	printf '%-28s %10s req/s   p50 %-9s p99 %-9s %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}"
	eval "RPS_$var=$rps"
}

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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo
echo "ratios (higher is better):"
echo "  /api/health / bare responder = $(ratio "$RPS_health" "$RPS_bare")"
echo "  /api/health / static file    = $(ratio "$RPS_health" "$RPS_static")"
echo "  bare responder / static file = $(ratio "$RPS_bare" "$RPS_static")"
echo "  /api/auth/me / /api/health   = $(ratio "$RPS_me" "$RPS_health")"
echo "  logins per second per core   = $(ratio "$RPS_login" "$(nproc)")   (bcrypt cost 12)"
