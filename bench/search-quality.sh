#!/usr/bin/env bash
# search-quality.sh: recall@5 and MRR of keyword, semantic and hybrid search on the labelled set
# bench/search-queries.tsv against the 1,447 examples of the shipped 7.6 reference loaded as
# scripts (bench/search-quality.py; docs/search.md, "Quality"). Starts its own stack; the
# embeddings are computed with psscript reembed --inline (its time is printed).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
build >/dev/null
ST=$(mktemp -d /tmp/pss-quality.XXXXXX)
trap '"$PSS_TOP/tests/harness.sh" stop "$ST"' EXIT
"$PSS_TOP/tests/harness.sh" start "$ST" >"$ST.log" 2>&1 || { cat "$ST.log"; exit 1; }
source "$ST/env"
printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add benchquality benchquality@example.com --password-stdin >/dev/null
/usr/bin/python3 "$PSS_TOP/bench/search-quality.py" load
t0=$(date +%s.%N)
"$PSS_BIN/psscript" reembed --inline >/dev/null
echo "# embedded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s (psscript reembed --inline)"
/usr/bin/python3 "$PSS_TOP/bench/search-quality.py" eval
