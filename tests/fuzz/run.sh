#!/usr/bin/env bash
# run.sh: builds every fuzz driver with clang's libFuzzer (+ ASan and UBSan) and runs each for
# a short time on a copy of its seed corpus. TAP: one test point per driver.
#   FUZZ_SECONDS (default 20) per driver; FUZZ_KEEP=1 keeps the work folder.
set -u
source "$(dirname "$0")/../../scripts/lib.sh"
T=${FUZZ_SECONDS:-20}
W=$(mktemp -d /tmp/pss-fuzz.XXXXXX)
cd "$PSS_TOP"
CORE="src/core/mem.c src/core/buf.c src/core/arena.c src/core/log.c src/core/util.c src/core/sha256.c"
HTTP="src/http/urlenc.c src/http/cookie.c src/http/multipart.c src/http/jsonflat.c"
n=0; fails=0
declare -A SOURCES=(
	[request]="$CORE $HTTP src/http/request.c src/http/router.c src/http/response.c"
	[urlenc]="$CORE $HTTP"
	[cookie]="$CORE $HTTP"
	[multipart]="$CORE $HTTP"
	[jsonflat]="$CORE $HTTP"
	[mustache]="$CORE src/render/escape.c src/render/mustache.c"
	[highlight]="$CORE src/core/text.c src/render/escape.c src/render/highlight.c src/render/diffview.c src/analyzer/lex.c"
	[ps-lex]="$CORE $(ls src/analyzer/lex*.c 2>/dev/null | tr '\n' ' ')"
	[ps-parse]="$CORE $(ls src/analyzer/lex*.c src/analyzer/parse*.c 2>/dev/null | tr '\n' ' ')"
	[text]="$CORE src/core/text.c src/core/diff.c"
	[markdown]="$CORE src/core/text.c src/render/escape.c src/render/highlight.c src/render/markdown.c src/analyzer/lex.c"
	[ps-analyze]="$CORE src/core/text.c $(ls src/analyzer/[a-z]*.c 2>/dev/null | grep -v psscript-analyze | tr '\n' ' ')"
	[crawl]="$CORE src/core/text.c src/ai/crawl_url.c src/ai/crawl_robots.c src/ai/crawl_html.c"
	[ps-settings]="$CORE src/core/text.c $(ls src/analyzer/[a-z]*.c 2>/dev/null | grep -v psscript-analyze | tr '\n' ' ')"
	[ai]="$CORE src/core/text.c src/core/metrics.c src/ai/ai.c src/ai/http.c"
	[chat]="$CORE src/services/chat_clean.c"
	[lexicon]="$CORE src/analyzer/lexicon.c src/analyzer/lexicon_data.c"
	[ai-embed]="$CORE src/core/text.c src/core/metrics.c src/ai/ai.c src/ai/http.c src/ai/embed.c"
)
# libraries beyond json-c a driver links
declare -A LIBS=(
	[crawl]="$(pkg-config --cflags --libs libcurl libxml-2.0 2>/dev/null)"
)
for drv in request urlenc cookie multipart jsonflat mustache text ps-lex ps-parse ps-analyze ps-settings highlight ai ai-embed markdown crawl chat lexicon; do
	src=tests/fuzz/fuzz-$drv.c
	[ -f "$src" ] || continue
	n=$((n + 1))
	corpus=tests/fuzz/corpus/${drv%%-*}; [[ "$drv" == ps-* || "$drv" == highlight ]] && corpus=tests/fuzz/corpus/ps
	mkdir -p "$W/$drv/corpus"; cp -r "$corpus"/. "$W/$drv/corpus/" 2>/dev/null
	dict=""; [ -f "tests/fuzz/corpus/$drv.dict" ] && dict="-dict=tests/fuzz/corpus/$drv.dict"
	if ! clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$PSS_BUILD" -Isrc -DPSS_DATADIR='"/nonexistent"' -DPSS_SYSCONFDIR='"/nonexistent"' \
		"$src" ${SOURCES[$drv]} $(pkg-config --cflags --libs json-c libcurl) ${LIBS[$drv]:-} -lm -o "$W/$drv/fuzz" \
		>"$W/$drv/build.log" 2>&1; then
		fails=$((fails + 1)); echo "not ok $n - fuzz-$drv builds"; sed 's/^/#   /' "$W/$drv/build.log" | head -20
		continue
	fi
	if (cd "$W/$drv" && ./fuzz -max_total_time="$T" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		$( [ -n "$dict" ] && echo "-dict=$PSS_TOP/${dict#-dict=}") corpus >run.log 2>&1); then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$W/$drv/run.log")
		echo "ok $n - fuzz-$drv: ${runs:-?} inputs in ${T}s, no crash"
		continue
	fi
	# A finding is replayed from the input libFuzzer saved (crash-, timeout-, oom- or leak-),
	# three times in a fresh process: one that comes back fails; one that does not (a stall
	# of the machine past -timeout, the memory limit) is reported with everything known of
	# it but does not fail the run. No saved input fails too: nothing could be checked.
	again=0
	found=()	# the inputs libFuzzer saved
	for c in "$W/$drv"/crash-* "$W/$drv"/timeout-* "$W/$drv"/oom-* "$W/$drv"/leak-*; do
		[ -f "$c" ] && found+=("$c")
	done
	for c in "${found[@]}"; do
		for _ in 1 2 3; do
			(cd "$W/$drv" && ./fuzz -timeout=30 -rss_limit_mb=2048 "$c" >>replay.log 2>&1) || { again=1; break; }
		done
	done
	if [ ${#found[@]} -gt 0 ] && [ $again -eq 0 ]; then
		echo "ok $n - fuzz-$drv: a finding that did not reproduce on replay"
	else
		fails=$((fails + 1)); echo "not ok $n - fuzz-$drv found a crash"
	fi
	# what libFuzzer and the sanitizers said, and the stack below libFuzzer's own frames
	grep -E 'ERROR|SUMMARY|^ +#[0-9]+ 0x' "$W/$drv/run.log" |
		grep -vE '__sanitizer_print_stack_trace|fuzzer::|__libc_start|_start \(' | head -20 | sed 's/^/#   /'
	# the input itself, as hex: CI keeps no files, so this is how it can be replayed
	for c in "${found[@]}"; do
		echo "#   input: ${c##*/} ($(stat -c %s "$c") bytes)"
		{ head -c 1024 "$c" | od -An -tx1 -v | tr -d ' \n' | fold -w 96; echo; } | sed 's/^/#     /'
	done
	FUZZ_KEEP=1
done
echo "1..$n"
[ -n "${FUZZ_KEEP:-}" ] && echo "# work folder kept: $W" || rm -rf "$W"
[ $fails -eq 0 ]
