#!/usr/bin/env bash
# chat.sh: the chat (issue 17) under load: the shipped reference imported and BENCH_SCRIPTS
# public scripts (10,000, from the reference's code blocks) embedded; then wrk against
# POST /api/chat with a question of tests/data/chat-questions.tsv each request (the
# extractive answer: retrieval, composition and the history write) at one connection per
# FastCGI worker (target: p95 under 150 ms), and GET /api/chat/history (a user with 50
# conversations; target: at least 0.6 of the bare responder's requests/s). Figures taken on
# a shared machine are noisy.
#   BENCH_SCRIPTS (10000), BENCH_DOCS (data/powershell-docs), and lib.sh's BENCH_SECONDS,
#   BENCH_CONNECTIONS, BENCH_THREADS, BENCH_WORKERS, BENCH_KEEP.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${BENCH_SCRIPTS:-10000}
DOCS=${BENCH_DOCS:-$PSS_TOP/data/powershell-docs}
bench_start
# the chat's rate limit (the harness's 20/s) would answer most of wrk's requests with 429
sed -i -E 's/(zone=pss_chat:10m) rate=[0-9]+r\/[sm]/\1 rate=100000r\/s/; s/(zone=pss_chat) burst=[0-9]+/\1 burst=100000/' \
    "$ST/nginx/site.conf"
kill -HUP "$(cat "$ST/run/nginx.pid")"; sleep 1

"$PSS_BIN/psscript" docs import "$DOCS" | tail -1
corpus_load benchchat
"$PSS_BIN/psscript" reembed --inline >/dev/null
echo "# corpus: $N scripts from $CORPUS_BLOCKS distinct code blocks, embedded"

token=$(curl -fsk -X POST "$PSS_TEST_URL/api/auth/login" -H 'Content-Type: application/json' \
    -d '{"username":"benchchat","password":"Bench-pass-1"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
for i in $(seq 1 50); do	# a history of 50 conversations
	curl -fsk -o /dev/null -X POST "$PSS_TEST_URL/api/chat/history" -H "Authorization: Bearer $token" \
	    -H 'Content-Type: application/json' \
	    -d "{\"messages\":[{\"role\":\"user\",\"content\":\"question $i\"},{\"role\":\"assistant\",\"content\":\"answer $i\"}]}"
done

{
	printf '%s\nlocal qs = {\n' "$WRK_SEED"
	grep -v '^#' "$PSS_TOP/tests/data/chat-questions.tsv" | tail -n +2 | cut -f1 | sed 's/"/\\"/g; s/.*/\t"&",/'
	cat <<EOL
}
request = function()
	local body = '{"messages":[{"role":"user","content":"' .. qs[math.random(#qs)] .. '"}]}'
	return wrk.format("POST", "/api/chat", { ["Authorization"] = "Bearer $token",
		["Content-Type"] = "application/json" }, body)
end
$WRK_P95
EOL
} >"$ST/ask.lua"
cat >"$ST/history.lua" <<EOL
wrk.headers["Authorization"] = "Bearer $token"
$WRK_P95
EOL

run "bare libfcgi responder" /bench/bare bare
C=$PSS_TEST_WORKERS run "ask (extractive), -c$PSS_TEST_WORKERS" /api/chat ask -s "$ST/ask.lua"
run "history list" /api/chat/history history -s "$ST/history.lua"
echo "conversations stored: $(psql -qtAX -c 'SELECT count(*) FROM chat_history')"
echo "extractive answer p95 at one connection per worker: ${P95_ask:-?} (target: under 150 ms)"
echo "history list / bare responder: requests/s $(ratio "$RPS_history" "$RPS_bare")," \
    "CPU a request $(ratio "$CPU_bare" "$CPU_history") (target: 0.6)"
