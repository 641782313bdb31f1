#include "config.h"
/* parse.c: the PowerShell parser: tokens to a tree, recursive descent with a depth limit */

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/parse_int.h"
#include "analyzer/ps_ast.h"
#include "core/core.h"

/*
 * Recursive descent over the significant tokens (comments and line
 * continuations are skipped; newlines end statements). Every recursive entry
 * point counts depth; past PS_PARSE_MAX_DEPTH the rest of the construct is
 * skipped iteratively and becomes one PS_NODE_ERROR, so no input can exhaust
 * the stack. Tokens nested in an expandable string are parsed in a window
 * (p->limit) when the string is, and skipped otherwise.
 */

struct parser {
	struct ps_ast *ast;
	struct arena *A;
	const char *src;
	const struct ps_token *tv;
	size_t	 ntok;
	size_t	 i;		/* next token */
	size_t	 limit;		/* window end (ntok outside strings) */
	size_t	 last;		/* last consumed token */
	int	 depth;
	int	 in_class;
	int	 no_comma;	/* commas separate arguments here, not array elements */
	struct ps_node *func;
	struct parse_result res;
};

static const struct ps_token eof_tok = { PS_TOK__MAX, 0, 0, 0, 0, 0, 0, 0, 0 };

/* ---- vectors ---- */

void
ps_pvec_push_grow(struct pvec *v, struct ps_node *n)
{
	if (v->cap == 0) {
		v->v = v->inl;
		v->cap = PVEC_INLINE;
	} else if (v->v == v->inl) {
		v->cap *= 2;
		v->v = xmalloc(v->cap * sizeof(*v->v));
		memcpy(v->v, v->inl, sizeof(v->inl));
	} else {
		v->cap *= 2;
		v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n++] = n;
}

struct ps_nodes
ps_pvec_to_nodes(struct ps_ast *ast, struct pvec *v)
{
	struct ps_nodes r = { NULL, 0 };

	if (v->n > 0) {
		r.v = ps_ast_alloc(ast, v->n * sizeof(*r.v));
		memcpy(r.v, v->v, v->n * sizeof(*r.v));
		r.n = v->n;
	}
	ps_pvec_free(v);
	return r;
}

/* ---- tokens ---- */

/* line continuation, comment, block comment and #Requires: one range test */
_Static_assert(PS_TOK_COMMENT == PS_TOK_LINE_CONTINUATION + 1 && PS_TOK_BLOCK_COMMENT ==
    PS_TOK_LINE_CONTINUATION + 2 && PS_TOK_REQUIRES == PS_TOK_LINE_CONTINUATION + 3,
    "the skippable token kinds are consecutive");
static int
skippable(const struct ps_token *t)
{
	return (unsigned)t->kind - PS_TOK_LINE_CONTINUATION <= PS_TOK_REQUIRES - PS_TOK_LINE_CONTINUATION;
}

/*
 * The parser keeps p->i on a significant token (or at p->limit): every move of p->i (next, the
 * windows of parse_string_parts, the start) ends with settle, which steps over line
 * continuations, comments and #Requires lines; a restore (p->i = save) returns to a settled
 * index. So peek, called about six times per token, is one test.
 */
static void
settle(struct parser *p)
{
	size_t i = p->i, lim = p->limit;

	while (i < lim && skippable(&p->tv[i]))
		i++;
	p->i = i;
}

static inline __attribute__((always_inline)) const struct ps_token *
peek(struct parser *p)
{
	return p->i < p->limit ? &p->tv[p->i] : &eof_tok;
}

/* the significant token after the current one (newlines count) */
static const struct ps_token *
peek2(struct parser *p)
{
	size_t j;

	peek(p);
	for (j = p->i + 1; j < p->limit; j++) {
		if (skippable(&p->tv[j]))
			continue;
		/* skip tokens nested in the current string */
		if (p->i < p->limit && p->tv[j].start < p->tv[p->i].end)
			continue;
		return &p->tv[j];
	}
	return &eof_tok;
}

static size_t
cur_index(struct parser *p)
{
	peek(p);
	return p->i < p->limit ? p->i : (p->ntok ? p->ntok - 1 : 0);
}

/* consume the current token (and any tokens nested in it) */
static const struct ps_token *
next(struct parser *p)
{
	size_t i = p->i, lim = p->limit;
	const struct ps_token *t;
	uint32_t end;

	if (i >= lim)	/* peek's end test, without comparing its answer to &eof_tok */
		return &eof_tok;
	t = &p->tv[i];
	p->last = i;
	end = t->end;
	while (++i < lim && p->tv[i].start < end)
		;
	while (i < lim && skippable(&p->tv[i]))
		i++;
	p->i = i;
	return t;
}

static int
at_eof(struct parser *p)
{
	return peek(p) == &eof_tok;
}

static int
is_kind(const struct ps_token *t, enum ps_tok_kind k)
{
	return t->kind == k;
}

static int
is_op(const struct ps_token *t, enum ps_op op)
{
	return t->kind == PS_TOK_OPERATOR && t->sub == op;
}

static int
is_kw(const struct ps_token *t, enum ps_kw kw)
{
	return t->kind == PS_TOK_KEYWORD && t->sub == kw;
}

static int
is_closer(const struct ps_token *t)
{
	return t->kind == PS_TOK_RPAREN || t->kind == PS_TOK_RBRACE || t->kind == PS_TOK_RBRACKET;
}

/* tokens that end a statement */
static int
is_terminator(const struct ps_token *t)
{
	return t->kind == PS_TOK__MAX || t->kind == PS_TOK_NEWLINE || t->kind == PS_TOK_SEMICOLON ||
	    is_closer(t);
}

static void
skip_newlines(struct parser *p)
{
	while (is_kind(peek(p), PS_TOK_NEWLINE))
		next(p);
}

static void
skip_separators(struct parser *p)
{
	while (is_kind(peek(p), PS_TOK_NEWLINE) || is_kind(peek(p), PS_TOK_SEMICOLON))
		next(p);
}

static const char *
tok_text(struct parser *p, const struct ps_token *t, size_t *len)
{
	*len = t->end - t->start;
	return p->src + t->start;
}

static char *
tok_strdup(struct parser *p, const struct ps_token *t)
{
	return ps_ast_strndup(p->ast, p->src + t->start, t->end - t->start);
}

/* ---- nodes ---- */

/* A token's position fields are laid out as a struct ps_extent (one token's extent is a
 * copy of them). */
_Static_assert(offsetof(struct ps_token, end) - offsetof(struct ps_token, start) ==
    offsetof(struct ps_extent, end) && offsetof(struct ps_token, line) -
    offsetof(struct ps_token, start) == offsetof(struct ps_extent, line) &&
    offsetof(struct ps_token, column) - offsetof(struct ps_token, start) ==
    offsetof(struct ps_extent, column) && offsetof(struct ps_token, end_line) -
    offsetof(struct ps_token, start) == offsetof(struct ps_extent, end_line) &&
    offsetof(struct ps_token, end_column) - offsetof(struct ps_token, start) ==
    offsetof(struct ps_extent, end_column) && sizeof(struct ps_extent) == 24 &&
    sizeof(struct ps_token) - offsetof(struct ps_token, start) == 24,
    "token positions laid out as an extent");

static void
ext_from(struct parser *p, struct ps_extent *e, size_t first, size_t last)
{
	const struct ps_token *a, *b;

	if (first == last && first < p->ntok) {	/* one token (the usual case) */
		memcpy(e, &p->tv[first].start, sizeof(*e));
		return;
	}
	if (p->ntok == 0) {
		e->line = e->column = e->end_line = e->end_column = 1;
		return;
	}
	if (first >= p->ntok)
		first = p->ntok - 1;
	if (last >= p->ntok)
		last = p->ntok - 1;
	if (last < first)
		last = first;
	a = &p->tv[first];
	b = &p->tv[last];
	e->start = a->start;
	e->line = a->line;
	e->column = a->column;
	e->end = b->end > a->start ? b->end : a->end;
	e->end_line = b->end > a->start ? b->end_line : a->end_line;
	e->end_column = b->end > a->start ? b->end_column : a->end_column;
}

/* Bytes a node of this kind needs: the common header and its own union member
 * (most nodes are strings, variables and commands; a full node is 3x larger). */
/* Nodes are bump-allocated from the tree's slabs (ps_ast_alloc: zeroed, 16-byte aligned). */
static struct ps_node *
node_alloc(struct parser *p, size_t size)
{
	return ps_ast_alloc(p->ast, size);
}

static size_t
node_size(enum ps_node_kind kind)
{
	const size_t h = offsetof(struct ps_node, u);
	struct ps_node *z = NULL;

	switch (kind) {
	case PS_NODE_SCRIPTBLOCK: return h + sizeof(z->u.sb);
	case PS_NODE_NAMED_BLOCK: case PS_NODE_STATEMENT_BLOCK: case PS_NODE_DATA:
		return h + sizeof(z->u.blk);
	case PS_NODE_FUNCTION: return h + sizeof(z->u.fn);
	case PS_NODE_PARAM_BLOCK: return h + sizeof(z->u.pb);
	case PS_NODE_PARAMETER: return h + sizeof(z->u.param);
	case PS_NODE_ATTRIBUTE: return h + sizeof(z->u.attr);
	case PS_NODE_NAMED_ATTR_ARG: return h + sizeof(z->u.nattr);
	case PS_NODE_CLASS: case PS_NODE_ENUM: return h + sizeof(z->u.cls);
	case PS_NODE_PROPERTY_MEMBER: return h + sizeof(z->u.prop);
	case PS_NODE_METHOD_MEMBER: return h + sizeof(z->u.meth);
	case PS_NODE_USING: return h + sizeof(z->u.use);
	case PS_NODE_PIPELINE: return h + sizeof(z->u.pipe);
	case PS_NODE_PIPELINE_CHAIN: return h + sizeof(z->u.chain);
	case PS_NODE_COMMAND: return h + sizeof(z->u.cmd);
	case PS_NODE_COMMAND_PARAMETER: return h + sizeof(z->u.cparam);
	case PS_NODE_REDIRECTION: return h + sizeof(z->u.redir);
	case PS_NODE_ASSIGNMENT: return h + sizeof(z->u.asg);
	case PS_NODE_IF: return h + sizeof(z->u.ifs);
	case PS_NODE_SWITCH: return h + sizeof(z->u.sw);
	case PS_NODE_FOR: case PS_NODE_FOREACH: case PS_NODE_WHILE: case PS_NODE_DO_WHILE:
	case PS_NODE_DO_UNTIL:
		return h + sizeof(z->u.loop);
	case PS_NODE_TRY: return h + sizeof(z->u.try_);
	case PS_NODE_CATCH: case PS_NODE_TRAP: return h + sizeof(z->u.ctch);
	case PS_NODE_BREAK: case PS_NODE_CONTINUE: case PS_NODE_RETURN: case PS_NODE_THROW:
	case PS_NODE_EXIT:
		return h + sizeof(z->u.flow);
	case PS_NODE_BINARY: return h + sizeof(z->u.bin);
	case PS_NODE_UNARY: return h + sizeof(z->u.un);
	case PS_NODE_TERNARY: return h + sizeof(z->u.tern);
	case PS_NODE_CONVERT: return h + sizeof(z->u.conv);
	case PS_NODE_VARIABLE: return h + sizeof(z->u.var);
	case PS_NODE_STRING: return h + sizeof(z->u.str);
	case PS_NODE_NUMBER: return h + sizeof(z->u.num);
	case PS_NODE_TYPE: return h + sizeof(z->u.type);
	case PS_NODE_MEMBER: case PS_NODE_INVOKE_MEMBER: return h + sizeof(z->u.mem);
	case PS_NODE_INDEX: return h + sizeof(z->u.idx);
	case PS_NODE_ARRAY_LITERAL: case PS_NODE_ARRAY_EXPR: case PS_NODE_SUBEXPR: case PS_NODE_PAREN:
		return h + sizeof(z->u.list);
	case PS_NODE_HASHTABLE: return h + sizeof(z->u.hash);
	default: return h;
	}
}

