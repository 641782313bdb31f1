/* mustache.c: the Mustache engine: tokenizer, standalone lines, compiled tree, renderer, template sets */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#include "core/core.h"
#include "render/escape.h"
#include "render/mustache.h"

/*
 * How it works. Compilation makes three passes over the source, each linear:
 * 1. lex: split the source into tokens (text, one token per source line at most, and tags),
 *    following set-delimiter tags, and check that sections nest.
 * 2. lines: decide which lines are "standalone" (only whitespace and one non-interpolating
 *    tag, or one of the adjacent pairs the inheritance spec allows); their whitespace and
 *    line ending disappear. Every other line gets a line-start marker, where the renderer
 *    writes the current indentation (of standalone partials, parents and blocks).
 * 3. blocks: a standalone {{$block}} loses its content's common indentation (it is put back
 *    at the place of expansion); then the tree is built. A parent keeps only its blocks.
 * Rendering walks the tree with a context stack (json-c objects), an indentation string and a
 * stack of parent tags whose blocks override block defaults (the outermost override wins).
 */

enum tok_type {
	T_TEXT, T_LINE, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT, T_DELIM,
	T_PARTIAL, T_PARENT, T_BLOCK
};

struct tok {
	const char *s;		/* text, or the tag's name */
	size_t	 len;
	const char *ws;		/* T_LINE: the line's leading whitespace; tag: before a standalone tag */
	const char *mp;		/* standalone block: its content's common indentation */
	uint32_t wslen, mlen;
	uint32_t line, col;
	int32_t	 match;		/* the index of the matching open or close tag */
	int32_t	 encl;		/* standalone block: the nearest enclosing standalone block, or -1 */
	uint8_t	 type;
	uint8_t	 drop;		/* removed by the standalone rules */
	uint8_t	 standalone;	/* tag: alone on its line; T_LINE: the line is standalone */
	uint8_t	 blank;		/* T_LINE: only whitespace, no tag */
	uint8_t	 stripped;	/* T_LINE: already dedented by an inner block */
	uint8_t	 keepnl;	/* {{$b}}{{/b}} alone on a line: the line ending follows */
};

enum node_kind {
	N_ROOT, N_TEXT, N_LINE, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL, N_PARENT, N_BLOCK
};

struct mus_node {
	const char *s;		/* text, or the tag's name (NUL-terminated) */
	size_t	 len;
	const char *ind;	/* indentation for a standalone partial, parent or block */
	size_t	 indlen;
	const char **segs;	/* a name split at dots; nsegs 0 means "." */
	struct mus_node *kids;	/* section, block, root: contents; parent: its blocks only */
	uint32_t nkids, nsegs;
	uint32_t line, col;
	uint8_t	 kind;
	uint8_t	 blank;		/* N_LINE: no indentation on this line */
	uint8_t	 standalone;	/* N_BLOCK: re-indent the content at this place */
	uint8_t	 keepnl;	/* N_BLOCK: the next node is the line ending of its line */
};

struct mus_template {
	char	*name;
	char	*src;
	struct arena arena;
	struct mus_node root;
};

static const struct mus_limits default_limits = { 100, (size_t)256 << 20, 100000000 };

static void set_err(struct mus_error *, const char *name, unsigned line, unsigned col,
    const char *fmt, ...) PSS_PRINTF(5, 6);

static void
set_err(struct mus_error *err, const char *name, unsigned line, unsigned col,
    const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err->line = line;
	err->col = col;
	if (line > 0)
		snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: %s",
		    name && *name ? name : "template", line, col, what);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s",
		    name && *name ? name : "template", what);
}

/* ---- pass 1: the lexer ---- */

#define MAX_DELIM 16

struct lexer {
	const char *name;
	const char *src, *end;
	const char *counted;	/* line counting has reached here */
	const char *linestart;
	unsigned line;
	char	 otag[MAX_DELIM + 1], ctag[MAX_DELIM + 2];	/* ctag has room for a '}' or '=' */
	size_t	 ol, cl;
	struct tok *v;
	size_t	 n, cap;
	int32_t	 stack[MUS_MAX_NESTING];
	unsigned depth;
	struct mus_error *err;
};

static struct tok *
tok_add(struct tok **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].match = -1;
	(*v)[*n].encl = -1;
	return &(*v)[(*n)++];
}

/* lex_pos: line and column of p (p never goes backwards between calls). */
static void
lex_pos(struct lexer *lx, const char *p, uint32_t *line, uint32_t *col)
{
	const char *q;

	while ((q = memchr(lx->counted, '\n', (size_t)(p - lx->counted))) != NULL) {
		lx->line++;
		lx->linestart = q + 1;
		lx->counted = q + 1;
	}
	lx->counted = p;
	*line = lx->line;
	*col = (uint32_t)(p - lx->linestart) + 1;
}

