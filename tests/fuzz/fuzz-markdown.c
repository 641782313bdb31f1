/* fuzz-markdown.c: libFuzzer driver for the Markdown renderer (md_render)
 *
 * Built and run by tests/fuzz/run.sh (seed corpus tests/fuzz/corpus/markdown). Checks, besides
 * the sanitizers: every element the renderer writes is closed as often as opened and never
 * more deeply nested lists than MD_MAX_DEPTH; no tag but the renderer's own (a '<' in the
 * output opens one of them, or a code token of the highlighter, <h-class>: raw HTML of the
 * input is escaped); every href is http:, https:, mailto: or relative; the output is valid
 * UTF-8.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "render/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const tags[] = { "p", "ul", "ol", "li", "pre", "code", "strong", "em", "a",
	"blockquote", "table", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6",
	"span", "hr", "h-" };
#define TOKEN_TAG (sizeof(tags) / sizeof(tags[0]) - 1)	/* the highlighter's <h-c>, any class */

static int
tag_at(const char *p, size_t *len, int *closing)
{
	*closing = p[1] == '/';
	p += 1 + *closing;
	if (p[0] == 'h' && p[1] == '-') {
		size_t k = 2;

		while (p[k] >= 'a' && p[k] <= 'z')
			k++;
		if (k > 2 && p[k] == '>') {
			*len = k;
			return (int)TOKEN_TAG;
		}
		return -1;
	}
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t k = strlen(tags[i]);

		if (strncmp(p, tags[i], k) == 0 && (p[k] == '>' || p[k] == ' ')) {
			*len = k;
			return (int)i;
		}
	}
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	int open[sizeof(tags) / sizeof(tags[0])] = { 0 }, lists = 0;

	md_render(&b, (const char *)data, size, NULL);
	if (b.len == 0)
		return 0;
	if (!utf8_valid(b.data, b.len))
		abort();
	for (const char *p = b.data; (p = strchr(p, '<')) != NULL; p++) {
		size_t len;
		int closing, t = tag_at(p, &len, &closing);

		if (t < 0)
			abort();	/* a tag the renderer does not write */
		if (strcmp(tags[t], "hr") == 0)
			continue;
		open[t] += closing ? -1 : 1;
		if (open[t] < 0)
			abort();
		if (strcmp(tags[t], "ul") == 0 || strcmp(tags[t], "ol") == 0) {
			lists += closing ? -1 : 1;
			if (lists > MD_MAX_DEPTH)
				abort();
		}
		if (!closing && strcmp(tags[t], "a") == 0) {
			const char *h = strstr(p, "href=\"");
			size_t k;

			if (h == NULL || h > strchr(p, '>'))
				abort();
			h += 6;
			for (k = 0; h[k] != '"' && h[k] != ':' && h[k] != '/' && h[k] != '?' && h[k] != '#'; k++)
				;
			if (h[k] == ':' && !(k == 4 && strncasecmp(h, "http", 4) == 0) &&
			    !(k == 5 && strncasecmp(h, "https", 5) == 0) && !(k == 6 && strncasecmp(h, "mailto", 6) == 0))
				abort();
		}
	}
	for (size_t i = 0; i < sizeof(open) / sizeof(open[0]); i++)
		if (open[i] != 0)
			abort();
	buf_free(&b);
	return 0;
}
