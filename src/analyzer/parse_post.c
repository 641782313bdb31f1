#include "config.h"
/* parse_post.c: after parsing: child lists, flat indexes, comment help, #Requires, imports,
 * complexity, string decoding, the walker and the lookup helpers */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/parse_int.h"
#include "analyzer/ps_ast.h"
#include "core/core.h"

static const char *const node_names[PS_NODE__MAX] = {
	"ERROR", "SCRIPTBLOCK", "NAMED_BLOCK", "STATEMENT_BLOCK", "FUNCTION", "PARAM_BLOCK",
	"PARAMETER", "ATTRIBUTE", "NAMED_ATTR_ARG", "CLASS", "ENUM", "PROPERTY_MEMBER",
	"METHOD_MEMBER", "USING", "PIPELINE", "PIPELINE_CHAIN", "COMMAND", "COMMAND_PARAMETER",
	"REDIRECTION", "ASSIGNMENT", "IF", "SWITCH", "FOR", "FOREACH", "WHILE", "DO_WHILE",
	"DO_UNTIL", "TRY", "CATCH", "TRAP", "BREAK", "CONTINUE", "RETURN", "THROW", "EXIT",
	"DATA", "BINARY", "UNARY", "TERNARY", "CONVERT", "VARIABLE", "STRING", "NUMBER", "TYPE",
	"MEMBER", "INVOKE_MEMBER", "INDEX", "ARRAY_LITERAL", "ARRAY_EXPR", "SUBEXPR", "PAREN",
	"HASHTABLE", "SCRIPTBLOCK_EXPR",
};

const char *
ps_node_kind_name(enum ps_node_kind k)
{
	return (unsigned)k < PS_NODE__MAX ? node_names[k] : "?";
}

void
ps_parse_diag(struct ps_ast *ast, struct parse_result *r, const struct ps_extent *e,
    const char *msg)
{
	(void)ast;
	if (r->ndiags == r->capdiags) {
		r->capdiags = r->capdiags ? r->capdiags * 2 : 16;
		r->diags = xrealloc(r->diags, r->capdiags * sizeof(*r->diags));
	}
	r->diags[r->ndiags].ext = *e;
	r->diags[r->ndiags].msg = msg;
	r->ndiags++;
}

/* ---- string decoding ---- */

/* a backtick escape at s[i] (s[i] == '`'): writes the character to o, returns bytes consumed */
static size_t
backtick(const char *s, size_t i, size_t e, char *o, size_t *olen)
{
	char c;

	if (i + 1 >= e) {
		o[(*olen)++] = '`';
		return 1;
	}
	c = s[i + 1];
	switch (c) {
	case '0': o[(*olen)++] = '\0'; return 2;
	case 'a': o[(*olen)++] = '\a'; return 2;
	case 'b': o[(*olen)++] = '\b'; return 2;
	case 'e': o[(*olen)++] = 27; return 2;
	case 'f': o[(*olen)++] = '\f'; return 2;
	case 'n': o[(*olen)++] = '\n'; return 2;
	case 'r': o[(*olen)++] = '\r'; return 2;
	case 't': o[(*olen)++] = '\t'; return 2;
	case 'v': o[(*olen)++] = '\v'; return 2;
	case 'u':
		if (i + 2 < e && s[i + 2] == '{') {
			unsigned long cp = 0;
			size_t j = i + 3;

			while (j < e && j < i + 10 && s[j] != '}') {
				int v = hex_digit((unsigned char)s[j]);

				if (v < 0)
					break;
				cp = cp * 16 + (unsigned long)v;
				j++;
			}
			if (j < e && s[j] == '}') {
				*olen += utf8_encode((uint32_t)cp, o + *olen);
				return j + 1 - i;
			}
		}
		o[(*olen)++] = 'u';
		return 2;
	default:
		o[(*olen)++] = c;
		return 2;
	}
}

static size_t
quote_len(const char *s, size_t i, size_t e, int dq)
{
	const unsigned char *u = (const unsigned char *)s + i;

	if (i >= e)
		return 0;
	if (u[0] == (dq ? '"' : '\''))
		return 1;
	if (i + 2 < e && u[0] == 0xE2 && u[1] == 0x80 &&
	    (dq ? (u[2] >= 0x9C && u[2] <= 0x9E) : (u[2] >= 0x98 && u[2] <= 0x9B)))
		return 3;
	return 0;
}

/* The bytes ps_parse_decode_string may change: backtick, quotes and the first byte of the
 * typographic quotes (U+2018..U+201E). */
static const unsigned char decode_special[256] = {
	['`'] = 1, ['"'] = 1, ['\''] = 1, [0xE2] = 1,
};

