#!/usr/bin/env bash
# pages.sh: the library's pages under load (issue 6): the script list page (/scripts, the
# first page, cached) and a script's page (/scripts/:id: the cached script object, its
# versions, the highlighted source), each as a ratio to the bare libfcgi responder measured
# in the same run (bench/lib.sh). Anonymous visitors, public scripts.
#   BENCH_SCRIPTS (500 scripts of about 60 lines, stored with `psscript import
#   --process-inline`), BENCH_LINES (60), and lib.sh's BENCH_SECONDS, BENCH_CONNECTIONS,
#   BENCH_THREADS, BENCH_WORKERS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${BENCH_SCRIPTS:-500}
L=${BENCH_LINES:-60}
bench_start
sql() { psql -qtAX -c "$1"; }

# Scripts of L lines each: functions, parameters, strings, pipelines, comments (every token
# class of the highlighter), distinct by their first line.
mkdir -p "$ST/scripts"
awk -v n="$N" -v l="$L" -v dir="$ST/scripts" 'BEGIN {
	for (i = 0; i < n; i++) {
		f = sprintf("%s/page-%04d.ps1", dir, i)
		printf "# bench script %d\n[CmdletBinding()]\nparam([string]$Path = \"C:\\\\logs\", [int]$Days = 7)\n", i > f
		for (k = 3; k < l; k++) {
			if (k % 6 == 0) printf "function Get-Item%d { param($x) return $x * %d }\n", k, k > f
			else if (k % 6 == 1) printf "$files = Get-ChildItem -Path $Path -Filter \"*.log\" | Where-Object { $_.LastWriteTime -lt (Get-Date).AddDays(-$Days) }\n" > f
			else if (k % 6 == 2) printf "Write-Output \"Found $($files.Count) files in ${Path}\" # line %d\n", k > f
			else if (k % 6 == 3) printf "foreach ($f in $files) { Remove-Item -Path $f.FullName -WhatIf:$true -ErrorAction SilentlyContinue }\n" > f
			else if (k % 6 == 4) printf "$table = @{ Name = '\''value %d'\''; Count = 0x%x; Ratio = 2.5e3 }\n", k, k > f
			else printf "if ($table.Count -gt 10 -and $Days -le 30) { [Math]::Round($table.Ratio, 2) }\n" > f
		}
		close(f)
	}
}'
printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add benchpages benchpages@example.com --password-stdin >/dev/null
"$PSS_BIN/psscript" import "$ST/scripts" --user benchpages --public --process-inline >"$ST/import.log" 2>&1 ||
	{ tail -5 "$ST/import.log"; exit 1; }
ID=$(sql "SELECT id FROM scripts ORDER BY id LIMIT 1 OFFSET $((N / 2))")
echo "# $(sql "SELECT count(*) FROM scripts") public scripts of $L lines; wrk -t$T -c$C -d${D}s over HTTPS" \
    "through nginx; $PSS_TEST_WORKERS FastCGI processes each; $(nproc) cores; anonymous"
run "bare libfcgi responder" /bench/bare bare
run "GET /api/scripts (cached)" /api/scripts apilist
run "GET /scripts page (cached)" /scripts list
run "GET /api/scripts/:id (cached)" "/api/scripts/$ID" apiget
run "GET /scripts/:id page" "/scripts/$ID" view
echo
echo "ratios to the bare responder: requests/s, and by the CPU a request costs"
for v in apilist list apiget view; do
	eval "printf '  %-8s %s   by CPU %s\n' $v \$(ratio \"\$RPS_$v\" \"\$RPS_bare\") \$(ratio \"\$CPU_bare\" \"\$CPU_$v\")"
done
echo "pages to their API answer: list $(ratio "$RPS_list" "$RPS_apilist"), script $(ratio "$RPS_view" "$RPS_apiget")"
