/* crawl_html.c: pages into text: HTML through libxml2's HTML parser (a tolerant HTML4/5
 * tokenizer and tree builder, no regular expressions), Markdown and plain text checked and
 * kept as written; titles and links */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "core/core.h"
#include "ai/crawl_html.h"

#define WALK_MAX_DEPTH 512

const char *const crawl_type_names[CRAWL_TYPE__MAX] = { "html", "markdown", "text" };

enum crawl_type
crawl_type_of(const char *t)
{
	if (strcmp(t, "text/html") == 0 || strcmp(t, "application/xhtml+xml") == 0)
		return CRAWL_HTML;
	if (strcmp(t, "text/markdown") == 0 || strcmp(t, "text/x-markdown") == 0)
		return CRAWL_MARKDOWN;
	if (strcmp(t, "text/plain") == 0)
		return CRAWL_TEXT;
	return CRAWL_TYPE__MAX;
}

enum crawl_type
crawl_type_of_path(const char *path)
{
	static const struct { const char *ext; enum crawl_type t; } exts[] = {
		{ ".html", CRAWL_HTML }, { ".htm", CRAWL_HTML }, { ".md", CRAWL_MARKDOWN },
		{ ".markdown", CRAWL_MARKDOWN }, { ".txt", CRAWL_TEXT },
	};
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (dot == NULL || (slash != NULL && slash > dot))
		return CRAWL_TYPE__MAX;
	for (size_t i = 0; i < PSS_ARRAY_LEN(exts); i++)
		if (strcasecmp(dot, exts[i].ext) == 0)
			return exts[i].t;
	return CRAWL_TYPE__MAX;
}

static void
add_link(struct crawl_doc *doc, const char *href, size_t n)
{
	if (doc->nlinks >= CRAWL_MAX_LINKS || n == 0 || n > 4096)
		return;
	if (doc->nlinks % 64 == 0)
		doc->links = xrealloc(doc->links, (doc->nlinks + 64) * sizeof(*doc->links));
	doc->links[doc->nlinks++] = xstrndup(href, n);
}

/* set_title: the first CRAWL_TITLE_MAX bytes of s (cut at a character boundary), white
 * space collapsed. */
static void
set_title(struct crawl_doc *doc, const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	bool space = false;

	for (size_t i = 0; i < n && b.len < CRAWL_TITLE_MAX; i++) {
		if (isspace((unsigned char)s[i])) {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_putc(&b, ' ');
		space = false;
		buf_putc(&b, s[i]);
	}
	while (b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0xc0) == 0x80)
		b.len--;	/* a continuation byte: drop the cut character's start too */
	if (b.len > 0 && (unsigned char)b.data[b.len - 1] >= 0xc0)
		b.len--;
	free(doc->title);
	doc->title = xstrdup(buf_cstr(&b));
	buf_free(&b);
}

/* ---- HTML ---- */

struct walk {
	struct crawl_doc *doc;
	struct buf	*out;
	bool		 space;	/* white space seen since the last character written */
	bool		 h1_title;	/* the title came from <title> */
};

/* block: ends the current line and leaves nl (1 or 2) line breaks before what follows. */
static void
block(struct walk *w, int nl)
{
	struct buf *o = w->out;
	int have = 0;

	while (o->len > 0 && o->data[o->len - 1] == ' ')
		o->len--;
	if (o->len == 0)
		return;
	for (size_t i = o->len; i > 0 && o->data[i - 1] == '\n' && have < 2; i--)
		have++;
	while (have++ < nl)
		buf_putc(o, '\n');
	w->space = false;
}

static void
text(struct walk *w, const char *s)
{
	struct buf *o = w->out;

	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s)) {
			w->space = true;
			continue;
		}
		if (w->space && o->len > 0 && o->data[o->len - 1] != '\n' && o->data[o->len - 1] != ' ')
			buf_putc(o, ' ');
		w->space = false;
		buf_putc(o, *s);
	}
}

static bool
is(const xmlNode *n, const char *name)
{
	return strcmp((const char *)n->name, name) == 0;
}

static bool
is_any(const xmlNode *n, const char *const *names)
{
	for (; *names != NULL; names++)
		if (is(n, *names))
			return true;
	return false;
}

/* code_lang: "powershell" from class="language-powershell" or "lang-powershell" on n or its
 * first <code> child, into out ("" when none). */
static void
code_lang(const xmlNode *n, char *out, size_t outsz)
{
	out[0] = '\0';
	for (int i = 0; i < 2 && n != NULL; i++) {
		xmlChar *cls = xmlGetProp(n, (const xmlChar *)"class");
		const char *p = NULL;

		if (cls != NULL && ((p = strstr((const char *)cls, "language-")) != NULL ||
		    (p = strstr((const char *)cls, "lang-")) != NULL)) {
			size_t k = 0;

			p = strchr(p, '-') + 1;
			while (p[k] != '\0' && (isalnum((unsigned char)p[k]) || p[k] == '-' || p[k] == '_') &&
			    k + 1 < outsz)
				k++;
			snprintf(out, outsz, "%.*s", (int)k, p);
		}
		xmlFree(cls);
		if (out[0] != '\0')
			return;
		for (n = n->children; n != NULL && !(n->type == XML_ELEMENT_NODE && is(n, "code")); n = n->next)
			;
	}
}