/* lex_text: add [a, b) as text tokens, each ending at a newline or at b. */
static void
lex_text(struct lexer *lx, const char *a, const char *b)
{
	const char *nl;
	struct tok *t;

	while (a < b) {
		nl = memchr(a, '\n', (size_t)(b - a));
		nl = nl ? nl + 1 : b;
		t = tok_add(&lx->v, &lx->n, &lx->cap);
		t->type = T_TEXT;
		t->s = a;
		t->len = (size_t)(nl - a);
		a = nl;
	}
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* lex_delims: parse the inside of {{= <% %> =}} into new delimiters. 0 or -1. */
static int
lex_delims(struct lexer *lx, const char *s, size_t len, uint32_t line, uint32_t col)
{
	size_t i = 0, a, alen, b, blen;

	while (i < len && !is_space(s[i]))
		i++;
	a = 0;
	alen = i;
	while (i < len && is_space(s[i]))
		i++;
	b = i;
	while (i < len && !is_space(s[i]))
		i++;
	blen = i - b;
	if (alen == 0 || blen == 0 || i != len || alen > MAX_DELIM || blen > MAX_DELIM ||
	    memchr(s + a, '=', alen) || memchr(s + b, '=', blen)) {
		set_err(lx->err, lx->name, line, col,
		    "bad set-delimiter tag: want two delimiters without spaces or '=', at most %d bytes each",
		    MAX_DELIM);
		return -1;
	}
	memcpy(lx->otag, s + a, alen);
	lx->ol = alen;
	memcpy(lx->ctag, s + b, blen);
	lx->cl = blen;
	return 0;
}

static const char *
type_sigil(uint8_t type)
{
	switch (type) {
	case T_SECTION:
		return "#";
	case T_INVERTED:
		return "^";
	case T_PARENT:
		return "<";
	case T_BLOCK:
		return "$";
	default:
		return "";
	}
}

/* lex_tag: one tag whose name is [s, s+len); sections are matched here. 0 or -1. */
static int
lex_tag(struct lexer *lx, uint8_t type, const char *s, size_t len, uint32_t line, uint32_t col)
{
	struct tok *t, *o;
	size_t i;
	int32_t oi;

	if (len == 0) {
		set_err(lx->err, lx->name, line, col, "empty tag name");
		return -1;
	}
	for (i = 0; i < len; i++)
		if (is_space(s[i]) || s[i] == '\0') {
			set_err(lx->err, lx->name, line, col, "tag name \"%.*s\" contains a space or NUL",
			    (int)(len > 64 ? 64 : len), s);
			return -1;
		}
	if (type == T_CLOSE) {
		if (lx->depth == 0) {
			set_err(lx->err, lx->name, line, col, "{{/%.*s}} closes no section",
			    (int)(len > 64 ? 64 : len), s);
			return -1;
		}
		oi = lx->stack[lx->depth - 1];
		o = &lx->v[oi];
		if (o->len != len || memcmp(o->s, s, len) != 0) {
			set_err(lx->err, lx->name, line, col,
			    "{{/%.*s}} does not match {{%s%.*s}} opened at line %u, column %u",
			    (int)(len > 64 ? 64 : len), s, type_sigil(o->type),
			    (int)(o->len > 64 ? 64 : o->len), o->s, o->line, o->col);
			return -1;
		}
		lx->depth--;
	}
	t = tok_add(&lx->v, &lx->n, &lx->cap);
	t->type = type;
	t->s = s;
	t->len = len;
	t->line = line;
	t->col = col;
	if (type == T_CLOSE) {
		t->match = lx->stack[lx->depth];
		lx->v[t->match].match = (int32_t)(lx->n - 1);
	}
	if (type == T_SECTION || type == T_INVERTED || type == T_PARENT || type == T_BLOCK) {
		if (lx->depth == MUS_MAX_NESTING) {
			set_err(lx->err, lx->name, line, col, "sections nested deeper than %d",
			    MUS_MAX_NESTING);
			return -1;
		}
		lx->stack[lx->depth++] = (int32_t)(lx->n - 1);
	}
	return 0;
}

/* sigil_type: the tag type a sigil after the opening delimiter gives; T_VAR for none. */
static uint8_t
sigil_type(char c)
{
	static const char sigils[] = "{&#^/!=><$";
	static const uint8_t types[] = {
		T_RAW, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT, T_DELIM, T_PARTIAL,
		T_PARENT, T_BLOCK,
	};
	const char *p = c ? strchr(sigils, c) : NULL;

	return p ? types[p - sigils] : T_VAR;
}

static int
lex(struct lexer *lx)
{
	const char *p = lx->src, *t, *q, *c, *name;
	char closer[MAX_DELIM + 2];
	size_t closelen, namelen;
	uint32_t line, col;
	uint8_t type;

	while (p < lx->end) {
		t = memmem(p, (size_t)(lx->end - p), lx->otag, lx->ol);
		if (t == NULL) {
			lex_text(lx, p, lx->end);
			break;
		}
		lex_text(lx, p, t);
		lex_pos(lx, t, &line, &col);
		q = t + lx->ol;
		type = q < lx->end ? sigil_type(*q) : T_VAR;
		closelen = 0;
		if (type != T_VAR) {
			/* {{{name}}} and {{=a b=}} close with their sigil's mirror before the delimiter. */
			if (*q == '{' || *q == '=')
				closer[closelen++] = *q == '{' ? '}' : '=';
			q++;
		}
		memcpy(closer + closelen, lx->ctag, lx->cl);
		closelen += lx->cl;
		c = q <= lx->end ? memmem(q, (size_t)(lx->end - q), closer, closelen) : NULL;
		if (c == NULL) {
			set_err(lx->err, lx->name, line, col, "unclosed tag: no \"%.*s\" after \"%.*s\"",
			    (int)closelen, closer, (int)(lx->end - t > 20 ? 20 : lx->end - t), t);
			return -1;
		}
		p = c + closelen;
		name = q;
		namelen = (size_t)(c - q);
		while (namelen > 0 && is_space(*name)) {
			name++;
			namelen--;
		}
		while (namelen > 0 && is_space(name[namelen - 1]))
			namelen--;
		if (type == T_COMMENT) {
			tok_add(&lx->v, &lx->n, &lx->cap)->type = T_COMMENT;
			continue;
		}
		if (type == T_DELIM) {
			if (lex_delims(lx, name, namelen, line, col) != 0)
				return -1;
			tok_add(&lx->v, &lx->n, &lx->cap)->type = T_DELIM;
			continue;
		}
		if (lex_tag(lx, type, name, namelen, line, col) != 0)
			return -1;
	}
	if (lx->depth > 0) {
		struct tok *o = &lx->v[lx->stack[lx->depth - 1]];

		set_err(lx->err, lx->name, o->line, o->col, "unclosed section {{%s%.*s}}",
		    type_sigil(o->type), (int)(o->len > 64 ? 64 : o->len), o->s);
		return -1;
	}
	return 0;
}

/* ---- pass 2: standalone lines and line-start markers ---- */

static int
standalonable(uint8_t type)
{
	return type != T_TEXT && type != T_LINE && type != T_VAR && type != T_RAW;
}

/* line_ending: the length of the "\n" or "\r\n" that ends t, or 0. */
static size_t
line_ending(const struct tok *t)
{
	if (t->len == 0 || t->s[t->len - 1] != '\n')
		return 0;
	return t->len >= 2 && t->s[t->len - 2] == '\r' ? 2 : 1;
}

/* ws_prefix: how many spaces and tabs s starts with. */
static size_t
ws_prefix(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/*
 * pair_standalone: the adjacent tag pairs that the inheritance spec lets stand alone on a line:
 * {{<p}}{{/p}}, {{$b}}{{/b}} (which keeps its line ending: returns 2), {{<p}}{{$b}} and
 * {{/b}}{{/p}}. v holds the lexer's tokens, whose matches are set.
 */
static int
pair_standalone(const struct tok *v, size_t a, size_t b)
{
	uint8_t ta = v[a].type, tb = v[b].type;

	if (ta == T_PARENT && tb == T_CLOSE && v[b].match == (int32_t)a)
		return 1;
	if (ta == T_BLOCK && tb == T_CLOSE && v[b].match == (int32_t)a)
		return 2;
	if (ta == T_PARENT && tb == T_BLOCK)
		return 1;
	if (ta == T_CLOSE && tb == T_CLOSE && v[v[a].match].type == T_BLOCK &&
	    v[v[b].match].type == T_PARENT)
		return 1;
	return 0;
}

/* lines: copy the lexer's tokens into *out with a T_LINE marker before each line. */
static void
lines(struct tok *v, size_t n, struct tok **out, size_t *outn)
{
	size_t cap = n + n / 4 + 8, i = 0, a, b, k, tags, t1, t2, le;
	int allws, standalone, pair;
	struct tok *m;

	*out = xmalloc(cap * sizeof(**out));
	*outn = 0;
	while (i < n) {
		a = i;
		b = i;
		while (b < n - 1 && !(v[b].type == T_TEXT && line_ending(&v[b])))
			b++;
		tags = 0;
		t1 = t2 = 0;
		allws = 1;
		for (k = a; k <= b; k++) {
			if (v[k].type == T_TEXT) {
				le = k == b ? line_ending(&v[k]) : 0;
				if (ws_prefix(v[k].s, v[k].len - le) != v[k].len - le)
					allws = 0;
			} else if (v[k].type != T_LINE) {
				if (tags == 0)
					t1 = k;
				else if (tags == 1)
					t2 = k;
				tags++;
			}
		}
		standalone = pair = 0;
		if (allws && tags == 1 && standalonable(v[t1].type))
			standalone = 1;
		else if (allws && tags == 2 && t2 == t1 + 1 && (pair = pair_standalone(v, t1, t2)))
			standalone = 1;

		m = tok_add(out, outn, &cap);
		m->type = T_LINE;
		if (v[a].type == T_TEXT) {
			m->ws = v[a].s;
			m->wslen = (uint32_t)ws_prefix(v[a].s, v[a].len);
		}
		m->blank = tags == 0 && allws;
		m->standalone = m->drop = (uint8_t)standalone;
		if (standalone) {
			v[t1].standalone = 1;
			if (tags == 2)
				v[t2].standalone = 1;
			if (a < t1) {
				v[t1].ws = v[a].s;
				v[t1].wslen = (uint32_t)v[a].len;
			}
			for (k = a; k <= b; k++)
				if (v[k].type == T_TEXT)
					v[k].drop = 1;
			if (pair == 2 && b > t2 && (le = line_ending(&v[b])) > 0) {
				v[b].drop = 0;
				v[b].s += v[b].len - le;
				v[b].len = le;
				v[t1].keepnl = 1;
			}
		}
		for (k = a; k <= b; k++) {
			if (*outn == cap) {
				cap *= 2;
				*out = xrealloc(*out, cap * sizeof(**out));
			}
			(*out)[(*outn)++] = v[k];
		}
		i = b + 1;
	}
}

/* ---- pass 3: block dedent, then the tree ---- */

/* dedent: a standalone block v[o]..v[c] loses its content's common leading whitespace. */
static void
dedent(struct tok *v, size_t o, size_t c)
{
	size_t j, excl = c, cut;
	const char *first = NULL;
	uint32_t mlen = 0, k;

	if (v[c].standalone)
		for (j = c; j-- > o + 1;)
			if (v[j].type == T_LINE) {
				excl = j;
				break;
			}
	for (j = o + 1; j < c; j++) {
		if (v[j].type != T_LINE || j == excl || v[j].blank)
			continue;
		if (first == NULL) {
			first = v[j].ws;
			mlen = v[j].wslen;
			continue;
		}
		for (k = 0; k < mlen && k < v[j].wslen && v[j].ws[k] == first[k]; k++)
			;
		mlen = k;
	}
	v[o].mp = first;
	v[o].mlen = mlen;
	for (j = o + 1; j < c; j++) {
		if (v[j].type != T_LINE || v[j].stripped)
			continue;
		v[j].stripped = 1;
		if (mlen == 0 || v[j].drop || j + 1 >= c || v[j + 1].type != T_TEXT)
			continue;
		cut = v[j].wslen < mlen ? v[j].wslen : mlen;
		if (cut > v[j + 1].len)
			cut = v[j + 1].len;
		v[j + 1].s += cut;
		v[j + 1].len -= cut;
	}
}

static void
blocks(struct tok *v, size_t n)
{
	int32_t stack[MUS_MAX_NESTING], sblk[MUS_MAX_NESTING];
	size_t depth = 0, nsblk = 0, k;
	int32_t o;
	uint32_t menc;

	for (k = 0; k < n; k++) {
		switch (v[k].type) {
		case T_SECTION:
		case T_INVERTED:
		case T_PARENT:
		case T_BLOCK:
			if (v[k].type == T_BLOCK && v[k].standalone) {
				v[k].encl = nsblk ? sblk[nsblk - 1] : -1;
				sblk[nsblk++] = (int32_t)k;
			}
			stack[depth++] = (int32_t)k;
			break;
		case T_CLOSE:
			o = stack[--depth];
			v[k].match = o;
			v[o].match = (int32_t)k;
			if (v[o].type == T_BLOCK && v[o].standalone) {
				dedent(v, (size_t)o, k);
				nsblk--;
			}
			break;
		default:
			break;
		}
	}
	/* The indentation a standalone block adds where it expands, relative to its enclosing
	 * standalone block (whose dedent removed that much already). */
	for (k = 0; k < n; k++) {
		if (v[k].type != T_BLOCK || !v[k].standalone)
			continue;
		menc = v[k].encl >= 0 ? v[v[k].encl].mlen : 0;
		if (v[k].mlen > menc) {
			v[k].mp += menc;
			v[k].mlen -= menc;
		} else if (v[k].wslen > menc) {
			v[k].mp = v[k].ws + menc;
			v[k].mlen = v[k].wslen - menc;
		} else
			v[k].mlen = 0;
	}
}

struct nvec {
	struct mus_node *v;
	size_t	 n, cap;
};

static struct mus_node *
nvec_add(struct nvec *nv)
{
	if (nv->n == nv->cap) {
		nv->cap = nv->cap ? nv->cap * 2 : 16;
		nv->v = xrealloc(nv->v, nv->cap * sizeof(*nv->v));
	}
	memset(&nv->v[nv->n], 0, sizeof(*nv->v));
	return &nv->v[nv->n++];
}

/* name_split: the dotted name of n into segments in the arena. 0, or -1 for "a..b" and such. */
static int
name_split(struct arena *ar, struct mus_node *n)
{
	const char *p, *dot;
	uint32_t i, count = 1;

	if (n->len == 1 && n->s[0] == '.')
		return 0;
	for (p = n->s; (dot = memchr(p, '.', n->len - (size_t)(p - n->s))) != NULL; p = dot + 1)
		count++;
	n->segs = arena_alloc(ar, count * sizeof(*n->segs));
	p = n->s;
	for (i = 0; i < count; i++) {
		dot = memchr(p, '.', n->len - (size_t)(p - n->s));
		if (dot == NULL)
			dot = n->s + n->len;
		if (dot == p)
			return -1;
		n->segs[i] = arena_strndup(ar, p, (size_t)(dot - p));
		p = dot + 1;
	}
	n->nsegs = count;
	return 0;
}

static int
build(struct mus_template *t, struct tok *v, size_t n, struct mus_error *err)
{
	struct nvec stack[MUS_MAX_NESTING + 1];
	struct mus_node *nd, *kids;
	size_t depth = 0, k, i, j, nk;
	int rc = -1;
	static const uint8_t kinds[] = {
		[T_VAR] = N_VAR, [T_RAW] = N_RAW, [T_SECTION] = N_SECTION,
		[T_INVERTED] = N_INVERTED, [T_PARTIAL] = N_PARTIAL, [T_PARENT] = N_PARENT,
		[T_BLOCK] = N_BLOCK,
	};

	memset(&stack[0], 0, sizeof(stack[0]));
	for (k = 0; k < n; k++) {
		const struct tok *tk = &v[k];

		if (tk->drop || tk->type == T_COMMENT || tk->type == T_DELIM)
			continue;
		if (tk->type == T_TEXT && tk->len == 0)
			continue;
		if (tk->type == T_CLOSE) {
			/* Finish the open node: its kids move into the arena. */
			struct nvec *kv = &stack[depth];

			nd = &stack[depth - 1].v[stack[depth - 1].n - 1];
			nk = 0;
			for (i = 0; i < kv->n; i++)
				if (nd->kind != N_PARENT || kv->v[i].kind == N_BLOCK)
					nk++;
			kids = nk ? arena_alloc(&t->arena, nk * sizeof(*kids)) : NULL;
			for (i = j = 0; i < kv->n; i++)
				if (nd->kind != N_PARENT || kv->v[i].kind == N_BLOCK)
					kids[j++] = kv->v[i];
			nd->kids = kids;
			nd->nkids = (uint32_t)nk;
			free(kv->v);
			depth--;
			continue;
		}
		nd = nvec_add(&stack[depth]);
		nd->line = tk->line;
		nd->col = tk->col;
		if (tk->type == T_TEXT) {
			nd->kind = N_TEXT;
			nd->s = tk->s;
			nd->len = tk->len;
			continue;
		}
		if (tk->type == T_LINE) {
			nd->kind = N_LINE;
			nd->blank = tk->blank;
			continue;
		}
		nd->kind = kinds[tk->type];
		nd->s = arena_strndup(&t->arena, tk->s, tk->len);
		nd->len = tk->len;
		switch (nd->kind) {
		case N_VAR:
		case N_RAW:
		case N_SECTION:
		case N_INVERTED:
			if (name_split(&t->arena, nd) != 0) {
				set_err(err, t->name, tk->line, tk->col, "bad name \"%.*s\"",
				    (int)(tk->len > 64 ? 64 : tk->len), tk->s);
				goto out;
			}
			break;
		case N_PARTIAL:
		case N_PARENT:
			if (tk->standalone) {
				nd->ind = tk->ws;
				nd->indlen = tk->wslen;
			}
			break;
		case N_BLOCK:
			nd->standalone = tk->standalone;
			nd->keepnl = tk->keepnl;
			nd->ind = tk->mp;
			nd->indlen = tk->mlen;
			break;
		default:
			break;
		}
		if (nd->kind == N_SECTION || nd->kind == N_INVERTED || nd->kind == N_PARENT ||
		    nd->kind == N_BLOCK)
			memset(&stack[++depth], 0, sizeof(stack[0]));
	}
	t->root.kind = N_ROOT;
	t->root.nkids = (uint32_t)stack[0].n;
	t->root.kids = stack[0].n ? arena_alloc(&t->arena, stack[0].n * sizeof(*kids)) : NULL;
	if (stack[0].n)
		memcpy(t->root.kids, stack[0].v, stack[0].n * sizeof(*kids));
	rc = 0;
out:
	for (i = 0; i <= depth; i++)
		free(stack[i].v);
	return rc;
}

struct mus_template *
mus_compile(const char *name, const char *src, size_t len, struct mus_error *err)
{
	struct mus_template *t;
	struct lexer lx;
	struct tok *lv = NULL;
	size_t ln = 0;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (len > MUS_MAX_SOURCE) {
		set_err(err, name, 0, 0, "template larger than %u bytes", MUS_MAX_SOURCE);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name ? name : "");
	t->src = xmalloc(len + 1);
	if (len)
		memcpy(t->src, src, len);
	t->src[len] = '\0';
	arena_init(&t->arena);

	memset(&lx, 0, sizeof(lx));
	lx.name = t->name;
	lx.src = lx.counted = lx.linestart = t->src;
	lx.end = t->src + len;
	lx.line = 1;
	memcpy(lx.otag, "{{", 2);
	memcpy(lx.ctag, "}}", 2);
	lx.ol = lx.cl = 2;
	lx.err = err;
	if (lex(&lx) != 0)
		goto fail;
	if (lx.n > 0)
		lines(lx.v, lx.n, &lv, &ln);
	blocks(lv, ln);
	if (build(t, lv, ln, err) != 0)
		goto fail;
	free(lx.v);
	free(lv);
	return t;
fail:
	free(lx.v);
	free(lv);
	mus_template_free(t);
	return NULL;
}

void
mus_template_free(struct mus_template *t)
{
	if (t == NULL)
		return;
	arena_free(&t->arena);
	free(t->name);
	free(t->src);
	free(t);
}

const char *
mus_template_name(const struct mus_template *t)
{
	return t->name;
}

/* ---- rendering ---- */

struct frame {
	const struct mus_node *parent;	/* a parent tag whose blocks override */
	const struct mus_template *t;	/* the template it is in */
};

struct rstate {
	const struct mus_set *set;
	struct buf *out;
	size_t	 out0;
	struct json_object **ctx;
	size_t	 nctx, capctx;
	struct buf ind;
	struct frame *args;
	size_t	 nargs, capargs;
	const struct mus_template *cur;
	unsigned depth;
	uint64_t steps;
	struct mus_limits lim;
	struct mus_error *err;
	int	 failed;
	struct mus_spans *spans;	/* NULL: none noted */
};

static void render_list(struct rstate *, const struct mus_node *, size_t);

static void
fail_at(struct rstate *st, const struct mus_node *n, const char *what)
{
	if (st->failed)
		return;
	st->failed = 1;
	set_err(st->err, st->cur ? st->cur->name : NULL, n ? n->line : 0, n ? n->col : 0,
	    "%s", what);
}

static void
ctx_push(struct rstate *st, struct json_object *o)
{
	if (st->nctx == st->capctx) {
		st->capctx = st->capctx ? st->capctx * 2 : 16;
		st->ctx = xrealloc(st->ctx, st->capctx * sizeof(*st->ctx));
	}
	st->ctx[st->nctx++] = o;
}

/* child: o[seg] for an object, o[number] for an array, else NULL. */
static struct json_object *
child(struct json_object *o, const char *seg)
{
	struct json_object *v;
	size_t i, idx = 0;

	if (json_object_is_type(o, json_type_object))
		return json_object_object_get_ex(o, seg, &v) ? v : NULL;
	if (!json_object_is_type(o, json_type_array))
		return NULL;
	for (i = 0; seg[i] != '\0'; i++) {
		if (seg[i] < '0' || seg[i] > '9' || i >= 9)
			return NULL;
		idx = idx * 10 + (size_t)(seg[i] - '0');
	}
	return i > 0 && idx < json_object_array_length(o) ? json_object_array_get_idx(o, idx) : NULL;
}

static struct json_object *
lookup(struct rstate *st, const struct mus_node *n)
{
	struct json_object *v = NULL, *f;
	size_t i;
	uint32_t k;

	if (n->nsegs == 0)
		return st->ctx[st->nctx - 1];
	for (i = st->nctx; i-- > 0;) {
		f = st->ctx[i];
		if (json_object_is_type(f, json_type_object) &&
		    json_object_object_get_ex(f, n->segs[0], &v))
			break;
	}
	if (i == (size_t)-1)
		return NULL;
	for (k = 1; k < n->nsegs && v != NULL; k++)
		v = child(v, n->segs[k]);
	return v;
}

static int
truthy(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 0;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	default:
		return 1;
	}
}

/* fmt_double: the shortest decimal that reads back as d ("1.21", "100", "1e+300"). */
static int
fmt_double(char *s, size_t size, double d)
{
	int p, n = 0;

	if (d > -1e17 && d < 1e17 && d == (double)(int64_t)d)	/* range first: no UB */
		return snprintf(s, size, "%" PRId64, (int64_t)d);
	for (p = 1; p <= 17; p++) {
		n = snprintf(s, size, "%.*g", p, d);
		if (strtod(s, NULL) == d)
			break;
	}
	return n;
}

static void
put_value(struct rstate *st, struct json_object *v, int escape)
{
	char num[40], *d;
	const char *s = num;
	size_t len, at;
	int64_t i;
	uint64_t u;
	struct mus_span *sp = NULL;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return;
	case json_type_boolean:
		s = json_object_get_boolean(v) ? "true" : "false";
		len = strlen(s);
		break;
	case json_type_int:
		i = json_object_get_int64(v);
		if (i == INT64_MAX)
			u = json_object_get_uint64(v);
		else
			u = i < 0 ? -(uint64_t)i : (uint64_t)i;
		d = num + sizeof(num);
		do
			*--d = (char)('0' + u % 10);
		while ((u /= 10) > 0);
		if (i < 0)
			*--d = '-';
		s = d;
		len = (size_t)(num + sizeof(num) - d);
		break;
	case json_type_double:
		len = (size_t)fmt_double(num, sizeof(num), json_object_get_double(v));
		break;
	case json_type_string:
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		break;
	default:
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		len = strlen(s);
		break;
	}
	at = st->out->len;
	if (st->spans != NULL)	/* the first entry for v not yet written takes this writing */
		for (size_t k = 0; k < st->spans->n && sp == NULL; k++)
			if (st->spans->v[k].value == v && !st->spans->v[k].found)
				sp = &st->spans->v[k];
	if (escape)
		esc_html(st->out, s, len);
	else
		esc_none(st->out, s, len);
	if (sp != NULL) {
		sp->off = at;
		sp->len = st->out->len - at;
		sp->escaped = escape != 0;
		sp->found = true;
	}
}