static struct ps_node *
mk_at(struct parser *p, enum ps_node_kind kind, size_t first)
{
	struct ps_node *n = node_alloc(p, node_size(kind));

	if (first >= p->ntok)
		first = p->ntok ? p->ntok - 1 : 0;

	n->kind = (uint8_t)kind;
	n->in_class = (uint8_t)p->in_class;
	n->func = p->func;
	n->tok_first = (uint32_t)first;
	n->tok_last = (uint32_t)first;
	if (first < p->ntok)	/* ext_from's one-token case, without the call */
		memcpy(&n->ext, &p->tv[first].start, sizeof(n->ext));
	else
		ext_from(p, &n->ext, first, first);
	ps_pvec_push(&p->res.all, n);
	return n;
}

static struct ps_node *
mk(struct parser *p, enum ps_node_kind kind)
{
	return mk_at(p, kind, cur_index(p));
}

/* end the node at the last consumed token; a node that consumed nothing is
 * empty, placed just after the last consumed token (inside its parent) */
static struct ps_node *
fin(struct parser *p, struct ps_node *n)
{
	if (p->last == SIZE_MAX || p->last < n->tok_first) {
		const struct ps_token *t = p->last == SIZE_MAX ? NULL : &p->tv[p->last];

		if (t != NULL)
			n->tok_first = (uint32_t)p->last;
		n->tok_last = n->tok_first;
		n->ext.start = n->ext.end = t ? t->end : 0;
		n->ext.line = n->ext.end_line = t ? t->end_line : 1;
		n->ext.column = n->ext.end_column = t ? t->end_column : 1;
		return n;
	}
	n->tok_last = (uint32_t)p->last;
	ext_from(p, &n->ext, n->tok_first, p->last);
	return n;
}

static struct ps_node *
adopt(struct ps_node *parent, struct ps_node *child)
{
	if (child != NULL)
		child->parent = parent;
	return child;
}

static void
adopt_all(struct ps_node *parent, struct ps_nodes *l)
{
	for (size_t i = 0; i < l->n; i++)
		l->v[i]->parent = parent;
}

static void
diag_at(struct parser *p, const struct ps_token *t, const char *msg)
{
	struct ps_extent e;
	size_t idx = t == &eof_tok ? (p->ntok ? p->ntok - 1 : 0) : (size_t)(t - p->tv);

	memset(&e, 0, sizeof(e));
	ext_from(p, &e, idx, idx);
	ps_parse_diag(p->ast, &p->res, &e, msg);
}

static int
expect(struct parser *p, enum ps_tok_kind k, const char *msg)
{
	if (is_kind(peek(p), k)) {
		next(p);
		return 1;
	}
	diag_at(p, peek(p), msg);
	return 0;
}

/* ---- depth limit ---- */

static int
opener(const struct ps_token *t)
{
	switch (t->kind) {
	case PS_TOK_LPAREN: case PS_TOK_LBRACE: case PS_TOK_LBRACKET: case PS_TOK_SUBEXPR:
	case PS_TOK_ARRAY_EXPR: case PS_TOK_HASH_START:
		return 1;
	case PS_TOK_OPERATOR:
		return t->sub == PS_OP_NULL_INDEX;
	default:
		return 0;
	}
}

/* Too deep: skip (iteratively) to the end of the enclosing construct. */
static struct ps_node *
too_deep(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_ERROR);
	long bal = 0;

	p->ast->depth_exceeded = true;
	diag_at(p, peek(p), "nesting too deep");
	for (;;) {
		const struct ps_token *t = peek(p);

		if (t == &eof_tok)
			break;
		if (opener(t))
			bal++;
		else if (is_closer(t)) {
			if (bal == 0)
				break;
			bal--;
		}
		next(p);
	}
	return fin(p, n);
}

static int
enter(struct parser *p)
{
	if (p->depth >= PS_PARSE_MAX_DEPTH)
		return 0;
	p->depth++;
	return 1;
}

static void
leave(struct parser *p)
{
	p->depth--;
}

/* ---- forward declarations ---- */

static struct ps_node *parse_statement(struct parser *);
static struct ps_node *parse_pipeline_chain(struct parser *);
static struct ps_node *parse_expression(struct parser *);
static struct ps_node *parse_expression_nc(struct parser *);
static struct ps_node *parse_unary(struct parser *);
static struct ps_node *parse_scriptblock_body(struct parser *, struct ps_node *sb, enum ps_tok_kind closer);
static struct ps_node *parse_attribute_or_type(struct parser *);
static void parse_statement_list(struct parser *, struct pvec *, enum ps_tok_kind closer);

/* ---- leaves ---- */

static struct ps_node *
parse_variable_tok(struct parser *p)
{
	const struct ps_token *t = peek(p);
	struct ps_node *n = mk(p, PS_NODE_VARIABLE);
	size_t len;
	char *name = ps_parse_decode_string(p->ast, p->src, t, &len), *colon;

	next(p);
	n->u.var.name = name;
	n->u.var.splat = t->kind == PS_TOK_SPLAT;
	n->u.var.braced = (t->flags & PS_TOKF_BRACED) != 0;
	n->u.var.in_string = (t->flags & PS_TOKF_NESTED) != 0;
	colon = strchr(name, ':');
	if (colon != NULL && colon != name) {
		n->u.var.scope = ps_ast_strndup(p->ast, name, (size_t)(colon - name));
		n->u.var.bare = colon + 1;
	} else {
		n->u.var.bare = name;
	}
	return fin(p, n);
}

static double
number_value(const char *s, size_t len, bool *is_hex)
{
	char buf[128];
	size_t i = 0, j = 0;
	double sign = 1, mult = 1, v;
	int neg = 0;

	*is_hex = false;
	if (len >= sizeof(buf))
		return NAN;
	if (len > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	} else if (len >= 3 && (unsigned char)s[0] == 0xE2) {
		neg = 1;
		i = 3;
	}
	sign = neg ? -1 : 1;
	for (; i < len; i++)
		buf[j++] = s[i];
	buf[j] = '\0';
	/* multiplier */
	if (j >= 2 && (buf[j - 1] == 'b' || buf[j - 1] == 'B')) {
		switch (buf[j - 2] | 0x20) {
		case 'k': mult = 1024.0; break;
		case 'm': mult = 1024.0 * 1024; break;
		case 'g': mult = 1024.0 * 1024 * 1024; break;
		case 't': mult = 1024.0 * 1024 * 1024 * 1024; break;
		case 'p': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; break;
		default: break;
		}
		if (mult != 1) {
			j -= 2;
			buf[j] = '\0';
		}
	}
	if (j > 2 && buf[0] == '0' && (buf[1] | 0x20) == 'x') {
		*is_hex = true;
		v = (double)strtoull(buf + 2, NULL, 16);
	} else if (j > 2 && buf[0] == '0' && (buf[1] | 0x20) == 'b') {
		*is_hex = true;
		v = (double)strtoull(buf + 2, NULL, 2);
	} else if (j > 0 && j <= 15 && strspn(buf, "0123456789") == j) {
		/* digits only (most numbers): below 10^15, exact in a double, as strtod reads them */
		uint64_t u = 0;

		for (size_t k = 0; k < j; k++)
			u = u * 10 + (uint64_t)(buf[k] - '0');
		v = (double)u;
	} else {
		char *end;

		v = strtod(buf, &end);
		if (end == buf)
			return NAN;
	}
	return sign * v * mult;
}

static struct ps_node *
parse_number_tok(struct parser *p)
{
	const struct ps_token *t = next(p);
	struct ps_node *n = mk_at(p, PS_NODE_NUMBER, p->last);
	size_t len;
	const char *s = tok_text(p, t, &len);

	n->u.num.value = number_value(s, len, &n->u.num.is_hex);
	return fin(p, n);
}

/* the $var and $( ) parts nested in an expandable string token at index idx */
static void
parse_string_parts(struct parser *p, struct ps_node *n, size_t idx)
{
	size_t save_limit = p->limit, j = idx + 1, end;
	struct pvec parts = PVEC_INIT;

	while (j < p->limit && p->tv[j].start < p->tv[idx].end)
		j++;
	end = j;
	p->limit = end;
	p->i = idx + 1;
	settle(p);
	while (!at_eof(p)) {
		const struct ps_token *t = peek(p);

		if (t->kind == PS_TOK_VARIABLE) {
			ps_pvec_push(&parts, parse_variable_tok(p));
		} else if (t->kind == PS_TOK_SUBEXPR) {
			ps_pvec_push(&parts, parse_unary(p));
		} else {
			next(p);
		}
	}
	for (size_t k = 0; k < parts.n; k++)
		adopt(n, parts.v[k]);
	ps_pvec_free(&parts);
	p->limit = save_limit;
	p->i = end;
	settle(p);
	p->last = idx;
}

