#!/bin/bash
# test-layers.sh: the layer check (tools/check-layers.py) passes on this tree and fails on a
# copy of it with one wrong include planted at a time, so it cannot pass by seeing nothing;
# and git tracks no file that .gitignore keeps out (the stray configure~ of issue 11).
SRC=${PSS_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/tap.sh"
CHECK="$SRC/tools/check-layers.py"
T=$(mktemp -d)
trap 'rm -rf "$T" "$out"' EXIT

expect "this tree keeps the layer rules" 0 "0 offences" python3 "$CHECK" --root "$SRC"
grep -E '^(allowed|check-layers:)' "$out" | sed 's/^/# /'	# what the allow-list still lets through

# planted NAME WANT_RC WANT_TEXT FILE LINE: the check on a copy of src/ with LINE appended
# to FILE (created if new); the copy is restored afterwards
mkdir -p "$T/tree" && cp -R "$SRC/src" "$T/tree/src" && chmod -R u+w "$T/tree" || exit 1	# distcheck: read-only
planted() {
	local name=$1 rc=$2 text=$3 file=$T/tree/$4 line=$5 new=
	if [ -f "$file" ]; then cp "$file" "$T/saved"; else new=1; mkdir -p "$(dirname "$file")"; fi
	printf '%s\n' "$line" >>"$file"
	expect "$name" "$rc" "$text" python3 "$CHECK" --root "$T/tree"
	if [ -n "$new" ]; then rm -f "$file"; rmdir "$(dirname "$file")" 2>/dev/null
	else cp "$T/saved" "$file"; fi
}

planted "core including db fails" 1 \
	"src/core/buf.c:" src/core/buf.c '#include "db/db.h"'
planted "the analyzer including a binary's header fails" 1 \
	"includes the higher layer bin" src/analyzer/lex.c '#include "bin/analyze_cli.h"'
planted "services including handlers fails" 1 \
	"includes the higher layer handlers" src/services/users.c '#include "handlers/app.h"'
planted "a peer (render including cache) fails" 1 \
	"includes its peer cache" src/render/escape.c '#include "cache/cache.h"'
planted "a peer (db including cache) fails: only cache -> db is declared" 1 \
	"includes its peer cache" src/db/jobs.c '#include "cache/cache.h"'
planted "a lower layer (render including http) passes" 0 \
	"0 offences" src/render/escape.c '#include "http/http.h"'
planted "a relative include that escapes the folder fails" 1 \
	'spelled "layer/file.h"' src/core/buf.c '#include "../db/db.h"'
planted "a bare include fails" 1 \
	'spelled "layer/file.h"' src/db/jobs.c '#include "scripts.h"'
planted "an angle-bracket project include is checked too" 1 \
	"includes the higher layer services" src/cache/lru.c '#include <services/svc.h>'
planted "libpq outside db fails" 1 \
	"libpq-fe.h (libpq) is included only in src/db/" src/services/users.c '#include <libpq-fe.h>'
planted "libpq in a db header fails" 1 \
	"only in .c files of src/db/" src/db/db.h '#include <libpq-fe.h>'
planted "hiredis outside cache fails" 1 \
	"(hiredis) is included only in src/cache/" src/handlers/health.c '#include <hiredis/hiredis.h>'
planted "fcgiapp.h outside http fails" 1 \
	"(libfcgi) is included only in src/http/" src/bin/fcgi_main.c '#include <fcgiapp.h>'
planted "crypt.h outside the password file fails" 1 \
	"is included only in src/services/password.c" src/services/auth.c '#include <crypt.h>'
planted "curl outside ai fails" 1 \
	"(libcurl) is included only in src/ai/" src/services/users.c '#include <curl/curl.h>'
planted "curl in the ai layer passes" 0 \
	"0 offences" src/ai/client.c '#include <curl/curl.h>'
planted "a folder of src that is not a layer fails" 1 \
	"src/search is not a layer" src/search/search.c '#include "core/core.h"'
planted "a handler including another handler's header fails" 1 \
	"includes the header of another handler (handlers/scripts.c)" \
	src/handlers/health.c '#include "handlers/scripts.h"'
planted "the route table including a handler's header passes" 0 \
	"0 offences" src/handlers/routes.c '#include "handlers/scripts.h"'
planted "a handler including a shared header of the layer passes" 0 \
	"0 offences" src/handlers/health.c '#include "handlers/uploads.h"'

expect "the copy is whole again" 0 "0 offences" python3 "$CHECK" --root "$T/tree"

# an allowed violation that is gone must leave the allow-list: a copy of the check that
# allows an include nobody makes
sed 's|^ALLOWED = set()$|ALLOWED = {("src/handlers/health.c", "handlers/scripts.h")}|' "$CHECK" >"$T/check.py"
grep -q 'handlers/scripts.h' "$T/check.py" || echo "# the ALLOWED line of check-layers.py changed: update this test"
expect "a stale allow-list entry fails" 1 "no longer offends" python3 "$T/check.py" --root "$T/tree"

# no tracked file is one that .gitignore keeps out (backups such as configure~)
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	ignored=$(git -C "$SRC" ls-files -ci --exclude-standard)
	if [ -z "$ignored" ]; then ok "git tracks no ignored file"
	else notok "git tracks no ignored file"; echo "$ignored" | sed 's/^/#   /'; fi
else
	n=$((n + 1)); echo "ok $n - git tracks no ignored file # SKIP not a git work tree"
fi
done_testing
