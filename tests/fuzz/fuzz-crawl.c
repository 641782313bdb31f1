/* fuzz-crawl.c: libFuzzer driver for the crawler's parsers of untrusted bytes: robots.txt
 * (robots_parse, robots_allowed), pages into text (crawl_extract: HTML through libxml2,
 * Markdown, text) and link resolution (crawl_url_resolve). The first byte picks the parser;
 * for robots.txt and links, the input's first line is the path or the base URL. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai/crawl_html.h"
#include "ai/crawl_robots.h"
#include "ai/crawl_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1, *why, *nl;
	size_t n = size - 1;
	char *first, *rest;

	if (size < 1)
		return 0;
	nl = memchr(s, '\n', n);
	first = strndup(s, nl ? (size_t)(nl - s) : n);
	rest = strndup(nl ? nl + 1 : s + n, nl ? n - (size_t)(nl + 1 - s) : 0);
	switch (data[0] % 4) {
	case 0: {
		struct robots r;

		robots_parse(&r, nl ? nl + 1 : "", nl ? n - (size_t)(nl + 1 - s) : 0, "PSScript-Crawler");
		(void)robots_allowed(&r, first[0] == '/' ? first : "/");
		robots_free(&r);
		break;
	}
	case 1: case 2: {
		struct crawl_doc d;

		if (crawl_extract(data[0] % 4 == 1 ? CRAWL_HTML : CRAWL_MARKDOWN, s, n, NULL, &d, &why) == 0 &&
		    !utf8_valid(d.text.data ? d.text.data : "", d.text.len))
			abort();	/* the text stored is always UTF-8 */
		crawl_doc_free(&d);
		break;
	}
	default: {
		char *u = crawl_url_resolve(first, rest, NULL, &why);

		if (u != NULL && (strlen(u) > CRAWL_URL_MAX || why != NULL))
			abort();
		free(u);
		break;
	}
	}
	free(first);
	free(rest);
	return 0;
}
