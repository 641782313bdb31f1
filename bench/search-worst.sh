#!/usr/bin/env bash
# search-worst.sh: the worst search and list inputs against 10,000 scripts (issue 12 item 2).
# Loads the corpus of bench/library.sh straight into the scripts table (COPY, then one INSERT:
# seconds, where the upload path takes minutes), every 100th script repeated to 30,000
# characters (large texts are what headlines cost), and every script with an analysis row
# (the securityScore sort). Then asks each input once, anonymously, with Redis flushed before
# it (no cached answer), PostgreSQL logging every statement's duration, and prints the
# HTTP status, the database time the request caused (the sum of the logged durations) and the
# total time (curl), see ask(). The bound the services keep: no single request over 100 ms of database
# time; inputs over the search bounds answer 400.
#   BENCH_SCRIPTS (10000), BENCH_DOCS (../shared/data/powershell-docs), BENCH_KEEP (lib.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${BENCH_SCRIPTS:-10000}
DOCS=${BENCH_DOCS:-$PSS_TOP/../shared/data/powershell-docs}
[ -d "$DOCS" ] || { echo "no corpus at $DOCS (set BENCH_DOCS)" >&2; exit 1; }
bench_start
sql() { psql -qtAX -c "$1"; }

mkdir -p "$ST/corpus"
distinct=$(corpus "$ST/corpus")
corpus_copy "$ST/corpus" "$ST/corpus.copy"
printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add benchsearch benchsearch@example.com --password-stdin >/dev/null
t0=$(date +%s.%N)
psql -qtAX -v ON_ERROR_STOP=1 <<EOS
CREATE TEMP TABLE src (name text, content text);
\copy src FROM '$ST/corpus.copy'
INSERT INTO scripts (title, content, user_id, is_public, file_hash)
SELECT 'Bench ' || name, c, (SELECT id FROM users WHERE username = 'benchsearch'), true,
	encode(sha256(convert_to(c, 'UTF8')), 'hex')
FROM (SELECT name, CASE WHEN right(name, 2) = '00' THEN left(repeat(content || E'\n', 30000 / length(content) + 1), 30000)
	ELSE content END AS c FROM src) x;
INSERT INTO script_analysis (script_id, security_score, quality_score, risk_score)
SELECT id, (id % 101) / 10.0, 5, 5 FROM scripts;
ANALYZE;
EOS
echo "# corpus: $N scripts from $distinct distinct \`\`\`powershell blocks of $(basename "$DOCS")," \
	"every 100th 30,000 characters; loaded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

sql "ALTER SYSTEM SET log_min_duration_statement = 0" >/dev/null
sql "SELECT pg_reload_conf()" >/dev/null
sleep 1
LOG=$ST/log/postgresql.log

