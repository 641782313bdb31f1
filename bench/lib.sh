# lib.sh: what the benchmarks share (sourced): the real stack (tests/harness.sh) with the
# baselines behind the same nginx, a bare libfcgi responder at /bench/bare (the same closing
# the connection at once, as the worker does, at /bench/bare-close) and a static file at
# /static/bench.json; wrk runs that print requests/s and latency; ratios.
#   BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_WORKERS (4)
#   BENCH_KEEP=1: leave the stack (and the bare responder) running at the end for experiments;
#   its folder is printed (source DIR/env; stop with tests/harness.sh stop DIR after killing
#   the pids in DIR/run/bare*.pid: awk 1 DIR/run/bare*.pid lists them).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
D=${BENCH_SECONDS:-10}; C=${BENCH_CONNECTIONS:-32}; T=${BENCH_THREADS:-2}
export PSS_TEST_WORKERS=${BENCH_WORKERS:-4}
BENCH_CLEANUP=${BENCH_CLEANUP:-}	# more shell to run at exit (a benchmark's own processes)

# bench_start: builds, starts the stack in $ST (its env sourced) and the baselines.
bench_start() {
	command -v wrk >/dev/null || install_packages wrk
	build >/dev/null
	ST=$(mktemp -d /tmp/pss-bench.XXXXXX)
	trap 'eval "$BENCH_CLEANUP" || true; "$PSS_TOP/tests/harness.sh" stop "$ST"' EXIT
	"$PSS_TOP/tests/harness.sh" start "$ST" >"$ST.log" 2>&1 || { cat "$ST.log"; exit 1; }
	source "$ST/env"
	# quiet logs for the bench: nginx access log off, workers at warn
	sed -i 's|access_log .*;|access_log off;|' "$ST/nginx/nginx.conf"

	# The baseline responders (bare_serve): libfcgi's loop as is, and closing at once.
	cc -O2 -o "$ST/bare-responder" "$PSS_TOP/bench/bare-responder.c" $(pkg-config --cflags --libs fcgi 2>/dev/null || echo -lfcgi)
	grep -v '^fastcgi_pass' "$ST/nginx/fastcgi.conf" >"$ST/nginx/fastcgi-bare.conf"
	bare_serve bare
	bare_serve bare-close -c
	echo '{"status":"ok","static":true}' >"$PSS_TOP/static/bench.json"
	if [ -n "${BENCH_KEEP:-}" ]; then
		trap 'eval "$BENCH_CLEANUP" || true; echo "# stack kept in $ST (source $ST/env)"' EXIT
	else
		trap 'eval "$BENCH_CLEANUP" || true; rm -f "$PSS_TOP/static/bench.json"; kill $(bare_pids) 2>/dev/null || true; "$PSS_TOP/tests/harness.sh" stop "$ST"' EXIT
	fi
	kill -HUP "$(cat "$ST/run/nginx.pid")"; sleep 1
}

