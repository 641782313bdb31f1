#!/usr/bin/env bash
# library.sh: the script library under load (issue 5). Loads 10,000 scripts through
# POST /api/scripts/upload/async (200 requests of 50 files, processed by the job runners) and
# times it; then wrk against GET /api/scripts/:id (cached), GET /api/scripts?page=1 (cached)
# and with a random page and limit each request (mostly uncached), and keyword search (the
# same query, cached; and a distinct query each request), each as a ratio to the bare libfcgi
# responder measured in the same run (bench/lib.sh).
#   BENCH_SCRIPTS (10000), BENCH_JOB_WORKERS (2: job runners while loading), BENCH_CALLGRIND
#   (1: then the instructions one cached read costs psscript-fcgi, under valgrind; 0 skips),
#   and lib.sh's BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS, BENCH_WORKERS, BENCH_KEEP.
# The corpus: the ```powershell blocks of ../shared/data/powershell-docs (BENCH_DOCS), each
# distinct block once, in file order; there are fewer distinct blocks than 10,000, so block i
# is reused for script i, i + N, ... with a last line "# variant K" (K = i div N) appended,
# which keeps every content distinct (dedup would refuse equal ones) and deterministic.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${BENCH_SCRIPTS:-10000}
JOBW=${BENCH_JOB_WORKERS:-2}
DOCS=${BENCH_DOCS:-$PSS_TOP/../shared/data/powershell-docs}
[ -d "$DOCS" ] || { echo "no corpus at $DOCS (set BENCH_DOCS)" >&2; exit 1; }
BENCH_CLEANUP='[ ! -f "$ST/run/bench-workers.pid" ] || kill $(cat "$ST/run/bench-workers.pid") 2>/dev/null || true'
bench_start
sql() { psql -qtAX -c "$1"; }

mkdir -p "$ST/corpus"
distinct=$(corpus "$ST/corpus")
echo "# corpus: $N scripts from $distinct distinct \`\`\`powershell blocks of $(basename "$DOCS")" \
    "($((N > distinct ? N - distinct : 0)) are variants with a \"# variant K\" line)"

# More job runners for the load (the harness runs one).
for i in $(seq 2 "$JOBW"); do
	nohup "$PSS_BIN/psscript-worker" >>"$ST/log/worker-$i.log" 2>&1 &
	echo $! >>"$ST/run/bench-workers.pid"
done
printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add benchlib benchlib@example.com --password-stdin >/dev/null
TOKEN=$(curl -fsk -H 'Content-Type: application/json' -d '{"username":"benchlib","password":"Bench-pass-1"}' \
	"$PSS_TEST_URL/api/auth/login" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "login for the benchmark failed" >&2; exit 1; }

# Load: 50 files a request, one request after the other, public scripts.
now() { date +%s.%N; }
t0=$(now)
ls "$ST/corpus" | LC_ALL=C sort | xargs -n 50 | while read -r batch; do
	args=()
	for f in $batch; do args+=(-F "files=@$ST/corpus/$f;type=text/plain"); done
	curl -fsk -o /dev/null -H "Authorization: Bearer $TOKEN" -F is_public=true "${args[@]}" \
		"$PSS_TEST_URL/api/scripts/upload/async" || { echo "upload request failed" >&2; exit 1; }
