# tests/tap.sh: TAP for the shell suites (sourced): ok, notok, expect, holds, and done_testing.
# expect leaves its command's output in $out (a temporary file) for further checks.
n=0; fails=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
expect() { # NAME WANT_RC WANT_TEXT CMD...: exit status and a substring of stdout+stderr
	local name=$1 rc=$2 text=$3; shift 3
	"$@" >"$out" 2>&1; local got=$?
	if [ "$got" = "$rc" ] && grep -qF -- "$text" "$out"; then ok "$name"
	else notok "$name"; echo "#   exit $got (want $rc), output:"; sed 's/^/#     /' "$out" | head -15; fi
}
holds() { # NAME CONDITION...: ok when the condition holds, else not ok with the note in $why
	local name=$1; shift
	if "$@"; then ok "$name"; else notok "$name"; printf '%s\n' "${why:-}" | head -20 | sed 's/^/#   /'; fi
}
done_testing() { echo "1..$n"; [ "$fails" -eq 0 ]; }
