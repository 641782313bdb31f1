#!/usr/bin/env bash
# test-supervise.sh: the supervised stack heals itself: a FastCGI worker killed under traffic
# is replaced within 2 s with at most its in-flight request lost; a job runner killed mid-job
# is replaced and its job done; a worker that dies at start-up is backed off (and comes up once
# its configuration is fixed); the logs are files in the state folder and log_cap caps them
# while they are written; scripts/setup --at-boot's crontab lines are installed and removed
# against the real crontab, touching no other line. TAP output.
set -u
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../tap.sh"
ST=${PSS_TEST_STATE:?run under tests/run-integration.sh}
tmp=$(mktemp -d /tmp/pss-supervise.XXXXXX)
chmod 0755 "$tmp"	# PostgreSQL runs as postgres when we are root
boot_user=
cleanup() {
	fcgi_stop "$tmp/bad" 2>/dev/null
	fcgi_stop "$tmp/tcp" 2>/dev/null
	[ ! -d "$tmp/state-c" ] || PSS_STATE=$tmp/state-c "$PSS_TOP/scripts/stop" >/dev/null 2>&1
	[ -z "$boot_user" ] || { crontab -u "$boot_user" -r 2>/dev/null; userdel "$boot_user" 2>/dev/null; }
	rm -rf "$tmp" "$out"
}
trap cleanup EXIT
# The stack's own database (the shell suites get a scratch one in PGDATABASE).
stack_psql() { PGDATABASE=psscript psql -qtAX -v ON_ERROR_STOP=1 -c "$1" 2>/dev/null; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
count() { printf '%s' "$1" | grep -c .; }

# --- a FastCGI worker killed under traffic -------------------------------------------------
N=$(cat "$ST/run/fcgi.forks")
sup=$(cat "$ST/run/fcgi.pid")
# a worker that has been up for a while: one killed at start-up would be backed off
for _ in $(seq 1 50); do
	victim=$(ps -o pid=,etimes= -p "$(fcgi_pids "$ST" | paste -sd,)" | awk '$2 >= 3 { print $1; exit }')
	[ -n "$victim" ] && break
	sleep 0.1
done
traffic() { # one client: a status code a line, until the stop file appears
	while [ ! -e "$tmp/stop" ]; do
		curl -sk -o /dev/null -w '%{http_code}\n' -m 5 "$PSS_TEST_URL/api/health" || echo error
	done >"$1"
}
traffic "$tmp/t1" & t1=$!
traffic "$tmp/t2" & t2=$!
sleep 1
kill -9 "$victim"
t0=$(now_ms)
back=
while [ $(($(now_ms) - t0)) -lt 5000 ]; do
	pids=$(fcgi_pids "$ST")
	if [ "$(count "$pids")" -eq "$N" ] && ! grep -qx "$victim" <<<"$pids"; then back=$(($(now_ms) - t0)); break; fi
	sleep 0.05
done
sleep 1
touch "$tmp/stop"; wait "$t1" "$t2"
echo "#   pool of $N back in ${back:-(not within 5 s)} ms"
why="pool back in ${back:-never} ms"
holds "a FastCGI worker killed with -9 is replaced within 2 s: the pool is back at $N" \
	test -n "$back" -a "${back:-9999}" -le 2000
why="the supervisor changed ($sup -> $(cat "$ST/run/fcgi.pid")) or the socket went"
holds "the supervisor and the socket stayed while the worker was replaced" \
	test "$(cat "$ST/run/fcgi.pid")" = "$sup" -a -S "$ST/run/fcgi.sock"
total=$(cat "$tmp/t1" "$tmp/t2" | grep -c .)
failed=$(cat "$tmp/t1" "$tmp/t2" | grep -cvx 200)
echo "#   under traffic: $total requests, $failed not 200: $(cat "$tmp/t1" "$tmp/t2" | grep -vx 200 | sort | uniq -c | tr '\n' ' ')"
why="$failed of $total requests failed"
holds "under traffic no more than the in-flight request failed" test "$total" -ge 6 -a "$failed" -le 1
why="no line for pid $victim in fcgi.log"
holds "the death and the restart are in the pool's log" grep -q "(pid $victim) ended with status 137" "$ST/log/fcgi.log"

# --- the job runner killed mid-job ---------------------------------------------------------
runner=$(worker_pids "$ST")
job=$(stack_psql "INSERT INTO jobs (type, payload, max_attempts) VALUES ('test.sleep', '{\"ms\": 3000}', 3) RETURNING id")
for _ in $(seq 1 100); do
	[ "$(stack_psql "SELECT status FROM jobs WHERE id = ${job:-0}")" = running ] && break
	sleep 0.1
done
kill -9 $runner
t0=$(now_ms)
new=
while [ $(($(now_ms) - t0)) -lt 5000 ]; do
	new=$(worker_pids "$ST")
	[ -n "$new" ] && [ "$new" != "$runner" ] && break
	new=; sleep 0.05
done
why="runner $runner, after: ${new:-none}"
holds "a job runner killed with -9 is replaced within 2 s" test -n "$new" -a $(($(now_ms) - t0)) -le 2000
# the job's heartbeat goes stale after JOB_LOCK_TIMEOUT_S (3 s in the harness): the new
# runner takes it again, with no manual step
for _ in $(seq 1 300); do
	st=$(stack_psql "SELECT status || ' ' || attempts FROM jobs WHERE id = ${job:-0}")
	[ "${st%% *}" = done ] && break
	sleep 0.1
done
why="job $job: $st"
holds "the job of the killed runner is done by its replacement (2 attempts)" test "$st" = "done 2"

# --- a worker that dies at start-up is backed off -------------------------------------------
mkdir -p "$tmp/bad/run" "$tmp/bad/log"
sed -e "s|^METRICS_FILE=.*|METRICS_FILE=$tmp/bad/run/metrics.shm|" \
    -e "s|^CACHE_SHARED_FILE=.*|CACHE_SHARED_FILE=$tmp/bad/run/cache.shm|" "$PSSCRIPT_CONFIG" >"$tmp/good.conf"
{ cat "$tmp/good.conf"; echo "NO_SUCH_KEY=1"; } >"$tmp/bad.conf"
cp "$tmp/bad.conf" "$tmp/bad/psscript.conf"
PSSCRIPT_CONFIG=$tmp/bad/psscript.conf PSS_BACKOFF_MAX_S=4 PSS_FCGI_PORT= fcgi_start "$tmp/bad" 2
sleep 10
starts=$(stat -c %s "$tmp/bad/run/fcgi.starts")
echo "#   2 workers with a configuration error: $starts starts in 10 s"
why="$starts starts"
holds "a worker that exits at once is started again only a few times in 10 s (2 slots)" \
	test "$starts" -ge 4 -a "$starts" -le 16
why="$(tail -3 "$tmp/bad/log/fcgi.log")"
holds "each early end is logged with the configuration error and the back-off" \
	grep -q "starting again in [0-9]* s" "$tmp/bad/log/fcgi.log"
holds "the configuration error is in the pool's log" grep -q "NO_SUCH_KEY" "$tmp/bad/log/fcgi.log"
why="the supervisor gave up"
holds "the supervisor still holds the socket and keeps trying" \
	test -S "$tmp/bad/run/fcgi.sock" -a -d "/proc/$(cat "$tmp/bad/run/fcgi.pid")"
cp "$tmp/good.conf" "$tmp/bad/psscript.conf"
up=
for _ in $(seq 1 120); do
	[ "$(count "$(fcgi_pids "$tmp/bad")")" -eq 2 ] && { up=1; break; }
	sleep 0.1
done
sleep 3
why="$(count "$(fcgi_pids "$tmp/bad")") running; $(tail -2 "$tmp/bad/log/fcgi.log")"
holds "once the configuration is fixed both workers come up within the back-off and stay" \
	test -n "$up" -a "$(count "$(fcgi_pids "$tmp/bad")")" -eq 2
fcgi_stop "$tmp/bad"
why="$(ps -o pid,comm -g "$(cat "$tmp/bad/run/fcgi.pid" 2>/dev/null || echo 0)")"
holds "stopping the pool leaves no process and no socket" test ! -e "$tmp/bad/run/fcgi.sock" -a ! -e "$tmp/bad/run/fcgi.pid"

# --- the TCP variant (PSS_FCGI_PORT) ------------------------------------------------------
mkdir -p "$tmp/tcp/run" "$tmp/tcp/log"
port=$(free_port 24000)
PSSCRIPT_CONFIG=$tmp/good.conf PSS_FCGI_PORT=$port fcgi_start "$tmp/tcp" 2
for _ in $(seq 1 50); do [ "$(count "$(fcgi_pids "$tmp/tcp")")" -eq 2 ] && ! port_free "$port" && break; sleep 0.1; done
why="$(count "$(fcgi_pids "$tmp/tcp")") workers; $(tail -3 "$tmp/tcp/log/fcgi.log")"
holds "PSS_FCGI_PORT: 2 supervised workers on 127.0.0.1:$port" \
	test "$(count "$(fcgi_pids "$tmp/tcp")")" -eq 2 -a ! -e "$tmp/tcp/run/fcgi.sock"
why="nothing listens on $port"
holds "PSS_FCGI_PORT: the port listens" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
sleep 2
victim=$(fcgi_pids "$tmp/tcp" | head -1)
kill -9 "$victim"
back=
for _ in $(seq 1 40); do
	pids=$(fcgi_pids "$tmp/tcp")
	[ "$(count "$pids")" -eq 2 ] && ! grep -qx "$victim" <<<"$pids" && { back=1; break; }
	sleep 0.05
done
why="$(tail -3 "$tmp/tcp/log/fcgi.log")"
holds "PSS_FCGI_PORT: a killed worker is replaced within 2 s and the port still listens" \
	test -n "$back" -a "$(port_free "$port" && echo free)" != free
fcgi_stop "$tmp/tcp"
why="port $port still taken"
holds "PSS_FCGI_PORT: stopping the pool frees the port" port_free "$port"

# --- a stop after a start that failed half-way ---------------------------------------------
# (no env written, an empty nginx.pid as nginx leaves when it cannot bind): the stop goes on
# to the end instead of leaving the supervised pool running
mkdir -p "$tmp/half/run" "$tmp/half/log"
PSSCRIPT_CONFIG=$tmp/good.conf PSS_FCGI_PORT= fcgi_start "$tmp/half" 1
: >"$tmp/half/run/nginx.pid"
half_sup=$(cat "$tmp/half/run/fcgi.pid")
"$PSS_TOP/tests/harness.sh" stop "$tmp/half" >"$tmp/half.log" 2>&1
why="$(cat "$tmp/half.log"; ps -o pid,stat,comm -g "$half_sup")"
half_gone() { [ ! -d "$tmp/half" ] && group_gone "$half_sup"; }
holds "harness.sh stop after a failed start stops the pool and removes the folder" half_gone

# --- logs ----------------------------------------------------------------------------------
why="no 'ready' line of $(fcgi_pids "$ST" | head -1) in $ST/log/fcgi.log"
holds "the harness's FastCGI workers log to log/fcgi.log (not /dev/null)" \
	grep -q "psscript-fcgi\[$(fcgi_pids "$ST" | head -1)\] info .* ready" "$ST/log/fcgi.log"
why="no 'ready' line of $(worker_pids "$ST") in $ST/log/worker.log"
holds "the job runner logs to log/worker.log" grep -q "psscript-worker\[$(worker_pids "$ST")\] info .* ready" "$ST/log/worker.log"
mkdir -p "$tmp/cap/log"
( for i in $(seq 1 3000); do echo "line $i of a log that grows"; done; sleep 1.5; echo after the cap ) >>"$tmp/cap/log/w.log" &
sleep 1
PSS_LOG_MAX_KB=16 log_cap "$tmp/cap"
wait
why="$(ls -l "$tmp/cap/log"; head -c 200 "$tmp/cap/log/w.log" | od -c | head -3)"
holds "log_cap moves a log over the cap to .1 and the writer goes on at the start of the emptied file" \
	test "$(cat "$tmp/cap/log/w.log")" = "after the cap" -a "$(grep -c . "$tmp/cap/log/w.log.1")" -eq 3000
PSS_LOG_MAX_KB=16 log_cap "$tmp/cap"
holds "log_cap leaves a log under the cap alone" test "$(cat "$tmp/cap/log/w.log")" = "after the cap"

# --- at boot: the crontab lines ------------------------------------------------------------
# The real crontab edits the spool of cron (no other location can be given), so the test
# uses a throw-away user's crontab through crontab -u, which needs root.
if [ "$(id -u)" -ne 0 ] || ! command -v crontab >/dev/null; then
	for t in install cap-line own-lines idempotent two-states stop remove emptied setup reboot boot-log status ports stop-all; do ok "# SKIP at-boot $t: needs root and crontab (package cron)"; done
	done_testing; exit
fi
unset PSS_WORKERS PSS_FCGI_PORT PSS_JOB_RUNNERS PSS_LOG_MAX_KB
boot_user=pss-boot-$$
mkdir -p "$tmp/home"
useradd -M -d "$tmp/home" -s /usr/sbin/nologin "$boot_user"
export PSS_CRONTAB_USER=$boot_user
printf '# the user'"'"'s own lines\nMAILTO=""\n5 4 * * * echo keep >/dev/null\n' | crontab -u "$boot_user" -
crontab -u "$boot_user" -l >"$tmp/before"
A=$tmp/state-a B=$tmp/state-b
PSS_STATE=$A PSS_WORKERS=3 "$PSS_TOP/scripts/stop" >/dev/null 2>&1	# no stack there: no-op
boot_install "$A"
crontab -u "$boot_user" -l >"$tmp/after-a"
why="$(cat "$tmp/after-a")"
holds "--at-boot adds an @reboot line that runs scripts/setup for the state, after the user's lines" \
	grep -qxF "@reboot cd '$PSS_TOP' && PSS_STATE='$A' scripts/setup >>'$A/log/at-boot.log' 2>&1 # psscript at-boot $A" "$tmp/after-a"
holds "--at-boot adds the hourly log cap" grep -q "^17 \* \* \* \* .*scripts/status --cap-logs .*# psscript at-boot $A\$" "$tmp/after-a"
why="$(diff "$tmp/before" <(head -n 3 "$tmp/after-a"))"
holds "the user's own lines stay as they were" cmp -s "$tmp/before" <(head -n 3 "$tmp/after-a")
boot_install "$A"
why="$(diff "$tmp/after-a" <(crontab -u "$boot_user" -l))"
holds "installing again changes nothing" cmp -s "$tmp/after-a" <(crontab -u "$boot_user" -l)
PSS_WORKERS=2 boot_install "$B"
why="$(crontab -u "$boot_user" -l)"
holds "a second state gets its own lines (with its PSS_WORKERS), the first keeps its" \
	test "$(crontab -u "$boot_user" -l | grep -c "# psscript at-boot $A\$")" -eq 2 -a \
	"$(crontab -u "$boot_user" -l | grep -c "PSS_WORKERS='2' .*# psscript at-boot $B\$")" -eq 2
PSS_STATE=$B "$PSS_TOP/scripts/stop" --at-boot >/dev/null 2>&1
why="$(diff "$tmp/after-a" <(crontab -u "$boot_user" -l))"
holds "scripts/stop --at-boot removes its state's lines only" cmp -s "$tmp/after-a" <(crontab -u "$boot_user" -l)
boot_remove "$A"
boot_remove "$A"
why="$(diff "$tmp/before" <(crontab -u "$boot_user" -l))"
holds "removing (twice) gives back the user's crontab byte for byte" cmp -s "$tmp/before" <(crontab -u "$boot_user" -l)
crontab -u "$boot_user" -r
boot_install "$A"
boot_remove "$A"
why="$(crontab -u "$boot_user" -l 2>&1)"
holds "a crontab that held only our lines is removed, not left empty" \
	bash -c "! crontab -u '$boot_user' -l >/dev/null 2>&1"

# The whole way: scripts/setup --at-boot starts a stack and installs the lines; after a stop
# (as at shutdown) the @reboot line, run as cron runs it (sh, a bare environment), starts it
# again on the same ports; scripts/status sees it whole; scripts/stop --at-boot ends it all.
C=$tmp/state-c
run_clean() { env -i PATH=/usr/bin:/bin HOME="$tmp/home" PSS_CRONTAB_USER="$boot_user" PSS_STATE="$C" "$@"; }
ports_free() { local v; for v in $(sed -n 's/^[A-Z]*PORT=//p' "$C/ports"); do port_free "$v" || return 1; done; }
run_clean PSS_WORKERS=2 PGPORT_WANT=27432 REDISPORT_WANT=27379 HTTPS_PORT_WANT=27443 HTTP_PORT_WANT=27080 \
	"$PSS_TOP/scripts/setup" --at-boot >"$tmp/setup.log" 2>&1
why="$(tail -5 "$tmp/setup.log")"
holds "scripts/setup --at-boot starts the stack and says it will start at boot" grep -q "At boot:    started by your crontab" "$tmp/setup.log"
ports_before=$(cat "$C/ports" 2>/dev/null)
run_clean "$PSS_TOP/scripts/stop" >/dev/null 2>&1
reboot_line=$(crontab -u "$boot_user" -l 2>/dev/null | sed -n 's/^@reboot //p')
run_clean LOGNAME="$boot_user" SHELL=/bin/sh sh -c "$reboot_line"
run_clean "$PSS_TOP/scripts/status" >"$tmp/status" 2>&1
st_rc=$?
sed 's/^/#   /' "$tmp/status"
why="status exited $st_rc"
holds "the @reboot line starts the stack again: scripts/status finds every part running and answering" \
	test "$st_rc" -eq 0
why="$(tail -4 "$C/log/at-boot.log")"
holds "the start at boot, logged in log/at-boot.log, says it was started by the crontab" \
	grep -q "At boot:    started by your crontab" "$C/log/at-boot.log"
holds "scripts/status shows the pool with its restarts" grep -q "^FastCGI pool on $C/run/fcgi.sock: 2 of 2 running, 0 restart(s)" "$tmp/status"
why="before: $ports_before; after: $(cat "$C/ports" 2>/dev/null)"
holds "after the reboot line the stack has the same ports" \
	test -n "$ports_before" -a "$ports_before" = "$(cat "$C/ports" 2>/dev/null)"
run_clean "$PSS_TOP/scripts/stop" --at-boot >/dev/null 2>&1
why="$(pgrep -af -- "$C/"; cat "$C/ports"; crontab -u "$boot_user" -l 2>&1)"
all_gone() { ! pgrep -f -- "$C/" >/dev/null && ! crontab -u "$boot_user" -l >/dev/null 2>&1 && ports_free; }
holds "scripts/stop --at-boot stops every process, frees the ports and leaves no crontab" all_gone
done_testing
