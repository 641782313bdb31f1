/* highlight.c: server-side syntax highlighting of PowerShell with the analyzer's tokenizer */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "analyzer/ps_lex.h"
#include "core/core.h"
#include "core/text.h"
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
		return "c";
	case PS_TOK_REQUIRES:
		return "q";
	case PS_TOK_STRING_SQ: case PS_TOK_STRING_DQ:
	case PS_TOK_HERESTRING_SQ: case PS_TOK_HERESTRING_DQ:
	case PS_TOK_STOP_PARSING:
		return "s";
	case PS_TOK_VARIABLE: case PS_TOK_SPLAT:
		return "v";
	case PS_TOK_NUMBER:
		return err ? "x" : "n";
	case PS_TOK_KEYWORD:
		return "k";
	case PS_TOK_COMMAND:
		return "m";
	case PS_TOK_FUNCTION_NAME:
		return "f";
	case PS_TOK_PARAMETER:
		return "p";
	case PS_TOK_OPERATOR: case PS_TOK_REDIRECTION: case PS_TOK_LINE_CONTINUATION:
		return "o";
	case PS_TOK_TYPE:
		return t->flags & PS_TOKF_ATTRIBUTE ? "a" : "t";
	case PS_TOK_MEMBER:
		return "e";
	case PS_TOK_LABEL:
		return "l";
	case PS_TOK_ERROR:
		return "x";
	default:
		/* newlines, bare words, brackets: plain, unless an opener was never closed */
		return err ? "x" : NULL;
	}
}

/* is_bad_control: a byte that hl_render shows as U+FFFD (NUL is esc_html's). */
static inline bool
is_bad_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\0') || c == 0x7F;
}

/* escape_run: s[0..len) without line breaks, controls replaced, each bidirectional control
 * (text_bidi_at: it reorders how the text around it displays, "Trojan Source", CVE-2021-42574,
 * so a reviewer would read other code than runs) shown as a visible marker ("[U+202E]", in a
 * tk-bidi span when markup is allowed) instead of taking effect. */
static void
escape_run(struct buf *b, const char *s, size_t len, bool markup)
{
	size_t i = 0, from = 0, n;
	uint32_t cp = 0;

	for (; i < len; i++) {
		if (is_bad_control((unsigned char)s[i]))
			n = 1;
		else if ((s[i] != '\xE2' && s[i] != '\xD8') || (n = text_bidi_at(s + i, len - i, &cp)) == 0)
			continue;
		esc_html(b, s + from, i - from);
		if (n == 1)
			PUT_LIT(b, replacement);
		else if (markup)
			buf_printf(b, "<span class=\"tk-bidi\">[U+%04X]</span>", (unsigned)cp);
		else
			buf_printf(b, "[U+%04X]", (unsigned)cp);
		from = i + n;
		i += n - 1;
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
		escape_run(b, s + from, i - from, false);
		PUT_LIT(b, replacement);
		from = i + 1;
	}
	escape_run(b, s + from, len - from, false);
}

/* The length of put_close's end tag for a class */
#define CLOSE_LEN(cls) (sizeof("</h->") - 1 + strlen(cls))

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
	size_t	*open;		/* stack indexes whose element is open on this line, ascending */
	size_t	 nopen;
	const char *closed;	/* the class of the element closed last on this line, or NULL */
	size_t	 closed_at;	/* the output's length just after its end tag */
	size_t	 closed_nopen;	/* nopen after it was closed */
	struct hl_lines *out;
};

/*
 * open_top: before text is written, the innermost token's span must be open. Only that one
 * is opened: the innermost class is the one that shows, and opening every enclosing span
 * again on each line would let a few nested unterminated strings multiply the output by
 * their depth on every following line. So the open spans are a subsequence of the stack,
 * and each line costs at most one span more than the tokens that start on it.
 */
/* only_blanks: nothing but spaces and tabs in b after from */
static bool
only_blanks(const struct buf *b, size_t from)
{
	for (size_t i = from; i < b->len; i++)
		if (b->data[i] != ' ' && b->data[i] != '\t')
			return false;
	return true;
}

static void
open_top(struct hl *h)
{
	struct buf *b = &h->out->html;

	if (h->depth == 0 || (h->nopen > 0 && h->open[h->nopen - 1] == h->depth - 1))
		return;
	if (h->closed != NULL && h->nopen == h->closed_nopen &&
	    strcmp(h->closed, h->stack[h->depth - 1].cls) == 0 && only_blanks(b, h->closed_at)) {
		/* the element closed last had this class and only blanks came since: reopen it by
		 * taking its </h-c> back, so "$a $b" is one element */
		size_t cl = CLOSE_LEN(h->closed);

		memmove(b->data + h->closed_at - cl, b->data + h->closed_at, b->len - h->closed_at);
		b->len -= cl;
		b->data[b->len] = '\0';
		h->closed = NULL;
		h->open[h->nopen++] = h->depth - 1;
		return;
	}
	h->closed = NULL;
	PUT_LIT(b, "<h-");
	buf_puts(b, h->stack[h->depth - 1].cls);
	PUT_LIT(b, ">");
	h->open[h->nopen++] = h->depth - 1;
}

/* put_close: the end tag of a token's element */
static void
put_close(struct buf *b, const char *cls)
{
	PUT_LIT(b, "</h-");
	buf_puts(b, cls);
	PUT_LIT(b, ">");
}

