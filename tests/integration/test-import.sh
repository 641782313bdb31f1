#!/usr/bin/env bash
# test-import.sh: psscript import DIR: the walk (extensions, sub-folders, skipped files),
# batches of at most 50 through the asynchronous upload path, completed / duplicate / failed
# with reasons, owner, category and visibility options, exit codes, the progress bar on a
# terminal, processing by a psscript-worker, and the message when no worker runs. TAP output.
# Runs on a scratch database (DB_NAME) given by tests/run-integration.sh.
set -u
source "$(dirname "$0")/../tap.sh"
ps=$PSS_BIN/psscript
tmp=$(mktemp -d)
worker_pid=
trap 'rm -rf "$tmp" "$out"; [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null' EXIT

sql() { psql -qtAX -d "$DB_NAME" -c "$1"; }
check() { # NAME WANT SQL
	local got; got=$(sql "$3")
	if [ "$got" = "$2" ]; then ok "$1"; else notok "$1"; echo "#   got \"$got\", want \"$2\""; fi
}

"$ps" migrate up >/dev/null 2>&1 || { echo "Bail out! migrate up failed"; exit 1; }
expect "no folder is a usage error" 2 "usage: psscript import" "$ps" import
expect "a missing folder is exit 2" 2 "No such file or directory" "$ps" import "$tmp/nonexistent"
mkdir -p "$tmp/empty"
expect "without an administrator --user is needed" 2 "no administrator" "$ps" import "$tmp/empty"
printf '%s\n' 'Import-pass-1' | "$ps" user add impadmin impadmin@example.com --admin --password-stdin >/dev/null
printf '%s\n' 'Import-pass-1' | "$ps" user add impuser impuser@example.com --password-stdin >/dev/null
expect "an unknown user is exit 2" 2 'no user "nobody"' "$ps" import "$tmp/empty" --user nobody
expect "an unknown category is exit 2" 2 'no category "Nope"' "$ps" import "$tmp/empty" --category Nope
expect "a folder without scripts imports nothing" 0 "no .ps1" "$ps" import "$tmp/empty"

# A tree with every kind of file.
d=$tmp/tree
mkdir -p "$d/a/b" "$d/c"
printf 'Get-Process | Sort-Object CPU\n' >"$d/a/b/one.ps1"
printf 'function Get-Two { 2 }\nExport-ModuleMember Get-Two\n' >"$d/a/two.psm1"
printf '@{ ModuleVersion = "1.0" }\n' >"$d/c/three.PSD1"
printf '<Types><Type><Name>X</Name></Type></Types>\n' >"$d/c/four.ps1xml"
printf 'Write-Output "notes"\n' >"$d/notes.txt"
printf '# not a script\n' >"$d/readme.md"
printf 'Get-Process | Sort-Object CPU\n' >"$d/c/copy-of-one.ps1"
printf 'Write-Output "a\0b"\n' >"$d/nul.ps1"
: >"$d/empty.ps1"
printf '\xff\xfeG\x00e\x00t\x00-\x00D\x00a\x00t\x00e\x00\n\x00' >"$d/utf16.ps1"
ln -s "$d/a/b/one.ps1" "$d/link.ps1"
expect "a mixed tree: exit 1 because two files fail" 1 \
	"imported 9 files: 6 completed, 1 duplicates, 2 failed (1 other files skipped)" \
	"$ps" import "$d" --process-inline
if grep -qF "failed: $d/nul.ps1: " "$out" && grep -qF "failed: $d/empty.ps1: " "$out"; then
	ok "each failure is listed with its path and reason"
else notok "each failure is listed with its path and reason"; sed 's/^/#     /' "$out"; fi
if grep -qE "duplicate: $d/(c/copy-of-one|a/b/one)\.ps1: same content as script [0-9]+" "$out"; then
	ok "the duplicate names the script that has the content"
