#!/usr/bin/env bash
# test-deploy.sh: the deployment files are valid: nginx -t on the private stack's config and on
# the installed production site, systemd-analyze verify on the installed units, make install
# puts everything in place. TAP output.
set -u
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../tap.sh"
check() { local name=$1; shift; if "$@" >/tmp/deploy-check.$$ 2>&1; then ok "$name"; else notok "$name"; sed 's/^/#   /' /tmp/deploy-check.$$ | head -20; fi; }

ST=${PSS_TEST_STATE:?run under tests/run-integration.sh}
check "nginx -t accepts the private stack's configuration" \
	nginx -t -p "$ST/nginx" -c "$ST/nginx/nginx.conf" -e "$ST/log/nginx-test.log"

DEST=$(mktemp -d /tmp/pss-install.XXXXXX)
check "make install DESTDIR puts binaries, SQL, nginx and systemd files in place" \
	make -s -C "$PSS_BUILD" install DESTDIR="$DEST"
prefix=$(sed -n 's/^prefix = //p' "$PSS_BUILD/Makefile")
sysconf=$(sed -n 's/^sysconfdir = //p' "$PSS_BUILD/Makefile" | sed "s|\${prefix}|$prefix|")
for f in "$prefix/bin/psscript" "$prefix/bin/psscript-fcgi" "$prefix/bin/psscript-worker" \
	"$prefix/bin/psscript-analyze" "$prefix/lib/sysusers.d/psscript.conf" "$sysconf/psscript/psscript.conf" \
	"$prefix/share/psscript/sql/migrations/0001_helper_functions.up.sql" \
	"$sysconf/nginx/sites-available/psscript.conf" "$prefix/lib/systemd/system/psscript-fcgi@.service" \
	"$prefix/lib/systemd/system/psscript-worker.service" "$prefix/lib/systemd/system/psscript-migrate.service" \
	"$prefix/lib/systemd/system/psscript.target"; do
	check "installed: $f" test -e "$DEST$f"
done
# The hashed copies nginx serves as immutable: each under the hash of its own bytes.
app_hash=$(sha256sum "$DEST$prefix/share/psscript/static/css/app.css" | cut -c1-12)
check "installed: the assets' hashed copies (css/app.$app_hash.css)" \
	cmp "$DEST$prefix/share/psscript/static/css/app.css" "$DEST$prefix/share/psscript/assets/css/app.$app_hash.css"
check "the installed site serves hashed names from the copies" \
	grep -q "root $prefix/share/psscript/assets;" "$DEST$sysconf/nginx/sites-available/psscript.conf"

# The production site inside a minimal nginx.conf, with a throw-away certificate.
mkdir -p "$DEST/nginx-test/tmp"
sed -e "s|/etc/ssl/certs/psscript.crt|$ST/tls/server.crt|; s|/etc/ssl/private/psscript.key|$ST/tls/server.key|" \
    -e "s|include $sysconf/nginx/sites-available/psscript-fastcgi.conf|include $DEST$sysconf/nginx/sites-available/psscript-fastcgi.conf|" \
    -e "s|listen 0.0.0.0:443 |listen 127.0.0.1:$(free_port 24443) |; s|listen 0.0.0.0:80;|listen 127.0.0.1:$(free_port 24080);|; /listen \[::\]/d" \
    "$DEST$sysconf/nginx/sites-available/psscript.conf" >"$DEST/nginx-test/site.conf"
cat >"$DEST/nginx-test/nginx.conf" <<EOC
pid $DEST/nginx-test/nginx.pid;
events {}
http {
	client_body_temp_path $DEST/nginx-test/tmp; fastcgi_temp_path $DEST/nginx-test/tmp;
	proxy_temp_path $DEST/nginx-test/tmp; uwsgi_temp_path $DEST/nginx-test/tmp; scgi_temp_path $DEST/nginx-test/tmp;
	include $DEST/nginx-test/site.conf;
}
EOC
check "nginx -t accepts the installed production site" \
	nginx -t -p "$DEST/nginx-test" -c "$DEST/nginx-test/nginx.conf" -e "$DEST/nginx-test/error.log"
check "production site passes no keep-conn to FastCGI" bash -c "! grep -rqE '^[[:space:]]*fastcgi_keep_conn' '$PSS_TOP/nginx'"
check "production site limits login, register and uploads" \
	grep -q 'zone=pss_login' "$DEST$sysconf/nginx/sites-available/psscript.conf"
check "/metrics is loopback only" bash -c "grep -A3 'location = /metrics' '$DEST$sysconf/nginx/sites-available/psscript.conf' | grep -q 'deny all'"

if command -v systemd-analyze >/dev/null; then
	units="$DEST$prefix/lib/systemd/system"
	for u in psscript-fcgi@1.service psscript-worker.service psscript-migrate.service; do
		src=$units/${u/@1/@}
		# verify resolves ExecStart against the real root: point it at the installed binaries.
		mkdir -p "$DEST/verify"
		sed -e "s|$prefix/bin/|$DEST$prefix/bin/|g" "$src" >"$DEST/verify/${u/@1/@}"
		check "systemd-analyze verify $u" bash -c "cd '$DEST/verify' && systemd-analyze verify --man=no './$u' 2>&1 | grep -v -e 'psscript.target' -e 'postgresql.service' -e 'redis-server.service' -e 'psscript-migrate.service' | { ! grep -E '.'; }"
	done
	for u in psscript-fcgi@.service.in psscript-worker.service.in; do
		check "$u is hardened" bash -c "grep -q '^NoNewPrivileges=yes' '$PSS_TOP/systemd/$u' && grep -q '^ProtectSystem=strict' '$PSS_TOP/systemd/$u' && grep -q '^PrivateTmp=yes' '$PSS_TOP/systemd/$u' && grep -q '^User=psscript' '$PSS_TOP/systemd/$u'"
	done
else
	echo "# systemd-analyze not available: unit verification skipped"
fi
rm -rf "$DEST" /tmp/deploy-check.$$
done_testing