/* enter: one level deeper (sections, partials, parents, blocks). 0, or -1 when too deep. */
static int
enter(struct rstate *st, const struct mus_node *n)
{
	char what[96];

	if (st->depth >= st->lim.max_depth) {
		snprintf(what, sizeof(what), "nesting deeper than %u (recursive partials?) at {{%s}}",
		    st->lim.max_depth, n->s);
		fail_at(st, n, what);
		return -1;
	}
	st->depth++;
	return 0;
}

static const struct mus_node *
find_block(struct rstate *st, const char *name, const struct mus_template **owner)
{
	size_t i;
	uint32_t k;

	for (i = 0; i < st->nargs; i++) {
		const struct mus_node *p = st->args[i].parent;

		for (k = 0; k < p->nkids; k++)
			if (strcmp(p->kids[k].s, name) == 0) {
				*owner = st->args[i].t;
				return &p->kids[k];
			}
	}
	return NULL;
}

/* include: render template t for a partial or parent node n, indented and with its arguments. */
static void
include(struct rstate *st, const struct mus_node *n, const struct mus_template *t)
{
	const struct mus_template *saved = st->cur;
	size_t indlen = st->ind.len;

	if (enter(st, n) != 0)
		return;
	if (n->kind == N_PARENT) {
		if (st->nargs == st->capargs) {
			st->capargs = st->capargs ? st->capargs * 2 : 8;
			st->args = xrealloc(st->args, st->capargs * sizeof(*st->args));
		}
		st->args[st->nargs].parent = n;
		st->args[st->nargs++].t = st->cur;
	}
	buf_append(&st->ind, n->ind, n->indlen);
	st->cur = t;
	render_list(st, t->root.kids, t->root.nkids);
	st->cur = saved;
	st->ind.len = indlen;
	if (n->kind == N_PARENT)
		st->nargs--;
	st->depth--;
}