static struct ps_node *
parse_string_tok(struct parser *p)
{
	const struct ps_token *t = peek(p);
	size_t idx = p->i;
	struct ps_node *n = mk(p, PS_NODE_STRING);

	n->u.str.value = ps_parse_decode_string(p->ast, p->src, t, &n->u.str.len);
	n->u.str.tok = (enum ps_tok_kind)t->kind;
	n->u.str.bare = t->kind == PS_TOK_GENERIC || t->kind == PS_TOK_COMMAND ||
	    t->kind == PS_TOK_FUNCTION_NAME || t->kind == PS_TOK_MEMBER ||
	    t->kind == PS_TOK_STOP_PARSING || t->kind == PS_TOK_TYPE;
	n->u.str.expandable = (t->flags & PS_TOKF_EXPANDABLE) != 0;
	if (n->u.str.expandable && p->depth < PS_PARSE_MAX_DEPTH) {
		p->depth++;
		parse_string_parts(p, n, idx);
		p->depth--;
	} else {
		next(p);
	}
	return fin(p, n);
}

/* [Name] or [Name(args)] at an LBRACKET followed by TYPE */
static struct ps_node *
parse_attribute_or_type(struct parser *p)
{
	struct ps_node *n;
	const struct ps_token *t;

	next(p);	/* [ */
	t = peek(p);
	if (!(t->flags & PS_TOKF_ATTRIBUTE)) {
		n = mk_at(p, PS_NODE_TYPE, p->last);
		next(p);
		n->u.type.name = tok_strdup(p, t);
		expect(p, PS_TOK_RBRACKET, "missing ] after type name");
		return fin(p, n);
	}
	n = mk_at(p, PS_NODE_ATTRIBUTE, p->last);
	next(p);
	n->u.attr.name = tok_strdup(p, t);
	if (is_kind(peek(p), PS_TOK_LPAREN)) {
		struct pvec pos = PVEC_INIT, named = PVEC_INIT;

		next(p);
		for (;;) {
			skip_newlines(p);
			t = peek(p);
			if (is_kind(t, PS_TOK_RPAREN) || t == &eof_tok || is_closer(t))
				break;
			if (is_kind(t, PS_TOK_GENERIC)) {
				const struct ps_token *t2 = peek2(p);

				if (is_op(t2, PS_OP_ASSIGN) || is_op(t2, PS_OP_COMMA) ||
				    is_kind(t2, PS_TOK_RPAREN) || is_kind(t2, PS_TOK_NEWLINE)) {
					struct ps_node *na = mk(p, PS_NODE_NAMED_ATTR_ARG);

					na->u.nattr.name = tok_strdup(p, t);
					next(p);
					if (is_op(peek(p), PS_OP_ASSIGN)) {
						next(p);
						skip_newlines(p);
						na->u.nattr.value = adopt(na, parse_expression_nc(p));
					}
					ps_pvec_push(&named, adopt(n, fin(p, na)));
					goto sep;
				}
			}
			{
				size_t before = p->i;

				ps_pvec_push(&pos, adopt(n, parse_expression_nc(p)));
				if (p->i == before)
					next(p);
			}
sep:
			skip_newlines(p);
			if (is_op(peek(p), PS_OP_COMMA))
				next(p);
		}
		expect(p, PS_TOK_RPAREN, "missing ) in attribute");
		n->u.attr.positional = ps_pvec_to_nodes(p->ast, &pos);
		n->u.attr.named = ps_pvec_to_nodes(p->ast, &named);
	}
	expect(p, PS_TOK_RBRACKET, "missing ] after attribute");
	return fin(p, n);
}

/* does an LBRACKET at the current position start a type literal or attribute? */
static int
at_type(struct parser *p)
{
	return is_kind(peek(p), PS_TOK_LBRACKET) && is_kind(peek2(p), PS_TOK_TYPE);
}

/* tokens that may start a cast operand */
static int
operand_start(const struct ps_token *t)
{
	switch (t->kind) {
	case PS_TOK_VARIABLE: case PS_TOK_NUMBER: case PS_TOK_STRING_SQ: case PS_TOK_STRING_DQ:
	case PS_TOK_HERESTRING_SQ: case PS_TOK_HERESTRING_DQ: case PS_TOK_LPAREN:
	case PS_TOK_SUBEXPR: case PS_TOK_ARRAY_EXPR: case PS_TOK_HASH_START: case PS_TOK_LBRACKET:
	case PS_TOK_SPLAT:
		return 1;
	case PS_TOK_OPERATOR:
		return t->sub == PS_OP_MINUS || t->sub == PS_OP_EXCLAIM || t->sub == PS_OP_NOT ||
		    t->sub == PS_OP_INC || t->sub == PS_OP_DEC || t->sub == PS_OP_PLUS;
	default:
		return 0;
	}
}

/* ---- grouping expressions ---- */

static struct ps_node *
parse_group(struct parser *p, enum ps_node_kind kind)
{
	struct ps_node *n = mk(p, kind);
	struct pvec items = PVEC_INIT;

	next(p);	/* ( $( @( */
	if (kind == PS_NODE_PAREN) {
		skip_newlines(p);
		if (!is_kind(peek(p), PS_TOK_RPAREN))
			ps_pvec_push(&items, adopt(n, parse_statement(p)));
		skip_separators(p);
	} else {
		parse_statement_list(p, &items, PS_TOK_RPAREN);
	}
	expect(p, PS_TOK_RPAREN, "missing )");
	n->u.list.items = ps_pvec_to_nodes(p->ast, &items);
	adopt_all(n, &n->u.list.items);
	return fin(p, n);
}

static struct ps_node *
parse_hashtable(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_HASHTABLE);
	struct pvec keys = PVEC_INIT, vals = PVEC_INIT;

	next(p);	/* @{ */
	for (;;) {
		struct ps_node *k, *v = NULL;
		size_t before;

		skip_separators(p);
		if (is_closer(peek(p)) || at_eof(p))
			break;
		before = p->i;
		k = parse_unary(p);
		if (is_op(peek(p), PS_OP_ASSIGN)) {
			next(p);
			skip_newlines(p);
			v = parse_statement(p);
		} else {
			diag_at(p, peek(p), "missing = in hash literal");
		}
		if (p->i == before)
			next(p);
		ps_pvec_push(&keys, adopt(n, k));
		if (v == NULL)
			v = fin(p, mk_at(p, PS_NODE_ERROR, p->last));
		ps_pvec_push(&vals, adopt(n, v));
		if (!is_terminator(peek(p))) {
			diag_at(p, peek(p), "unexpected token in hash literal");
			while (!is_terminator(peek(p)))
				next(p);
		}
	}
	expect(p, PS_TOK_RBRACE, "missing } in hash literal");
	n->u.hash.keys = ps_pvec_to_nodes(p->ast, &keys);
	n->u.hash.values = ps_pvec_to_nodes(p->ast, &vals);
	return fin(p, n);
}

/* { ... } as a value */
static struct ps_node *
parse_scriptblock_expr(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_SCRIPTBLOCK_EXPR);
	struct ps_node *sb = mk(p, PS_NODE_SCRIPTBLOCK);

	next(p);	/* { */
	parse_scriptblock_body(p, sb, PS_TOK_RBRACE);
	expect(p, PS_TOK_RBRACE, "missing } of script block");
	fin(p, sb);
	adopt(n, sb);
	return fin(p, n);
}

/* ---- expressions ---- */

/* comma-separated arguments of a method call, up to ) */
static void
parse_call_args(struct parser *p, struct ps_node *n, struct pvec *args)
{
	next(p);	/* ( */
	for (;;) {
		size_t before;

		skip_newlines(p);
		if (is_closer(peek(p)) || at_eof(p))
			break;
		before = p->i;
		ps_pvec_push(args, adopt(n, parse_expression_nc(p)));
		if (p->i == before)
			next(p);
		skip_newlines(p);
		if (is_op(peek(p), PS_OP_COMMA))
			next(p);
	}
	expect(p, PS_TOK_RPAREN, "missing ) in method call");
}

/* member access, invocation and indexing after an operand */
static struct ps_node *
parse_postfix(struct parser *p, struct ps_node *e)
{
	for (;;) {
		const struct ps_token *t = peek(p);

		if ((is_op(t, PS_OP_DOT) || is_op(t, PS_OP_COLONCOLON) || is_op(t, PS_OP_NULL_DOT)) &&
		    !(t->flags & PS_TOKF_SPACE_BEFORE)) {
			struct ps_node *m = mk_at(p, PS_NODE_MEMBER, e->tok_first);
			const struct ps_token *nt;

			m->u.mem.is_static = t->sub == PS_OP_COLONCOLON;
			m->u.mem.null_conditional = t->sub == PS_OP_NULL_DOT;
			next(p);
			m->u.mem.target = adopt(m, e);
			nt = peek(p);
			if (is_kind(nt, PS_TOK_MEMBER)) {
				m->u.mem.name_node = adopt(m, parse_string_tok(p));
				m->u.mem.name = m->u.mem.name_node->u.str.value;
			} else if (is_kind(nt, PS_TOK_VARIABLE) || is_kind(nt, PS_TOK_STRING_SQ) ||
			    is_kind(nt, PS_TOK_STRING_DQ) || is_kind(nt, PS_TOK_LPAREN) ||
			    is_kind(nt, PS_TOK_SUBEXPR)) {
				struct ps_node *d = is_kind(nt, PS_TOK_VARIABLE) ?
				    parse_variable_tok(p) : is_kind(nt, PS_TOK_LPAREN) ?
				    parse_group(p, PS_NODE_PAREN) : is_kind(nt, PS_TOK_SUBEXPR) ?
				    parse_group(p, PS_NODE_SUBEXPR) : parse_string_tok(p);

				m->u.mem.name_node = adopt(m, d);
				if (d->kind == PS_NODE_STRING && !d->u.str.expandable)
					m->u.mem.name = d->u.str.value;
			} else {
				diag_at(p, nt, "missing member name");
			}
			t = peek(p);
			if ((is_kind(t, PS_TOK_LPAREN) || is_kind(t, PS_TOK_LBRACE)) &&
			    !(t->flags & PS_TOKF_SPACE_BEFORE)) {
				struct pvec args = PVEC_INIT;

				m->kind = PS_NODE_INVOKE_MEMBER;
				if (is_kind(t, PS_TOK_LPAREN))
					parse_call_args(p, m, &args);
				else
					ps_pvec_push(&args, adopt(m, parse_scriptblock_expr(p)));
				m->u.mem.args = ps_pvec_to_nodes(p->ast, &args);
			}
			e = fin(p, m);
			continue;
		}
		if ((is_kind(t, PS_TOK_LBRACKET) && !(t->flags & PS_TOKF_SPACE_BEFORE) &&
		    !is_kind(peek2(p), PS_TOK_TYPE)) || is_op(t, PS_OP_NULL_INDEX)) {
			struct ps_node *x = mk_at(p, PS_NODE_INDEX, e->tok_first);

			next(p);
			x->u.idx.target = adopt(x, e);
			skip_newlines(p);
			if (!is_kind(peek(p), PS_TOK_RBRACKET)) {
				int save = p->no_comma;

				p->no_comma = 0;
				x->u.idx.index = adopt(x, parse_expression(p));
				p->no_comma = save;
			}
			skip_newlines(p);
			expect(p, PS_TOK_RBRACKET, "missing ] of index");
			e = fin(p, x);
			continue;
		}
		if ((is_op(t, PS_OP_INC) || is_op(t, PS_OP_DEC)) && !(t->flags & PS_TOKF_SPACE_BEFORE)) {
			struct ps_node *u = mk_at(p, PS_NODE_UNARY, e->tok_first);

			next(p);
			u->u.un.op = (enum ps_op)t->sub;
			u->u.un.postfix = true;
			u->u.un.operand = adopt(u, e);
			if (e->kind == PS_NODE_VARIABLE)
				e->u.var.assigned = true;
			e = fin(p, u);
			continue;
		}
		return e;
	}
}