char *
ps_parse_decode_string(struct ps_ast *ast, const char *src, const struct ps_token *t, size_t *len)
{
	const char *s = src;
	size_t b = t->start, e = t->end, i, q, olen = 0;
	char *o = ps_ast_bytes(ast, (e - b) + 8);
	int dq = 0, esc = 0, quotes = 0;

	switch (t->kind) {
	case PS_TOK_STRING_DQ:
		dq = 1;
		esc = 1;
		/* FALLTHROUGH */
	case PS_TOK_STRING_SQ:
		b += quote_len(s, b, e, dq);
		if (!(t->flags & PS_TOKF_UNTERMINATED) && e > b) {
			if (e - b >= 3 && quote_len(s, e - 3, e, dq) == 3)
				e -= 3;
			else if (quote_len(s, e - 1, e, dq) == 1)
				e -= 1;
		}
		quotes = 1;
		break;
	case PS_TOK_HERESTRING_DQ:
		dq = 1;
		esc = 1;
		/* FALLTHROUGH */
	case PS_TOK_HERESTRING_SQ:
		while (b < e && s[b] != '\n' && s[b] != '\r')
			b++;
		if (b < e && s[b] == '\r' && b + 1 < e && s[b + 1] == '\n')
			b++;
		if (b < e)
			b++;
		if (!(t->flags & PS_TOKF_UNTERMINATED)) {
			/* drop the closing quote, @ and the newline before them */
			while (e > b && s[e - 1] != '\n' && s[e - 1] != '\r')
				e--;
			if (e > b && s[e - 1] == '\n')
				e--;
			if (e > b && s[e - 1] == '\r')
				e--;
		}
		break;
	case PS_TOK_VARIABLE: case PS_TOK_SPLAT:
		b++;
		if (b < e && s[b] == '{') {
			b++;
			if (e > b && s[e - 1] == '}')
				e--;
			esc = 1;
		}
		break;
	case PS_TOK_GENERIC: case PS_TOK_COMMAND:
		esc = 2;
		quotes = 2;
		break;
	case PS_TOK_FUNCTION_NAME: case PS_TOK_MEMBER: case PS_TOK_TYPE:
		esc = 2;
		break;
	case PS_TOK_STOP_PARSING:
		b += 3;
		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		break;
	default:
		break;
	}
	for (i = b; i < e;) {
		/* bytes that no rule below changes are copied as they are, a run at a time */
		if (!decode_special[(unsigned char)s[i]]) {
			size_t j = i + 1;

			while (j < e && !decode_special[(unsigned char)s[j]])
				j++;
			memcpy(o + olen, s + i, j - i);
			olen += j - i;
			i = j;
			continue;
		}
		if (esc == 1 && s[i] == '`') {
			i += backtick(s, i, e, o, &olen);
			continue;
		}
		if (esc == 2 && s[i] == '`' && i + 1 < e) {
			/* in bare words and names a backtick only quotes the next character */
			i++;
		}
		if (quotes == 1 && (q = quote_len(s, i, e, dq)) > 0) {
			size_t q2 = quote_len(s, i + q, e, dq);

			/* a doubled quote is one quote */
			memcpy(o + olen, s + i, q);
			olen += q;
			i += q + q2;
			continue;
		}
		if (quotes == 2 && (s[i] == '"' || s[i] == '\'')) {
			i++;
			continue;
		}
		o[olen++] = s[i++];
	}
	o[olen] = '\0';
	*len = olen;
	return o;
}

/* ---- walking ---- */

struct walk_frame {
	struct ps_node *n;
	size_t	 next;
};

int
ps_ast_walk(struct ps_node *root, ps_visit_fn fn, void *ctx)
{
	struct walk_frame local[64], *st = local;	/* the heap only for deep trees */
	size_t n = 0, cap = PSS_ARRAY_LEN(local);
	int r;

	if (root == NULL)
		return 0;
	r = fn(root, ctx);
	if (r == PS_WALK_STOP)
		return 1;
	if (r == PS_WALK_SKIP)
		return 0;
	st[n].n = root;
	st[n++].next = 0;
	while (n > 0) {
		struct walk_frame *f = &st[n - 1];
		struct ps_node *k;

		if (f->next >= f->n->kids.n) {
			n--;
			continue;
		}
		k = f->n->kids.v[f->next++];
		r = fn(k, ctx);
		if (r == PS_WALK_STOP) {
			if (st != local)
				free(st);
			return 1;
		}
		if (r == PS_WALK_SKIP || k->kids.n == 0)
			continue;
		if (n == cap) {
			cap *= 2;
			if (st == local) {
				st = xmalloc(cap * sizeof(*st));
				memcpy(st, local, sizeof(local));
			} else {
				st = xrealloc(st, cap * sizeof(*st));
			}
		}
		st[n].n = k;
		st[n++].next = 0;
	}
	if (st != local)
		free(st);
	return 0;
}

int
ps_ast_walk_tree(const struct ps_ast *ast, ps_visit_fn fn, void *ctx)
{
	struct ps_node *const *v = ast->preorder.v;
	size_t n = ast->preorder.n;

	if (n == 0)
		return ps_ast_walk(ast->root, fn, ctx);
	for (size_t i = 0; i < n;) {
		int r = fn(v[i], ctx);

		if (r == PS_WALK_STOP)
			return 1;
		i = r == PS_WALK_SKIP ? v[i]->pre_end : i + 1;
	}
	return 0;
}

/* ---- child lists ---- */

static int
cmp_node_pos(const void *a, const void *b)
{
	const struct ps_node *x = *(struct ps_node *const *)a, *y = *(struct ps_node *const *)b;

	if (x->ext.start != y->ext.start)
		return x->ext.start < y->ext.start ? -1 : 1;
	if (x->ext.end != y->ext.end)
		return x->ext.end > y->ext.end ? -1 : 1;
	return 0;
}