/*
 * block: expand a block: the innermost override from the parents being rendered, else its
 * own content. Returns 1 when the line ending after {{$b}}{{/b}} (alone on its line) must be
 * skipped because the content wrote nothing or ended its last line itself; the spec keeps
 * that line ending only for content that ends mid-line.
 */
static int
block(struct rstate *st, const struct mus_node *n)
{
	const struct mus_template *saved = st->cur, *owner = st->cur;
	const struct mus_node *body;
	size_t indlen = st->ind.len, start = st->out->len;

	if (enter(st, n) != 0)
		return 0;
	body = find_block(st, n->s, &owner);
	if (body == NULL)
		body = n;
	if (n->standalone) {
		buf_append(&st->ind, n->ind, n->indlen);
		/* An override that starts right after its tag (not on a line of its own) has no
		 * line-start marker for its first line: it still starts at the indentation. */
		if (!body->standalone && body->nkids > 0)
			esc_none(st->out, st->ind.data, st->ind.len);
	}
	st->cur = owner;
	render_list(st, body->kids, body->nkids);
	st->cur = saved;
	st->ind.len = indlen;
	st->depth--;
	return n->keepnl && (st->out->len == start || st->out->data[st->out->len - 1] == '\n');
}

static void
section(struct rstate *st, const struct mus_node *n)
{
	struct json_object *v = lookup(st, n);
	size_t i, len;

	if (n->kind == N_INVERTED) {
		if (!truthy(v) && enter(st, n) == 0) {
			render_list(st, n->kids, n->nkids);
			st->depth--;
		}
		return;
	}
	if (!truthy(v) || enter(st, n) != 0)
		return;
	if (json_object_is_type(v, json_type_array)) {
		len = json_object_array_length(v);
		for (i = 0; i < len && !st->failed; i++) {
			ctx_push(st, json_object_array_get_idx(v, i));
			render_list(st, n->kids, n->nkids);
			st->nctx--;
		}
	} else {
		ctx_push(st, v);
		render_list(st, n->kids, n->nkids);
		st->nctx--;
	}
	st->depth--;
}