static void
end_line(struct hl *h, size_t next_start)
{
	struct hl_lines *o = h->out;

	for (; h->nopen > 0; h->nopen--)
		put_close(&o->html, h->stack[h->open[h->nopen - 1]].cls);
	h->closed = NULL;
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
				open_top(h);
				escape_run(&h->out->html, s + from, i - from, true);
			}
			from = i + 1;
			continue;
		}
		if (i > from) {
			open_top(h);
			escape_run(&h->out->html, s + from, i - from, true);
		}
		next = i + 1;
		end_line(h, next);
		from = next;
	}
	if (to > from) {
		open_top(h);
		escape_run(&h->out->html, s + from, to - from, true);
	}
	if (to > h->pos)
		h->pos = to;
}

/* pop: write the rest of the innermost token and close it. */
static void
pop(struct hl *h)
{
	text(h, h->stack[h->depth - 1].end);
	if (h->nopen > 0 && h->open[h->nopen - 1] == h->depth - 1) {
		const char *cls = h->stack[h->depth - 1].cls;

		put_close(&h->out->html, cls);
		h->nopen--;
		/* an error's wavy underline would run on over the blanks: never joined */
		h->closed = strchr(cls, 'x') == NULL ? cls : NULL;
		h->closed_at = h->out->html.len;
		h->closed_nopen = h->nopen;
	}
	h->depth--;
}

static void
push(struct hl *h, const char *cls, size_t end)
{
	if (h->depth == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->stack = xrealloc(h->stack, h->cap * sizeof(*h->stack));
		h->open = xrealloc(h->open, h->cap * sizeof(*h->open));
	}
	h->stack[h->depth].cls = cls;
	h->stack[h->depth].end = end;
	h->depth++;
}

/*
 * cut_at: how much of src the bounds let through (at a line break), and the input's line
 * count (line breaks LF, CRLF or CR, plus a last line without one).
 */
static size_t
cut_at(const char *src, size_t len, size_t max_lines, size_t max_bytes, size_t *total)
{
	size_t breaks = 0, cut = len, last_break = 0;
	bool cutting = true;

	for (size_t i = 0; i < len; i++) {
		if (src[i] != '\n' && src[i] != '\r')
			continue;
		if (src[i] == '\r' && i + 1 < len && src[i + 1] == '\n')
			i++;
		breaks++;
		if (!cutting)
			continue;
		if (max_bytes > 0 && i + 1 > max_bytes) {
			cutting = false;
			cut = last_break;
			continue;
		}
		last_break = i + 1;
		if (max_lines > 0 && breaks == max_lines) {
			cutting = false;
			cut = last_break;
		}
	}
	*total = breaks + (len > 0 && src[len - 1] != '\n' && src[len - 1] != '\r');
	if (cutting && max_bytes > 0 && len > max_bytes)
		cut = last_break;	/* the last line goes past the bound */
	if (cut == 0 && len > 0 && max_bytes > 0 && len > max_bytes)
		cut = utf8_cut(src, len, max_bytes);	/* one line longer than the bound */
	return cut;
}

void
hl_render(const char *src, size_t len, struct hl_lines *out)
{
	hl_render_max(src, len, HL_MAX_LINES, HL_MAX_BYTES, out);
}

void
hl_render_max(const char *src, size_t len, size_t max_lines, size_t max_bytes,
    struct hl_lines *out)
{
	struct ps_tokens toks;
	size_t total, cut = cut_at(src, len, max_lines, max_bytes, &total);
	struct hl h = { .src = src, .len = cut, .out = out };

	memset(out, 0, sizeof(*out));
	out->total_lines = total;
	out->shown_bytes = cut;
	out->truncated = cut < len;
	len = cut;
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
		if (t->kind == PS_TOK_OPERATOR && end - start == 1 && (src[start] == '.' || src[start] == ','))
			continue;	/* punctuation, like the brackets: plain */
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
	free(h.open);
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
		PUT_LIT(b, "\"><td><a href=\"#");
		buf_append(b, pfx.data, pfx.len);
		buf_append(b, num, (size_t)k);
		PUT_LIT(b, "\" tabindex=\"-1\">");
		buf_append(b, num, (size_t)k);
		PUT_LIT(b, "</a></td><td>");
		buf_append(b, s, n);
		PUT_LIT(b, "</td></tr>\n");
	}
	buf_free(&pfx);
}

struct json_object *
hl_view(const char *src, size_t len)
{
	struct hl_lines l;
	struct buf rows = BUF_INIT;
	struct json_object *o = json_object_new_object();

	hl_render(src, len, &l);
	hl_html_rows(&rows, &l, NULL);
	json_object_object_add_ex(o, "rows", json_object_new_string_len(rows.data ? rows.data : "",
	    (int)rows.len), KEY_FLAGS);
	json_object_object_add_ex(o, "lines", json_object_new_int64((int64_t)l.n), KEY_FLAGS);
	json_object_object_add_ex(o, "totalLines", json_object_new_int64((int64_t)l.total_lines),
	    KEY_FLAGS);
	json_object_object_add_ex(o, "truncated", json_object_new_boolean(l.truncated), KEY_FLAGS);
	json_object_object_add_ex(o, "shownBytes", json_object_new_int64((int64_t)l.shown_bytes),
	    KEY_FLAGS);
	buf_free(&rows);
	hl_lines_free(&l);
	return o;
}
