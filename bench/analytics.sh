#!/usr/bin/env bash
# analytics.sh: the analytics under load (issue 18) at BENCH_SCRIPTS scripts (10,000), each
# analysed with a score and a few findings, spread over 400 days, 3 users and the categories:
#   - GET /api/analytics/summary uncached: BENCH_MISSES sequential requests (100) as an
#     administrator and as a user, each with a days value not asked before (each a miss of
#     every cache), p50/p95/max of curl's total time (target: p95 under 100 ms);
#   - GET /api/analytics/summary cached and the /analytics page cached, wrk, each as a ratio
#     to the bare libfcgi responder of the same run (targets 0.8 and 0.3).
#   lib.sh's BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS, BENCH_WORKERS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${BENCH_SCRIPTS:-10000}
M=${BENCH_MISSES:-100}
bench_start
sql() { psql -qtAX -c "$1"; }

for u in benchan1 benchan2 benchan3; do
	printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add "$u" "$u@example.com" --password-stdin >/dev/null
done
printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add benchanadm benchanadm@example.com --admin \
	--password-stdin >/dev/null
# The scripts and their analyses straight into the tables (the import's analysis of 10,000
# scripts would take minutes and is not what is measured); the rule counts come from 0026's
# trigger as they would from the analysis job.
sql "INSERT INTO scripts (title, content, user_id, category_id, is_public, file_hash, created_at)
	SELECT 'bench script ' || i, 'Write-Output ' || i,
	    (SELECT id FROM users WHERE username = 'benchan' || (1 + i % 3)),
	    CASE WHEN i % 11 = 0 THEN NULL ELSE 1 + i % 10 END, i % 4 <> 0,
	    encode(sha256(('Write-Output ' || i)::bytea), 'hex'), now() - (i % 400) * interval '1 day'
	FROM generate_series(1, $N) i" >/dev/null
sql "INSERT INTO script_analysis (script_id, security_score, quality_score, risk_score, security_issues,
	    best_practice_violations, updated_at)
	SELECT s.id, (s.id * 7 % 101) / 10.0, 5, 10 - (s.id * 7 % 101) / 10.0,
	    (SELECT jsonb_agg(jsonb_build_object('ruleId', 'PSRule' || ((s.id + k) % 40), 'severity', 'warning'))
	     FROM generate_series(1, 1 + s.id % 6) k),
	    '[{\"ruleId\":\"PSAvoidUsingWriteHost\"},{\"ruleId\":\"PSUseApprovedVerbs\"}]', s.created_at
	FROM scripts s" >/dev/null
sql "ANALYZE" >/dev/null
token() {
	curl -fsk -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Bench-pass-1\"}" \
	    "$PSS_TEST_URL/api/auth/login" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
ADMIN=$(token benchanadm); USER1=$(token benchan1)
[ -n "$ADMIN" ] && [ -n "$USER1" ] || { echo "login for the benchmark failed" >&2; exit 1; }
echo "# $(sql "SELECT count(*) FROM scripts") scripts, $(sql "SELECT count(*) FROM script_analysis") analyses," \
    "$(sql "SELECT count(*) FROM analysis_rule_counts") rule counts; $PSS_TEST_WORKERS FastCGI processes; $(nproc) cores"

# misses WHO TOKEN [full]: M sequential requests, each with a new days value (7.. upwards):
# a miss of the summary's and the usage's entries (security and categories, which do not
# depend on the days, come from theirs). With "full", a tag is created (untimed) before each
# request, which drops every analytics entry: each request then computes every part.
# stmt_totals: the statements the workers ran so far and their summed time in ms (their shared
# counters, as psscript stats reads them)
stmt_totals() {
	"$PSS_BIN/psscript" stats --json 2>/dev/null | python3 -c 'import json, sys
q = json.load(sys.stdin)["query"]; print(q["count"], q["count"] * (q["meanMs"] or 0))' || echo "0 0"
}
misses() {
	local who=$1 tok=$2 full=${3:-} d times t0 t1 s0 s1
	s0=$(stmt_totals)
	t0=$(stack_ticks)
	times=$(for ((d = 7; d < 7 + M && d <= 365; d++)); do
		[ -z "$full" ] || curl -sk -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		    -d "{\"name\":\"benchtag$d$who$RANDOM\"}" "$PSS_TEST_URL/api/tags"
		curl -sk -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $tok" \
		    "$PSS_TEST_URL/api/analytics/summary?days=$d"
	done)
	t1=$(stack_ticks)
	s1=$(stmt_totals)
	bad=$(awk '$1 != 200' <<<"$times" | wc -l)
	awk '{ printf "%.1f\n", $2 * 1000 }' <<<"$times" | sort -n | awk -v who="$who" -v bad="$bad" -v full="$full" '
	    { t[NR] = $1 } END { n = NR; i50 = int(n * 0.5 + 0.5); i95 = int(n * 0.95 + 0.5)
		printf "uncached /api/analytics/summary as %-6s %s %d requests: p50 %.1f ms  p95 %.1f ms  max %.1f ms%s\n",
		    who, (full ? "every part:" : "new days:  "), n, t[i50 ? i50 : 1], t[i95 ? i95 : 1], t[n], (bad > 0 ? "  NON-200: " bad : "") }'
	# the CPU a miss costs the stack (PostgreSQL, the worker, nginx, Redis): what the latency
	# would be on an idle machine, which the load of a shared one does not move much
	# and the statements a miss runs with their time as the workers measured it (PostgreSQL's
	# share of the latency; the machine's load moves it less than curl's figures)
	awk -v ticks="$(ticks_between "$t0" "$t1")" -v hz="$(getconf CLK_TCK)" -v n="$(wc -l <<<"$times")" -v s0="$s0" -v s1="$s1" \
	    -v with="${full:+ (with the tag written before it)}" 'BEGIN { split(s0, a, " "); split(s1, b, " ")
		printf "  a miss%s: CPU of the stack %.1f ms, %.1f statements taking %.1f ms in all (load average %s)\n",
		    with, ticks / hz * 1000 / n, (b[1] - a[1]) / n, (b[2] - a[2]) / n, "'"$(cut -d' ' -f1 /proc/loadavg)"'" }'
}
misses admin "$ADMIN"
misses user "$USER1"
misses admin "$ADMIN" full
misses user "$USER1" full