static void
render_list(struct rstate *st, const struct mus_node *kids, size_t count)
{
	const struct mus_node *n;
	const struct mus_template *t;
	size_t i;

	for (i = 0; i < count && !st->failed; i++) {
		n = &kids[i];
		if (++st->steps > st->lim.max_steps) {
			fail_at(st, n, "render stopped: too many steps");
			return;
		}
		switch (n->kind) {
		case N_TEXT:
			esc_none(st->out, n->s, n->len);
			break;
		case N_LINE:
			if (st->ind.len > 0 && !n->blank)
				esc_none(st->out, st->ind.data, st->ind.len);
			break;
		case N_VAR:
		case N_RAW:
			put_value(st, lookup(st, n), n->kind == N_VAR);
			break;
		case N_SECTION:
		case N_INVERTED:
			section(st, n);
			break;
		case N_PARTIAL:
		case N_PARENT:
			t = st->set ? mus_set_get(st->set, n->s) : NULL;
			if (t != NULL)
				include(st, n, t);
			break;
		case N_BLOCK:
			if (block(st, n) && i + 1 < count && kids[i + 1].kind == N_TEXT)
				i++;
			break;
		default:
			break;
		}
		if (st->out->len - st->out0 > st->lim.max_output) {
			fail_at(st, n, "render stopped: output too large");
			return;
		}
	}
}