# bare_serve NAME [ARG...]: the bare responder (with the ARGs) on its own socket, with as many
# processes as the application, its pids in $ST/run/NAME.pid, behind nginx at /bench/NAME once
# nginx reloads its configuration (the caller's HUP).
# bare_pids: the bare responders' processes, one a line. spawn-fcgi -F writes a pool's pids
# without a newline after the last, so the files are not simply concatenated (that joined
# the last pid of one pool and the first of the next into a number no process has: those two
# were neither counted by stack_ticks nor killed at the end).
bare_pids() {
	awk 1 "$ST"/run/bare*.pid 2>/dev/null
}
bare_serve() {
	local name=$1 up=pss_${1//-/_}
	shift
	spawn-fcgi -s "$ST/run/$name.sock" -M 0660 -F "$PSS_TEST_WORKERS" -P "$ST/run/$name.pid" -- \
	    "$ST/bare-responder" "$@" >/dev/null
	echo "upstream $up { server unix:$ST/run/$name.sock; }" >>"$ST/nginx/site.conf"
	sed -i "s|	location / {|	location = /bench/$name { fastcgi_pass $up; include $ST/nginx/fastcgi-bare.conf; }\n	location / {|" \
	    "$ST/nginx/site.conf"
}

# replay_start NAME PATH [curl options]: the ceiling of one cached answer: asks PATH once (with
# the options, e.g. a bearer or Accept-Encoding), keeps the answer's bytes as the worker sent
# them (its status, its headers but those nginx adds itself, its body) and starts the bare
# responder on them at /bench/bare-NAME, closing each connection at once as the worker does: a
# FastCGI responder that does nothing but send those bytes. Its ratio to the bare responder is
# what any worker answering them can reach; the gap between it and the worker's is the
# worker's own work.
replay_start() {
	local name=$1 path=$2
	shift 2
	curl -fsk --http1.1 -D "$ST/replay-$name.head" -o "$ST/replay-$name.body" "$@" "$PSS_TEST_URL$path" ||
		{ echo "replay $name: $path does not answer 200" >&2; return 1; }
	{
		awk 'NR == 1 { sub(/\r$/, ""); printf "Status: %s\r\n", substr($0, index($0, " ") + 1); next }
		    tolower($1) ~ /^(server|date|connection|keep-alive|transfer-encoding|strict-transport-security):$/ { next }
		    /^\r?$/ { exit } { print }' "$ST/replay-$name.head"
		printf '\r\n'
		cat "$ST/replay-$name.body"
	} >"$ST/replay-$name.cgi"
	bare_serve "bare-$name" -c "$ST/replay-$name.cgi"
	kill -HUP "$(cat "$ST/run/nginx.pid")"; sleep 1
	cmp -s <(curl -fsk --http1.1 "$PSS_TEST_URL/bench/bare-$name") "$ST/replay-$name.body" ||
		{ echo "replay $name: /bench/bare-$name does not answer the same body" >&2; return 1; }
}

# stack_ticks: CPU time (clock ticks) used so far by each of the stack's processes, one
# "pid ticks part" line each: nginx's workers (nginx), the FastCGI processes of both pools
# (fcgi), the job runner (jobs), Redis and PostgreSQL's backends (data).
stack_ticks() {
	local group p v
	while read -r group p; do
		v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) && echo "$p ${v:-0} $group"
	done < <(
		for p in $(pgrep -P "$(cat "$ST/run/nginx.pid")"); do echo "nginx $p"; done
		for p in $(fcgi_pids "$ST") $(bare_pids); do echo "fcgi $p"; done
		for p in $(worker_pids "$ST"); do echo "jobs $p"; done
		for p in $(cat "$ST/run/redis.pid" 2>/dev/null) $(pgrep -P "$(head -1 "$ST/pg/postmaster.pid")"); do
			echo "data $p"
		done)
}
# ticks_between BEFORE AFTER [GROUP]: the ticks the stack (or that part of it) used between two
# stack_ticks, process by process (a process that exited in between, as a PostgreSQL backend or
# a job runner does, would otherwise take its whole past out of the sum; its last moments are
# not counted)
ticks_between() {
	awk -v g="${3:-}" 'NR == FNR { if (NF == 3) was[$1] = $2; next }
	    NF == 3 && (g == "" || $3 == g) { t += $2 - ($1 in was ? was[$1] : 0) }
	    END { print t + 0 }' <(printf '%s\n' "$1") <(printf '%s\n' "$2")
}