# the same answers sent by a responder that does nothing else (their bytes' ceiling)
replay_start summary /api/analytics/summary -H "Authorization: Bearer $ADMIN"
replay_start summarygz /api/analytics/summary -H "Authorization: Bearer $ADMIN" -H 'Accept-Encoding: gzip'
run "bare libfcgi responder" /bench/bare bare
run "bare responder, closing at once" /bench/bare-close bareclose
run "bare responder, the summary's bytes" /bench/bare-summary replay
run "bare responder, its gzip bytes" /bench/bare-summarygz replaygz
run "GET /api/auth/me (cached)" /api/auth/me me -H "Authorization: Bearer $ADMIN"
run "GET /api/analytics/summary (cached)" /api/analytics/summary summary -H "Authorization: Bearer $ADMIN"
run "GET /analytics page (cached)" /analytics page -H "Authorization: Bearer $ADMIN"
# as browsers, axios and curl --compressed ask: the worker's memoised gzip encoding (README, HTTP)
run "GET /api/analytics/summary (cached, gzip)" /api/analytics/summary summarygz -H "Authorization: Bearer $ADMIN" \
    -H 'Accept-Encoding: gzip'
echo
echo "ratios to the bare responder (requests/s; by CPU a request):"
echo "  /api/analytics/summary cached: $(ratio "$RPS_summary" "$RPS_bare")   by CPU $(ratio "$CPU_bare" "$CPU_summary")   (target 0.8)"
echo "  /api/analytics/summary cached, asked with gzip: $(ratio "$RPS_summarygz" "$RPS_bare")   by CPU $(ratio "$CPU_bare" "$CPU_summarygz")"
echo "  the bare responder closing each connection at once (as the worker does): $(ratio "$RPS_bareclose" "$RPS_bare");" \
	"to it, the summary $(ratio "$RPS_summary" "$RPS_bareclose"), with gzip $(ratio "$RPS_summarygz" "$RPS_bareclose"), /api/auth/me $(ratio "$RPS_me" "$RPS_bareclose")"
echo "  the summary's bytes sent by the bare responder: $(ratio "$RPS_replay" "$RPS_bare"), its gzip bytes $(ratio "$RPS_replaygz" "$RPS_bare")" \
	"(the ceiling of any FastCGI answer of them); the worker's to those: $(ratio "$RPS_summary" "$RPS_replay") and $(ratio "$RPS_summarygz" "$RPS_replaygz")"
echo "  /analytics page cached:        $(ratio "$RPS_page" "$RPS_bare")   by CPU $(ratio "$CPU_bare" "$CPU_page")   (target 0.3)"
echo "  /api/auth/me cached (the session reads alone): $(ratio "$RPS_me" "$RPS_bare")"