static void
build_kids(struct ps_ast *ast, struct parse_result *r)
{
	struct pvec *all = &r->all;
	size_t orphans = 0, nkids = 0;
	struct ps_node **slab;

	for (size_t i = 0; i < all->n; i++) {
		struct ps_node *n = all->v[i];

		if (n->parent == NULL && n != ast->root) {
			n->parent = ast->root;
			orphans++;
		}
		if (n->parent != NULL) {
			n->parent->kids.n++;
			nkids++;
		}
	}
	/* every kid list is a slice of one array */
	slab = ps_ast_alloc(ast, (nkids + 1) * sizeof(*slab));
	for (size_t i = 0; i < all->n; i++) {
		struct ps_node *n = all->v[i];

		if (n->kids.n > 0) {
			n->kids.v = slab;
			slab += n->kids.n;
			n->kids.n = 0;
		}
	}
	for (size_t i = 0; i < all->n; i++) {
		struct ps_node *n = all->v[i];

		if (n->parent != NULL)
			n->parent->kids.v[n->parent->kids.n++] = n;
	}
	for (size_t i = 0; i < all->n; i++) {
		struct ps_nodes *k = &all->v[i]->kids;
		size_t j;

		for (j = 1; j < k->n; j++)
			if (cmp_node_pos(&k->v[j - 1], &k->v[j]) > 0)
				break;
		if (j < k->n)
			qsort(k->v, k->n, sizeof(*k->v), cmp_node_pos);
	}
	if (orphans > 0) {
		struct ps_extent e = ast->root->ext;

		ps_parse_diag(ast, r, &e, "internal: nodes outside the tree");
	}
}

/* ---- flat indexes ---- */

struct cx_ctx;
static int cx_visit(struct ps_node *, void *);

_Static_assert(PS_NODE__MAX <= 64, "ps_ast.kinds has a bit per node kind");

struct index_ctx {
	struct ps_ast *ast;
	struct pvec functions, commands, variables, assignments, strings, members, types,
	    attributes, classes, parameters, binaries, catches, pipelines;
	struct pvec *usings;	/* the caller's */
	struct cx_ctx *cx;	/* the script's complexity, measured in the same walk */
	struct ps_node **pre;	/* the nodes in walk order (ast->preorder), room for npre_cap */
	size_t	 npre, npre_cap;
};

static int
index_visit(struct ps_node *n, void *arg)
{
	struct index_ctx *c = arg;

	n->depth = n->parent == NULL ? 0 : n->parent->depth < UINT16_MAX ? n->parent->depth + 1 :
	    UINT16_MAX;
	if (c->npre < c->npre_cap)
		c->pre[c->npre] = n;
	c->npre++;
	c->ast->kinds |= (uint64_t)1 << n->kind;
	switch (n->kind) {
	case PS_NODE_FUNCTION: ps_pvec_push(&c->functions, n); break;
	case PS_NODE_COMMAND: ps_pvec_push(&c->commands, n); break;
	case PS_NODE_VARIABLE: ps_pvec_push(&c->variables, n); break;
	case PS_NODE_ASSIGNMENT: ps_pvec_push(&c->assignments, n); break;
	case PS_NODE_STRING:
		/* names of commands, functions and members are not string values */
		if (n->u.str.tok != PS_TOK_MEMBER && n->u.str.tok != PS_TOK_FUNCTION_NAME &&
		    !(n->u.str.tok == PS_TOK_COMMAND && n->parent != NULL &&
		    n->parent->kind == PS_NODE_COMMAND && n->parent->u.cmd.name_node == n))
			ps_pvec_push(&c->strings, n);
		break;
	case PS_NODE_MEMBER: case PS_NODE_INVOKE_MEMBER: ps_pvec_push(&c->members, n); break;
	case PS_NODE_TYPE: ps_pvec_push(&c->types, n); break;
	case PS_NODE_ATTRIBUTE: ps_pvec_push(&c->attributes, n); break;
	case PS_NODE_CLASS: case PS_NODE_ENUM: ps_pvec_push(&c->classes, n); break;
	case PS_NODE_PARAMETER: ps_pvec_push(&c->parameters, n); break;
	case PS_NODE_BINARY: ps_pvec_push(&c->binaries, n); break;
	case PS_NODE_CATCH: case PS_NODE_TRAP: ps_pvec_push(&c->catches, n); break;
	case PS_NODE_PIPELINE: ps_pvec_push(&c->pipelines, n); break;
	case PS_NODE_USING: ps_pvec_push(c->usings, n); break;
	default: break;
	}
	return cx_visit(n, c->cx);	/* never skips: the script's measure has no top */
}

static void
build_indexes(struct ps_ast *ast, struct pvec *usings, struct cx_ctx *cx, size_t nnodes)
{
	struct index_ctx c;
	struct pvec *const from[] = { &c.functions, &c.commands, &c.variables, &c.assignments,
		&c.strings, &c.members, &c.types, &c.attributes, &c.classes, &c.parameters,
		&c.binaries, &c.catches, &c.pipelines };
	struct ps_nodes *const to[] = { &ast->functions, &ast->commands, &ast->variables,
		&ast->assignments, &ast->strings, &ast->members, &ast->types, &ast->attributes,
		&ast->classes, &ast->parameters, &ast->binaries, &ast->catches, &ast->pipelines };

	/* the vectors' inline slots need no zeroing (ps_pvec_push writes before it reads) */
	for (size_t k = 0; k < PSS_ARRAY_LEN(from); k++) {
		from[k]->v = NULL;
		from[k]->n = from[k]->cap = 0;
	}
	c.ast = ast;
	c.usings = usings;
	c.cx = cx;
	c.npre = 0;
	c.npre_cap = nnodes;
	c.pre = ps_ast_alloc(ast, (nnodes + 1) * sizeof(*c.pre));
	ps_ast_walk(ast->root, index_visit, &c);
	if (c.npre == nnodes) {
		/* where each node's subtree ends in walk order: after its last kid's subtree */
		for (size_t i = nnodes; i > 0; i--) {
			struct ps_node *n = c.pre[i - 1];

			n->pre_end = n->kids.n > 0 ? n->kids.v[n->kids.n - 1]->pre_end : (uint32_t)i;
		}
		ast->preorder.v = c.pre;
		ast->preorder.n = nnodes;
	}
	{
		/* the indexes are slices of one array (what ps_pvec_to_nodes gives each) */
		size_t total = 0;
		struct ps_node **slab;

		for (size_t k = 0; k < PSS_ARRAY_LEN(from); k++)
			total += from[k]->n;
		slab = total > 0 ? ps_ast_alloc(ast, total * sizeof(*slab)) : NULL;
		for (size_t k = 0; k < PSS_ARRAY_LEN(from); k++) {
			to[k]->n = from[k]->n;
			to[k]->v = from[k]->n > 0 ? slab : NULL;
			if (from[k]->n > 0) {
				memcpy(slab, from[k]->v, from[k]->n * sizeof(*slab));
				slab += from[k]->n;
			}
			ps_pvec_free(from[k]);
		}
	}
}

