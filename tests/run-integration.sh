#!/usr/bin/env bash
# run-integration.sh: starts a private stack (tests/harness.sh), runs every integration
# suite against it (C programs *.t from the build, shell suites tests/integration/*.sh),
# prints their TAP, and always stops the stack.
set -uo pipefail
source "$(dirname "$0")/../scripts/lib.sh"

# The SARIF schema check of test-analysis-api reads ajv and the SARIF 2.1.0 schema from
# tests/js/node_modules (package-lock.json): installed here when missing and node is there.
if command -v node >/dev/null && [ ! -f "$PSS_TOP/tests/js/node_modules/ajv/package.json" ]; then
	( cd "$PSS_TOP/tests/js" && npm ci --no-audit --no-fund --loglevel=error ) >&2 ||
		echo "# tests/js: npm ci failed: the SARIF schema check will be skipped"
fi
# The suites' programs (and the binaries they drive) as the sources are now: a build made
# before a change would run stale *.t programs against the new workers. Runs no test.
if [ -f "$PSS_BUILD/Makefile" ] && ! ( cd "$PSS_BUILD" && make -s -j"$(nproc)" check TESTS= ) >&2; then
	echo "not ok 1 - the build of the suites' programs"; exit 1
fi
ST=$(mktemp -d /tmp/pss-itest.XXXXXX)
trap '"$PSS_TOP/tests/harness.sh" stop "$ST"' EXIT
if ! "$PSS_TOP/tests/harness.sh" start "$ST" >"$ST.start.log" 2>&1; then
	cat "$ST.start.log"; echo "not ok 1 - integration stack starts"; exit 1
fi
source "$ST/env"
rc=0
for t in "$PSS_BUILD"/tests/integration/*.t "$PSS_TOP"/tests/integration/*.sh \
    "$PSS_BUILD"/tests/security/*.t; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	[ -n "${PSS_ONLY:-}" ] && [[ "$name" != *"$PSS_ONLY"* ]] && continue
	echo "# suite $name"
	if [[ "$t" == *.sh ]]; then
		# Shell suites get a scratch database of their own (they may migrate it up and down).
		db="scratch_${name%.sh}"; db=${db//-/_}
		dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"
		PGDATABASE=$db DB_NAME=$db PSS_MIGRATE="$PSS_BIN/psscript migrate" timeout 600 "$t" || rc=1
	else
		timeout 600 "$t" || rc=1
	fi
done
if [ $rc -ne 0 ]; then
	echo "# logs of the stack ($ST/log):"
	tail -n 30 "$ST"/log/*.log 2>/dev/null | sed 's/^/#   /'
fi
exit $rc