static void
limits_merge(struct mus_limits *dst, const struct mus_limits *src)
{
	*dst = default_limits;
	if (src == NULL)
		return;
	if (src->max_depth)
		dst->max_depth = src->max_depth;
	if (src->max_output)
		dst->max_output = src->max_output;
	if (src->max_steps)
		dst->max_steps = src->max_steps;
}

/* ---- template sets ---- */

struct entry {
	char	*name;
	struct mus_template *t;
	struct timespec mtime;	/* of the file it was read from */
	off_t	 size;
	ino_t	 ino;
	int	 from_file;
	struct entry *next;
};

struct mus_set {
	unsigned flags;
	char	*dir;
	struct mus_limits lim;
	struct entry **buckets;
	size_t	 nbuckets, count;
};

static const struct mus_limits *set_limits(const struct mus_set *);

static enum pss_err
render_tree(const struct mus_template *t, const struct mus_set *set, struct json_object *ctx,
    struct mus_spans *spans, struct buf *out, struct mus_error *err)
{
	struct rstate st;

	memset(&st, 0, sizeof(st));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	st.spans = spans;
	st.set = set;
	st.out = out;
	st.out0 = out->len;
	st.cur = t;
	st.err = err;
	limits_merge(&st.lim, set ? set_limits(set) : NULL);
	ctx_push(&st, ctx);
	buf_grow(out, 0);	/* out->data is a string even when nothing is written */
	render_list(&st, t->root.kids, t->root.nkids);
	free(st.ctx);
	free(st.args);
	buf_free(&st.ind);
	return st.failed ? PSS_ETOOBIG : PSS_OK;
}

