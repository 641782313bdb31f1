#!/usr/bin/env bash
# test-docs-import.sh: psscript docs import DIR|URL: usage and folder errors, a small tree
# laid out like PowerShell-Docs (two versions, a cmdlet, an about topic, a module page, CRLF
# line ends, a page without front matter, a page that fails), then the shipped reference whole:
# one document per page, counts by type, canonical URLs, aliases, versions, ms.date, the
# extraction; a second import leaves every row untouched; one changed page is one update; the
# progress bar on a terminal. Runs on a scratch database (DB_NAME) given by
# tests/run-integration.sh.
set -u
source "$(dirname "$0")/../tap.sh"
ps=$PSS_BIN/psscript
ref=$(cd "$(dirname "$0")/../.." && pwd)/data/powershell-docs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$out"' EXIT

sql() { psql -qtAX -d "$DB_NAME" -c "$1"; }
check() { # NAME WANT SQL
	local got; got=$(sql "$3")
	if [ "$got" = "$2" ]; then ok "$1"; else notok "$1"; echo "#   got \"$got\", want \"$2\""; fi
}

"$ps" migrate up >/dev/null 2>&1 || { echo "Bail out! migrate up failed"; exit 1; }
expect "no argument is a usage error" 2 "usage: psscript docs import" "$ps" docs import
expect "an unknown docs command is a usage error" 2 'unknown command "frobnicate"' "$ps" docs frobnicate
expect "an https address is refused: it is for the crawler" 2 "crawled, not imported" \
	"$ps" docs import https://learn.microsoft.com/powershell/
expect "a relative file URL is refused" 2 "absolute path" "$ps" docs import file://relative/x
expect "a missing folder is exit 2" 2 "not a folder" "$ps" docs import "$tmp/nonexistent"
mkdir -p "$tmp/empty/Module"
expect "a folder without version folders is exit 2" 2 "no version folders" "$ps" docs import "$tmp/empty"

# A small tree: reference/7.6 and reference/5.1.
d=$tmp/small/reference
mkdir -p "$d/7.6/My.Module/About" "$d/5.1/My.Module"
printf -- '---\r\nModule Name: My.Module\r\nms.date: 03/04/2025\r\nonline version: https://learn.microsoft.com/powershell/module/my.module/get-widget?view=powershell-5.1&WT.mc_id=ps-gethelp\r\naliases:\r\n  - gwd\r\ntitle: Get-Widget\r\n---\r\n\r\n# Get-Widget\r\n\r\n## SYNOPSIS\r\n\r\nGets the widgets of\r\nthe old shell.\r\n\r\n## EXAMPLES\r\n\r\n```powershell\r\ngci | Get-Widget\r\n```\r\n\r\n## PARAMETERS\r\n\r\n### -Name\r\n\r\n### -Force\r\n' >"$d/5.1/My.Module/Get-Widget.md"
cat >"$d/7.6/My.Module/Get-Widget.md" <<'MD'
---
Module Name: My.Module
ms.date: 11/12/2025
aliases:
  - gwd
title: Get-Widget
---

# Get-Widget

## SYNOPSIS

Gets the widgets.

## PARAMETERS

### -Name
MD
cat >"$d/7.6/My.Module/About/about_Widgets.md" <<'MD'
---
description: Describes widgets.
ms.date: 2024-01-31
title: about_Widgets
---
# about_Widgets

## Short description

Widgets are small.
MD
printf '# My.Module Module\n\n## Description\n\nThe widget cmdlets.\n' >"$d/7.6/My.Module/My.Module.md"
printf -- '---\ntitle: Bad\n---\n\xff\xfe\n' >"$d/7.6/My.Module/Set-Bad.md"
expect "the small tree: five pages, one fails (exit 1)" 1 \
	"docs import: 5 pages in" "$ps" docs import "$tmp/small" --source Small
grep -qF "4 inserted, 0 updated, 0 unchanged, 1 failed" "$out" && ok "the summary counts them" ||
	{ notok "the summary counts them"; sed 's/^/#     /' "$out"; }
grep -qF "Set-Bad.md: not UTF-8 text" "$out" && ok "the failure names the page and why" ||
	{ notok "the failure names the page and why"; sed 's/^/#     /' "$out"; }
check "one document per page and version, by type" "about:1,article:1,cmdlet:2" \
	"SELECT string_agg(content_type || ':' || n, ',' ORDER BY content_type) FROM (SELECT content_type, count(*) n FROM documentation WHERE source = 'Small' GROUP BY 1) x"
check "the cmdlet's URLs: the front matter's without tracking, else built; one view each" \
	"https://learn.microsoft.com/powershell/module/my.module/get-widget?view=powershell-5.1 https://learn.microsoft.com/powershell/module/my.module/get-widget?view=powershell-7.6" \
	"SELECT string_agg(url, ' ' ORDER BY url) FROM documentation WHERE title = 'Get-Widget'"
check "the about topic's and the module page's URLs" \
	"https://learn.microsoft.com/powershell/module/my.module/?view=powershell-7.6 https://learn.microsoft.com/powershell/module/my.module/about/about_widgets?view=powershell-7.6" \
	"SELECT string_agg(url, ' ' ORDER BY url) FROM documentation WHERE source = 'Small' AND content_type <> 'cmdlet'"
