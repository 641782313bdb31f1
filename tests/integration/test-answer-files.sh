#!/usr/bin/env bash
# test-answer-files.sh: large cached answers sent by nginx from answer files (http.h, "Answer
# files"; README, HTTP): the same bytes and headers as an answer the worker sends itself, with
# gzip beside them; a changed analysis is never answered from an older file; a file gone is
# answered by the worker (nginx's fallback) and written again; the files are not reachable
# from outside and not readable by other users; small answers and CORS answers go over
# FastCGI as before. Through the real nginx of the harness. TAP output.
set -u
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../tap.sh"
ST=${PSS_TEST_STATE:?run under tests/run-integration.sh}
unset DB_NAME PGDATABASE	# the stack's own database (its configuration), not the scratch one
U=$PSS_TEST_URL
A=$ST/run/answers
T=$(mktemp -d)
trap 'rm -rf "$T" "$out"' EXIT

user() { # NAME: a new user's bearer token
	printf '%s\n' 'Answer-pass-1' | "$PSS_BIN/psscript" user add "$1" "$1@example.com" --password-stdin >/dev/null
	curl -fsk -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Answer-pass-1\"}" \
	    "$U/api/auth/login" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
script() { # TOKEN PUBLIC LINES: a new script of LINES lines with findings on each, analysed; its id
	python3 -c 'import json, sys; n = int(sys.argv[2]); print(json.dumps({"title": "answer files %s %d" % (sys.argv[1], n),
	    "content": "\n".join("Write-Host \"%s line %d\"; Invoke-Expression \"Get-Date # %d\"" % (sys.argv[1], i, i) for i in range(n)),
	    "isPublic": sys.argv[1] == "true", "analyze": False}))' "$2" "$3" >"$T/create.json"
	local id
	id=$(curl -fsk -H "Authorization: Bearer $1" -H 'Content-Type: application/json' --data-binary @"$T/create.json" \
	    "$U/api/scripts" | sed -n 's/.*"script":{"id":\([0-9]*\).*/\1/p')
	curl -fsk -o /dev/null -X POST -H "Authorization: Bearer $1" "$U/api/scripts/$id/analyze"
	echo "$id"
}
get() { # NAME PATH [curl options]: the answer's head in $T/NAME.h and body in $T/NAME.b
	local name=$1 path=$2
	shift 2
	curl -sk --http1.1 -D "$T/$name.h" -o "$T/$name.b" "$@" "$U$path"
}
status() { sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$T/$1.h"; }
header() { tr -d '\r' <"$T/$1.h" | awk -v h="$2" 'tolower($0) ~ "^" tolower(h) ":" { sub(/^[^:]*: */, ""); print; exit }'; }
from_file() { [ -n "$(header "$1" Last-Modified)" ]; }	# nginx's static module sends it; the worker never does
worker_200() { [ "$(status "$1")" = 200 ] && ! from_file "$1"; }
file_200() { [ "$(status "$1")" = 200 ] && from_file "$1"; }
not_found_outside() { [ "$(status outside)" = 404 ] && ! cmp -s "$T/outside.b" "$A/$f"; }
cors_from_worker() { [ "$(header cors Access-Control-Allow-Origin)" = https://frontend.example.test ] && ! from_file cors; }
counter() { curl -sk "$U/metrics" | awk -v m="psscript_answer_files_$1_total" '$1 == m { print $2 }'; }
fallbacks() { counter fallbacks; }
same_from_workers() { # NAME: of 12 reads of the analysis as NAME, how many were 200 from the workers with its bytes
	local same=0
	for i in $(seq 12); do
		get "$1" "/api/scripts/$ID/analysis"
		worker_200 "$1" && cmp -s "$T/after2.b" "$T/$1.b" && same=$((same + 1))
	done
	echo "$same"
}
holds_same() { # NAME A B: the two bodies are the same bytes
	why="$(wc -c <"$T/$2.b") and $(wc -c <"$T/$3.b") bytes"
	holds "$1" cmp -s "$T/$2.b" "$T/$3.b"
}

TOKEN=$(user answerer)
OTHER=$(user onlooker)
ID=$(script "$TOKEN" true 60)
PRIV=$(script "$TOKEN" false 60)

get first "/api/scripts/$ID/analysis"
get second "/api/scripts/$ID/analysis"
why="$(cat "$T/first.h")"
holds "the first read of a large analysis is 200 from the worker" worker_200 first
why="$(cat "$T/second.h")"
holds "the next read is sent by nginx from an answer file" from_file second
holds_same "with the same bytes" first second
holds "the file holds those bytes (named after them), and its gzip beside it" \
    cmp -s "$T/second.b" "$A/$(sha256sum "$T/second.b" | cut -c1-16).json"
holds "the gzip file is there" [ -f "$A/$(sha256sum "$T/second.b" | cut -c1-16).json.gz" ]
for h in "Content-Type: application/json; charset=utf-8" "Cache-Control: no-store" \
    "X-Content-Type-Options: nosniff" "X-Frame-Options: DENY" "Referrer-Policy: same-origin" \
    "Cross-Origin-Opener-Policy: same-origin" "Strict-Transport-Security: max-age=31536000; includeSubDomains"; do
	why="$(cat "$T/second.h")"
	holds "a file answer has $h" [ "$(header second "${h%%: *}")" = "${h#*: }" ]
done
why="$(cat "$T/second.h")"
holds "a file answer has the worker's Content-Security-Policy and an X-Request-Id" \
    [ "$(header second Content-Security-Policy)" = "$(header first Content-Security-Policy)" -a -n "$(header second X-Request-Id)" ]
holds "a file answer carries no Accept-Ranges, ETag or X-Accel-Redirect" \
    [ -z "$(header second Accept-Ranges)$(header second ETag)$(header second X-Accel-Redirect)" ]

get gz "/api/scripts/$ID/analysis" -H 'Accept-Encoding: gzip'
why="$(cat "$T/gz.h")"
holds "asked with gzip: Content-Encoding gzip and Vary" [ "$(header gz Content-Encoding)" = gzip -a "$(header gz Vary)" = Accept-Encoding ]
gunzip -c <"$T/gz.b" >"$T/gunz.b" 2>/dev/null
holds_same "which decodes to the same bytes" second gunz
get head "/api/scripts/$ID/analysis" -I
head_ok() { [ "$(status head)" = 200 -a "$(header head Content-Length)" = "$(wc -c <"$T/second.b")" ] && ! grep -q success "$T/head.b"; }
holds "HEAD: 200 with the body's length and no body" head_ok

# The analysis changes: the next answer is the new one, never the older file.
curl -fsk -o "$T/new.json" -X POST -H "Authorization: Bearer $TOKEN" "$U/api/scripts/$ID/analyze"
get after "/api/scripts/$ID/analysis"
get after2 "/api/scripts/$ID/analysis"
why="updatedAt before $(grep -o '"updatedAt":"[^"]*"' "$T/second.b" | head -1), after $(grep -o '"updatedAt":"[^"]*"' "$T/after2.b" | head -1), the analysis answered $(grep -o '"updatedAt":"[^"]*"' "$T/new.json" | head -1)"
holds "after a re-analysis the answer is the new analysis, from the worker then from a file" \
    [ "$(grep -o '"updatedAt":"[^"]*"' "$T/after2.b" | head -1)" = "$(grep -o '"updatedAt":"[^"]*"' "$T/new.json" | head -1)" ]
holds "and it is sent from a file again" from_file after2
holds_same "the same bytes either way" after after2

# Gone files: nginx passes a request whose file is gone back to the workers, which send the
# bytes and write the file again. Every worker has read the answer (its memo names the file).
for i in $(seq 12); do get warm "/api/scripts/$ID/analysis"; done
f0=$(fallbacks)
rm -f "$A"/*.json "$A"/*.json.gz
# nginx keeps open the files it sent (open_file_cache: a name always holds the same bytes, so
# a kept file removed since is still right); its new workers after a reload have none open
kill -HUP "$(cat "$ST/run/nginx.pid")"
sleep 1
same=0
for i in $(seq 12); do
	get gone "/api/scripts/$ID/analysis"
	[ "$(status gone)" = 200 ] && cmp -s "$T/after2.b" "$T/gone.b" && same=$((same + 1))
done
why="$same of 12"
holds "with its file gone every answer is still 200 with the same bytes" [ "$same" = 12 ]
why="fallbacks before $f0, after $(fallbacks)"
holds "some came back from nginx to a worker (counted in /metrics)" [ "$(fallbacks)" -gt "$f0" ]
for i in 1 2 3 4; do get again "/api/scripts/$ID/analysis"; done
holds "and the file is written again" from_file again
holds_same "the same bytes" after2 again

# Not a way around visibility, not reachable, not readable by others.
f=$(ls "$A" | grep '\.json$' | head -1)
get outside "/.answers/$f"
why="$(head -1 "$T/outside.h"), $(wc -c <"$T/outside.b") bytes"
holds "an answer file's own URL is 404 from outside" not_found_outside
get priv1 "/api/scripts/$PRIV/analysis" -H "Authorization: Bearer $TOKEN"
get priv2 "/api/scripts/$PRIV/analysis" -H "Authorization: Bearer $TOKEN"
holds "the owner reads a private script's analysis (from a file the second time)" file_200 priv2
holds_same "the same bytes" priv1 priv2
get onlooker "/api/scripts/$PRIV/analysis" -H "Authorization: Bearer $OTHER"
get anon "/api/scripts/$PRIV/analysis"
holds "another user and an anonymous caller still get 404" [ "$(status onlooker)" = 404 -a "$(status anon)" = 404 ]
why="$(ls -la "$A" | head -5)"
holds "the folder is 0750 and the files 0640" \
    [ "$(stat -c %a "$A")" = 750 -a -z "$(find "$A" -type f ! -perm 0640)" ]

# What stays over FastCGI: small answers and a CORS answer.
SMALL=$(script "$TOKEN" true 3)
get small "/api/scripts/$SMALL"
get small2 "/api/scripts/$SMALL"
why="$(cat "$T/small2.h")"
holds "a small answer (a 3-line script, under 8 KB) stays with the worker" worker_200 small2
get cors "/api/scripts/$ID/analysis" -H 'Origin: https://frontend.example.test'
why="$(cat "$T/cors.h")"
holds "an allowed Origin's answer keeps its CORS headers (from the worker)" cors_from_worker
holds_same "with the same bytes" after2 cors

why="$(curl -sk "$U/metrics" | grep '^psscript_answer_files')"
holds "/metrics counts the answers sent as files" [ "$(counter sent)" -ge 10 ]

# A site file without the /.answers/ location (older than the workers): nginx passes the
# redirect to the workers, which send the bytes and stop redirecting, with a warning.
cp "$ST/nginx/site.conf" "$T/site.conf"
python3 - "$ST/nginx/site.conf" <<'EOP'
import re, sys
s = open(sys.argv[1]).read()
s = re.sub(r'\tlocation \^~ /\.answers/ \{.*?\n\t\}\n', '', s, flags=re.S)
s = re.sub(r'\tlocation @answer_gone \{.*?\n\t\}\n', '', s, flags=re.S)
open(sys.argv[1], 'w').write(s)
EOP
kill -HUP "$(cat "$ST/run/nginx.pid")"
sleep 1
same=$(same_from_workers noloc)
why="$same of 12"
holds "without nginx's location every answer is still 200 with the same bytes, from the workers" [ "$same" = 12 ]
why="$(tail -5 "$ST/log/fcgi.log")"
holds "and a worker says why it stopped handing nginx files" grep -q "answer files off in this worker" "$ST/log/fcgi.log"
cp "$T/site.conf" "$ST/nginx/site.conf"
kill -HUP "$(cat "$ST/run/nginx.pid")"
"$PSS_HARNESS" ctl "$ST" fcgi-restart >/dev/null 2>&1	# the workers as the suites after this one expect
sleep 1

# A folder that cannot be written (a file in its place, as a full disk would do): the
# answers go over FastCGI, gzipped from the memo for a client that asks, and each worker
# stops trying for a while, saying why.
f0=$(counter failed)
rm -rf "$A" && touch "$A"
same=$(same_from_workers nodir)
why="$same of 12"
holds "with the folder unwritable every answer is still 200 with the same bytes, from the workers" [ "$same" = 12 ]
gz_same=0
for i in $(seq 6); do
	get nodirgz "/api/scripts/$ID/analysis" -H 'Accept-Encoding: gzip'
	[ "$(header nodirgz Content-Encoding)" = gzip ] && gzip -dc <"$T/nodirgz.b" | cmp -s - "$T/after2.b" &&
	    gz_same=$((gz_same + 1))
done
why="$gz_same of 6"
holds "a client asking for gzip gets the same bytes gzipped" [ "$gz_same" = 6 ]
why="failed before $f0, after $(counter failed)"
holds "the failed writes are counted, at most one a worker" \
    [ "$(counter failed)" -gt "$f0" -a "$(counter failed)" -le "$((f0 + ${PSS_TEST_WORKERS:-3}))" ]
why="$(tail -3 "$ST/log/fcgi.log")"
holds "and a worker says why it stopped writing files" grep -q "not written: .*answer files off in this worker for 60 s" "$ST/log/fcgi.log"
rm -f "$A"
"$PSS_HARNESS" ctl "$ST" fcgi-restart >/dev/null 2>&1	# the folder made again, files on
sleep 1
for i in 1 2 3 4; do get back "/api/scripts/$ID/analysis"; done
holds "with the folder back (the workers restarted) the answer is a file again" file_200 back
done_testing
