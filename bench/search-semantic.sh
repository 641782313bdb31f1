#!/usr/bin/env bash
# search-semantic.sh: search by meaning at BENCH_SCRIPTS scripts (10,000; 100000 for the large
# mode): the corpus of bench/library.sh loaded by COPY, embedded with psscript reembed --inline
# (its time is the cost embedding adds to an import of that size), then wrk at one connection
# a worker (BENCH_CONNECTIONS defaults to BENCH_WORKERS here) against semantic search, hybrid
# search and similar scripts, each request a different question or script, with the bare
# responder in the same run for the ratio; then the vector file's size and a worker's resident
# size with it mapped. Figures on a shared machine are noisy (docs/search.md, "Figures").
#   BENCH_SCRIPTS (10000), BENCH_DOCS (data/powershell-docs), BENCH_SECONDS, BENCH_WORKERS
set -euo pipefail
export BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-${BENCH_WORKERS:-4}}
source "$(dirname "$0")/lib.sh"
N=${BENCH_SCRIPTS:-10000}
DOCS=${BENCH_DOCS:-$PSS_TOP/data/powershell-docs}
bench_start
sql() { psql -qtAX -c "$1"; }

corpus_load benchsem
distinct=$CORPUS_BLOCKS
echo "# corpus: $N scripts from $distinct distinct \`\`\`powershell blocks of $(basename "$DOCS")"
t0=$(date +%s.%N)
"$PSS_BIN/psscript" reembed --inline >/dev/null
echo "# embedding $N scripts (psscript reembed --inline, one process, the vector file written once):" \
	"$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
ls -l "$ST/run/vectors.bin" | awk -v n="$N" '{ printf "# vector file: %.1f MB for %d scripts\n", $5 / 1e6, n }'

QUESTIONS='local qs = { "find%20certificates%20that%20expire%20soon", "purge%20old%20web%20server%20logs",
	"stop%20a%20hung%20process", "list%20services%20that%20are%20stopped", "read%20a%20csv%20file",
	"download%20a%20file", "compress%20a%20folder", "restart%20a%20remote%20computer",
	"registry%20keys%20under%20a%20hive", "send%20an%20email", "random%20number", "wait%20seconds" }'
for mode in semantic hybrid; do
	cat >"$ST/$mode.lua" <<EOL
$WRK_SEED
$QUESTIONS
request = function()
	-- a different page each time, so no two requests are alike
	return wrk.format("GET", "/api/scripts/search?mode=$mode&limit=10&q=" .. qs[math.random(#qs)]
		.. "&page=" .. math.random(1, 5))
end
$WRK_P95
EOL
done
lo=$(sql "SELECT min(id) FROM scripts"); hi=$(sql "SELECT max(id) FROM scripts")
cat >"$ST/similar.lua" <<EOL
$WRK_SEED
request = function()
	return wrk.format("GET", "/api/scripts/" .. math.random($lo, $hi) .. "/similar?limit=5")
end
$WRK_P95
EOL
run "bare responder" /bench/bare BARE
run "semantic search" "/api/scripts/search?mode=semantic&q=x" SEM -s "$ST/semantic.lua"
run "hybrid search" "/api/scripts/search?mode=hybrid&q=x" HYB -s "$ST/hybrid.lua"
run "similar scripts" "/api/scripts/$lo/similar" SIM -s "$ST/similar.lua"
echo "# requests/s against the bare responder: semantic $(ratio "$RPS_SEM" "$RPS_BARE")," \
	"hybrid $(ratio "$RPS_HYB" "$RPS_BARE"), similar $(ratio "$RPS_SIM" "$RPS_BARE")"
curl -sk "$PSS_TEST_URL/api/scripts/search?mode=semantic&q=certificates" | grep -o '"method":"[^"]*"'
for p in $(fcgi_pids "$ST"); do
	awk -v p="$p" '/^VmRSS/ { printf "# worker %s resident: %.1f MB", p, $2 / 1024 }' "/proc/$p/status"
	awk '/vectors.bin/ { mapped = 1 } END { print mapped ? " (vector file mapped)" : " (vector file not mapped)" }' "/proc/$p/maps"
done
