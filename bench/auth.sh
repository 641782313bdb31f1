#!/usr/bin/env bash
# auth.sh: what signing in costs a cached read: callgrind's instructions a request in one
# psscript-fcgi process for GET /api/auth/me, the cached /api/analytics/summary and
# /api/chat/history as a signed-in user and /api/scripts anonymous, then wrk's requests/s and
# CPU a request of each as a ratio to the bare libfcgi responder of the same run (targets:
# summary 0.8, issue 18; history list 0.6, issue 17). Figures taken on a shared machine are
# noisy; the instruction counts are not.
#   BENCH_CALLGRIND (1; 0 skips the instructions), and lib.sh's BENCH_SECONDS,
#   BENCH_CONNECTIONS, BENCH_THREADS, BENCH_WORKERS, BENCH_KEEP.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_start
for i in $(seq 1 20); do
	psql -qtAX -c "INSERT INTO scripts (title, content, user_id, is_public, file_hash) VALUES
	    ('bench $i', 'Write-Output $i', NULL, true, encode(sha256('Write-Output $i'::bytea), 'hex'))" >/dev/null
done
printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add benchauth benchauth@example.com --password-stdin >/dev/null
token=$(curl -fsk -X POST "$PSS_TEST_URL/api/auth/login" -H 'Content-Type: application/json' \
    -d '{"username":"benchauth","password":"Bench-pass-1"}' | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
[ -n "$token" ] || { echo "login for the benchmark failed" >&2; exit 1; }
for i in $(seq 1 20); do	# a history of 20 conversations
	curl -fsk -o /dev/null -X POST "$PSS_TEST_URL/api/chat/history" -H "Authorization: Bearer $token" \
	    -H 'Content-Type: application/json' \
	    -d "{\"messages\":[{\"role\":\"user\",\"content\":\"question $i\"},{\"role\":\"assistant\",\"content\":\"answer $i\"}]}"
done
AUTH=(-H "Authorization: Bearer $token")

if [ "${BENCH_CALLGRIND:-1}" = 1 ]; then
	echo "# instructions in one FastCGI process (callgrind; 200 sequential requests each, after warming)"
	callgrind_start
	instructions "GET /api/auth/me" /api/auth/me "${AUTH[@]}"
	instructions "GET /api/analytics/summary" /api/analytics/summary "${AUTH[@]}"
	instructions "GET /api/chat/history" /api/chat/history "${AUTH[@]}"
	instructions "GET /api/scripts (anonymous)" /api/scripts
	callgrind_stop
fi

cat >"$ST/auth.lua" <<EOL
wrk.headers["Authorization"] = "Bearer $token"
EOL
run "bare libfcgi responder" /bench/bare bare
run "GET /api/auth/me" /api/auth/me me -s "$ST/auth.lua"
run "GET /api/analytics/summary" /api/analytics/summary summary -s "$ST/auth.lua"
run "GET /api/chat/history" /api/chat/history history -s "$ST/auth.lua"
run "GET /api/scripts (anonymous)" /api/scripts scripts
for v in me summary history scripts; do
	eval "r=\$RPS_$v c=\$CPU_$v"
	printf '%-10s / bare responder: requests/s %s, CPU a request %s\n' "$v" \
	    "$(ratio "$r" "$RPS_bare")" "$(ratio "$CPU_bare" "$c")"
done
