#!/usr/bin/env bash
# run.sh: the browser suite. Installs playwright-core into tests/browser/node_modules with
# `npm ci` (package-lock.json) when missing, starts a private stack (tests/harness.sh), runs
# every *.test.mjs in Debian's headless chromium against it and prints its TAP; screenshots go
# to $PSS_ARTIFACTS (default: a new /tmp/pss-browser-artifacts.* folder, printed).
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
HERE=$PSS_TOP/tests/browser

command -v node >/dev/null && [ -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
	{ echo "not ok 1 - browser suite needs node and chromium (scripts/test installs them)"; exit 1; }
if [ ! -f "$HERE/node_modules/playwright-core/package.json" ]; then
	( cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error ) >&2 ||
		{ echo "not ok 1 - npm ci (playwright-core)"; exit 1; }
fi
# A lock long enough for the admin to see it (the harness's 5 s suits test-auth); the
# environment wins over the stack's configuration file.
export LOCKOUT_DURATION_S=${LOCKOUT_DURATION_S:-300}
ST=$(mktemp -d /tmp/pss-btest.XXXXXX)
trap '"$PSS_TOP/tests/harness.sh" stop "$ST"' EXIT
if ! "$PSS_TOP/tests/harness.sh" start "$ST" >"$ST.start.log" 2>&1; then
	cat "$ST.start.log"; echo "not ok 1 - browser stack starts"; exit 1
fi
source "$ST/env"
export PSS_ARTIFACTS=${PSS_ARTIFACTS:-$(mktemp -d /tmp/pss-browser-artifacts.XXXXXX)}
mkdir -p "$PSS_ARTIFACTS"
rc=0
for t in "$HERE"/*.test.mjs; do	# pages, library, docs
	[ -n "${PSS_ONLY:-}" ] && [[ "$(basename "$t")" != *"$PSS_ONLY"* ]] && continue	# PSS_ONLY=docs: one suite
	echo "# suite $(basename "$t") (artifacts: $PSS_ARTIFACTS)"
	timeout 600 node "$t" || rc=1
done
if [ $rc -ne 0 ]; then
	echo "# logs of the stack ($ST/log):"
	tail -n 20 "$ST"/log/*.log 2>/dev/null | sed 's/^/#   /'
fi
exit $rc