else notok "the duplicate names the script that has the content"; sed 's/^/#     /' "$out"; fi
check "the symbolic link is not followed and readme.md is skipped" "" \
	"SELECT string_agg(filename, ',') FROM uploads WHERE filename IN ('link.ps1', 'readme.md')"
check "the owner defaults to the first administrator" "6" \
	"SELECT count(*) FROM scripts s JOIN users u ON u.id = s.user_id WHERE u.username = 'impadmin'"
check "scripts are private by default and titled after the file" "false:three" \
	"SELECT is_public || ':' || title FROM scripts WHERE title = 'three'"
check "the UTF-16 file is stored as UTF-8" "Get-Date" "SELECT trim(E'\n' FROM content) FROM scripts WHERE title = 'utf16'"
check "each imported script has version 1" "6" "SELECT count(*) FROM script_versions WHERE version = 1"
check "the reasons are stored with the uploads" "t" \
	"SELECT bool_and(error IS NOT NULL) FROM uploads WHERE status = 'failed'"
check "inline processing leaves no upload job queued" "0" \
	"SELECT count(*) FROM jobs WHERE type = 'upload.process' AND status = 'queued'"
check "analysis jobs are queued for the worker" "6" "SELECT count(*) FROM jobs WHERE type = 'analysis.run'"

# Without a worker: the uploads stay queued and import says why it gives up.
d2=$tmp/later
mkdir -p "$d2"
for i in 1 2 3; do printf 'Write-Output "later %s"\n' "$i" >"$d2/later$i.ps1"; done
expect "no worker: import gives up with a clear message" 2 "is psscript-worker running?" \
	"$ps" import "$d2" --stall-timeout 2
check "the stalled uploads are stored and queued" "3" "SELECT count(*) FROM uploads WHERE status = 'queued'"

# With a worker (on this scratch database): the default path.
"$PSS_BIN/psscript-worker" >"$tmp/worker.log" 2>&1 &
worker_pid=$!
d3=$tmp/many
mkdir -p "$d3/sub"
for i in $(seq 1 120); do printf 'Write-Output "script number %s"\n' "$i" >"$d3/sub/s$i.ps1"; done
expect "120 files with a worker: exit 0" 0 "imported 120 files: 120 completed, 0 duplicates, 0 failed" \
	"$ps" import "$d3" --user impuser@example.com --category "security & compliance" --public
check "they went in batches of at most 50" "3:50" \
	"SELECT count(DISTINCT batch_id) || ':' || max(c) FROM (SELECT batch_id, count(*) c FROM uploads WHERE filename LIKE 's%.ps1' GROUP BY batch_id) t"
check "--user (by email), --category (by name, any case) and --public" "120" \
	"SELECT count(*) FROM scripts s JOIN users u ON u.id = s.user_id JOIN categories c ON c.id = s.category_id WHERE u.username = 'impuser' AND c.name = 'Security & Compliance' AND s.is_public AND s.title LIKE 's%'"
check "the worker also took the stalled uploads" "0" \
	"SELECT count(*) FROM uploads WHERE status IN ('queued', 'processing')"
grep -q "^import: .* done (completed" "$out" && ok "not a terminal: plain progress lines" || notok "not a terminal: plain progress lines"

expect "importing again: everything is a duplicate, exit 0" 0 "0 completed, 120 duplicates, 0 failed" \
	"$ps" import "$d3" --user impuser --category 3
# On a terminal, a progress bar redrawn in place.
rm -f "$d3"/sub/*
for i in $(seq 1 5); do printf 'Write-Output "bar %s"\n' "$i" >"$d3/sub/b$i.ps1"; done
script -qec "\"$ps\" import \"$d3\" --user impuser" /dev/null >"$out" 2>&1
if grep -qF "[##############################] 5/5  100%" "$out" && grep -q $'\r' "$out"; then
	ok "on a terminal: a progress bar"
else notok "on a terminal: a progress bar"; sed 's/^/#     /' "$out" | cat -v | head; fi

kill "$worker_pid" 2>/dev/null; wait "$worker_pid" 2>/dev/null; worker_pid=
done_testing