enum pss_err
mus_render(const struct mus_template *t, const struct mus_set *set, struct json_object *ctx,
    struct buf *out, struct mus_error *err)
{
	return render_tree(t, set, ctx, NULL, out, err);
}

static const struct mus_limits *
set_limits(const struct mus_set *set)
{
	return &set->lim;
}

static uint64_t
hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct entry *
set_find(const struct mus_set *set, const char *name)
{
	struct entry *e;

	for (e = set->buckets[hash_name(name) & (set->nbuckets - 1)]; e; e = e->next)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* set_put: the entry for name, created empty when missing. */
static struct entry *
set_put(struct mus_set *set, const char *name)
{
	struct entry *e = set_find(set, name), **nb, *next;
	size_t i, nn;

	if (e != NULL)
		return e;
	if (set->count * 2 >= set->nbuckets) {
		nn = set->nbuckets * 2;
		nb = xcalloc(nn, sizeof(*nb));
		for (i = 0; i < set->nbuckets; i++)
			for (e = set->buckets[i]; e; e = next) {
				next = e->next;
				e->next = nb[hash_name(e->name) & (nn - 1)];
				nb[hash_name(e->name) & (nn - 1)] = e;
			}
		free(set->buckets);
		set->buckets = nb;
		set->nbuckets = nn;
	}
	e = xcalloc(1, sizeof(*e));
	e->name = xstrdup(name);
	i = hash_name(name) & (set->nbuckets - 1);
	e->next = set->buckets[i];
	set->buckets[i] = e;
	set->count++;
	return e;
}

struct mus_set *
mus_set_new(unsigned flags)
{
	struct mus_set *set = xcalloc(1, sizeof(*set));

	set->flags = flags;
	set->lim = default_limits;
	set->nbuckets = 64;
	set->buckets = xcalloc(set->nbuckets, sizeof(*set->buckets));
	return set;
}

void
mus_set_free(struct mus_set *set)
{
	struct entry *e, *next;
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nbuckets; i++)
		for (e = set->buckets[i]; e; e = next) {
			next = e->next;
			mus_template_free(e->t);
			free(e->name);
			free(e);
		}
	free(set->buckets);
	free(set->dir);
	free(set);
}

void
mus_set_limits(struct mus_set *set, const struct mus_limits *lim)
{
	limits_merge(&set->lim, lim);
}

/* set_compile: compile src as name into the set; sb is the file it came from, or NULL. */
static enum pss_err
set_compile(struct mus_set *set, const char *name, const char *src, size_t len,
    const struct stat *sb, struct mus_error *err)
{
	struct mus_template *t = mus_compile(name, src, len, err);
	struct entry *e;

	if (t == NULL)
		return PSS_EINVAL;
	e = set_put(set, name);
	mus_template_free(e->t);
	e->t = t;
	e->from_file = sb != NULL;
	if (sb != NULL) {
		e->size = sb->st_size;
		e->ino = sb->st_ino;
		e->mtime = sb->st_mtim;
	}
	return PSS_OK;
}

