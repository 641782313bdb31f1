#!/usr/bin/env bash
# docs.sh: the documentation (issue 15): the import of the whole shipped reference
# (data/powershell-docs, target under 60 s) timed twice (into an empty table, then again with
# nothing changed), then wrk against /api/documentation/search over the whole reference: one
# query cached, and a distinct query each request (uncached) at one connection per FastCGI
# worker (target: p95 under 20 ms), each as a ratio to the bare libfcgi responder measured in
# the same run (target: cached at least 0.8), and the uncached run's CPU a request by process
# (psscript-fcgi, PostgreSQL, nginx, Redis). Figures taken on a shared machine are noisy: the
# CPU a request moves less than requests/s and the latencies.
#   BENCH_DOCS (data/powershell-docs), and lib.sh's BENCH_SECONDS, BENCH_CONNECTIONS,
#   BENCH_THREADS, BENCH_WORKERS, BENCH_KEEP.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DOCS=${BENCH_DOCS:-$PSS_TOP/data/powershell-docs}
[ -d "$DOCS" ] || { echo "no reference at $DOCS (set BENCH_DOCS)" >&2; exit 1; }
bench_start

for pass in "first (empty table)" "second (nothing changed)"; do
	t0=$(date +%s.%N)
	"$PSS_BIN/psscript" docs import "$DOCS" | tail -1
	t1=$(date +%s.%N)
	printf 'import, %s: %.1f s (target: under 60 s)\n' "$pass" "$(echo "$t1 - $t0" | bc)"
done
echo "documents: $(psql -qtAX -c 'SELECT count(*) FROM documentation')"

printf '%s\n' "$WRK_P95" >"$ST/p95.lua"
cat >"$ST/search.lua" <<EOL
$WRK_SEED
local words = { "process", "service", "registry", "Get-ChildItem", "gci", "Invoke-Command",
	"credential", "module", "error", "variable", "remote", "certificate", "event", "job",
	"session", "file", "Select-Object", "about_Scopes", "string", "array", "hash table", "path",
	"read a file line by line", "download a file", "execution policy", "json" }
request = function()
	-- a distinct query each time (an "or" with a word that matches nothing), the same matches
	local q = words[math.random(#words)]:gsub(" ", "%%20") .. "%20or%20zq" .. math.random(1, 1000000000)
	return wrk.format("GET", "/api/documentation/search?query=" .. q)
end
$WRK_P95
EOL

# the same answers sent by a responder that does nothing else (their bytes' ceiling)
replay_start gci "/api/documentation/search?query=gci"
replay_start gps "/api/documentation/search?query=Get-Process"
replay_start gpsgz "/api/documentation/search?query=Get-Process" -H 'Accept-Encoding: gzip'
run "bare libfcgi responder" /bench/bare bare
run "bare responder, closing at once" /bench/bare-close bareclose
run "bare responder, gci's bytes" /bench/bare-gci replay
run "bare responder, Get-Process's bytes" /bench/bare-gps replay2
run "bare responder, its gzip bytes" /bench/bare-gpsgz replay2gz
run "search gci (cached)" "/api/documentation/search?query=gci" cached -s "$ST/p95.lua"
run "search Get-Process (cached)" "/api/documentation/search?query=Get-Process" cached2 -s "$ST/p95.lua"
# as browsers, axios and curl --compressed ask: the worker's memoised gzip encoding (README, HTTP)
run "search Get-Process (cached, gzip)" "/api/documentation/search?query=Get-Process" cached2gz \
    -H 'Accept-Encoding: gzip' -s "$ST/p95.lua"
# the distinct run's CPU by process (microseconds a request): where an uncached search's time goes
ticks_of() { local t=0 v p; for p in "$@"; do v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) && t=$((t + ${v:-0})); done; echo "$t"; }
split_pids=("$(fcgi_pids "$ST" | tr '\n' ' ')" "$(pgrep -P "$(head -1 "$ST/pg/postmaster.pid")" | tr '\n' ' ')" \
    "$(pgrep -P "$(cat "$ST/run/nginx.pid")" | tr '\n' ' ')" "$(cat "$ST/run/redis.pid")")
split_before=(); for g in "${split_pids[@]}"; do split_before+=("$(ticks_of $g)"); done
C=$PSS_TEST_WORKERS run "search, distinct, -c$PSS_TEST_WORKERS" /api/documentation/search distinct -s "$ST/search.lua"
split_n=$(awk -v r="$RPS_distinct" -v d="$D" 'BEGIN { printf "%d", r * d }')
printf '  CPU a distinct search by process:'
i=0; for name in psscript-fcgi PostgreSQL nginx Redis; do
	printf ' %s %s us' "$name" "$(awk -v a="${split_before[$i]}" -v b="$(ticks_of ${split_pids[$i]})" -v n="$split_n" \
	    -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (n > 0 ? (b - a) / hz * 1e6 / n : 0) }')"
	i=$((i + 1))
done
echo
run "GET /api/documentation (cached)" "/api/documentation" recent -s "$ST/p95.lua"
echo "ratios to the bare responder (target: cached search >= 0.80): requests/s, and CPU a request"
for v in bareclose replay cached replay2 cached2 replay2gz cached2gz recent distinct; do
	eval "printf '  %-10s %s   by CPU %s\n' $v \$(ratio \"\$RPS_$v\" \"\$RPS_bare\") \$(ratio \"\$CPU_bare\" \"\$CPU_$v\")"
done
echo "to the bare responder closing each connection at once (as the worker does): gci $(ratio "$RPS_cached" "$RPS_bareclose")," \
	"Get-Process $(ratio "$RPS_cached2" "$RPS_bareclose"), with gzip $(ratio "$RPS_cached2gz" "$RPS_bareclose")"
echo "the worker's cached answers to the same bytes sent by the bare responder (the ceiling of any FastCGI answer of them):" \
	"gci $(ratio "$RPS_cached" "$RPS_replay"), Get-Process $(ratio "$RPS_cached2" "$RPS_replay2"), gzip $(ratio "$RPS_cached2gz" "$RPS_replay2gz")"
echo "search p95: cached ${P95_cached:-?}, distinct query at one connection per worker" \
    "(-c$PSS_TEST_WORKERS) ${P95_distinct:-?} (target: under 20 ms)"