/* pre: a fenced code block, its text exactly as written (the fence longer than any run of
 * backticks inside). */
static void
pre(struct walk *w, xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	const char *s = c ? (const char *)c : "";
	size_t len = strlen(s), run = 0, longest = 0, fence;
	char lang[32];

	for (size_t i = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest >= 3 ? longest + 1 : 3;
	code_lang(n, lang, sizeof(lang));
	if (len > 0 && s[0] == '\n')
		s++, len--;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	block(w, 2);
	for (size_t i = 0; i < fence; i++)
		buf_putc(w->out, '`');
	buf_printf(w->out, "%s\n", lang);
	buf_append(w->out, s, len);
	buf_putc(w->out, '\n');
	for (size_t i = 0; i < fence; i++)
		buf_putc(w->out, '`');
	block(w, 2);
	xmlFree(c);
}

static void walk(struct walk *, xmlNode *, int depth, bool emit);

static void
element(struct walk *w, xmlNode *n, int depth, bool emit)
{
	static const char *const hidden[] = { "script", "style", "noscript", "template", "svg",
		"iframe", "object", "head", "select", "canvas", NULL };
	static const char *const blocks[] = { "p", "div", "section", "article", "main", "header",
		"footer", "nav", "aside", "table", "tr", "ul", "ol", "dl", "dt", "dd", "blockquote",
		"form", "figure", "figcaption", "details", "summary", "body", "hr", "address", NULL };
	xmlChar *href;

	if (is(n, "title") && w->doc->title == NULL) {
		xmlChar *t = xmlNodeGetContent(n);

		if (t != NULL)
			set_title(w->doc, (const char *)t, strlen((const char *)t));
		w->h1_title = false;
		xmlFree(t);
		return;
	}
	if (is(n, "base") && w->doc->base == NULL && (href = xmlGetProp(n, (const xmlChar *)"href")) != NULL) {
		w->doc->base = xstrdup((const char *)href);
		xmlFree(href);
		return;
	}
	if (is(n, "a") && (href = xmlGetProp(n, (const xmlChar *)"href")) != NULL) {
		add_link(w->doc, (const char *)href, strlen((const char *)href));
		xmlFree(href);
	}
	if (is_any(n, hidden)) {
		if (is(n, "head"))
			walk(w, n, depth + 1, false);	/* for <title> and <base> */
		return;
	}
	if (!emit) {
		walk(w, n, depth + 1, false);
		return;
	}
	if (is(n, "pre")) {
		pre(w, n);
		return;
	}
	if (is(n, "code")) {
		xmlChar *c = xmlNodeGetContent(n);

		text(w, "");
		if (w->space && w->out->len > 0 && w->out->data[w->out->len - 1] != '\n')
			buf_putc(w->out, ' ');
		w->space = false;
		buf_putc(w->out, '`');
		for (const char *s = c ? (const char *)c : ""; *s != '\0'; s++)
			buf_putc(w->out, *s == '\n' || *s == '\r' ? ' ' : *s);
		buf_putc(w->out, '`');
		xmlFree(c);
		return;
	}
	if (n->name[0] == 'h' && n->name[1] >= '1' && n->name[1] <= '6' && n->name[2] == '\0') {
		size_t at;

		block(w, 2);
		for (int i = 0; i < n->name[1] - '0'; i++)
			buf_putc(w->out, '#');
		buf_putc(w->out, ' ');
		at = w->out->len;
		walk(w, n, depth + 1, true);
		if (n->name[1] == '1' && (w->doc->title == NULL || w->doc->title[0] == '\0'))
			set_title(w->doc, w->out->data + at, w->out->len - at);
		block(w, 2);
		return;
	}
	if (is(n, "li")) {
		block(w, 1);
		buf_puts(w->out, "- ");
		walk(w, n, depth + 1, true);
		block(w, 1);
		return;
	}
	if (is(n, "br")) {
		block(w, 1);
		return;
	}
	if (is(n, "td") || is(n, "th")) {
		w->space = true;
		walk(w, n, depth + 1, true);
		w->space = true;
		return;
	}
	if (is_any(n, blocks)) {
		block(w, 2);
		walk(w, n, depth + 1, true);
		block(w, 2);
		return;
	}
	walk(w, n, depth + 1, true);
}

static void
walk(struct walk *w, xmlNode *parent, int depth, bool emit)
{
	if (depth > WALK_MAX_DEPTH)
		return;
	for (xmlNode *n = parent->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			element(w, n, depth, emit);
		else if (emit && (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
		    n->content != NULL)
			text(w, (const char *)n->content);
	}
}

static void
silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static int
extract_html(const char *body, size_t len, const char *charset, struct crawl_doc *doc,
    const char **why)
{
	struct walk w = { doc, &doc->text, false, false };
	htmlDocPtr d;
	xmlNode *root;
	int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;

	xmlSetGenericErrorFunc(NULL, silent);
	if (len > INT_MAX) {
		*why = "the page is too large to parse";
		return -1;
	}
	d = htmlReadMemory(body, (int)len, NULL, charset, opts);
	if (d == NULL && charset != NULL)	/* a charset libxml2 does not know: let it sniff */
		d = htmlReadMemory(body, (int)len, NULL, NULL, opts);
	if (d == NULL || (root = xmlDocGetRootElement(d)) == NULL) {
		if (d != NULL)
			xmlFreeDoc(d);
		*why = "the HTML could not be parsed";
		return -1;
	}
	element(&w, root, 0, true);
	block(&w, 1);
	xmlFreeDoc(d);
	if (doc->title == NULL)
		doc->title = xstrdup("");
	return 0;
}

/* ---- Markdown and text ---- */

static void
extract_markdown(const char *s, size_t len, struct crawl_doc *doc)
{
	const char *p = s, *end = s + len;
	bool fenced = false, front = len >= 4 && memcmp(s, "---\n", 4) == 0;

	buf_append(&doc->text, s, len);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		size_t n = (size_t)(e - p);

		if (front && p != s && n >= 3 && memcmp(p, "---", 3) == 0) {
			front = false;
		} else if (front) {
			if (n > 6 && strncasecmp(p, "title:", 6) == 0 && doc->title == NULL) {
				const char *t = p + 6;
				size_t k = n - 6;

				while (k > 0 && (*t == ' ' || *t == '"' || *t == '\'')) t++, k--;
				while (k > 0 && (t[k - 1] == '"' || t[k - 1] == '\'' || isspace((unsigned char)t[k - 1]))) k--;
				set_title(doc, t, k);
			}
		} else if (n >= 3 && (memcmp(p, "```", 3) == 0 || memcmp(p, "~~~", 3) == 0)) {
			fenced = !fenced;
		} else if (!fenced) {
			if (doc->title == NULL && n > 2 && p[0] == '#' && p[1] == ' ')
				set_title(doc, p + 2, n - 2);
			/* inline links: [text](target "title") */
			for (const char *q = p; q + 1 < e; q++) {
				const char *t, *te;

				if (q[0] != ']' || q[1] != '(')
					continue;
				t = q + 2;
				if (t < e && *t == '<') {
					t++;
					for (te = t; te < e && *te != '>'; te++)
						;
				} else
					for (te = t; te < e && *te != ')' && !isspace((unsigned char)*te); te++)
						;
				if (te < e)
					add_link(doc, t, (size_t)(te - t));
				q = te > q ? te - 1 : q;
			}
		}
		p = e + 1;
	}
	if (doc->title == NULL)
		doc->title = xstrdup("");
}

static void
extract_text(const char *s, size_t len, struct crawl_doc *doc)
{
	const char *p = s, *end = s + len;

	buf_append(&doc->text, s, len);
	while (p < end && doc->title == NULL) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *q = p;

		while (q < e && isspace((unsigned char)*q))
			q++;
		if (q < e)
			set_title(doc, q, (size_t)(e - q));
		p = e + 1;
	}
	if (doc->title == NULL)
		doc->title = xstrdup("");
}

