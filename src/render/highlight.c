/* highlight.c: server-side syntax highlighting of PowerShell with the analyzer's tokenizer */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "analyzer/ps_lex.h"
#include "core/core.h"
#include "render/escape.h"
#include "render/highlight.h"

static const char replacement[] = "\xEF\xBF\xBD";	/* U+FFFD */

#define PUT_LIT(b, lit) buf_append((b), (lit), sizeof(lit) - 1)

const char *
hl_class(const struct ps_token *t)
{
	bool err = t->kind == PS_TOK_ERROR || (t->flags & (PS_TOKF_UNMATCHED | PS_TOKF_NUM_BAD));

	switch (t->kind) {
	case PS_TOK_COMMENT: case PS_TOK_BLOCK_COMMENT:
		return "tk-cmt";
	case PS_TOK_REQUIRES:
		return "tk-req";
	case PS_TOK_STRING_SQ: case PS_TOK_STRING_DQ:
	case PS_TOK_HERESTRING_SQ: case PS_TOK_HERESTRING_DQ:
	case PS_TOK_STOP_PARSING:
		return "tk-str";
	case PS_TOK_VARIABLE: case PS_TOK_SPLAT:
		return "tk-var";
	case PS_TOK_NUMBER:
		return err ? "tk-num tk-err" : "tk-num";
	case PS_TOK_KEYWORD:
		return "tk-kw";
	case PS_TOK_COMMAND:
		return "tk-cmd";
	case PS_TOK_FUNCTION_NAME:
		return "tk-fn";
	case PS_TOK_PARAMETER:
		return "tk-param";
	case PS_TOK_OPERATOR: case PS_TOK_REDIRECTION: case PS_TOK_LINE_CONTINUATION:
		return "tk-op";
	case PS_TOK_TYPE:
		return t->flags & PS_TOKF_ATTRIBUTE ? "tk-attr" : "tk-type";
	case PS_TOK_MEMBER:
		return "tk-mem";
	case PS_TOK_LABEL:
		return "tk-label";
	case PS_TOK_ERROR:
		return "tk-err";
	default:
		/* newlines, bare words, brackets: plain, unless an opener was never closed */
		return err ? "tk-err" : NULL;
	}
}

/* is_bad_control: a byte that hl_render shows as U+FFFD (NUL is esc_html's). */
static inline bool
is_bad_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\0') || c == 0x7F;
}

/* escape_run: s[0..len) without line breaks, controls replaced. */
static void
escape_run(struct buf *b, const char *s, size_t len)
{
	size_t i = 0, from = 0;

	for (; i < len; i++) {
		if (!is_bad_control((unsigned char)s[i]))
			continue;
		esc_html(b, s + from, i - from);
		PUT_LIT(b, replacement);
		from = i + 1;
	}
	esc_html(b, s + from, len - from);
}

void
hl_escape_line(struct buf *b, const char *s, size_t len)
{
	size_t i = 0, from = 0;

	for (; i < len; i++) {
		if (s[i] != '\r' && s[i] != '\n')
			continue;
		escape_run(b, s + from, i - from);
		PUT_LIT(b, replacement);
		from = i + 1;
	}
	escape_run(b, s + from, len - from);
}

/* An open token: its class and the end of its text. */
struct span {
	const char *cls;
	size_t	 end;
};

struct hl {
	const char *src;
	size_t	 len;
	size_t	 pos;		/* next source byte to write */
	size_t	 line_start;	/* source offset where the current line began */
	struct span *stack;	/* enclosing tokens, outermost first */
	size_t	 depth, cap;
	size_t	 opened;	/* stack[0 .. opened) have their <span> written on this line */
	struct hl_lines *out;
};

static void
open_pending(struct hl *h)
{
	struct buf *b = &h->out->html;

	for (; h->opened < h->depth; h->opened++) {
		PUT_LIT(b, "<span class=\"");
		buf_puts(b, h->stack[h->opened].cls);
		PUT_LIT(b, "\">");
	}
}

static void
end_line(struct hl *h, size_t next_start)
{
	struct hl_lines *o = h->out;

	for (; h->opened > 0; h->opened--)
		PUT_LIT(&o->html, "</span>");
	if (o->n + 2 > o->cap_) {
		o->cap_ = o->cap_ ? o->cap_ * 2 : 256;
		o->off = xrealloc(o->off, o->cap_ * sizeof(*o->off));
	}
	o->off[++o->n] = o->html.len;
	h->line_start = next_start;
}

/* text: write src[pos .. to) inside the open spans, breaking lines at LF, CRLF and CR. */
static void
text(struct hl *h, size_t to)
{
	const char *s = h->src;
	size_t i = h->pos, from = h->pos;

	for (; i < to; i++) {
		size_t next;

		if (s[i] != '\n' && s[i] != '\r')
			continue;
		if (s[i] == '\r' && i + 1 < h->len && s[i + 1] == '\n') {
			/* the CR of a CRLF: the LF (maybe after a token boundary) breaks the line */
			if (i > from) {
				open_pending(h);
				escape_run(&h->out->html, s + from, i - from);
			}
			from = i + 1;
			continue;
		}
		if (i > from) {
			open_pending(h);
			escape_run(&h->out->html, s + from, i - from);
		}
		next = i + 1;
		end_line(h, next);
		from = next;
	}
	if (to > from) {
		open_pending(h);
		escape_run(&h->out->html, s + from, to - from);
	}
	if (to > h->pos)
		h->pos = to;
}