static struct ps_node *
parse_primary(struct parser *p)
{
	const struct ps_token *t = peek(p);
	struct ps_node *n;

	switch (t->kind) {
	case PS_TOK_VARIABLE: case PS_TOK_SPLAT:
		n = parse_variable_tok(p);
		break;
	case PS_TOK_NUMBER:
		n = parse_number_tok(p);
		break;
	case PS_TOK_STRING_SQ: case PS_TOK_STRING_DQ: case PS_TOK_HERESTRING_SQ:
	case PS_TOK_HERESTRING_DQ: case PS_TOK_GENERIC: case PS_TOK_COMMAND:
	case PS_TOK_MEMBER: case PS_TOK_FUNCTION_NAME:
		n = parse_string_tok(p);
		break;
	case PS_TOK_LPAREN:
		n = parse_group(p, PS_NODE_PAREN);
		break;
	case PS_TOK_SUBEXPR:
		n = parse_group(p, PS_NODE_SUBEXPR);
		break;
	case PS_TOK_ARRAY_EXPR:
		n = parse_group(p, PS_NODE_ARRAY_EXPR);
		break;
	case PS_TOK_HASH_START:
		n = parse_hashtable(p);
		break;
	case PS_TOK_LBRACE:
		n = parse_scriptblock_expr(p);
		break;
	case PS_TOK_LBRACKET:
		if (at_type(p)) {
			n = parse_attribute_or_type(p);
			if (operand_start(peek(p)) && !is_terminator(peek(p))) {
				struct ps_node *c = mk_at(p, PS_NODE_CONVERT, n->tok_first);

				c->u.conv.type = adopt(c, n);
				c->u.conv.expr = adopt(c, parse_unary(p));
				return fin(p, c);
			}
			break;
		}
		/* FALLTHROUGH */
	default:
		/* consume it (every caller's loop then makes progress) unless it
		 * ends the statement */
		n = mk(p, PS_NODE_ERROR);
		diag_at(p, t, "unexpected token in expression");
		if (!is_terminator(t))
			next(p);
		return fin(p, n);
	}
	return parse_postfix(p, n);
}

static int
unary_op(const struct ps_token *t)
{
	if (t->kind != PS_TOK_OPERATOR)
		return 0;
	switch (t->sub) {
	case PS_OP_NOT: case PS_OP_EXCLAIM: case PS_OP_BNOT: case PS_OP_MINUS: case PS_OP_PLUS:
	case PS_OP_INC: case PS_OP_DEC: case PS_OP_COMMA: case PS_OP_JOIN: case PS_OP_SPLIT:
		return 1;
	default:
		return 0;
	}
}

static struct ps_node *
parse_unary(struct parser *p)
{
	const struct ps_token *t = peek(p);
	struct ps_node *n;

	if (!enter(p))
		return too_deep(p);
	if (unary_op(t)) {
		n = mk(p, PS_NODE_UNARY);
		next(p);
		n->u.un.op = t->sub == PS_OP_EXCLAIM ? PS_OP_NOT : (enum ps_op)t->sub;
		skip_newlines(p);
		n->u.un.operand = adopt(n, parse_unary(p));
		if ((t->sub == PS_OP_INC || t->sub == PS_OP_DEC) &&
		    n->u.un.operand->kind == PS_NODE_VARIABLE)
			n->u.un.operand->u.var.assigned = true;
		n = fin(p, n);
	} else {
		n = parse_primary(p);
	}
	leave(p);
	return n;
}

/* binary precedence (higher binds tighter); 0 when not a binary operator */
static int
binary_prec(const struct ps_token *t)
{
	if (t->kind != PS_TOK_OPERATOR)
		return 0;
	switch (t->sub) {
	case PS_OP_COALESCE:
		return 1;
	case PS_OP_AND: case PS_OP_OR: case PS_OP_XOR:
		return 2;
	case PS_OP_EQ: case PS_OP_NE: case PS_OP_GT: case PS_OP_GE: case PS_OP_LT: case PS_OP_LE:
	case PS_OP_LIKE: case PS_OP_NOTLIKE: case PS_OP_MATCH: case PS_OP_NOTMATCH:
	case PS_OP_REPLACE: case PS_OP_CONTAINS: case PS_OP_NOTCONTAINS: case PS_OP_IN:
	case PS_OP_NOTIN: case PS_OP_SPLIT: case PS_OP_JOIN: case PS_OP_IS: case PS_OP_ISNOT:
	case PS_OP_AS:
		return 3;
	case PS_OP_BAND: case PS_OP_BOR: case PS_OP_BXOR: case PS_OP_SHL: case PS_OP_SHR:
		return 4;
	case PS_OP_PLUS: case PS_OP_MINUS:
		return 5;
	case PS_OP_MUL: case PS_OP_DIV: case PS_OP_MOD:
		return 6;
	case PS_OP_F:
		return 7;
	case PS_OP_RANGE:
		return 8;
	default:
		return 0;
	}
}

/* operand with commas: a, b, c */
static struct ps_node *
parse_array_operand(struct parser *p)
{
	struct ps_node *first = parse_unary(p), *arr;
	struct pvec items = PVEC_INIT;

	if (p->no_comma || !is_op(peek(p), PS_OP_COMMA))
		return first;
	arr = mk_at(p, PS_NODE_ARRAY_LITERAL, first->tok_first);
	ps_pvec_push(&items, adopt(arr, first));
	while (is_op(peek(p), PS_OP_COMMA)) {
		next(p);
		skip_newlines(p);
		ps_pvec_push(&items, adopt(arr, parse_unary(p)));
	}
	arr->u.list.items = ps_pvec_to_nodes(p->ast, &items);
	return fin(p, arr);
}

/* precedence climbing without recursion per level: a stack of pending operators */
static struct ps_node *
parse_binary(struct parser *p)
{
	struct ps_node *operands[16];
	const struct ps_token *ops[16];
	int nops = 0;

	operands[0] = parse_array_operand(p);
	for (;;) {
		const struct ps_token *t = peek(p);
		int prec = binary_prec(t);

		/* reduce while the stacked operator binds at least as tight */
		while (nops > 0 && (prec == 0 || binary_prec(ops[nops - 1]) >= prec || nops == 16)) {
			struct ps_node *b = mk_at(p, PS_NODE_BINARY, operands[nops - 1]->tok_first);

			b->u.bin.op = (enum ps_op)ops[nops - 1]->sub;
			b->u.bin.flags = ops[nops - 1]->flags & (PS_TOKF_CASE_SENSITIVE | PS_TOKF_CASE_INSENSITIVE);
			b->u.bin.left = adopt(b, operands[nops - 1]);
			b->u.bin.right = adopt(b, operands[nops]);
			operands[nops - 1] = fin(p, b);
			nops--;
		}
		if (prec == 0)
			return operands[0];
		ops[nops] = t;
		next(p);
		skip_newlines(p);
		operands[++nops] = parse_array_operand(p);
	}
}

static struct ps_node *
parse_expression(struct parser *p)
{
	struct ps_node *c, *t;

	if (!enter(p))
		return too_deep(p);
	c = parse_binary(p);
	if (is_op(peek(p), PS_OP_QUESTION)) {
		t = mk_at(p, PS_NODE_TERNARY, c->tok_first);
		next(p);
		skip_newlines(p);
		t->u.tern.cond = adopt(t, c);
		t->u.tern.then_ = adopt(t, parse_expression(p));
		skip_newlines(p);
		if (!is_op(peek(p), PS_OP_COLON))
			diag_at(p, peek(p), "missing : in ternary expression");
		if (is_op(peek(p), PS_OP_COLON)) {
			next(p);
			skip_newlines(p);
			t->u.tern.else_ = adopt(t, parse_expression(p));
		}
		c = fin(p, t);
	}
	leave(p);
	return c;
}

/* an expression that stops at a comma (arguments, defaults) */
static struct ps_node *
parse_expression_nc(struct parser *p)
{
	int save = p->no_comma;
	struct ps_node *n;

	p->no_comma = 1;
	n = parse_expression(p);
	p->no_comma = save;
	return n;
}

/* ---- commands ---- */

/* one command argument: a primary with postfix, possibly a comma list */
static struct ps_node *
parse_command_arg(struct parser *p)
{
	const struct ps_token *t = peek(p);
	struct ps_node *first, *arr;
	struct pvec items = PVEC_INIT;

	if (t->kind == PS_TOK_STOP_PARSING)
		return parse_string_tok(p);
	first = parse_unary(p);
	if (!is_op(peek(p), PS_OP_COMMA))
		return first;
	arr = mk_at(p, PS_NODE_ARRAY_LITERAL, first->tok_first);
	ps_pvec_push(&items, adopt(arr, first));
	while (is_op(peek(p), PS_OP_COMMA)) {
		next(p);
		skip_newlines(p);
		if (is_terminator(peek(p)))
			break;
		ps_pvec_push(&items, adopt(arr, parse_unary(p)));
	}
	arr->u.list.items = ps_pvec_to_nodes(p->ast, &items);
	return fin(p, arr);
}

static int
command_end(const struct ps_token *t)
{
	return is_terminator(t) || is_op(t, PS_OP_PIPE) || is_op(t, PS_OP_AND_AND) ||
	    is_op(t, PS_OP_OR_OR) || is_op(t, PS_OP_AMPERSAND);
}