done
t_posted=$(now)
while [ "$(sql "SELECT count(*) FROM uploads WHERE status IN ('queued', 'processing')")" != 0 ]; do sleep 0.2; done
t_done=$(now)
while [ "$(sql "SELECT count(*) FROM jobs WHERE type = 'analysis.run' AND status IN ('queued', 'running')")" != 0 ]; do sleep 0.5; done
t_analysed=$(now)
read -r completed duplicate failed < <(sql "SELECT count(*) FILTER (WHERE status = 'completed'),
	count(*) FILTER (WHERE status = 'duplicate'), count(*) FILTER (WHERE status = 'failed') FROM uploads" | tr '|' ' ')
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
echo "# import through async upload: $N files, $JOBW job runners, $(nproc) cores"
echo "  requests sent (202 each)          $(secs "$t0" "$t_posted") s"
echo "  every upload finished             $(secs "$t0" "$t_done") s   (target < 120 s)" \
	"  completed $completed, duplicate $duplicate, failed $failed"
echo "  every analysis stored             $(secs "$t0" "$t_analysed") s"
[ "$(sql "SELECT count(*) FROM uploads WHERE status = 'failed'")" = 0 ] || \
	sql "SELECT filename || ': ' || error FROM uploads WHERE status = 'failed' LIMIT 5" | sed 's/^/  failed: /'
# Idle job runners from here on: the reads below are measured against an idle queue.
[ -f "$ST/run/bench-workers.pid" ] && kill $(cat "$ST/run/bench-workers.pid") 2>/dev/null && rm -f "$ST/run/bench-workers.pid"

ID=$(sql "SELECT id FROM scripts ORDER BY id LIMIT 1 OFFSET $((N / 2))")
cat >"$ST/list.lua" <<EOL
$WRK_SEED
request = function()
	local limit = math.random(10, 100)
	local page = math.random(1, math.floor($N / limit))
	return wrk.format("GET", "/api/scripts?page=" .. page .. "&limit=" .. limit)
end
$WRK_P95
EOL
cat >"$ST/search.lua" <<EOL
$WRK_SEED
local words = { "process", "service", "registry", "Get-ChildItem", "Invoke-Command", "credential",
	"module", "error", "variable", "remote", "certificate", "event", "job", "session", "file",
	"Select-Object", "Where-Object", "ForEach-Object", "string", "array", "hashtable", "path" }
request = function()
	-- a distinct query each time (an "or" with a word that matches nothing), the same matches
	local q = words[math.random(#words)] .. "%20or%20zq" .. math.random(1, 1000000000)
	return wrk.format("GET", "/api/scripts/search?q=" .. q)
end
$WRK_P95
EOL
printf '%s\n' "$WRK_P95" >"$ST/p95.lua"
metric() { curl -fsk "$PSS_TEST_URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
hits() { # NAME: the cache hit ratio since the last call
	local h m o; h=$(metric psscript_cache_hits_total); m=$(metric psscript_cache_misses_total)
	o=$(metric psscript_cache_hot_hits_total)
	[ -n "${H0:-}" ] && printf '  %-26s cache hits %s (from hot copies %s), misses %s\n' "$1" \
	    $((h - H0)) $((${o:-0} - ${O0:-0})) $((m - M0))
	H0=$h; M0=$m; O0=${o:-0}
}

echo "# wrk -t$T -c$C -d${D}s over HTTPS through nginx; $PSS_TEST_WORKERS FastCGI processes each; anonymous reads of public scripts"
run "bare libfcgi responder" /bench/bare bare
run "GET /api/health" /api/health health
curl -fsk "$PSS_TEST_URL/api/scripts/$ID" >/dev/null
hits start
run "GET /api/scripts/:id (cached)" "/api/scripts/$ID" get -s "$ST/p95.lua"
hits "(get)"
curl -fsk "$PSS_TEST_URL/api/scripts?page=1" >/dev/null
run "GET /api/scripts?page=1 (cached)" "/api/scripts?page=1" list -s "$ST/p95.lua"
hits "(list, cached)"
run "GET /api/scripts random page" /api/scripts listu -s "$ST/list.lua"
hits "(list, random page/limit)"
curl -fsk "$PSS_TEST_URL/api/scripts/search?q=Get-Process" >/dev/null
run "search q=Get-Process (cached)" "/api/scripts/search?q=Get-Process" search -s "$ST/p95.lua"
hits "(search, cached)"
run "search, distinct query" /api/scripts/search searchu -s "$ST/search.lua"
hits "(search, distinct)"
# The same at one connection per FastCGI process: the latency without queueing in nginx.
C=$PSS_TEST_WORKERS run "search, distinct, -c$PSS_TEST_WORKERS" /api/scripts/search searchl -s "$ST/search.lua"
echo
echo "ratios to the bare responder (target: cached reads >= 0.60): requests/s, and CPU a request"
echo "(the bare responder's CPU a request over this one's: the ratio of requests/s when CPU is the only limit)"
for v in health get list listu search searchu; do
	eval "printf '  %-10s %s   by CPU %s\n' $v \$(ratio \"\$RPS_$v\" \"\$RPS_bare\") \$(ratio \"\$CPU_bare\" \"\$CPU_$v\")"
done
echo "keyword search p95: cached ${P95_search:-?}, distinct query ${P95_searchu:-?} at -c$C," \
	"${P95_searchl:-?} at -c$PSS_TEST_WORKERS (target < 50 ms)"
echo "memory after the runs (resident, MB): psscript-fcgi" \
	$(for p in $(fcgi_pids "$ST"); do awk '/^VmRSS/ {printf "%.1f ", $2 / 1024}' "/proc/$p/status"; done) \
	"(hot copies at most ${CACHE_LRU_BYTES:-16777216} bytes each), Redis" \
	"$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$(cat "$ST/run/redis.pid")/status")"
if [ "${BENCH_CALLGRIND:-1}" = 1 ]; then
	echo "# instructions in one FastCGI process (callgrind; 200 sequential requests each, after warming)"
	callgrind_start
	instructions "GET /api/health" /api/health
	instructions "GET /api/scripts/:id (cached)" "/api/scripts/$ID"
	instructions "GET /api/scripts?page=1 (cached)" "/api/scripts?page=1"
	instructions "search q=Get-Process (cached)" "/api/scripts/search?q=Get-Process"
	instructions "GET /api/scripts/:id, bearer" "/api/scripts/$ID" -H "Authorization: Bearer $TOKEN"
	callgrind_stop
fi