check "summary (the synopsis, CRLF and line breaks joined), category, lastUpdated" \
	"Gets the widgets of the old shell.|My.Module|2025-03-04" \
	"SELECT summary || '|' || category || '|' || last_updated::date FROM documentation WHERE url LIKE '%get-widget?view=powershell-5.1'"
check "metadata: version, versions, aliases, parameters" \
	'5.1|["5.1", "7.6"]|["gwd"]|["Name", "Force"]' \
	"SELECT concat_ws('|', metadata->>'version', metadata->'versions', metadata->'aliases', metadata->'parameters') FROM documentation WHERE url LIKE '%get-widget?view=powershell-5.1'"
check "tags, names and the code's commands" \
	'["powershell-5.1", "cmdlet", "My.Module"]|{get-widget,gwd}|["Get-ChildItem", "Get-Widget"]' \
	"SELECT concat_ws('|', tags, command_names, extracted_commands) FROM documentation WHERE url LIKE '%get-widget?view=powershell-5.1'"
check "the about topic: its short description, its date" "Widgets are small.|2024-01-31" \
	"SELECT summary || '|' || last_updated::date FROM documentation WHERE title = 'about_Widgets'"
check "the content has LF line ends and no front matter" "false|false" \
	"SELECT (content LIKE E'%\r%')::text || '|' || (content LIKE '%ms.date%')::text FROM documentation WHERE url LIKE '%get-widget?view=powershell-5.1'"

# The shipped reference, by a file:// URL.
pages=$(find "$ref" -name '*.md' -path '*/[0-9]*' | wc -l)
abouts=$(find "$ref" -name "about_*.md" | wc -l)
t0=$(date +%s.%N)
expect "the shipped reference imports (file:// URL)" 0 "docs import: $pages pages in" \
	"$ps" docs import "file://$ref"
t1=$(date +%s.%N)
echo "# first import of $pages pages: $(echo "$t1 - $t0" | bc) s"
grep -qF "$pages inserted, 0 updated, 0 unchanged, 0 failed" "$out" && ok "every page inserted" ||
	{ notok "every page inserted"; sed 's/^/#     /' "$out"; }
check "one document per page" "$pages" "SELECT count(*) FROM documentation WHERE source = 'PowerShell-Docs'"
check "every about_ topic is an about document" "$abouts" \
	"SELECT count(*) FROM documentation WHERE source = 'PowerShell-Docs' AND content_type = 'about'"
check "Get-ChildItem of 7.6: URL, summary, aliases" \
	'Gets the items and child items in one or more specified locations.|["dir", "gci", "ls"]' \
	"SELECT summary || '|' || (metadata->'aliases')::text FROM documentation WHERE url = 'https://learn.microsoft.com/powershell/module/microsoft.powershell.management/get-childitem?view=powershell-7.6'"
check "a 5.1-only cmdlet says so" '["5.1"]' \
	"SELECT metadata->>'versions' FROM documentation WHERE title = 'Get-WmiObject'"
check "every cmdlet page has a synopsis and a date" "0" \
	"SELECT count(*) FROM documentation WHERE source = 'PowerShell-Docs' AND content_type = 'cmdlet' AND (summary IS NULL OR last_updated IS NULL)"
check "the examples' commands are extracted" "t" \
	"SELECT extracted_commands ? 'Get-ChildItem' FROM documentation WHERE url LIKE '%/get-childitem?view=powershell-7.6'"
before=$(sql "SELECT md5(string_agg(id || updated_at::text || crawled_at::text, ',' ORDER BY id)) FROM documentation")
t0=$(date +%s.%N)
expect "importing again: every page unchanged" 0 "0 inserted, 0 updated, $pages unchanged, 0 failed" \
	"$ps" docs import "$ref"
t1=$(date +%s.%N)
echo "# second import: $(echo "$t1 - $t0" | bc) s"
check "the second import wrote no row" "$before" \
	"SELECT md5(string_agg(id || updated_at::text || crawled_at::text, ',' ORDER BY id)) FROM documentation"

# One changed page is one update.
cp -r "$ref" "$tmp/copy"
printf '\nA line added.\n' >>"$tmp/copy/7.6/Microsoft.PowerShell.Utility/Sort-Object.md"
expect "a changed page: one update" 0 "0 inserted, 1 updated, $((pages - 1)) unchanged, 0 failed" \
	"$ps" docs import "$tmp/copy"
check "the update is that page" "t" \
	"SELECT content LIKE '%A line added.%' FROM documentation WHERE url LIKE '%/sort-object?view=powershell-7.6'"

# On a terminal, a progress bar redrawn in place.
script -qec "\"$ps\" docs import \"$tmp/small\" --source Small" /dev/null >"$out" 2>&1
if grep -qF "[##############################] 5/5  100%" "$out" && grep -q $'\r' "$out"; then
	ok "on a terminal: a progress bar"
else notok "on a terminal: a progress bar"; sed 's/^/#     /' "$out" | cat -v | head; fi
done_testing
