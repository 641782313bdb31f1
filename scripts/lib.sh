# lib.sh: shared shell functions: install packages, build, and start/stop the stack's parts.
# Sourced by scripts/setup, scripts/stop, scripts/test and the test harness. Everything runs
# from a state folder ($STATE) with private sockets, logs and data; nothing needs root
# except installing packages.

PATH=$PATH:/usr/sbin:/sbin
PSS_TOP=${PSS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}

# Debian packages the build, the stack and the tests need.
PSS_PACKAGES="build-essential autoconf automake libtool pkgconf libfcgi-dev libpq-dev
 libhiredis-dev libjson-c-dev libcrypt-dev libcurl4-openssl-dev libxml2-dev zlib1g-dev postgresql postgresql-contrib
 redis-server nginx-light spawn-fcgi multiwatch openssl curl ca-certificates procps python3"
# cron: the test of scripts/setup --at-boot edits a real crontab (tests/integration/test-supervise.sh);
# debhelper, dpkg-dev, lintian: the Debian package cycle (tests/package/run.sh); systemd for
# systemd-analyze verify on the units.
# python3-numpy: tools/gen-embed-model.py, which regenerates the committed embedding model
# (data/embed/builtin-lsi.bin); neither the build nor the product needs it.
PSS_TEST_PACKAGES="clang valgrind wrk libxml2-utils cron debhelper dpkg-dev lintian systemd python3-numpy"
# The browser suite (tests/browser): Debian's chromium, driven by playwright-core from npm.
# npm comes with Debian's nodejs package only as the separate npm package (a nodejs from
# elsewhere brings its own): scripts/test installs it only when no npm is found.
PSS_BROWSER_PACKAGES="chromium nodejs"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# install_packages LIST: apt-get installs what dpkg says is missing.
install_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "missing packages: ${missing[*]} (install them as root)"
		sudo="sudo"
	fi
	say "installing: ${missing[*]}"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	# Debian's postgresql and redis packages may try to start system services: we run our own.
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

PSS_BUILD=${PSS_BUILD:-$PSS_TOP/build}
PSS_BIN=${PSS_BIN:-$PSS_BUILD/src/bin}

