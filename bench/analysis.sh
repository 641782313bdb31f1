#!/usr/bin/env bash
# analysis.sh: the analysis API under load (issue 13): GET /api/scripts/:id/analysis answered
# from the analysis:{id} entry (target: at least 0.8 of the bare libfcgi responder measured in
# the same run), and POST /api/scripts/analyze (ad hoc, nothing stored) with a 1,000-line
# script at one connection per FastCGI worker (target: p95 under 10 ms). Anonymous callers,
# a public script; the analyze rate limit is lifted for the run.
#   BENCH_LINES (1000), and lib.sh's BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS,
#   BENCH_WORKERS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
L=${BENCH_LINES:-1000}
bench_start
sed -i -E 's/(zone=pss_analyze:10m) rate=[0-9]+r\/[sm]/\1 rate=100000r\/s/' "$ST/nginx/site.conf"
kill -HUP "$(cat "$ST/run/nginx.pid")"; sleep 1

# A script of L lines with every kind of statement the pages bench uses, plus the commands
# that draw findings (Invoke-Expression, plain-text passwords, Write-Host, aliases).
awk -v l="$L" 'BEGIN {
	printf "# analysis bench script\n[CmdletBinding()]\nparam([string]$Path = \"C:\\\\logs\", [int]$Days = 7)\n"
	for (k = 3; k < l; k++) {
		if (k % 8 == 0) printf "function Get-Item%d { param($x) return $x * %d }\n", k, k
		else if (k % 8 == 1) printf "$files = Get-ChildItem -Path $Path -Filter \"*.log\" | Where-Object { $_.LastWriteTime -lt (Get-Date).AddDays(-$Days) }\n"
		else if (k % 8 == 2) printf "Write-Host \"Found $($files.Count) files in ${Path}\" # line %d\n", k
		else if (k % 8 == 3) printf "foreach ($f in $files) { Remove-Item -Path $f.FullName -WhatIf:$true -ErrorAction SilentlyContinue }\n"
		else if (k % 8 == 4) printf "$table = @{ Name = '\''value %d'\''; Count = 0x%x; Ratio = 2.5e3 }\n", k, k
		else if (k % 8 == 5) printf "if ($table.Count -gt 10 -and $Days -le 30) { [Math]::Round($table.Ratio, 2) }\n"
		else if (k % 8 == 6) printf "gci $Path | % { $_.Name }\n"
		else printf "Invoke-Expression \"Get-Date # %d\"\n", k
	}
}' >"$ST/bench.ps1"
python3 -c 'import json, sys; print(json.dumps({"title": "analysis bench", "content": open(sys.argv[1]).read(), "isPublic": True, "analyze": False}))' \
	"$ST/bench.ps1" >"$ST/create.json"
python3 -c 'import json, sys; print(json.dumps({"content": open(sys.argv[1]).read(), "fileName": "bench.ps1"}))' \
	"$ST/bench.ps1" >"$ST/adhoc.json"

printf '%s\n' 'Bench-pass-1' | "$PSS_BIN/psscript" user add benchan benchan@example.com --password-stdin >/dev/null
TOKEN=$(curl -fsk -H 'Content-Type: application/json' -d '{"username":"benchan","password":"Bench-pass-1"}' \
	"$PSS_TEST_URL/api/auth/login" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "login for the benchmark failed" >&2; exit 1; }
ID=$(curl -fsk -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$ST/create.json" \
	"$PSS_TEST_URL/api/scripts" | sed -n 's/.*"script":{"id":\([0-9]*\).*/\1/p')
[ -n "$ID" ] || { echo "creating the script failed" >&2; exit 1; }
curl -fsk -o "$ST/analysis.json" -X POST -H "Authorization: Bearer $TOKEN" "$PSS_TEST_URL/api/scripts/$ID/analyze"
findings=$(python3 -c 'import json, sys; a = json.load(open(sys.argv[1]))["analysis"]; print(sum(len(a[k]) for k in ("securityIssues", "bestPracticeViolations", "performanceInsights", "potentialRisks")))' "$ST/analysis.json")
echo "# a public script of $L lines with $findings findings; its analysis is $(stat -c %s "$ST/analysis.json") bytes of JSON"

cat >"$ST/p95.lua" <<'EOL'
done = function(summary, latency, requests)
	io.write(string.format("p95 %.2fms\n", latency:percentile(95) / 1000))
end
EOL
cat >"$ST/adhoc.lua" <<EOL
local f = io.open("$ST/adhoc.json", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
$(cat "$ST/p95.lua")
EOL

echo "# wrk -t$T -c$C -d${D}s over HTTPS through nginx; $PSS_TEST_WORKERS FastCGI processes; $(nproc) cores"
run "bare libfcgi responder" /bench/bare bare
run "GET /api/scripts/:id/analysis" "/api/scripts/$ID/analysis" analysis -s "$ST/p95.lua"
C=$PSS_TEST_WORKERS T=$((PSS_TEST_WORKERS < 2 ? PSS_TEST_WORKERS : 2)) \
	run "POST /api/scripts/analyze -c$PSS_TEST_WORKERS" /api/scripts/analyze adhoc -s "$ST/adhoc.lua"
echo
echo "GET /api/scripts/:id/analysis (cached) / bare responder: requests/s $(ratio "$RPS_analysis" "$RPS_bare")," \
	"by CPU $(ratio "$CPU_bare" "$CPU_analysis")   (target >= 0.8)"
echo "POST /api/scripts/analyze, $L lines, one connection per worker: p95 ${P95_adhoc:-?}   (target < 10 ms)"