enum pss_err
mus_set_add(struct mus_set *set, const char *name, const char *src, size_t len,
    struct mus_error *err)
{
	return set_compile(set, name, src, len, NULL, err);
}

const struct mus_template *
mus_set_get(const struct mus_set *set, const char *name)
{
	struct entry *e = set_find(set, name);

	return e ? e->t : NULL;
}

/* read_file: the whole file into *out (caller frees). */
static enum pss_err
read_file(const char *path, char **out, size_t *outlen, struct stat *sb, struct mus_error *err)
{
	char *data = NULL;
	size_t got = 0;
	ssize_t r;
	enum pss_err rc = PSS_EIO;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, path, 0, 0, "cannot open: %s", strerror(errno));
		return PSS_EIO;
	}
	if (fstat(fd, sb) != 0) {
		set_err(err, path, 0, 0, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (sb->st_size < 0 || (uint64_t)sb->st_size > MUS_MAX_SOURCE) {
		set_err(err, path, 0, 0, "template larger than %u bytes", MUS_MAX_SOURCE);
		rc = PSS_ETOOBIG;
		goto out;
	}
	data = xmalloc((size_t)sb->st_size + 1);
	while (got < (size_t)sb->st_size) {
		r = read(fd, data + got, (size_t)sb->st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_err(err, path, 0, 0, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	*out = data;
	*outlen = got;
	data = NULL;
	rc = PSS_OK;
out:
	free(data);
	close(fd);
	return rc;
}

/* load_file: (re)compile the file path as template name unless it is unchanged. */
static enum pss_err
load_file(struct mus_set *set, const char *name, const char *path, const struct stat *now,
    struct mus_error *err)
{
	struct entry *e = set_find(set, name);
	struct stat sb;
	char *src = NULL;
	size_t len = 0;
	enum pss_err rc;

	if (e != NULL && e->t != NULL && e->from_file && e->size == now->st_size &&
	    e->ino == now->st_ino && e->mtime.tv_sec == now->st_mtim.tv_sec &&
	    e->mtime.tv_nsec == now->st_mtim.tv_nsec)
		return PSS_OK;
	rc = read_file(path, &src, &len, &sb, err);
	if (rc != PSS_OK)
		return rc;
	rc = set_compile(set, name, src, len, &sb, err);
	free(src);
	return rc;
}

#define MUS_EXT ".mustache"
#define MUS_MAX_DIR_DEPTH 8

/* scan_dir: load every new or changed *.mustache under dir/rel. The first error is kept. */
static enum pss_err
scan_dir(struct mus_set *set, const char *rel, int depth, struct mus_error *err)
{
	struct buf path = BUF_INIT, name = BUF_INIT;
	struct dirent *de;
	struct stat sb;
	enum pss_err rc = PSS_OK, r;
	size_t nlen, elen = strlen(MUS_EXT);
	DIR *d;

	buf_printf(&path, "%s%s%s", set->dir, *rel ? "/" : "", rel);
	d = opendir(path.data);
	if (d == NULL) {
		set_err(err, path.data, 0, 0, "cannot open directory: %s", strerror(errno));
		buf_free(&path);
		return PSS_EIO;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s%s%s/%s", set->dir, *rel ? "/" : "", rel, de->d_name);
		buf_reset(&name);
		buf_printf(&name, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (lstat(path.data, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (depth + 1 < MUS_MAX_DIR_DEPTH) {
				r = scan_dir(set, name.data, depth + 1, rc == PSS_OK ? err : NULL);
				if (rc == PSS_OK)
					rc = r;
			}
			continue;
		}
		nlen = strlen(de->d_name);
		if (nlen <= elen || strcmp(de->d_name + nlen - elen, MUS_EXT) != 0)
			continue;
		if (stat(path.data, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		name.len -= elen;
		name.data[name.len] = '\0';
		r = load_file(set, name.data, path.data, &sb, rc == PSS_OK ? err : NULL);
		if (r != PSS_OK) {
			log_error("template %s: %s", path.data,
			    rc == PSS_OK && err ? err->msg : pss_strerror(r));
			if (rc == PSS_OK)
				rc = r;
		}
	}
	closedir(d);
	buf_free(&path);
	buf_free(&name);
	return rc;
}

enum pss_err
mus_set_load(const char *dir, unsigned flags, struct mus_set **out, struct mus_error *err)
{
	struct mus_set *set = mus_set_new(flags);
	enum pss_err rc;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	set->dir = xstrdup(dir);
	rc = scan_dir(set, "", 0, err);
	if (rc != PSS_OK) {
		mus_set_free(set);
		*out = NULL;
		return rc;
	}
	*out = set;
	return PSS_OK;
}

enum pss_err
mus_set_refresh(struct mus_set *set, struct mus_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (set->dir == NULL)
		return PSS_OK;
	return scan_dir(set, "", 0, err);
}

enum pss_err
mus_set_render(struct mus_set *set, const char *name, struct json_object *ctx,
    struct buf *out, struct mus_error *err)
{
	return mus_set_render_spans(set, name, ctx, NULL, out, err);
}

enum pss_err
mus_set_render_spans(struct mus_set *set, const char *name, struct json_object *ctx,
    struct mus_spans *spans, struct buf *out, struct mus_error *err)
{
	const struct mus_template *t;
	enum pss_err rc;

	if (set->flags & MUS_DEV) {
		rc = mus_set_refresh(set, err);
		if (rc != PSS_OK)
			return rc;
	}
	t = mus_set_get(set, name);
	if (t == NULL) {
		set_err(err, name, 0, 0, "no such template");
		return PSS_ENOTFOUND;
	}
	return render_tree(t, set, ctx, spans, out, err);
}