static struct ps_node *
parse_redirection(struct parser *p)
{
	const struct ps_token *t = peek(p);
	struct ps_node *r = mk(p, PS_NODE_REDIRECTION);
	size_t len;
	const char *s = tok_text(p, t, &len);

	next(p);
	r->u.redir.from = t->sub;
	r->u.redir.to = -1;
	if (len >= 2 && s[len - 2] == '&') {
		r->u.redir.to = s[len - 1] - '0';
		return fin(p, r);
	}
	r->u.redir.append = len >= 2 && s[len - 1] == '>' && s[len - 2] == '>';
	if (!command_end(peek(p)) && !is_kind(peek(p), PS_TOK_REDIRECTION))
		r->u.redir.target = adopt(r, parse_command_arg(p));
	return fin(p, r);
}

static void
bind_args(struct parser *p, struct ps_node *cmd)
{
	struct ps_nodes *el = &cmd->u.cmd.elems;
	struct ps_cmd_arg *args;
	size_t n = 0;
	int pos = 0;

	if (el->n == 0)
		return;
	args = ps_ast_alloc(p->ast, el->n * sizeof(*args));
	for (size_t i = 0; i < el->n; i++) {
		struct ps_node *e = el->v[i];
		struct ps_cmd_arg *a = &args[n++];

		a->position = -1;
		if (e->kind == PS_NODE_COMMAND_PARAMETER) {
			a->name = e->u.cparam.name;
			a->param = e;
			if (e->u.cparam.arg != NULL) {
				a->value = e->u.cparam.arg;
				a->colon = true;
			} else if (i + 1 < el->n && el->v[i + 1]->kind != PS_NODE_COMMAND_PARAMETER) {
				a->value = el->v[++i];
				a->maybe_switch = true;
			}
			continue;
		}
		a->value = e;
		if (e->kind == PS_NODE_VARIABLE && e->u.var.splat) {
			a->splat = true;
			cmd->u.cmd.has_splat = true;
			continue;
		}
		a->position = pos++;
	}
	cmd->u.cmd.args = args;
	cmd->u.cmd.nargs = n;
}

static struct ps_node *
parse_command(struct parser *p)
{
	struct ps_node *cmd = mk(p, PS_NODE_COMMAND);
	struct pvec elems = PVEC_INIT, redirs = PVEC_INIT;
	const struct ps_token *t = peek(p);

	if (is_op(t, PS_OP_AMPERSAND) || is_op(t, PS_OP_DOT_SOURCE)) {
		cmd->u.cmd.invocation = t->sub == PS_OP_AMPERSAND ? '&' : '.';
		next(p);
		t = peek(p);
	}
	if (is_kind(t, PS_TOK_COMMAND)) {
		cmd->u.cmd.name_node = adopt(cmd, parse_string_tok(p));
	} else if (!command_end(t)) {
		cmd->u.cmd.name_node = adopt(cmd, parse_unary(p));
	} else {
		diag_at(p, t, "missing command name");
	}
	if (cmd->u.cmd.name_node != NULL && cmd->u.cmd.name_node->kind == PS_NODE_STRING &&
	    !cmd->u.cmd.name_node->u.str.expandable)
		cmd->u.cmd.name = cmd->u.cmd.name_node->u.str.value;
	for (;;) {
		size_t before = p->i;

		t = peek(p);
		if (command_end(t))
			break;
		if (is_kind(t, PS_TOK_PARAMETER)) {
			struct ps_node *cp = mk(p, PS_NODE_COMMAND_PARAMETER);
			size_t len;
			const char *s = tok_text(p, t, &len);
			size_t skip = (unsigned char)s[0] == 0xE2 ? 3 : 1;

			next(p);
			if (t->flags & PS_TOKF_COLON)
				len--;
			cp->u.cparam.name = ps_ast_strndup(p->ast, s + skip, len > skip ? len - skip : 0);
			if ((t->flags & PS_TOKF_COLON) && !command_end(peek(p)))
				cp->u.cparam.arg = adopt(cp, parse_command_arg(p));
			ps_pvec_push(&elems, adopt(cmd, fin(p, cp)));
		} else if (is_kind(t, PS_TOK_REDIRECTION)) {
			ps_pvec_push(&redirs, adopt(cmd, parse_redirection(p)));
		} else {
			ps_pvec_push(&elems, adopt(cmd, parse_command_arg(p)));
		}
		if (p->i == before)
			next(p);
	}
	cmd->u.cmd.elems = ps_pvec_to_nodes(p->ast, &elems);
	cmd->u.cmd.redirections = ps_pvec_to_nodes(p->ast, &redirs);
	bind_args(p, cmd);
	return fin(p, cmd);
}

/* ---- pipelines and statements ---- */

static int
assign_op(const struct ps_token *t)
{
	if (t->kind != PS_TOK_OPERATOR)
		return 0;
	switch (t->sub) {
	case PS_OP_ASSIGN: case PS_OP_PLUS_ASSIGN: case PS_OP_MINUS_ASSIGN: case PS_OP_MUL_ASSIGN:
	case PS_OP_DIV_ASSIGN: case PS_OP_MOD_ASSIGN: case PS_OP_COALESCE_ASSIGN:
		return 1;
	default:
		return 0;
	}
}

static struct ps_node *
parse_pipeline_element(struct parser *p)
{
	const struct ps_token *t = peek(p);

	if (is_kind(t, PS_TOK_COMMAND) || is_op(t, PS_OP_AMPERSAND) || is_op(t, PS_OP_DOT_SOURCE))
		return parse_command(p);
	return parse_expression(p);
}

static void
mark_assigned(struct ps_node *lhs)
{
	if (lhs == NULL)
		return;
	switch (lhs->kind) {
	case PS_NODE_VARIABLE:
		lhs->u.var.assigned = true;
		break;
	case PS_NODE_CONVERT:
		mark_assigned(lhs->u.conv.expr);
		break;
	case PS_NODE_ARRAY_LITERAL:
		for (size_t i = 0; i < lhs->u.list.items.n; i++)
			if (lhs->u.list.items.v[i]->kind == PS_NODE_VARIABLE)
				lhs->u.list.items.v[i]->u.var.assigned = true;
		break;
	default:
		break;
	}
}

static struct ps_node *
parse_pipeline(struct parser *p)
{
	struct ps_node *first = parse_pipeline_element(p), *pl;
	struct pvec elems = PVEC_INIT;
	const struct ps_token *t = peek(p);

	if (assign_op(t) && first->kind != PS_NODE_COMMAND) {
		struct ps_node *a = mk_at(p, PS_NODE_ASSIGNMENT, first->tok_first);

		next(p);
		skip_newlines(p);
		a->u.asg.op = (enum ps_op)t->sub;
		a->u.asg.lhs = adopt(a, first);
		mark_assigned(first);
		if (first->kind == PS_NODE_UNARY && first->u.un.operand != NULL)
			mark_assigned(first->u.un.operand);
		a->u.asg.rhs = adopt(a, parse_statement(p));
		return fin(p, a);
	}
	if (!is_op(t, PS_OP_PIPE) && !is_kind(t, PS_TOK_REDIRECTION) && !is_op(t, PS_OP_AMPERSAND))
		return first;
	pl = mk_at(p, PS_NODE_PIPELINE, first->tok_first);
	ps_pvec_push(&elems, adopt(pl, first));
	for (;;) {
		t = peek(p);
		if (is_kind(t, PS_TOK_REDIRECTION)) {
			adopt(pl, parse_redirection(p));
			continue;
		}
		if (!is_op(t, PS_OP_PIPE))
			break;
		next(p);
		skip_newlines(p);
		ps_pvec_push(&elems, adopt(pl, parse_pipeline_element(p)));
	}
	if (is_op(peek(p), PS_OP_AMPERSAND)) {
		next(p);
		pl->u.pipe.background = true;
	}
	pl->u.pipe.elems = ps_pvec_to_nodes(p->ast, &elems);
	return fin(p, pl);
}

static struct ps_node *
parse_pipeline_chain(struct parser *p)
{
	struct ps_node *first = parse_pipeline(p), *ch;
	struct pvec pls = PVEC_INIT;

	if (!is_op(peek(p), PS_OP_AND_AND) && !is_op(peek(p), PS_OP_OR_OR))
		return first;
	ch = mk_at(p, PS_NODE_PIPELINE_CHAIN, first->tok_first);
	ps_pvec_push(&pls, adopt(ch, first));
	while (is_op(peek(p), PS_OP_AND_AND) || is_op(peek(p), PS_OP_OR_OR)) {
		if (peek(p)->sub == PS_OP_AND_AND)
			ch->u.chain.nand++;
		else
			ch->u.chain.nor++;
		next(p);
		skip_newlines(p);
		ps_pvec_push(&pls, adopt(ch, parse_pipeline(p)));
	}
	ch->u.chain.pipelines = ps_pvec_to_nodes(p->ast, &pls);
	return fin(p, ch);
}

/* { statements } of a control-flow statement */
static struct ps_node *
parse_block(struct parser *p)
{
	struct ps_node *b = mk(p, PS_NODE_STATEMENT_BLOCK);
	struct pvec st = PVEC_INIT;

	skip_newlines(p);
	if (!expect(p, PS_TOK_LBRACE, "missing { of statement block"))
		return fin(p, b);
	parse_statement_list(p, &st, PS_TOK_RBRACE);
	expect(p, PS_TOK_RBRACE, "missing } of statement block");
	b->u.blk.statements = ps_pvec_to_nodes(p->ast, &st);
	adopt_all(b, &b->u.blk.statements);
	return fin(p, b);
}

/* ( pipeline ) of if/while/switch */
static struct ps_node *
parse_condition(struct parser *p)
{
	struct ps_node *c = NULL;

	skip_newlines(p);
	if (!expect(p, PS_TOK_LPAREN, "missing ( of condition"))
		return NULL;
	skip_newlines(p);
	if (!is_kind(peek(p), PS_TOK_RPAREN))
		c = parse_statement(p);
	skip_newlines(p);
	expect(p, PS_TOK_RPAREN, "missing ) of condition");
	return c;
}

static struct ps_node *
parse_if(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_IF);
	struct pvec conds = PVEC_INIT, bodies = PVEC_INIT;

	do {
		struct ps_node *c;

		next(p);	/* if / elseif */
		c = parse_condition(p);
		if (c == NULL)
			c = fin(p, mk_at(p, PS_NODE_ERROR, p->last));
		ps_pvec_push(&conds, adopt(n, c));
		ps_pvec_push(&bodies, adopt(n, parse_block(p)));
		/* else/elseif may follow on the next line */
		{
			size_t save = p->i;

			skip_newlines(p);
			if (!is_kw(peek(p), PS_KW_ELSEIF) && !is_kw(peek(p), PS_KW_ELSE))
				p->i = save;
		}
	} while (is_kw(peek(p), PS_KW_ELSEIF));
	if (is_kw(peek(p), PS_KW_ELSE)) {
		next(p);
		n->u.ifs.else_body = adopt(n, parse_block(p));
	}
	n->u.ifs.conds = ps_pvec_to_nodes(p->ast, &conds);
	n->u.ifs.bodies = ps_pvec_to_nodes(p->ast, &bodies);
	return fin(p, n);
}