int
crawl_extract(enum crawl_type t, const char *body, size_t len, const char *charset,
    struct crawl_doc *doc, const char **why)
{
	memset(doc, 0, sizeof(*doc));
	*why = NULL;
	if (memchr(body, '\0', len) != NULL) {
		*why = "binary content (NUL bytes), not text";
		return -1;
	}
	switch (t) {
	case CRAWL_HTML:
		if (extract_html(body, len, charset, doc, why) != 0)
			return -1;
		break;
	case CRAWL_MARKDOWN:
	case CRAWL_TEXT:
		if (charset != NULL && strcasecmp(charset, "utf-8") != 0 && strcasecmp(charset, "us-ascii") != 0 &&
		    strcasecmp(charset, "utf8") != 0) {
			*why = "a text charset other than UTF-8";
			return -1;
		}
		if (!utf8_valid(body, len)) {
			*why = "the text is not valid UTF-8";
			return -1;
		}
		if (t == CRAWL_MARKDOWN)
			extract_markdown(body, len, doc);
		else
			extract_text(body, len, doc);
		break;
	default:
		*why = "unsupported content type";
		return -1;
	}
	if (!utf8_valid(doc->text.data ? doc->text.data : "", doc->text.len)) {
		*why = "the text is not valid UTF-8";
		return -1;
	}
	return 0;
}

void
crawl_doc_free(struct crawl_doc *doc)
{
	free(doc->title);
	free(doc->base);
	buf_free(&doc->text);
	for (size_t i = 0; i < doc->nlinks; i++)
		free(doc->links[i]);
	free(doc->links);
	memset(doc, 0, sizeof(*doc));
}