# ask NAME PATH [curl -G --data-urlencode arguments]: the request twice, anonymous, each
# time with Redis flushed (uncached); prints the status, the database time (the durations
# PostgreSQL logged meanwhile) and the total time (curl) of the second, with the first's
# database time in brackets (colder buffers).
worst_db=0
once() { # PATH ARGS: sets out (status and seconds) and db (ms)
	local before path=$1
	shift
	redis-cli -p "$REDISPORT" FLUSHALL >/dev/null
	sleep 0.2	# the job runner's and the flush's statements, if any, before the offset
	before=$(stat -c %s "$LOG")
	out=$(curl -sk -o "$ST/body" -w '%{http_code} %{time_total}' -G "$@" "$PSS_TEST_URL$path")
	sleep 0.2
	db=$(tail -c +"$((before + 1))" "$LOG" | awk '/duration: [0-9.]+ ms/ {
		for (i = 1; i <= NF; i++) if ($i == "duration:") s += $(i + 1) } END { printf "%.1f", s }')
}
ask() {
	local name=$1 out db first
	shift
	once "$@"
	first=$db
	once "$@"
	printf '  %-40s %s   db %6s ms (first %6s)   total %6.1f ms%s\n' "$name" "${out% *}" "$db" "$first" \
		"$(awk -v t="${out#* }" 'BEGIN { print t * 1000 }')" \
		"$([ "${out% *}" = 400 ] && sed -n 's/.*"message":"\([^"]*\)".*/   (\1)/p' "$ST/body")"
	[ "${out% *}" != 200 ] || worst_db=$(awk -v a="$worst_db" -v b="$db" 'BEGIN { print (b > a) ? b : a }')
}
words() { # N WORD-LIST SEPARATOR: the first N words of the list, joined
	awk -v n="$1" -v sep="$3" '{ for (i = 1; i <= n && i <= NF; i++) printf "%s%s", (i > 1 ? sep : ""), $i }' <<<"$2"
}
letters="b c d e f g h i j k l m n o p q r s t u v w x y z"
many=$(for i in $(seq 1 19); do printf '%s ' $letters; done; printf 'a a a a a a a a a a a a a a')	# 490
common="get the process item object string path value name file error service"
q() { ask "$1" /api/scripts/search --data-urlencode "q=$2" "${@:3}"; }

echo "# anonymous requests, one at a time, Redis flushed before each; status, database time, total"
echo "## keyword search (limit=100 unless said)"
q "q=Get-Process, limit=20" "Get-Process"
q "q=get (matches most scripts)" "get" -d limit=100
q "q=the (a stop word in english)" "the" -d limit=100
q "8 common words OR'd" "$(words 8 "$common" " or ")" -d limit=100
q "8 common words ANDed" "$(words 8 "$common" " ")" -d limit=100
q "8 one-letter words OR'd" "$(words 8 "$letters" " or ")" -d limit=100
q "8 one-letter words ANDed" "$(words 8 "$letters" " ")" -d limit=100
q "phrase of 8 one-letter words" "\"$(words 8 "$letters" " ")\"" -d limit=100
q "get, then 7 negations" "get $(words 7 "$letters" " " | sed 's/\([a-z]\)/-\1/g')" -d limit=100
q "a stop word, then 7 negations" "the $(words 7 "$letters" " " | sed 's/\([a-z]\)/-\1/g')" -d limit=100
q "get or -b (OR'd negation: no index)" "get or -b" -d limit=100
q "a 64-character word" "$(printf 'get%.0s' $(seq 1 21))g" -d limit=100
q "get-process-item-object (hyphenated)" "get-process-item-object" -d limit=100
q "get, page 100 of 100 (deep)" "get" -d limit=100 -d page=100
q "get, page 1000000" "get" -d limit=100 -d page=1000000
for s in rank updatedAt createdAt title executionCount securityScore; do
	q "get, sort=$s, asc" "get" -d limit=100 -d "sort=$s" -d order=asc
done
echo "## over the bounds (400 expected)"
q "490 one-letter words ANDed" "$many" -d limit=100
q "30 one-letter words OR'd" "$(words 30 "$letters $letters" " or ")" -d limit=100
q "26 negations only" "$(words 26 "a $letters" " " | sed 's/\([a-z]\)/-\1/g')" -d limit=100
q "phrase of 190 one-letter words" "\"$(words 190 "$many" " ")\"" -d limit=100
q "10 common words OR'd" "$(words 10 "$common" " or ")" -d limit=100
q "a 65-character word" "$(printf 'get%.0s' $(seq 1 21))ge" -d limit=100
q "a 1000-byte word" "$(printf 'a%.0s' $(seq 1 1000))" -d limit=100
q "a-b-c-...-z (26 parts)" "$(words 26 "a $letters" "-")" -d limit=100
echo "## list"
ask "limit=100" /api/scripts -d limit=100
ask "page 100 of 100" /api/scripts -d limit=100 -d page=100
ask "page 1000000" /api/scripts -d limit=100 -d page=1000000
for s in updatedAt createdAt title executionCount securityScore; do
	ask "sort=$s, asc, limit=100" /api/scripts -d limit=100 -d "sort=$s" -d order=asc
	ask "sort=$s, page 50" /api/scripts -d limit=100 -d "sort=$s" -d page=50
done
ask "tag=nosuch, limit=100" /api/scripts -d limit=100 -d tag=nosuch
ask "minSecurityScore=9.9, limit=100" /api/scripts -d limit=100 -d minSecurityScore=9.9
ask "userId, categoryId, minSecurityScore" /api/scripts -d limit=100 -d userId=1 -d categoryId=1 -d minSecurityScore=1
echo "## hybrid search (its keyword side: any two of the words, docs/search.md), after embedding"
t0=$(date +%s.%N)
"$PSS_BIN/psscript" reembed --inline >/dev/null 2>&1
echo "# embedded (and the commands' meaning written) in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
q "hybrid: get" "get" -d mode=hybrid -d limit=100
q "hybrid: 8 common words" "$(words 8 "$common" " ")" -d mode=hybrid -d limit=100
q "hybrid: 8 one-letter words" "$(words 8 "$letters" " ")" -d mode=hybrid -d limit=100
q "hybrid: a-b-c-d-e-f-g-h (8 parts)" "$(words 8 "$letters" "-")" -d mode=hybrid -d limit=100
q "hybrid: 8 words, aliases (16 with the twin)" "ls gci kill ps cd rm cp mv" -d mode=hybrid -d limit=100
q "keyword: get, after" "get" -d limit=100
q "keyword: 8 common words OR'd, after" "$(words 8 "$common" " or ")" -d limit=100
q "keyword: 8 common words, after" "$(words 8 "$common" " ")" -d limit=100
echo "the most database time of any answered (200) request, second asking: $worst_db ms (the bound: 100 ms)"