/* ---- comment-based help ---- */

static const char *const help_keywords[] = {
	"SYNOPSIS", "DESCRIPTION", "PARAMETER", "EXAMPLE", "INPUTS", "OUTPUTS", "NOTES", "LINK",
	"COMPONENT", "ROLE", "FUNCTIONALITY", "FORWARDHELPTARGETNAME", "FORWARDHELPCATEGORY",
	"REMOTEHELPRUNSPACE", "EXTERNALHELP",
};

static int
is_comment(const struct ps_token *t)
{
	return t->kind == PS_TOK_COMMENT || t->kind == PS_TOK_BLOCK_COMMENT;
}

/* append the text of comment token t to b, without the comment markers */
static void
comment_text(const char *src, const struct ps_token *t, struct buf *b)
{
	const char *s = src + t->start;
	size_t n = t->end - t->start;

	if (t->kind == PS_TOK_BLOCK_COMMENT) {
		s += 2;
		n = n >= 2 ? n - 2 : 0;
		if (!(t->flags & PS_TOKF_UNTERMINATED) && n >= 2)
			n -= 2;
	} else {
		s += 1;
		n = n >= 1 ? n - 1 : 0;
	}
	buf_append(b, s, n);
	buf_putc(b, '\n');
}

static char *
trim_copy(struct arena *a, const char *s, size_t n)
{
	while (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return arena_strndup(a, s, n);
}

/* parse help text into h; returns 1 when it held at least one help keyword */
static int
help_parse(struct arena *a, const char *text, struct ps_help *h)
{
	struct ps_help_section secs[64];
	struct buf cur = BUF_INIT;
	size_t nsec = 0, nparams = 0, nex = 0;
	const char *line = text;
	int have = 0;

	while (*line) {
		const char *eol = strchr(line, '\n'), *p = line, *kw;
		size_t len = eol ? (size_t)(eol - line) : strlen(line), kwlen, i;

		while (p < line + len && (*p == ' ' || *p == '\t' || *p == '#'))
			p++;
		if (p < line + len && *p == '.') {
			kw = p + 1;
			for (kwlen = 0; kw + kwlen < line + len && ((kw[kwlen] | 0x20) >= 'a' &&
			    (kw[kwlen] | 0x20) <= 'z'); kwlen++)
				;
			for (i = 0; i < PSS_ARRAY_LEN(help_keywords); i++)
				if (strlen(help_keywords[i]) == kwlen &&
				    strncasecmp(help_keywords[i], kw, kwlen) == 0)
					break;
			if (i < PSS_ARRAY_LEN(help_keywords)) {
				if (have && nsec > 0)
					secs[nsec - 1].text = trim_copy(a, buf_cstr(&cur), cur.len);
				buf_reset(&cur);
				if (nsec < PSS_ARRAY_LEN(secs)) {
					const char *arg = kw + kwlen;
					size_t alen = (size_t)(line + len - arg);

					secs[nsec].keyword = help_keywords[i];
					secs[nsec].arg = NULL;
					secs[nsec].text = "";
					while (alen > 0 && (*arg == ' ' || *arg == '\t')) {
						arg++;
						alen--;
					}
					if (alen > 0)
						secs[nsec].arg = trim_copy(a, arg, alen);
					nsec++;
				}
				have = 1;
				line = eol ? eol + 1 : line + len;
				continue;
			}
		}
		if (have) {
			const char *q = line;

			while (q < line + len && (*q == ' ' || *q == '\t'))
				q++;
			buf_append(&cur, q, (size_t)(line + len - q));
			buf_putc(&cur, '\n');
		}
		line = eol ? eol + 1 : line + len;
	}
	if (have && nsec > 0)
		secs[nsec - 1].text = trim_copy(a, buf_cstr(&cur), cur.len);
	buf_free(&cur);
	if (!have)
		return 0;
	h->sections = arena_alloc(a, nsec * sizeof(*h->sections));
	memcpy(h->sections, secs, nsec * sizeof(*secs));
	h->nsections = nsec;
	for (size_t i = 0; i < nsec; i++) {
		if (secs[i].keyword == help_keywords[2])
			nparams++;
		else if (secs[i].keyword == help_keywords[3])
			nex++;
	}
	h->params = arena_alloc(a, (nparams ? nparams : 1) * sizeof(*h->params));
	h->examples = arena_alloc(a, (nex ? nex : 1) * sizeof(*h->examples));
	for (size_t i = 0; i < nsec; i++) {
		if (secs[i].keyword == help_keywords[0] && h->synopsis == NULL)
			h->synopsis = secs[i].text;
		else if (secs[i].keyword == help_keywords[1] && h->description == NULL)
			h->description = secs[i].text;
		else if (secs[i].keyword == help_keywords[2]) {
			h->params[h->nparams].name = secs[i].arg ? secs[i].arg : "";
			h->params[h->nparams++].text = secs[i].text;
		} else if (secs[i].keyword == help_keywords[3])
			h->examples[h->nexamples++] = secs[i].text;
	}
	return 1;
}

/*
 * The comment block around token j: dir -1 collects the block ending just
 * before j (walking back over at most max_nl newlines), +1 the block starting
 * after j. Returns the help or NULL.
 */
static struct ps_help *help_from(struct ps_ast *, size_t, int);

static struct ps_help *
help_at(struct ps_ast *ast, size_t j, int dir, int max_nl)
{
	const struct ps_token *tv = ast->toks.v;
	size_t n = ast->toks.n;
	long k = (long)j + dir;
	int nl = 0;

	while (k >= 0 && (size_t)k < n && tv[k].kind == PS_TOK_NEWLINE) {
		if (++nl > max_nl)
			return NULL;
		k += dir;
	}
	if (k < 0 || (size_t)k >= n || !is_comment(&tv[k]))
		return NULL;
	return help_from(ast, (size_t)k, dir);
}

/* the comment block at token k, extended in direction dir */
static struct ps_help *
help_from(struct ps_ast *ast, size_t k, int dir)
{
	const struct ps_token *tv = ast->toks.v;
	size_t n = ast->toks.n, first, last;
	struct buf b = BUF_INIT;
	struct ps_help *h;

	first = last = k;
	if (tv[k].kind == PS_TOK_COMMENT) {
		/* extend over adjacent line comments (one newline apart) */
		for (;;) {
			long m = (long)(dir < 0 ? first : last) + dir;

			if (m < 0 || (size_t)m >= n || tv[m].kind != PS_TOK_NEWLINE)
				break;
			m += dir;
			if (m < 0 || (size_t)m >= n || tv[m].kind != PS_TOK_COMMENT)
				break;
			if (dir < 0)
				first = (size_t)m;
			else
				last = (size_t)m;
		}
	}
	for (size_t i = first; i <= last; i++)
		if (is_comment(&tv[i]))
			comment_text(ast->toks.src, &tv[i], &b);
	h = ps_ast_alloc(ast, sizeof(*h));
	if (!help_parse(&ast->arena, buf_cstr(&b), h)) {
		buf_free(&b);
		return NULL;
	}
	buf_free(&b);
	h->ext.start = tv[first].start;
	h->ext.line = tv[first].line;
	h->ext.column = tv[first].column;
	h->ext.end = tv[last].end;
	h->ext.end_line = tv[last].end_line;
	h->ext.end_column = tv[last].end_column;
	return h;
}

static void
attach_help(struct ps_ast *ast)
{
	const struct ps_token *tv = ast->toks.v;
	size_t n = ast->toks.n;

	for (size_t i = 0; i < ast->functions.n; i++) {
		struct ps_node *f = ast->functions.v[i], *body = f->u.fn.body;
		struct ps_help *h = help_at(ast, f->tok_first, -1, 2);

		if (h != NULL) {
			h->where = PS_HELP_BEFORE;
		} else if (body != NULL) {
			h = help_at(ast, body->tok_first, +1, 1 << 20);
			if (h != NULL) {
				h->where = PS_HELP_INSIDE_START;
			} else if (tv[body->tok_last].kind == PS_TOK_RBRACE) {
				h = help_at(ast, body->tok_last, -1, 1 << 20);
				if (h != NULL)
					h->where = PS_HELP_INSIDE_END;
			}
		}
		f->u.fn.help = h;
		if (body != NULL)
			body->u.sb.help = h;
	}
	/* script help: the first comment block (unless it is the first function's), else the last */
	{
		size_t k = 0;
		struct ps_help *h = NULL;

		while (k < n && (tv[k].kind == PS_TOK_NEWLINE || tv[k].kind == PS_TOK_REQUIRES))
			k++;
		if (k < n && is_comment(&tv[k])) {
			h = help_from(ast, k, +1);
			if (h != NULL) {
				for (size_t i = 0; i < ast->functions.n; i++) {
					if (ast->functions.v[i]->u.fn.help != NULL &&
					    ast->functions.v[i]->u.fn.help->ext.start == h->ext.start) {
						h = NULL;
						break;
					}
				}
			}
		}
		if (h == NULL && n > 0) {
			size_t e = n;

			while (e > 0 && tv[e - 1].kind == PS_TOK_NEWLINE)
				e--;
			if (e > 0 && is_comment(&tv[e - 1])) {
				h = help_at(ast, e, -1, 1 << 20);
				for (size_t i = 0; h != NULL && i < ast->functions.n; i++)
					if (ast->functions.v[i]->u.fn.help != NULL &&
					    ast->functions.v[i]->u.fn.help->ext.start == h->ext.start)
						h = NULL;
			}
		}
		ast->help = h;
		ast->root->u.sb.help = h;
	}
}

/* ---- #Requires and imports ---- */

struct import_vec {
	struct ps_import *v;
	size_t	 n, cap;
};

static void
add_import(struct import_vec *iv, enum ps_import_kind kind, const char *name, struct ps_node *node,
    const struct ps_extent *ext)
{
	if (iv->n == iv->cap) {
		iv->cap = iv->cap ? iv->cap * 2 : 8;
		iv->v = xrealloc(iv->v, iv->cap * sizeof(*iv->v));
	}
	iv->v[iv->n].kind = kind;
	iv->v[iv->n].name = name;
	iv->v[iv->n].node = node;
	iv->v[iv->n].ext = *ext;
	iv->n++;
}

static void
token_ext(const struct ps_token *t, struct ps_extent *e)
{
	e->start = t->start;
	e->end = t->end;
	e->line = t->line;
	e->column = t->column;
	e->end_line = t->end_line;
	e->end_column = t->end_column;
}

static void
parse_requires(struct ps_ast *ast, struct import_vec *iv)
{
	struct ps_requires *rv = NULL;
	size_t nr = 0, cap = 0;

	for (size_t i = 0; i < ast->toks.n; i++) {
		const struct ps_token *t = &ast->toks.v[i];
		const char *s = ast->toks.src + t->start + 9;	/* after "#requires" */
		size_t len = t->end - t->start - 9;
		struct ps_tokens rt;
		struct ps_extent ext;
		const char *key = NULL;
		int nvals = 0;

		if (t->kind != PS_TOK_REQUIRES)
			continue;
		token_ext(t, &ext);
		ps_tokenize(s, len, &rt);
		for (size_t k = 0; k <= rt.n; k++) {
			const struct ps_token *r = k < rt.n ? &rt.v[k] : NULL;
			const char *val = NULL;
			size_t vlen;

			if (r != NULL && (r->flags & PS_TOKF_NESTED))
				continue;
			if (r == NULL || r->kind == PS_TOK_PARAMETER) {
				if (key != NULL && nvals == 0)
					val = "";
				else if (r == NULL)
					break;
			} else if (key != NULL && r->kind == PS_TOK_HASH_START) {
				/* @{ ModuleName = 'X'; ... } */
				for (k++; k < rt.n && rt.v[k].kind != PS_TOK_RBRACE; k++) {
					const struct ps_token *g = &rt.v[k];

					if (g->kind == PS_TOK_GENERIC && g->end - g->start == 10 &&
					    strncasecmp(s + g->start, "ModuleName", 10) == 0 && k + 2 < rt.n)
						val = ps_parse_decode_string(ast, s, &rt.v[k + 2], &vlen);
				}
				if (val == NULL)
					continue;
			} else if (key != NULL && (r->kind == PS_TOK_GENERIC || r->kind == PS_TOK_NUMBER ||
			    r->kind == PS_TOK_STRING_SQ || r->kind == PS_TOK_STRING_DQ ||
			    r->kind == PS_TOK_COMMAND)) {
				val = ps_parse_decode_string(ast, s, r, &vlen);
			}
			if (val != NULL) {
				if (nr == cap) {
					cap = cap ? cap * 2 : 4;
					rv = xrealloc(rv, cap * sizeof(*rv));
				}
				rv[nr].key = key;
				rv[nr].value = val;
				rv[nr].ext = ext;
				nr++;
				nvals++;
				if (strncasecmp(key, "Module", 6) == 0 && *val)
					add_import(iv, PS_IMPORT_REQUIRES_MODULE, val, NULL, &ext);
			}
			if (r != NULL && r->kind == PS_TOK_PARAMETER) {
				size_t kl = r->end - r->start - 1;

				if (r->flags & PS_TOKF_COLON)
					kl--;
				key = ps_ast_strndup(ast, s + r->start + 1, kl);
				nvals = 0;
			}
		}
		ps_tokens_free(&rt);
	}
	if (nr > 0) {
		ast->requires = ps_ast_alloc(ast, nr * sizeof(*rv));
		memcpy(ast->requires, rv, nr * sizeof(*rv));
		ast->nrequires = nr;
	}
	free(rv);
}

/* ASCII case folding of one byte (as strcasecmp compares). */
static inline int
fold1(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

/* strcasecmp(x, y) == 0, rejecting on the first byte without a call */
static inline bool
ci_same(const char *x, const char *y)
{
	return fold1((unsigned char)x[0]) == fold1((unsigned char)y[0]) && strcasecmp(x, y) == 0;
}

static int
name_is(const char *name, const char *a, const char *b)
{
	return name != NULL && (ci_same(name, a) || (b != NULL && ci_same(name, b)));
}

static const char *
arg_string(const struct ps_node *cmd, const char *param, int position)
{
	const struct ps_cmd_arg *a = param ? ps_cmd_arg_find(cmd, param) : NULL;

	if (a == NULL && position >= 0)
		a = ps_cmd_positional(cmd, position);
	return a != NULL ? ps_node_const_string(a->value) : NULL;
}

static void
collect_imports(struct ps_ast *ast, struct import_vec *iv)
{
	for (size_t i = 0; i < ast->commands.n; i++) {
		struct ps_node *c = ast->commands.v[i];
		const char *nm = c->u.cmd.name;

		if (c->u.cmd.invocation == '.') {
			const char *name = nm;
			size_t len;

			if (name == NULL && c->u.cmd.name_node != NULL) {
				const char *txt = ps_node_text(ast, c->u.cmd.name_node, &len);

				name = ps_ast_strndup(ast, txt, len);
			}
			add_import(iv, PS_IMPORT_DOT_SOURCE, name, c, &c->ext);
		} else if (name_is(nm, "Import-Module", "ipmo")) {
			add_import(iv, PS_IMPORT_MODULE, arg_string(c, "Name", 0), c, &c->ext);
		} else if (name_is(nm, "Add-Type", NULL)) {
			const char *n = arg_string(c, "AssemblyName", -1);

			if (n == NULL)
				n = arg_string(c, "Path", -1);
			if (n == NULL)
				n = arg_string(c, "LiteralPath", -1);
			add_import(iv, PS_IMPORT_ADD_TYPE, n, c, &c->ext);
		}
	}
}


static int
cmp_import(const void *a, const void *b)
{
	const struct ps_import *x = a, *y = b;

	return x->ext.start < y->ext.start ? -1 : x->ext.start > y->ext.start ? 1 :
	    (int)x->kind - (int)y->kind;
}

static void
build_imports(struct ps_ast *ast, struct pvec *usings)
{
	struct import_vec iv = { NULL, 0, 0 };

	parse_requires(ast, &iv);
	collect_imports(ast, &iv);
	for (size_t i = 0; i < usings->n; i++) {
		struct ps_node *n = usings->v[i];

		if (strcmp(n->u.use.what, "module") == 0)
			add_import(&iv, PS_IMPORT_USING_MODULE, n->u.use.name, n, &n->ext);
		else if (strcmp(n->u.use.what, "assembly") == 0)
			add_import(&iv, PS_IMPORT_USING_ASSEMBLY, n->u.use.name, n, &n->ext);
	}
	ps_pvec_free(usings);
	if (iv.n > 0) {
		qsort(iv.v, iv.n, sizeof(*iv.v), cmp_import);
		ast->imports = ps_ast_alloc(ast, iv.n * sizeof(*iv.v));
		memcpy(ast->imports, iv.v, iv.n * sizeof(*iv.v));
		ast->nimports = iv.n;
	}
	free(iv.v);
}

/* ---- complexity ---- */

static int
is_control(const struct ps_node *n)
{
	switch (n->kind) {
	case PS_NODE_IF: case PS_NODE_SWITCH: case PS_NODE_FOR: case PS_NODE_FOREACH:
	case PS_NODE_WHILE: case PS_NODE_DO_WHILE: case PS_NODE_DO_UNTIL: case PS_NODE_TRY:
	case PS_NODE_TRAP:
		return 1;
	default:
		return 0;
	}
}

struct cx_ctx {
	struct ps_complexity *cx;
	struct ps_node *top;	/* function being measured, or NULL for the script */
	uint32_t decisions;
};

static int
cx_visit(struct ps_node *n, void *arg)
{
	struct cx_ctx *c = arg;
	struct ps_complexity *cx = c->cx;

	if (c->top != NULL && n != c->top && n->kind == PS_NODE_FUNCTION)
		return PS_WALK_SKIP;
	if (n->parent != NULL && (n->parent->kind == PS_NODE_SCRIPTBLOCK ||
	    n->parent->kind == PS_NODE_STATEMENT_BLOCK || n->parent->kind == PS_NODE_NAMED_BLOCK) &&
	    n->kind != PS_NODE_PARAM_BLOCK && n->kind != PS_NODE_STATEMENT_BLOCK &&
	    n->kind != PS_NODE_NAMED_BLOCK)
		cx->statements++;
	switch (n->kind) {
	case PS_NODE_IF:
		cx->ifs++;
		cx->elseifs += (uint32_t)(n->u.ifs.conds.n > 0 ? n->u.ifs.conds.n - 1 : 0);
		cx->elses += n->u.ifs.else_body != NULL;
		c->decisions += (uint32_t)n->u.ifs.conds.n;
		break;
	case PS_NODE_SWITCH:
		cx->switches++;
		cx->switch_clauses += (uint32_t)n->u.sw.patterns.n;
		c->decisions += (uint32_t)n->u.sw.patterns.n;
		break;
	case PS_NODE_FOR: cx->fors++; c->decisions++; break;
	case PS_NODE_FOREACH: cx->foreachs++; c->decisions++; break;
	case PS_NODE_WHILE: cx->whiles++; c->decisions++; break;
	case PS_NODE_DO_WHILE: case PS_NODE_DO_UNTIL: cx->dos++; c->decisions++; break;
	case PS_NODE_TRY: cx->tries++; break;
	case PS_NODE_CATCH: cx->catches++; c->decisions++; break;
	case PS_NODE_TRAP: cx->traps++; c->decisions++; break;
	case PS_NODE_TERNARY: cx->ternaries++; c->decisions++; break;
	case PS_NODE_BINARY:
		if (n->u.bin.op == PS_OP_AND) {
			cx->ands++;
			c->decisions++;
		} else if (n->u.bin.op == PS_OP_OR) {
			cx->ors++;
			c->decisions++;
		} else if (n->u.bin.op == PS_OP_COALESCE) {
			cx->coalesces++;
			c->decisions++;
		}
		break;
	case PS_NODE_PIPELINE_CHAIN:
		cx->ands += n->u.chain.nand;
		cx->ors += n->u.chain.nor;
		c->decisions += n->u.chain.nand + n->u.chain.nor;
		break;
	default:
		break;
	}
	if (is_control(n)) {
		uint32_t depth = 0;

		for (struct ps_node *a = n; a != NULL && a != c->top; a = a->parent)
			if (is_control(a))
				depth++;
		if (depth > cx->max_nesting)
			cx->max_nesting = depth;
	}
	return PS_WALK_CONTINUE;
}

static void
measure(struct ps_node *root, struct ps_node *top, struct ps_complexity *cx)
{
	struct cx_ctx c;

	memset(cx, 0, sizeof(*cx));
	c.cx = cx;
	c.top = top;
	c.decisions = 0;
	ps_ast_walk(root, cx_visit, &c);
	cx->cyclomatic = 1 + c.decisions;
}

void
ps_parse_post(struct ps_ast *ast, struct parse_result *r)
{
	struct pvec usings = PVEC_INIT;
	struct cx_ctx cx = { .cx = &ast->cx };

	memset(&ast->cx, 0, sizeof(ast->cx));
	build_kids(ast, r);
	build_indexes(ast, &usings, &cx, r->all.n);	/* also measures the script (top NULL) */
	ast->cx.cyclomatic = 1 + cx.decisions;
	attach_help(ast);
	build_imports(ast, &usings);
	for (size_t i = 0; i < ast->functions.n; i++) {
		struct ps_node *f = ast->functions.v[i];

		measure(f, f, &f->u.fn.cx);
	}
	if (r->ndiags > 0) {
		ast->diags = ps_ast_alloc(ast, r->ndiags * sizeof(*r->diags));
		memcpy(ast->diags, r->diags, r->ndiags * sizeof(*r->diags));
		ast->ndiags = r->ndiags;
	}
	free(r->diags);
	ps_pvec_free(&r->all);
}

/* ---- lookups ---- */

struct ps_node *
ps_attr_find(const struct ps_nodes *attrs, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; attrs != NULL && i < attrs->n; i++) {
		struct ps_node *a = attrs->v[i];
		const char *an;

		if (a->kind != PS_NODE_ATTRIBUTE && a->kind != PS_NODE_TYPE)
			continue;
		an = a->kind == PS_NODE_ATTRIBUTE ? a->u.attr.name : a->u.type.name;
		if (strcasecmp(an, name) == 0)
			return a;
		/* [CmdletBindingAttribute] and [System.Management.Automation.X] spellings */
		if (strlen(an) == nl + 9 && strncasecmp(an, name, nl) == 0 &&
		    strcasecmp(an + nl, "Attribute") == 0)
			return a;
		if (strlen(an) > nl && an[strlen(an) - nl - 1] == '.' &&
		    strcasecmp(an + strlen(an) - nl, name) == 0)
			return a;
	}
	return NULL;
}

struct ps_node *
ps_attr_named_arg(const struct ps_node *attr, const char *name)
{
	if (attr == NULL || attr->kind != PS_NODE_ATTRIBUTE)
		return NULL;
	for (size_t i = 0; i < attr->u.attr.named.n; i++)
		if (strcasecmp(attr->u.attr.named.v[i]->u.nattr.name, name) == 0)
			return attr->u.attr.named.v[i];
	return NULL;
}

int
ps_attr_flag(const struct ps_node *attr, const char *name)
{
	struct ps_node *na = ps_attr_named_arg(attr, name), *v;

	if (na == NULL)
		return 0;
	v = na->u.nattr.value;
	if (v == NULL)
		return 1;
	if (v->kind == PS_NODE_VARIABLE)
		return strcasecmp(v->u.var.name, "false") != 0 && strcasecmp(v->u.var.name, "null") != 0;
	if (v->kind == PS_NODE_NUMBER)
		return v->u.num.value != 0;
	return 1;
}

const struct ps_cmd_arg *
ps_cmd_arg_find(const struct ps_node *cmd, const char *name)
{
	const struct ps_cmd_arg *prefix = NULL;
	size_t nl = SIZE_MAX;	/* strlen(name), measured at the first candidate */
	int nprefix = 0;

	if (cmd == NULL || cmd->kind != PS_NODE_COMMAND)
		return NULL;
	for (size_t i = 0; i < cmd->u.cmd.nargs; i++) {
		const struct ps_cmd_arg *a = &cmd->u.cmd.args[i];
		size_t al;

		/* an exact name or a prefix (al > 0) starts with the same letter */
		if (a->name == NULL || fold1((unsigned char)a->name[0]) != fold1((unsigned char)name[0]))
			continue;
		if (strcasecmp(a->name, name) == 0)
			return a;
		if (nl == SIZE_MAX)
			nl = strlen(name);
		al = strlen(a->name);
		if (al > 0 && al < nl && strncasecmp(a->name, name, al) == 0) {
			prefix = a;
			nprefix++;
		}
	}
	return nprefix >= 1 ? prefix : NULL;
}

const struct ps_cmd_arg *
ps_cmd_positional(const struct ps_node *cmd, int position)
{
	if (cmd == NULL || cmd->kind != PS_NODE_COMMAND)
		return NULL;
	for (size_t i = 0; i < cmd->u.cmd.nargs; i++)
		if (cmd->u.cmd.args[i].position == position)
			return &cmd->u.cmd.args[i];
	return NULL;
}

const char *
ps_node_const_string(const struct ps_node *n)
{
	if (n == NULL)
		return NULL;
	if (n->kind == PS_NODE_STRING)
		return n->u.str.expandable ? NULL : n->u.str.value;
	if (n->kind == PS_NODE_PAREN && n->u.list.items.n == 1)
		return ps_node_const_string(n->u.list.items.v[0]);
	return NULL;
}

const char *
ps_node_text(const struct ps_ast *ast, const struct ps_node *n, size_t *len)
{
	*len = n->ext.end >= n->ext.start ? n->ext.end - n->ext.start : 0;
	return ast->toks.src + n->ext.start;
}