# build [configure flags...]: autotools build in $PSS_BUILD, out of the source tree (idempotent).
build() {
	( cd "$PSS_TOP" && { [ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi; } ) ||
		die "autoreconf failed"
	mkdir -p "$PSS_BUILD"
	( cd "$PSS_BUILD" && { [ -f Makefile ] || "$PSS_TOP/configure" -q "$@"; } &&
	  make -s -j"$(nproc)" ) || die "build failed"
}

# The user PostgreSQL runs as: ourselves, or "postgres" when we are root (initdb refuses root).
pg_user() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
# free_port PREFERRED: the preferred port if free, else the next free one above it.
free_port() {
	local p=$1
	while ! port_free "$p"; do p=$((p + 1)); done
	echo "$p"
}

wait_for() { # wait_for SECONDS CMD...: retries CMD until it succeeds
	local n=$(( $1 * 10 )); shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1
	done
}

# pg_start STATE PORT: initdb on first use, then start on 127.0.0.1:PORT and a socket in STATE/run.
pg_start() {
	local st=$1 port=$2
	mkdir -p "$st/pg" "$st/run" "$st/log"
	if [ "$(id -u)" -eq 0 ]; then chown postgres: "$st/pg" "$st/run" "$st/log"; chmod 0775 "$st/run"; fi
	if [ ! -f "$st/pg/PG_VERSION" ]; then
		as_pg "$PG_BIN/initdb" -D "$st/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
			|| die "initdb failed"
	fi
	as_pg "$PG_BIN/pg_ctl" -D "$st/pg" -l "$st/log/postgresql.log" -w -t 60 \
		-o "-p $port -k $st/run -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
		start >/dev/null || { tail -20 "$st/log/postgresql.log" >&2; die "PostgreSQL did not start"; }
	as_pg "$PG_BIN/psql" -h "$st/run" -p "$port" -U postgres -d postgres -qtAc \
		"SELECT 1 FROM pg_database WHERE datname = 'psscript'" | grep -q 1 ||
		as_pg "$PG_BIN/createdb" -h "$st/run" -p "$port" -U postgres psscript
}
# The *_stop functions go on whatever they find (a stale or empty pid file, a port that does
# not answer): under set -e a failing last command of an && list would end the caller's stop
# half-way and leave the rest of the stack running.
pg_stop() { [ ! -f "$1/pg/postmaster.pid" ] || as_pg "$PG_BIN/pg_ctl" -D "$1/pg" -m fast -w stop >/dev/null 2>&1 || true; }

redis_start() { # STATE PORT: a pure cache (every key can be rebuilt from PostgreSQL), so it is
	# bounded (PSS_REDIS_MAXMEMORY, 256mb) and evicts the least recently used keys when full
	local st=$1 port=$2
	mkdir -p "$st/redis" "$st/run" "$st/log"
	redis-server --port "$port" --bind 127.0.0.1 --dir "$st/redis" --daemonize yes \
		--pidfile "$st/run/redis.pid" --logfile "$st/log/redis.log" --save "" --appendonly no \
		--maxmemory "${PSS_REDIS_MAXMEMORY:-256mb}" --maxmemory-policy allkeys-lru \
		>/dev/null || die "Redis did not start"
	wait_for 10 redis-cli -p "$port" ping || die "Redis did not answer"
}
redis_stop() { # STATE PORT
	redis-cli -p "$2" shutdown nosave >/dev/null 2>&1 || true
	[ ! -f "$1/run/redis.pid" ] || kill "$(cat "$1/run/redis.pid")" 2>/dev/null || true
	rm -f "$1/run/redis.pid"
}

# Supervision: the FastCGI pool and the job runners run under multiwatch (Debian package, by
# the spawn-fcgi authors), which starts N copies of a program and starts again each one that
# ends; scripts/backoff sits between them and holds back the restart of a program that dies at
# start-up (1, 2, 4 ... 60 s, logged). Each supervisor leads its own session and process
# group (setsid), its pid in PREFIX.pid, so that stopping it reaches every process it started.
# The supervisor, the wrappers and the programs write to LOG (O_APPEND, see log_cap).
#   PREFIX.forks  N          PREFIX.starts  one byte per start (restarts = size - N)
#   PREFIX.early  the back-off count (scripts/backoff)
MULTIWATCH=${MULTIWATCH:-/usr/bin/multiwatch}

# supervise PREFIX LOG N PROGRAM [LAUNCHER...]: N copies of PROGRAM under multiwatch;
# LAUNCHER (e.g. spawn-fcgi -n -s SOCK --) runs first and execs multiwatch. -r 3 -t 500:
# multiwatch gives a slot up when it died within 500 ms of its start 4 times in a row, which
# only happens when scripts/backoff itself cannot run (its back-off keeps every failed start
# above 1 s).
supervise() {
	local prefix=$1 log=$2 n=$3 prog=$4
	shift 4
	[ -x "$MULTIWATCH" ] || die "$MULTIWATCH not found (Debian package multiwatch)"
	rm -f "$prefix.pid" "$prefix.starts" "$prefix.early"
	echo "$n" >"$prefix.forks"
	printf '%s supervisor: starting %s x %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$n" "$prog" >>"$log"
	setsid -f sh -c 'echo $$ >"$0"; exec "$@"' "$prefix.pid" "$@" "$MULTIWATCH" -f "$n" -s TERM \
		-r 3 -t 500 -- "$PSS_TOP/scripts/backoff" "$prefix" "$prog" >>"$log" 2>&1 </dev/null ||
		die "could not start the supervisor of $prog"
	wait_for 5 test -s "$prefix.pid" || die "the supervisor of $prog did not start; see $log"
}
# unsupervise PREFIX: TERM to the supervisor, which passes it on to each program (a FastCGI
# worker finishes its request, a job runner its job) and ends with them; whatever is left of
# its process group after 10 s is killed.
unsupervise() {
	local pid
	pid=$(cat "$1.pid" 2>/dev/null) || return 0
	if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
		wait_for 10 group_gone "$pid" || true
	fi
	[ -z "$pid" ] || kill -9 -- "-$pid" 2>/dev/null || true
	rm -f "$1.pid"
}
# group_gone PGID: no live process left in the group (a zombie waiting for init does not count)
group_gone() { ! ps -o stat= -g "$1" 2>/dev/null | grep -qv '^Z'; }
# supervised_pids PREFIX NAME: the pids of the programs called NAME a supervisor runs.
supervised_pids() {
	local pid
	pid=$(cat "$1.pid" 2>/dev/null) || return 0
	[ -z "$pid" ] || pgrep -g "$pid" -x "$2" || true
}

# fcgi_start STATE N: N psscript-fcgi workers, supervised, on STATE/run/fcgi.sock, or on
# 127.0.0.1:PORT when PSS_FCGI_PORT is set (the spec's backend port is 4000). spawn-fcgi -n
# opens the listener and execs multiwatch, which holds it open while workers come and go.
# Environment from the caller.
fcgi_start() {
	local st=$1 n=$2 where
	rm -f "$st/run/fcgi.sock"
	if [ -n "${PSS_FCGI_PORT:-}" ]; then where=(-a 127.0.0.1 -p "$PSS_FCGI_PORT")
	else where=(-s "$st/run/fcgi.sock" -M 0660); fi
	supervise "$st/run/fcgi" "$st/log/fcgi.log" "$n" "$PSS_BIN/psscript-fcgi" spawn-fcgi -n "${where[@]}" --
}
fcgi_upstream() { # the nginx upstream server line for fcgi_start's listener
	if [ -n "${PSS_FCGI_PORT:-}" ]; then echo "server 127.0.0.1:$PSS_FCGI_PORT;"
	else echo "server unix:$1/run/fcgi.sock;"; fi
}
fcgi_stop() { unsupervise "$1/run/fcgi"; rm -f "$1/run/fcgi.sock"; }
fcgi_pids() { supervised_pids "$1/run/fcgi" psscript-fcgi; }

# worker_start STATE [N]: N job runners (PSS_JOB_RUNNERS, 1), supervised.
worker_start() {
	supervise "$1/run/worker" "$1/log/worker.log" "${2:-${PSS_JOB_RUNNERS:-1}}" "$PSS_BIN/psscript-worker"
}
worker_stop() { unsupervise "$1/run/worker"; }
worker_pids() { supervised_pids "$1/run/worker" psscript-worker; }

# log_cap STATE: copy-truncates each log in STATE/log larger than PSS_LOG_MAX_KB (10240): its
# text goes to NAME.1 (replacing the previous one) and the file is emptied in place, so that
# every process writing to it goes on at its new start (each opens its log for appending:
# the shell's >>, pg_ctl -l, nginx, Redis). Lines written during the copy can be lost.
log_cap() {
	local f max=$(( ${PSS_LOG_MAX_KB:-10240} * 1024 ))
	for f in "$1"/log/*.log; do
		[ -f "$f" ] && [ "$(stat -c %s "$f")" -gt "$max" ] || continue
		cp -p "$f" "$f.1" && : >"$f"
	done
	true
}

# tls_cert STATE: a self-signed certificate for localhost, made once.
tls_cert() {
	local st=$1
	mkdir -p "$st/tls"
	[ -f "$st/tls/server.crt" ] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
		-keyout "$st/tls/server.key" -out "$st/tls/server.crt" >/dev/null 2>&1 || die "openssl failed"
	chmod 0600 "$st/tls/server.key"
}

# nginx_conf STATE HTTPS_PORT HTTP_PORT: writes STATE/nginx.conf from the templates, and the
# hashed copies of the static assets nginx serves as immutable (STATE/assets).
nginx_conf() {
	local st=$1 https=$2 http=$3 user_line=""
	[ "$(id -u)" -eq 0 ] && user_line="user root;"
	mkdir -p "$st/nginx/tmp" "$st/log"
	sed -e "s|@STATE@|$st|g" -e "s|@HTTPS_PORT@|$https|g" -e "s|@HTTP_PORT@|$http|g" \
	    -e "s|@STATIC@|$PSS_TOP/static|g" -e "s|@FCGI_SOCKET@|$st/run/fcgi.sock|g" \
	    -e "s|@USER_LINE@|$user_line|g" -e "s|@SITE@|$st/nginx/site.conf|g" \
	    "$PSS_TOP/nginx/nginx-standalone.conf.in" >"$st/nginx/nginx.conf"
	"$PSS_TOP/scripts/asset-copies" "$PSS_TOP/static" "$st/assets" || die "asset copies failed"
	sed -e "s|@STATE@|$st|g" -e "s|@HTTPS_PORT@|$https|g" -e "s|@HTTP_PORT@|$http|g" \
	    -e "s|@STATIC@|$PSS_TOP/static|g" -e "s|@ASSETS@|$st/assets|g" -e "s|@ANSWERS@|$st/run/answers|g" \
	    -e "s|@FCGI_SERVERS@|$(fcgi_upstream "$st")|g" \
	    -e "s|@ADDR4@|127.0.0.1|g" -e "s|@ADDR6@|[::1]|g" -e "s|@FASTCGI_CONF@|$st/nginx/fastcgi.conf|g" \
	    -e "s|@CERT@|$st/tls/server.crt|g" -e "s|@KEY@|$st/tls/server.key|g" \
	    "$PSS_TOP/nginx/psscript-site.conf.in" >"$st/nginx/site.conf"
	# no IPv6 loopback on this machine: listen on IPv4 only
	[ -s /proc/net/if_inet6 ] || sed -i '/listen \[::1\]/d' "$st/nginx/site.conf"
	sed -e "s|@STATE@|$st|g" "$PSS_TOP/nginx/fastcgi.conf.in" >"$st/nginx/fastcgi.conf"
	if [ -n "${FRONTEND_ROOT:-}" ]; then
		[ -f "$FRONTEND_ROOT/index.html" ] ||
			die "FRONTEND_ROOT=$FRONTEND_ROOT has no index.html (the original frontend's built dist/)"
		frontend_site "$st/nginx/site.conf" "$(realpath "$FRONTEND_ROOT")" "$st/nginx/fastcgi.conf"
	fi
}
# frontend_site SITE ROOT FASTCGI_CONF: the site with its "# pages" locations replaced by
# nginx/psscript-frontend.conf.in serving the original React frontend's build from ROOT at /
# (FRONTEND_ROOT; docs/compat.md). Every /api location stays.
frontend_site() {
	local snippet
	snippet=$(sed -e "s|@FRONTEND_ROOT@|$2|g" -e "s|@FASTCGI_CONF@|$3|g" \
	    "$PSS_TOP/nginx/psscript-frontend.conf.in")
	awk -v snippet="$snippet" '
		skip { if ($0 ~ /^\t}$/) skip = 0; next }
		/^\tlocation .*[{]\t# pages$/ { skip = 1; if ($0 ~ /^\tlocation \/ [{]/) print snippet; next }
		{ print }' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}
nginx_start() {
	local st=$1
	nginx -t -p "$st/nginx" -c "$st/nginx/nginx.conf" -e "$st/log/nginx-error.log" >/dev/null 2>&1 ||
		{ nginx -t -p "$st/nginx" -c "$st/nginx/nginx.conf" -e "$st/log/nginx-error.log"; die "nginx config invalid"; }
	nginx -p "$st/nginx" -c "$st/nginx/nginx.conf" -e "$st/log/nginx-error.log" || die "nginx did not start"
}
nginx_stop() {
	[ ! -f "$1/run/nginx.pid" ] || kill -QUIT "$(cat "$1/run/nginx.pid")" 2>/dev/null || true
	rm -f "$1/run/nginx.pid"
}

# write_env STATE PGPORT REDISPORT: the configuration file of this stack.
write_conf() {
	local st=$1 pgport=$2 rport=$3 https=$4
	cat >"$st/psscript.conf" <<EOC
# PSScript configuration for this stack (key=value; the environment overrides it)
DB_HOST=$st/run
DB_PORT=$pgport
DB_NAME=psscript
DB_USER=postgres
REDIS_HOST=127.0.0.1
REDIS_PORT=$rport
PSSCRIPT_DATA_DIR=$PSS_TOP
PUBLIC_URL=https://localhost:$https
METRICS_FILE=$st/run/metrics.shm
CACHE_SHARED_FILE=$st/run/cache.shm
# The documentation crawler may fetch from sites on this machine (loopback addresses); an
# installed service refuses them (README, "The crawler").
CRAWL_ALLOW_LOOPBACK=true
EMBEDDING_INDEX_FILE=$st/run/vectors.bin
# Large cached answers sent by nginx from files (README, HTTP, "Answer files")
ANSWER_FILES_DIR=$st/run/answers
EOC
}

# Starting at boot without root: scripts/setup --at-boot puts two lines in the user's crontab,
# each ending with the tag "# psscript at-boot STATE": @reboot runs scripts/setup (which
# starts the stack again, from the same folder and state), and an hourly line caps the logs
# (scripts/status --cap-logs). scripts/stop --at-boot takes them out. Nothing else in the
# crontab is touched. PSS_CRONTAB_USER (root only) edits that user's crontab (crontab -u).
crontab_run() {
	command -v crontab >/dev/null || die "crontab not found (Debian package cron)"
	if [ -n "${PSS_CRONTAB_USER:-}" ]; then crontab -u "$PSS_CRONTAB_USER" "$@"; else crontab "$@"; fi
}
boot_tag() { echo "# psscript at-boot $1"; }
# boot_lines STATE: the crontab lines. The environment's PSS_WORKERS, PSS_FCGI_PORT,
# PSS_JOB_RUNNERS and PSS_LOG_MAX_KB go with them, and the ports the stack has now (from
# STATE/ports) as the preferred ones, so that its address stays the same after a reboot.
boot_lines() {
	local st=$1 env v tag PGPORT_WANT REDISPORT_WANT HTTPS_PORT_WANT HTTP_PORT_WANT
	tag=$(boot_tag "$st")
	case "$PSS_TOP$st" in *[%\'\\]* | *$'\n'*)
		die "the folder names may not hold %, ', \\ or a new line in a crontab: $PSS_TOP, $st" ;;
	esac
	if [ -f "$st/ports" ]; then
		PGPORT_WANT=$(sed -n 's/^PGPORT=//p' "$st/ports"); REDISPORT_WANT=$(sed -n 's/^REDISPORT=//p' "$st/ports")
		HTTPS_PORT_WANT=$(sed -n 's/^HTTPSPORT=//p' "$st/ports"); HTTP_PORT_WANT=$(sed -n 's/^HTTPPORT=//p' "$st/ports")
	fi
	env="PSS_STATE='$st'"
	for v in PSS_WORKERS PSS_FCGI_PORT PSS_JOB_RUNNERS PSS_LOG_MAX_KB PGPORT_WANT REDISPORT_WANT \
		HTTPS_PORT_WANT HTTP_PORT_WANT; do
		[ -z "${!v:-}" ] || env="$env $v='${!v//[^0-9A-Za-z.:_\/-]/}'"
	done
	echo "@reboot cd '$PSS_TOP' && $env scripts/setup >>'$st/log/at-boot.log' 2>&1 $tag"
	echo "17 * * * * cd '$PSS_TOP' && $env scripts/status --cap-logs >/dev/null 2>&1 $tag"
}
# boot_crontab STATE OURS OTHERS: writes the user's crontab now into OURS (its lines with
# STATE's tag) and OTHERS (every other line, as it is).
boot_crontab() {
	local tag
	tag=$(boot_tag "$1")
	crontab_run -l 2>/dev/null >"$2.all" || : >"$2.all"
	awk -v t="$tag" 'substr($0, length($0) - length(t) + 1) == t' "$2.all" >"$2"
	awk -v t="$tag" 'substr($0, length($0) - length(t) + 1) != t' "$2.all" >"$3"
	rm -f "$2.all"
}
boot_installed() { # STATE: whether the crontab has STATE's lines
	local t rc=1
	command -v crontab >/dev/null || return 1
	t=$(mktemp -d)
	boot_crontab "$1" "$t/ours" "$t/others"
	[ -s "$t/ours" ] && rc=0
	rm -rf "$t"
	return $rc
}
boot_install() { # STATE: idempotent
	local t rc=0
	t=$(mktemp -d)
	boot_crontab "$1" "$t/ours" "$t/others"
	boot_lines "$1" >"$t/want" || { rm -rf "$t"; return 1; }
	if ! cmp -s "$t/ours" "$t/want"; then
		cat "$t/others" "$t/want" | crontab_run - || rc=1
	fi
	rm -rf "$t"
	return $rc
}
boot_remove() { # STATE: idempotent; an emptied crontab is removed
	local t rc=0
	t=$(mktemp -d)
	boot_crontab "$1" "$t/ours" "$t/others"
	if [ -s "$t/ours" ]; then
		if [ -s "$t/others" ]; then crontab_run - <"$t/others" || rc=1
		else crontab_run -r || rc=1; fi
	fi
	rm -rf "$t"
	return $rc
}
