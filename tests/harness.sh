#!/usr/bin/env bash
# harness.sh: a private PSScript stack for the integration tests, in a temporary folder on
# free ports: PostgreSQL (initdb), Redis, the supervised FastCGI pool and job runner, nginx.
# Every process writes its log in DIR/log.
#   harness.sh start DIR     start everything; writes DIR/env (source it)
#   harness.sh stop DIR      stop everything and remove DIR
#   harness.sh ctl DIR WHAT  pg-stop | pg-start | redis-stop | redis-start | worker-kill |
#                            worker-start | fcgi-restart
# worker-kill kills the job runner and its supervisor at once (kill -9: its job is left
# running, as after a crash), so that no runner works until worker-start.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"

cmd=${1:?usage}; ST=${2:?usage}

start() {
	mkdir -p "$ST/run" "$ST/log"
	[ "$(id -u)" -eq 0 ] && chmod 0755 "$ST"
	local pgport rport https http
	pgport=$(free_port 25432); rport=$(free_port 26379)
	https=$(free_port 23443); http=$(free_port $((https + 1)))
	pg_start "$ST" "$pgport"
	redis_start "$ST" "$rport"
	write_conf "$ST" "$pgport" "$rport" "$https"
	cat >>"$ST/psscript.conf" <<EOC
LOG_LEVEL=info
JOB_LOCK_TIMEOUT_S=3
JOB_RETRY_BASE_MS=200
JOB_POLL_INTERVAL_MS=500
REDIS_HEALTH_INTERVAL_S=1
DB_RETRY_MAX=1
DB_RETRY_DELAY_MS=1000
MAX_BODY_BYTES=524288
LOCKOUT_DURATION_S=5
CRAWL_DELAY_MS=50
CRAWL_TIMEOUT_MS=3000
CRAWL_FILE_ROOT=$ST
CORS_ORIGINS=https://frontend.example.test, http://localhost:5173
EOC
	export PSSCRIPT_CONFIG=$ST/psscript.conf
	"$PSS_BIN/psscript" migrate up >"$ST/log/migrate.log" 2>&1 || { cat "$ST/log/migrate.log"; die "migrate failed"; }
	fcgi_start "$ST" "${PSS_TEST_WORKERS:-3}"
	PSSCRIPT_TEST_JOBS=1 worker_start "$ST"
	tls_cert "$ST"
	nginx_conf "$ST" "$https" "$http"
	# The suites log in, register and upload far more often than a person: raise the
	# documented login/register/upload/analyze/chat limits (scripts/setup keeps them) to 20/s with a burst
	# of 60; test-auth checks the 429 by exceeding these.
	sed -i -E -e 's/(zone=pss_(login|register|upload|analyze|chat):10m) rate=[0-9]+r\/m/\1 rate=20r\/s/' \
	    -e 's/(zone=pss_(login|register|upload|analyze|chat)) burst=[0-9]+/\1 burst=60/' "$ST/nginx/site.conf"
	nginx_start "$ST"
	wait_for 20 curl -fsk "https://127.0.0.1:$https/api/health" || die "stack did not answer"
	cat >"$ST/env" <<EOE
export PSS_TEST_STATE='$ST'
export PSS_TEST_URL='https://127.0.0.1:$https'
export PSS_TEST_HTTP_URL='http://127.0.0.1:$http'
export PSS_TEST_CA='$ST/tls/server.crt'
export PSSCRIPT_CONFIG='$ST/psscript.conf'
export PSS_BIN='$PSS_BIN'
export PGHOST='$ST/run' PGPORT='$pgport' PGUSER=postgres PGDATABASE=psscript
export REDISPORT='$rport'
export PSS_HARNESS='$PSS_TOP/tests/harness.sh'
EOE
}

stop() {
	[ -d "$ST" ] || return 0
	nginx_stop "$ST"; worker_stop "$ST"; fcgi_stop "$ST"
	# (no env when the start failed half-way: redis_stop then goes by its pid file)
	redis_stop "$ST" "$([ ! -f "$ST/env" ] || . "$ST/env"; echo "${REDISPORT:-0}")"
	pg_stop "$ST"
	[ -n "${PSS_KEEP_STATE:-}" ] || rm -rf "$ST"
}

ctl() {
	source "$ST/env"
	case "$1" in
	pg-stop) pg_stop "$ST" ;;
	pg-start) pg_start "$ST" "$PGPORT" ;;
	redis-stop) redis_stop "$ST" "$REDISPORT" ;;
	redis-start) redis_start "$ST" "$REDISPORT" ;;
	worker-kill) kill -9 -- "-$(cat "$ST/run/worker.pid")"; rm -f "$ST/run/worker.pid" ;;
	worker-start) PSSCRIPT_TEST_JOBS=1 worker_start "$ST" ;;
	fcgi-stop) fcgi_stop "$ST" ;;
	fcgi-restart) fcgi_stop "$ST"; fcgi_start "$ST" "${PSS_TEST_WORKERS:-3}" ;;
	*) die "unknown ctl $1" ;;
	esac
}

case "$cmd" in
start) start ;;
stop) stop ;;
ctl) shift 2; ctl "$@" ;;
*) die "usage: harness.sh start|stop|ctl DIR" ;;
esac
