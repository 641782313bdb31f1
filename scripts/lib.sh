# lib.sh: shared shell functions: install packages, build, and start/stop the stack's parts.
# Sourced by scripts/setup, scripts/stop, scripts/test and the test harness. Everything runs
# from a state folder ($STATE) with private sockets, logs and data; nothing needs root
# except installing packages.

PATH=$PATH:/usr/sbin:/sbin
PSS_TOP=${PSS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}

# Debian packages the build, the stack and the tests need.
PSS_PACKAGES="build-essential autoconf automake libtool pkgconf libfcgi-dev libpq-dev
 libhiredis-dev libjson-c-dev libcrypt-dev libcurl4-openssl-dev postgresql postgresql-contrib
 redis-server nginx-light spawn-fcgi openssl curl ca-certificates procps python3"
# debhelper, dpkg-dev, lintian: the Debian package cycle (tests/package/run.sh); systemd for
# systemd-analyze verify on the units.
PSS_TEST_PACKAGES="clang valgrind wrk libxml2-utils debhelper dpkg-dev lintian systemd"
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
pg_stop() { [ -f "$1/pg/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$1/pg" -m fast -w stop >/dev/null 2>&1; true; }

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
	[ -f "$1/run/redis.pid" ] && kill "$(cat "$1/run/redis.pid")" 2>/dev/null; rm -f "$1/run/redis.pid"; true
}

# fcgi_start STATE N: N psscript-fcgi workers on STATE/run/fcgi.sock, or on 127.0.0.1:PORT
# when PSS_FCGI_PORT is set (the spec's backend port is 4000). Environment from the caller.
fcgi_start() {
	local st=$1 n=$2 bin=$PSS_BIN where
	rm -f "$st/run/fcgi.sock" "$st/run/fcgi.pid"
	if [ -n "${PSS_FCGI_PORT:-}" ]; then where=(-a 127.0.0.1 -p "$PSS_FCGI_PORT")
	else where=(-s "$st/run/fcgi.sock" -M 0660); fi
	spawn-fcgi "${where[@]}" -F "$n" -P "$st/run/fcgi.pid" \
		-- "$bin/psscript-fcgi" >>"$st/log/spawn-fcgi.log" 2>&1 || die "spawn-fcgi failed"
}
fcgi_upstream() { # the nginx upstream server line for fcgi_start's listener
	if [ -n "${PSS_FCGI_PORT:-}" ]; then echo "server 127.0.0.1:$PSS_FCGI_PORT;"
	else echo "server unix:$1/run/fcgi.sock;"; fi
}
fcgi_stop() {
	local st=$1
	[ -f "$st/run/fcgi.pid" ] || return 0
	kill $(cat "$st/run/fcgi.pid") 2>/dev/null || true
	sleep 0.2; kill -9 $(cat "$st/run/fcgi.pid") 2>/dev/null || true
	rm -f "$st/run/fcgi.pid" "$st/run/fcgi.sock"
}

worker_start() { # STATE
	local st=$1 bin=$PSS_BIN
	nohup "$bin/psscript-worker" >>"$st/log/worker.log" 2>&1 &
	echo $! >"$st/run/worker.pid"
}
worker_stop() {
	[ -f "$1/run/worker.pid" ] || return 0
	kill "$(cat "$1/run/worker.pid")" 2>/dev/null || true
	rm -f "$1/run/worker.pid"
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

# nginx_conf STATE HTTPS_PORT HTTP_PORT: writes STATE/nginx.conf from the templates.
nginx_conf() {
	local st=$1 https=$2 http=$3 user_line=""
	[ "$(id -u)" -eq 0 ] && user_line="user root;"
	mkdir -p "$st/nginx/tmp" "$st/log"
	sed -e "s|@STATE@|$st|g" -e "s|@HTTPS_PORT@|$https|g" -e "s|@HTTP_PORT@|$http|g" \
	    -e "s|@STATIC@|$PSS_TOP/static|g" -e "s|@FCGI_SOCKET@|$st/run/fcgi.sock|g" \
	    -e "s|@USER_LINE@|$user_line|g" -e "s|@SITE@|$st/nginx/site.conf|g" \
	    "$PSS_TOP/nginx/nginx-standalone.conf.in" >"$st/nginx/nginx.conf"
	sed -e "s|@STATE@|$st|g" -e "s|@HTTPS_PORT@|$https|g" -e "s|@HTTP_PORT@|$http|g" \
	    -e "s|@STATIC@|$PSS_TOP/static|g" -e "s|@FCGI_SERVERS@|$(fcgi_upstream "$st")|g" \
	    -e "s|@ADDR4@|127.0.0.1|g" -e "s|@ADDR6@|[::1]|g" -e "s|@FASTCGI_CONF@|$st/nginx/fastcgi.conf|g" \
	    -e "s|@CERT@|$st/tls/server.crt|g" -e "s|@KEY@|$st/tls/server.key|g" \
	    "$PSS_TOP/nginx/psscript-site.conf.in" >"$st/nginx/site.conf"
	# no IPv6 loopback on this machine: listen on IPv4 only
	[ -s /proc/net/if_inet6 ] || sed -i '/listen \[::1\]/d' "$st/nginx/site.conf"
	sed -e "s|@STATE@|$st|g" "$PSS_TOP/nginx/fastcgi.conf.in" >"$st/nginx/fastcgi.conf"
}
nginx_start() {
	local st=$1
	nginx -t -p "$st/nginx" -c "$st/nginx/nginx.conf" -e "$st/log/nginx-error.log" >/dev/null 2>&1 ||
		{ nginx -t -p "$st/nginx" -c "$st/nginx/nginx.conf" -e "$st/log/nginx-error.log"; die "nginx config invalid"; }
	nginx -p "$st/nginx" -c "$st/nginx/nginx.conf" -e "$st/log/nginx-error.log" || die "nginx did not start"
}
nginx_stop() {
	[ -f "$1/run/nginx.pid" ] && kill -QUIT "$(cat "$1/run/nginx.pid")" 2>/dev/null
	rm -f "$1/run/nginx.pid"; true
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
EOC
}