/* pop: write the rest of the innermost token and close it. */
static void
pop(struct hl *h)
{
	text(h, h->stack[h->depth - 1].end);
	if (h->opened == h->depth) {
		PUT_LIT(&h->out->html, "</span>");
		h->opened--;
	}
	h->depth--;
}

static void
push(struct hl *h, const char *cls, size_t end)
{
	if (h->depth == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->stack = xrealloc(h->stack, h->cap * sizeof(*h->stack));
	}
	h->stack[h->depth].cls = cls;
	h->stack[h->depth].end = end;
	h->depth++;
}

void
hl_render(const char *src, size_t len, struct hl_lines *out)
{
	struct ps_tokens toks;
	struct hl h = { .src = src, .len = len, .out = out };

	memset(out, 0, sizeof(*out));
	buf_init(&out->html);
	buf_grow(&out->html, len + len / 2 + 64);
	out->cap_ = 256;
	out->off = xmalloc(out->cap_ * sizeof(*out->off));
	out->off[0] = 0;
	ps_tokenize(src, len, &toks);
	for (size_t i = 0; i < toks.n; i++) {
		const struct ps_token *t = &toks.v[i];
		size_t start = t->start, end = t->end > len ? len : t->end;
		const char *cls;

		/* Defensive: a token must lie after what is written and inside its parent. */
		if (start < h.pos)
			start = h.pos;
		while (h.depth > 0 && h.stack[h.depth - 1].end <= start)
			pop(&h);
		if (h.depth > 0 && end > h.stack[h.depth - 1].end)
			end = h.stack[h.depth - 1].end;
		if (end <= start || (cls = hl_class(t)) == NULL)
			continue;	/* plain: its bytes are written as the text between spans */
		text(&h, start);
		push(&h, cls, end);
	}
	while (h.depth > 0)
		pop(&h);
	text(&h, len);
	if (h.line_start < len)
		end_line(&h, len);
	ps_tokens_free(&toks);
	free(h.stack);
}

void
hl_lines_free(struct hl_lines *l)
{
	buf_free(&l->html);
	free(l->off);
	l->off = NULL;
	l->n = l->cap_ = 0;
}

const char *
hl_line(const struct hl_lines *l, size_t i, size_t *len)
{
	*len = l->off[i + 1] - l->off[i];
	return l->html.data + l->off[i];
}

/* static keys, each added once: json-c neither copies nor looks them up */
#define KEY_FLAGS (JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY)

struct json_object *
hl_lines_json(const struct hl_lines *l)
{
	struct json_object *arr = json_object_new_array_ext((int)l->n);

	for (size_t i = 0; i < l->n; i++) {
		struct json_object *o = json_object_new_object();
		size_t n;
		const char *s = hl_line(l, i, &n);

		json_object_object_add_ex(o, "n", json_object_new_int64((int64_t)i + 1), KEY_FLAGS);
		json_object_object_add_ex(o, "html", json_object_new_string_len(s, (int)n), KEY_FLAGS);
		json_object_array_add(arr, o);
	}
	return arr;
}

struct json_object *
hl_json(const char *src, size_t len)
{
	struct hl_lines l;
	struct json_object *o;

	hl_render(src, len, &l);
	o = hl_lines_json(&l);
	hl_lines_free(&l);
	return o;
}

void
hl_html_rows(struct buf *b, const struct hl_lines *l, const char *id_prefix)
{
	struct buf pfx = BUF_INIT;

	esc_attr(&pfx, id_prefix ? id_prefix : "L", strlen(id_prefix ? id_prefix : "L"));
	buf_grow(b, l->html.len + l->n * (60 + 3 * pfx.len));
	for (size_t i = 0; i < l->n; i++) {
		char num[24];
		int k = snprintf(num, sizeof(num), "%zu", i + 1);
		size_t n;
		const char *s = hl_line(l, i, &n);

		PUT_LIT(b, "<tr id=\"");
		buf_append(b, pfx.data, pfx.len);
		buf_append(b, num, (size_t)k);
		PUT_LIT(b, "\"><td class=\"hl-n\"><a href=\"#");
		buf_append(b, pfx.data, pfx.len);
		buf_append(b, num, (size_t)k);
		PUT_LIT(b, "\" tabindex=\"-1\">");
		buf_append(b, num, (size_t)k);
		PUT_LIT(b, "</a></td><td class=\"hl-c\">");
		buf_append(b, s, n);
		PUT_LIT(b, "</td></tr>\n");
	}
	buf_free(&pfx);
}