static struct ps_node *
parse_switch(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_SWITCH);
	struct pvec pats = PVEC_INIT, bodies = PVEC_INIT;
	struct buf flags = BUF_INIT;

	next(p);	/* switch */
	while (is_kind(peek(p), PS_TOK_PARAMETER)) {
		size_t len;
		const char *s = tok_text(p, peek(p), &len);

		if (flags.len)
			buf_putc(&flags, ' ');
		buf_append(&flags, s, len);
		if (len >= 3 && strncasecmp(s + 1, "file", len - 1 < 4 ? len - 1 : 4) == 0 && len <= 5) {
			n->u.sw.has_file = true;
			next(p);
			if (!is_kind(peek(p), PS_TOK_LPAREN) && !is_kind(peek(p), PS_TOK_LBRACE))
				n->u.sw.cond = adopt(n, parse_unary(p));
			continue;
		}
		next(p);
	}
	n->u.sw.flags = arena_strdup(p->A, buf_cstr(&flags));
	buf_free(&flags);
	if (is_kind(peek(p), PS_TOK_LPAREN))
		n->u.sw.cond = adopt(n, parse_condition(p));
	skip_newlines(p);
	if (expect(p, PS_TOK_LBRACE, "missing { of switch")) {
		for (;;) {
			const struct ps_token *t;
			struct ps_node *pat;
			size_t before;

			skip_separators(p);
			t = peek(p);
			if (is_closer(t) || t == &eof_tok)
				break;
			before = p->i;
			if ((is_kind(t, PS_TOK_COMMAND) || is_kind(t, PS_TOK_GENERIC)) &&
			    t->end - t->start == 7 &&
			    strncasecmp(p->src + t->start, "default", 7) == 0) {
				next(p);
				n->u.sw.default_body = adopt(n, parse_block(p));
				continue;
			}
			pat = is_kind(t, PS_TOK_COMMAND) ? parse_string_tok(p) : parse_unary(p);
			ps_pvec_push(&pats, adopt(n, pat));
			ps_pvec_push(&bodies, adopt(n, parse_block(p)));
			if (p->i == before)
				next(p);
		}
		expect(p, PS_TOK_RBRACE, "missing } of switch");
	}
	n->u.sw.patterns = ps_pvec_to_nodes(p->ast, &pats);
	n->u.sw.bodies = ps_pvec_to_nodes(p->ast, &bodies);
	return fin(p, n);
}

static struct ps_node *
parse_foreach(struct parser *p, const char *label)
{
	struct ps_node *n = mk(p, PS_NODE_FOREACH);

	next(p);	/* foreach */
	n->u.loop.label = label;
	while (is_kind(peek(p), PS_TOK_PARAMETER)) {
		size_t len;
		const char *s = tok_text(p, peek(p), &len);

		if (len > 1 && strncasecmp(s + 1, "parallel", len - 1) == 0)
			n->u.loop.parallel = true;
		next(p);
	}
	skip_newlines(p);
	if (expect(p, PS_TOK_LPAREN, "missing ( of foreach")) {
		skip_newlines(p);
		if (is_kind(peek(p), PS_TOK_VARIABLE)) {
			n->u.loop.var = adopt(n, parse_variable_tok(p));
			n->u.loop.var->u.var.assigned = true;
		} else {
			diag_at(p, peek(p), "missing variable of foreach");
		}
		skip_newlines(p);
		if (is_kw(peek(p), PS_KW_IN))
			next(p);
		else
			diag_at(p, peek(p), "missing 'in' of foreach");
		skip_newlines(p);
		if (!is_kind(peek(p), PS_TOK_RPAREN))
			n->u.loop.expr = adopt(n, parse_statement(p));
		skip_newlines(p);
		expect(p, PS_TOK_RPAREN, "missing ) of foreach");
	}
	n->u.loop.body = adopt(n, parse_block(p));
	return fin(p, n);
}

static struct ps_node *
parse_for(struct parser *p, const char *label)
{
	struct ps_node *n = mk(p, PS_NODE_FOR);
	struct ps_node **parts[3] = { &n->u.loop.init, &n->u.loop.cond, &n->u.loop.iter };

	next(p);	/* for */
	n->u.loop.label = label;
	skip_newlines(p);
	if (expect(p, PS_TOK_LPAREN, "missing ( of for")) {
		for (int k = 0; k < 3; k++) {
			skip_newlines(p);
			if (!is_terminator(peek(p)))
				*parts[k] = adopt(n, parse_statement(p));
			if (is_kind(peek(p), PS_TOK_SEMICOLON) || is_kind(peek(p), PS_TOK_NEWLINE))
				next(p);
			if (is_kind(peek(p), PS_TOK_RPAREN))
				break;
		}
		skip_newlines(p);
		expect(p, PS_TOK_RPAREN, "missing ) of for");
	}
	n->u.loop.body = adopt(n, parse_block(p));
	return fin(p, n);
}

static struct ps_node *
parse_while(struct parser *p, const char *label)
{
	struct ps_node *n = mk(p, PS_NODE_WHILE);

	next(p);
	n->u.loop.label = label;
	n->u.loop.cond = adopt(n, parse_condition(p));
	n->u.loop.body = adopt(n, parse_block(p));
	return fin(p, n);
}

static struct ps_node *
parse_do(struct parser *p, const char *label)
{
	struct ps_node *n = mk(p, PS_NODE_DO_WHILE);
	size_t save;

	next(p);
	n->u.loop.label = label;
	n->u.loop.body = adopt(n, parse_block(p));
	save = p->i;
	skip_newlines(p);
	if (is_kw(peek(p), PS_KW_WHILE) || is_kw(peek(p), PS_KW_UNTIL)) {
		if (peek(p)->sub == PS_KW_UNTIL)
			n->kind = PS_NODE_DO_UNTIL;
		next(p);
		n->u.loop.cond = adopt(n, parse_condition(p));
	} else {
		p->i = save;
		diag_at(p, peek(p), "missing while or until after do");
	}
	return fin(p, n);
}

/* catch/trap type list: [T1], [T2] */
static struct ps_nodes
parse_catch_types(struct parser *p, struct ps_node *owner)
{
	struct pvec types = PVEC_INIT;

	for (;;) {
		skip_newlines(p);
		if (!at_type(p))
			break;
		ps_pvec_push(&types, adopt(owner, parse_attribute_or_type(p)));
		skip_newlines(p);
		if (!is_op(peek(p), PS_OP_COMMA))
			break;
		next(p);
	}
	return ps_pvec_to_nodes(p->ast, &types);
}

static struct ps_node *
parse_try(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_TRY);
	struct pvec catches = PVEC_INIT;
	size_t save;

	next(p);
	n->u.try_.body = adopt(n, parse_block(p));
	for (;;) {
		save = p->i;
		skip_newlines(p);
		if (is_kw(peek(p), PS_KW_CATCH)) {
			struct ps_node *c = mk(p, PS_NODE_CATCH);

			next(p);
			c->u.ctch.types = parse_catch_types(p, c);
			c->u.ctch.body = adopt(c, parse_block(p));
			ps_pvec_push(&catches, adopt(n, fin(p, c)));
			continue;
		}
		if (is_kw(peek(p), PS_KW_FINALLY)) {
			next(p);
			n->u.try_.finally_body = adopt(n, parse_block(p));
			break;
		}
		p->i = save;
		break;
	}
	n->u.try_.catches = ps_pvec_to_nodes(p->ast, &catches);
	if (n->u.try_.catches.n == 0 && n->u.try_.finally_body == NULL)
		diag_at(p, peek(p), "try without catch or finally");
	return fin(p, n);
}

static struct ps_node *
parse_trap(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_TRAP);

	next(p);
	n->u.ctch.types = parse_catch_types(p, n);
	n->u.ctch.body = adopt(n, parse_block(p));
	return fin(p, n);
}

static struct ps_node *
parse_flow(struct parser *p, enum ps_node_kind kind)
{
	struct ps_node *n = mk(p, kind);

	next(p);
	if (!command_end(peek(p)))
		n->u.flow.value = adopt(n, kind == PS_NODE_BREAK || kind == PS_NODE_CONTINUE ?
		    parse_unary(p) : parse_pipeline_chain(p));
	return fin(p, n);
}

/* [Attr()][Type]... (newlines allowed between), adopted by owner */
static struct ps_nodes
parse_attribute_list(struct parser *p, struct ps_node *owner)
{
	struct pvec attrs = PVEC_INIT;

	for (;;) {
		skip_newlines(p);
		if (!at_type(p))
			break;
		ps_pvec_push(&attrs, adopt(owner, parse_attribute_or_type(p)));
	}
	return ps_pvec_to_nodes(p->ast, &attrs);
}

/* one parameter: [attrs][type]$name = default */
static struct ps_node *
parse_parameter(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_PARAMETER);

	n->u.param.attributes = parse_attribute_list(p, n);
	for (size_t i = 0; i < n->u.param.attributes.n; i++) {
		struct ps_node *a = n->u.param.attributes.v[i];

		if (a->kind == PS_NODE_TYPE)
			n->u.param.type = a->u.type.name;
		else if (strcasecmp(a->u.attr.name, "Parameter") == 0 && ps_attr_flag(a, "Mandatory"))
			n->u.param.mandatory = true;
	}
	skip_newlines(p);
	if (is_kind(peek(p), PS_TOK_VARIABLE)) {
		n->u.param.var = adopt(n, parse_variable_tok(p));
		n->u.param.var->u.var.assigned = true;
		n->u.param.name = n->u.param.var->u.var.name;
	} else {
		diag_at(p, peek(p), "missing parameter variable");
	}
	if (is_op(peek(p), PS_OP_ASSIGN)) {
		next(p);
		skip_newlines(p);
		n->u.param.default_value = adopt(n, parse_expression_nc(p));
	}
	return fin(p, n);
}

/* ( parameter, ... ) */
static struct ps_nodes
parse_parameter_list(struct parser *p, struct ps_node *owner)
{
	struct pvec params = PVEC_INIT;

	if (!expect(p, PS_TOK_LPAREN, "missing ( of parameter list"))
		return ps_pvec_to_nodes(p->ast, &params);
	for (;;) {
		size_t before;

		skip_newlines(p);
		if (is_closer(peek(p)) || at_eof(p))
			break;
		before = p->i;
		ps_pvec_push(&params, adopt(owner, parse_parameter(p)));
		skip_newlines(p);
		if (is_op(peek(p), PS_OP_COMMA))
			next(p);
		else if (!is_kind(peek(p), PS_TOK_RPAREN)) {
			diag_at(p, peek(p), "unexpected token in parameter list");
			if (p->i == before || !is_closer(peek(p)))
				next(p);
		}
	}
	expect(p, PS_TOK_RPAREN, "missing ) of parameter list");
	return ps_pvec_to_nodes(p->ast, &params);
}