run() { # NAME PATH VAR [wrk options]: prints "NAME rps p50 p99 [p95] cpu"; sets RPS_VAR, CPU_VAR
	# (CPU microseconds a request: the stack's processes plus wrk's own, which the load of
	# other jobs on a shared machine moves much less than requests/s) and P95_VAR when a wrk
	# script prints a line "p95 <value>" from its done()
	local out name=$1 path=$2 var=$3 t0 t1
	shift 3
	if [ $# -eq 0 ]; then
		curl -fsk "$PSS_TEST_URL$path" >/dev/null || { echo "$name: $path does not answer 200" >&2; return 1; }
	fi
	t0=$(stack_ticks)
	out=$(wrk -t"$T" -c"$C" -d"${D}s" --latency "$@" "$PSS_TEST_URL$path"; times)
	t1=$(stack_ticks)
	local rps p50 p99 p95 non2xx cpu n wrk_s
	rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
	p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	p95=$(awk '$1 == "p95" {print $2}' <<<"$out")
	non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
	n=$(awk '/requests in/ {print $1}' <<<"$out")
	# times' last line: the children's (wrk's) user and system time, as 0m1.234s 0m0.567s
	wrk_s=$(tail -1 <<<"$out" | awk 'function sec(x) { split(x, a, /[ms]/); return a[1] * 60 + a[2] }
	    { print sec($1) + sec($2) }')
	cpu=$(us_per_request "$(ticks_between "$t0" "$t1")" "$wrk_s" "$n")
	printf '%-28s %10s req/s   p50 %-9s p99 %-9s %scpu %s us/req%s\n' "$name" "$rps" "$p50" "$p99" \
	    "${p95:+p95 $p95   }" "${cpu:-?}" "${non2xx:+   non-2xx: $non2xx}"
	# BENCH_SPLIT=1 for a run: that CPU a request by part of the stack
	if [ "${BENCH_SPLIT:-0}" = 1 ]; then
		local g parts=
		for g in fcgi nginx data jobs; do
			parts="$parts$g $(us_per_request "$(ticks_between "$t0" "$t1" "$g")" 0 "$n"), "
		done
		echo "#   its cpu us/req by part: ${parts}wrk $(us_per_request 0 "$wrk_s" "$n")"
	fi
	eval "RPS_$var=$rps"
	eval "CPU_$var=${cpu:-0}"
	[ -z "$p95" ] || eval "P95_$var=$p95"
}

# us_per_request TICKS SECONDS N: microseconds of CPU a request, for TICKS clock ticks and
# SECONDS more over N requests (empty when there were none)
us_per_request() {
	awk -v t="$1" -v s="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { if (n > 0) printf "%.0f", (t / hz + s) * 1e6 / n }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# Instructions a request costs psscript-fcgi (valgrind's callgrind on one worker): a figure the
# other load on a shared machine does not move, unlike requests/s.
#   callgrind_start; instructions NAME PATH [curl options]...; callgrind_stop
callgrind_start() {
	command -v valgrind >/dev/null || install_packages valgrind
	fcgi_stop "$ST"
	rm -f "$ST"/callgrind.out.*
	# (spawn-fcgi does not search PATH)
	spawn-fcgi -s "$ST/run/fcgi.sock" -M 0660 -F 1 -P "$ST/run/fcgi.pid" -- "$(command -v valgrind)" --tool=callgrind \
	    --callgrind-out-file="$ST/callgrind.out.%p" "$PSS_BIN/psscript-fcgi" >/dev/null 2>&1
	wait_for 30 curl -fsk "$PSS_TEST_URL/api/health" >/dev/null
}
instructions() { # NAME PATH [curl options]: prints "NAME N instructions a request"
	local name=$1 path=$2 pid n ir f
	shift 2
	pid=$(cat "$ST/run/fcgi.pid")
	for _ in 1 2 3 4 5; do curl -sk -o /dev/null "$@" "$PSS_TEST_URL$path"; done	# warm: cached
	callgrind_control -z "$pid" >/dev/null 2>&1
	n=0
	while [ $n -lt 200 ]; do curl -sk -o /dev/null "$@" "$PSS_TEST_URL$path"; n=$((n + 1)); done
	callgrind_control -d "$pid" >/dev/null 2>&1
	f=$(ls -t "$ST"/callgrind.out.* | head -1)
	ir=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
	printf '  %-32s %9s instructions a request in psscript-fcgi\n' "$name" "$((ir / n))"
	rm -f "$f"
}
callgrind_stop() {
	kill "$(cat "$ST/run/fcgi.pid")" 2>/dev/null || true
	sleep 1
	fcgi_start "$ST" "$PSS_TEST_WORKERS"
}

# corpus DIR: writes $N scripts s00000.ps1 ... into DIR from the ```powershell blocks of the
# documents in $DOCS (see bench/library.sh); prints the number of distinct blocks.
corpus() {
	find "$DOCS" -name '*.md' | LC_ALL=C sort | awk -v dir="$1" -v want="$N" '
	{
		while ((getline line < $0) > 0) {
			if (!inb && tolower(line) ~ /^[ \t]*```powershell[ \t]*$/) { inb = 1; blk = ""; continue }
			if (inb && line ~ /^[ \t]*```/) {
				inb = 0
				if (blk ~ /[^ \t\n]/ && !(blk in seen)) { seen[blk] = 1; blocks[nb++] = blk }
				continue
			}
			if (inb) blk = blk line "\n"
		}
		close($0); inb = 0
	}
	END {
		for (i = 0; i < want; i++) {
			f = sprintf("%s/s%05d.ps1", dir, i)
			b = blocks[i % nb]
			if (i >= nb) b = b "# variant " int(i / nb) "\n"
			printf "%s", b > f
			close(f)
		}
		print nb
	}'
}

# corpus_copy DIR OUT: the scripts of DIR (corpus) as COPY text rows "name<TAB>content" into OUT
# (backslash, tab, newline and CR escaped).
corpus_copy() {
	find "$1" -name '*.ps1' | LC_ALL=C sort | xargs awk '
		FNR == 1 { if (NR > 1) printf "\n"; n = FILENAME; sub(/.*\//, "", n); sub(/\.ps1$/, "", n); printf "%s\t", n }
		{ gsub(/\\/, "\\\\\\\\"); gsub(/\t/, "\\t"); gsub(/\r/, "\\r"); printf "%s\\n", $0 }
		END { printf "\n" }' >"$2"
}

# corpus_load USER: $N public scripts of a new user USER (password Bench-pass-1) from the
# reference's code blocks (corpus, corpus_copy) inserted in one statement; sets CORPUS_BLOCKS
# to the number of distinct blocks.
corpus_load() {
	mkdir -p "$ST/corpus"
	CORPUS_BLOCKS=$(corpus "$ST/corpus")
	corpus_copy "$ST/corpus" "$ST/corpus.copy"
	printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add "$1" "$1@example.com" --password-stdin >/dev/null
	psql -qtAX -v ON_ERROR_STOP=1 <<EOS
CREATE TEMP TABLE src (name text, content text);
\copy src FROM '$ST/corpus.copy'
INSERT INTO scripts (title, content, user_id, is_public, file_hash)
SELECT 'Bench ' || name, content, (SELECT id FROM users WHERE username = '$1'), true,
	encode(sha256(convert_to(content || name, 'UTF8')), 'hex') FROM src;
ANALYZE;
EOS
}

# wrk script parts: a random seed per thread, and a done() that prints "p95 <ms>" (run reads it)
WRK_SEED='local nthreads = 0
setup = function(thread)
	nthreads = nthreads + 1
	thread:set("seed", nthreads)
end
init = function(args)
	math.randomseed(os.time() * 100 + seed)
end'
WRK_P95='done = function(summary, latency, requests)
	io.write(string.format("p95 %.2fms\n", latency:percentile(95) / 1000))
end'