static struct ps_node *
parse_function(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_FUNCTION), *save_func = p->func;
	const struct ps_token *kw = next(p);

	n->u.fn.keyword = (enum ps_kw)kw->sub;
	if (is_kind(peek(p), PS_TOK_FUNCTION_NAME) || is_kind(peek(p), PS_TOK_GENERIC) ||
	    is_kind(peek(p), PS_TOK_STRING_SQ) || is_kind(peek(p), PS_TOK_STRING_DQ)) {
		n->u.fn.name_node = adopt(n, parse_string_tok(p));
		n->u.fn.name = n->u.fn.name_node->u.str.value;
	} else {
		diag_at(p, peek(p), "missing function name");
		n->u.fn.name = "";
	}
	p->func = n;
	if (is_kind(peek(p), PS_TOK_LPAREN))
		n->u.fn.params = parse_parameter_list(p, n);
	skip_newlines(p);
	if (is_kind(peek(p), PS_TOK_LBRACE)) {
		struct ps_node *sb = mk(p, PS_NODE_SCRIPTBLOCK);

		next(p);
		sb->func = n;
		parse_scriptblock_body(p, sb, PS_TOK_RBRACE);
		expect(p, PS_TOK_RBRACE, "missing } of function body");
		n->u.fn.body = adopt(n, fin(p, sb));
		if (sb->u.sb.param_block != NULL) {
			struct ps_node *pb = sb->u.sb.param_block, *cb;

			n->u.fn.param_block = pb;
			n->u.fn.attributes = pb->u.pb.attributes;
			if (n->u.fn.params.n == 0)
				n->u.fn.params = pb->u.pb.params;
			cb = ps_attr_find(&pb->u.pb.attributes, "CmdletBinding");
			n->u.fn.cmdletbinding = cb != NULL;
			n->u.fn.supports_should_process = cb != NULL &&
			    ps_attr_flag(cb, "SupportsShouldProcess");
		}
	} else {
		diag_at(p, peek(p), "missing { of function body");
	}
	p->func = save_func;
	return fin(p, n);
}

/* class Name : Base { members } and enum Name { members } */
static struct ps_node *
parse_class(struct parser *p, struct pvec *attrs)
{
	struct ps_node *n = mk(p, PS_NODE_CLASS);
	const struct ps_token *kw = next(p);
	struct pvec bases = PVEC_INIT, members = PVEC_INIT;
	int is_enum = kw->sub == PS_KW_ENUM;

	if (is_enum)
		n->kind = PS_NODE_ENUM;
	if (attrs != NULL) {
		if (attrs->n > 0)
			n->tok_first = attrs->v[0]->tok_first;
		for (size_t i = 0; i < attrs->n; i++)
			adopt(n, attrs->v[i]);
		n->u.cls.attributes = ps_pvec_to_nodes(p->ast, attrs);
	}
	if (is_kind(peek(p), PS_TOK_GENERIC)) {
		n->u.cls.name = tok_strdup(p, peek(p));
		next(p);
	} else {
		diag_at(p, peek(p), "missing class name");
		n->u.cls.name = "";
	}
	if (is_op(peek(p), PS_OP_COLON)) {
		next(p);
		for (;;) {
			skip_newlines(p);
			if (is_kind(peek(p), PS_TOK_GENERIC)) {
				struct ps_node *b = parse_string_tok(p);

				ps_pvec_push(&bases, adopt(n, b));
				/* List[T]: the type arguments belong to the base */
				while (at_type(p) && !(peek(p)->flags & PS_TOKF_SPACE_BEFORE)) {
					adopt(b, parse_attribute_or_type(p));
					fin(p, b);
				}
			} else if (at_type(p))
				ps_pvec_push(&bases, adopt(n, parse_attribute_or_type(p)));
			else
				break;
			if (!is_op(peek(p), PS_OP_COMMA))
				break;
			next(p);
		}
	}
	n->u.cls.bases = ps_pvec_to_nodes(p->ast, &bases);
	skip_newlines(p);
	if (expect(p, PS_TOK_LBRACE, "missing { of class body")) {
		int save_in_class = p->in_class;

		p->in_class = 1;
		for (;;) {
			struct pvec mattrs = PVEC_INIT;
			bool is_static = false, is_hidden = false;
			struct ps_node *m;
			size_t before, first;
			const char *type = NULL;

			skip_separators(p);
			if (is_closer(peek(p)) || at_eof(p))
				break;
			before = p->i;
			first = cur_index(p);
			for (;;) {
				skip_newlines(p);
				if (at_type(p)) {
					struct ps_node *a = parse_attribute_or_type(p);

					if (a->kind == PS_NODE_TYPE)
						type = a->u.type.name;
					ps_pvec_push(&mattrs, a);
				} else if (!is_enum && is_kw(peek(p), PS_KW_STATIC)) {
					is_static = true;
					next(p);
				} else if (!is_enum && is_kw(peek(p), PS_KW_HIDDEN)) {
					is_hidden = true;
					next(p);
				} else {
					break;
				}
			}
			if (is_kind(peek(p), PS_TOK_VARIABLE) || (is_enum && (is_kind(peek(p), PS_TOK_GENERIC) ||
			    is_kind(peek(p), PS_TOK_KEYWORD)))) {
				m = mk_at(p, PS_NODE_PROPERTY_MEMBER, first);
				if (is_kind(peek(p), PS_TOK_VARIABLE)) {
					struct ps_node *v = parse_variable_tok(p);

					m->u.prop.name = v->u.var.name;
					v->u.var.assigned = true;
					adopt(m, v);
				} else {
					m->u.prop.name = tok_strdup(p, peek(p));
					next(p);
				}
				m->u.prop.type = type;
				m->u.prop.is_static = is_static;
				m->u.prop.is_hidden = is_hidden;
				for (size_t i = 0; i < mattrs.n; i++)
					adopt(m, mattrs.v[i]);
				m->u.prop.attributes = ps_pvec_to_nodes(p->ast, &mattrs);
				if (is_op(peek(p), PS_OP_ASSIGN)) {
					next(p);
					skip_newlines(p);
					m->u.prop.default_value = adopt(m, parse_expression(p));
				}
				ps_pvec_push(&members, adopt(n, fin(p, m)));
			} else if (is_kind(peek(p), PS_TOK_GENERIC) && !is_enum) {
				struct ps_node *save_func = p->func;

				m = mk_at(p, PS_NODE_METHOD_MEMBER, first);
				m->u.meth.name = tok_strdup(p, peek(p));
				m->u.meth.is_constructor = strcasecmp(m->u.meth.name, n->u.cls.name) == 0;
				next(p);
				m->u.meth.return_type = type;
				m->u.meth.is_static = is_static;
				m->u.meth.is_hidden = is_hidden;
				for (size_t i = 0; i < mattrs.n; i++)
					adopt(m, mattrs.v[i]);
				m->u.meth.attributes = ps_pvec_to_nodes(p->ast, &mattrs);
				p->func = m;
				if (is_kind(peek(p), PS_TOK_LPAREN))
					m->u.meth.params = parse_parameter_list(p, m);
				/* constructor chaining: : base(args) */
				if (is_op(peek(p), PS_OP_COLON)) {
					next(p);
					while (!is_kind(peek(p), PS_TOK_LBRACE) && !is_terminator(peek(p)))
						adopt(m, parse_unary(p));
				}
				skip_newlines(p);
				if (is_kind(peek(p), PS_TOK_LBRACE)) {
					struct ps_node *sb = mk(p, PS_NODE_SCRIPTBLOCK);

					next(p);
					sb->func = m;
					parse_scriptblock_body(p, sb, PS_TOK_RBRACE);
					expect(p, PS_TOK_RBRACE, "missing } of method body");
					m->u.meth.body = adopt(m, fin(p, sb));
				}
				p->func = save_func;
				ps_pvec_push(&members, adopt(n, fin(p, m)));
			} else {
				for (size_t i = 0; i < mattrs.n; i++)
					adopt(n, mattrs.v[i]);
				ps_pvec_free(&mattrs);
				diag_at(p, peek(p), "unexpected token in class body");
				if (p->i == before || !is_closer(peek(p)))
					next(p);
			}
			if (p->i == before)
				next(p);
		}
		p->in_class = save_in_class;
		expect(p, PS_TOK_RBRACE, "missing } of class body");
	}
	n->u.cls.members = ps_pvec_to_nodes(p->ast, &members);
	return fin(p, n);
}

static struct ps_node *
parse_using(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_USING);
	struct buf name = BUF_INIT;

	next(p);
	if (is_kind(peek(p), PS_TOK_GENERIC)) {
		n->u.use.what = tok_strdup(p, peek(p));
		for (char *c = (char *)n->u.use.what; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		next(p);
	} else {
		n->u.use.what = "";
	}
	while (!command_end(peek(p))) {
		struct ps_node *a = parse_command_arg(p);

		if (n->u.use.arg == NULL)
			n->u.use.arg = adopt(n, a);
		else
			adopt(n, a);
		if (a->kind == PS_NODE_STRING) {
			if (name.len)
				buf_putc(&name, ' ');
			buf_append(&name, a->u.str.value, strlen(a->u.str.value));
		}
	}
	n->u.use.name = arena_strdup(p->A, buf_cstr(&name));
	buf_free(&name);
	return fin(p, n);
}

static struct ps_node *
parse_data(struct parser *p)
{
	struct ps_node *n = mk(p, PS_NODE_DATA);
	struct ps_node *b;

	next(p);
	while (!is_kind(peek(p), PS_TOK_LBRACE) && !is_terminator(peek(p))) {
		if (is_kind(peek(p), PS_TOK_PARAMETER))
			next(p);	/* -SupportedCommand */
		else
			adopt(n, parse_command_arg(p));
	}
	b = parse_block(p);
	n->u.blk.statements = b->u.blk.statements;
	adopt(n, b);
	return fin(p, n);
}

static struct ps_node *
parse_statement_inner(struct parser *p)
{
	const struct ps_token *t = peek(p);
	const char *label = NULL;

	if (is_kind(t, PS_TOK_LABEL)) {
		label = ps_ast_strndup(p->ast, p->src + t->start + 1, t->end - t->start - 1);
		next(p);
		skip_newlines(p);
		t = peek(p);
	}
	if (t->kind == PS_TOK_KEYWORD) {
		switch (t->sub) {
		case PS_KW_IF:
			return parse_if(p);
		case PS_KW_SWITCH:
			return parse_switch(p);
		case PS_KW_FOREACH:
			return parse_foreach(p, label);
		case PS_KW_FOR:
			return parse_for(p, label);
		case PS_KW_WHILE:
			return parse_while(p, label);
		case PS_KW_DO:
			return parse_do(p, label);
		case PS_KW_TRY:
			return parse_try(p);
		case PS_KW_TRAP:
			return parse_trap(p);
		case PS_KW_FUNCTION: case PS_KW_FILTER: case PS_KW_WORKFLOW: case PS_KW_CONFIGURATION:
			return parse_function(p);
		case PS_KW_CLASS: case PS_KW_ENUM:
			return parse_class(p, NULL);
		case PS_KW_RETURN:
			return parse_flow(p, PS_NODE_RETURN);
		case PS_KW_THROW:
			return parse_flow(p, PS_NODE_THROW);
		case PS_KW_EXIT:
			return parse_flow(p, PS_NODE_EXIT);
		case PS_KW_BREAK:
			return parse_flow(p, PS_NODE_BREAK);
		case PS_KW_CONTINUE:
			return parse_flow(p, PS_NODE_CONTINUE);
		case PS_KW_DATA:
			return parse_data(p);
		case PS_KW_USING:
			return parse_using(p);
		case PS_KW_BEGIN: case PS_KW_PROCESS: case PS_KW_END: case PS_KW_DYNAMICPARAM:
		case PS_KW_CLEAN: {
			struct ps_node *b = mk(p, PS_NODE_NAMED_BLOCK);
			struct ps_node *inner;

			next(p);
			inner = parse_block(p);
			b->u.blk.which = (enum ps_kw)t->sub;
			b->u.blk.statements = inner->u.blk.statements;
			adopt(b, inner);
			return fin(p, b);
		}
		default: {
			struct ps_node *e = mk(p, PS_NODE_ERROR);

			diag_at(p, t, "unexpected keyword");
			next(p);
			return fin(p, e);
		}
		}
	}
	/* attributes before class/enum: [Flags()] enum X { } */
	if (at_type(p)) {
		size_t save = p->i, save_last = p->last;
		struct pvec attrs = PVEC_INIT;
		size_t nall = p->res.all.n;

		while (at_type(p)) {
			ps_pvec_push(&attrs, parse_attribute_or_type(p));
			skip_newlines(p);
		}
		if (is_kw(peek(p), PS_KW_CLASS) || is_kw(peek(p), PS_KW_ENUM))
			return parse_class(p, &attrs);
		/* not a class: re-parse as an expression */
		ps_pvec_free(&attrs);
		p->res.all.n = nall;
		p->i = save;
		p->last = save_last;
	}
	return parse_pipeline_chain(p);
}

static struct ps_node *
parse_statement(struct parser *p)
{
	struct ps_node *n;
	int save = p->no_comma;

	if (!enter(p))
		return too_deep(p);
	p->no_comma = 0;
	n = parse_statement_inner(p);
	p->no_comma = save;
	leave(p);
	return n;
}

static void
parse_statement_list(struct parser *p, struct pvec *out, enum ps_tok_kind closer)
{
	for (;;) {
		const struct ps_token *t;
		size_t before;

		skip_separators(p);
		t = peek(p);
		if (t == &eof_tok)
			break;
		if (is_closer(t)) {
			if (closer != PS_TOK__MAX)
				break;
			/* a stray closer at the top level */
			diag_at(p, t, "unexpected closing bracket");
			next(p);
			continue;
		}
		before = p->i;
		ps_pvec_push(out, parse_statement(p));
		t = peek(p);
		if (!is_terminator(t)) {
			struct ps_node *e = mk(p, PS_NODE_ERROR);

			diag_at(p, t, "unexpected token");
			while (!is_terminator(peek(p)))
				next(p);
			ps_pvec_push(out, fin(p, e));
		}
		if (p->i == before)
			next(p);
	}
}

/* does an attribute list followed by param( start here? */
static int
at_param_block(struct parser *p)
{
	size_t j = p->i;
	long bal = 0;

	for (; j < p->limit; j++) {
		const struct ps_token *t = &p->tv[j];

		if (skippable(t) || t->kind == PS_TOK_NEWLINE)
			continue;
		if (bal == 0 && t->kind == PS_TOK_KEYWORD && t->sub == PS_KW_PARAM)
			return 1;
		if (t->kind == PS_TOK_LBRACKET || t->kind == PS_TOK_LPAREN || t->kind == PS_TOK_LBRACE ||
		    t->kind == PS_TOK_SUBEXPR || t->kind == PS_TOK_ARRAY_EXPR || t->kind == PS_TOK_HASH_START) {
			bal++;
			continue;
		}
		if (is_closer(t)) {
			if (--bal < 0)
				return 0;
			continue;
		}
		if (bal == 0)
			return 0;
		if (j - p->i > 4096)
			return 0;
	}
	return 0;
}

static struct ps_node *
parse_param_block(struct parser *p)
{
	struct ps_node *pb = mk(p, PS_NODE_PARAM_BLOCK);

	pb->u.pb.attributes = parse_attribute_list(p, pb);
	skip_newlines(p);
	next(p);	/* param */
	skip_newlines(p);
	pb->u.pb.params = parse_parameter_list(p, pb);
	return fin(p, pb);
}

/* the inside of a script block (or the script): using, param, named blocks, statements */
static struct ps_node *
parse_scriptblock_body(struct parser *p, struct ps_node *sb, enum ps_tok_kind closer)
{
	struct pvec st = PVEC_INIT, named = PVEC_INIT, usings = PVEC_INIT;

	if (!enter(p)) {
		adopt(sb, too_deep(p));
		return sb;
	}
	skip_separators(p);
	while (is_kw(peek(p), PS_KW_USING)) {
		ps_pvec_push(&usings, adopt(sb, parse_using(p)));
		skip_separators(p);
	}
	if (at_param_block(p)) {
		sb->u.sb.param_block = adopt(sb, parse_param_block(p));
		for (size_t i = 0; i < sb->u.sb.param_block->u.pb.params.n; i++)
			sb->u.sb.param_block->u.pb.params.v[i]->parent = sb->u.sb.param_block;
	}
	skip_separators(p);
	{
		const struct ps_token *t = peek(p);

		if (t->kind == PS_TOK_KEYWORD && (t->sub == PS_KW_BEGIN || t->sub == PS_KW_PROCESS ||
		    t->sub == PS_KW_END || t->sub == PS_KW_DYNAMICPARAM || t->sub == PS_KW_CLEAN)) {
			for (;;) {
				skip_separators(p);
				t = peek(p);
				if (t->kind != PS_TOK_KEYWORD || !(t->sub == PS_KW_BEGIN ||
				    t->sub == PS_KW_PROCESS || t->sub == PS_KW_END ||
				    t->sub == PS_KW_DYNAMICPARAM || t->sub == PS_KW_CLEAN))
					break;
				ps_pvec_push(&named, adopt(sb, parse_statement(p)));
			}
		}
	}
	parse_statement_list(p, &st, closer);
	sb->u.sb.statements = ps_pvec_to_nodes(p->ast, &st);
	adopt_all(sb, &sb->u.sb.statements);
	sb->u.sb.named_blocks = ps_pvec_to_nodes(p->ast, &named);
	sb->u.sb.usings = ps_pvec_to_nodes(p->ast, &usings);
	leave(p);
	return sb;
}

void
ps_parse_into(struct ps_ast *ast, const char *src, size_t len)
{
	struct parser p;

	ps_tokenize_in(src, len, &ast->toks, &ast->arena);
	memset(&p, 0, sizeof(p));
	p.ast = ast;
	p.A = &ast->arena;
	p.src = src;
	p.tv = ast->toks.v;
	p.ntok = ast->toks.n;
	p.limit = p.ntok;
	p.last = SIZE_MAX;
	settle(&p);
	if (p.ntok > PVEC_INLINE) {
		/* about one node per token: one allocation instead of doubling from 8 */
		p.res.all.cap = p.ntok;
		p.res.all.v = xmalloc(p.ntok * sizeof(*p.res.all.v));
	}
	ast->root = mk_at(&p, PS_NODE_SCRIPTBLOCK, 0);
	ast->root->ext.start = 0;
	ast->root->ext.line = ast->root->ext.column = 1;
	parse_scriptblock_body(&p, ast->root, PS_TOK__MAX);
	ast->root->tok_last = (uint32_t)(p.ntok ? p.ntok - 1 : 0);
	ast->root->ext.end = (uint32_t)ast->toks.len;
	ps_position(&ast->toks, ast->toks.len, &ast->root->ext.end_line, &ast->root->ext.end_column);
	ps_parse_post(ast, &p.res);
}

struct ps_ast *
ps_parse(const char *src, size_t len)
{
	struct ps_ast *ast = xcalloc(1, sizeof(*ast));

	arena_init(&ast->arena);
	ps_parse_into(ast, src, len);
	return ast;
}

/* ps_ast_alloc's slow path: a big request on its own, else a new slab (the rest of the old
 * one is left unused). align is 1 or 16. */
void *
ps_ast_refill(struct ps_ast *ast, size_t n, size_t align)
{
	uintptr_t b;

	if (n > PS_AST_BUMP_MAX) {
		void *r;

		if (n > SIZE_MAX - 16)
			pss_die("arena allocation overflow");
		b = (uintptr_t)arena_alloc_bytes(&ast->arena, n + align - 1);
		r = (void *)((b + align - 1) & ~(uintptr_t)(align - 1));
		if (align == 16)
			memset(r, 0, n);
		return r;
	}
	b = (uintptr_t)arena_alloc_bytes(&ast->arena, PS_AST_SLAB + 15);
	ast->bump_lo = (unsigned char *)((b + 15) & ~(uintptr_t)15);
	ast->bump_hi = ast->bump_lo + PS_AST_SLAB;
	memset(ast->bump_lo, 0, PS_AST_SLAB);
	if (align == 1) {
		ast->bump_hi -= n;
		return ast->bump_hi;
	}
	ast->bump_lo += n;	/* n is a multiple of 16 here */
	return ast->bump_lo - n;
}

void
ps_ast_release(struct ps_ast *ast)
{
	ps_tokens_free(&ast->toks);
	arena_free(&ast->arena);
}

void
ps_ast_free(struct ps_ast *ast)
{
	if (ast == NULL)
		return;
	ps_ast_release(ast);
	free(ast);
}
