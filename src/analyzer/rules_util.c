#include "config.h"
/* rules_util.c: helpers shared by the rules: command look-ups, text tests, constant folding */

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

/* Every command node of the analysis keeps its index in p->cmds (resolve_commands): a node of
 * another tree, or not a command, has none here. */
const struct ps_cmd *
ps_ctx_cmd(const struct ps_ctx *c, const struct ps_node *n)
{
	const struct ps_analysis_priv *p = c->p;

	if (n == NULL || n->kind != PS_NODE_COMMAND || n->u.cmd.index >= p->ncmds ||
	    p->cmds[n->u.cmd.index].node != n)
		return NULL;
	return &p->cmds[n->u.cmd.index];
}

static bool cmd_is_native(const struct ps_cmd *, const char *);

/* ps_cmd_is once the first letters agree (or the name is a path): see rules.h. */
bool
ps_cmd_is_slow(const struct ps_cmd *pc, const char *canon)
{
	if (((unsigned char)pc->canon[0] | 0x20) != ((unsigned char)canon[0] | 0x20))
		return pc->path && cmd_is_native(pc, canon);
	if (strcasecmp(pc->canon, canon) == 0)
		return true;
	return pc->base != NULL && cmd_is_native(pc, canon);
}

/* Native commands: "vssadmin" matches vssadmin.exe and C:\\Windows\\System32\\vssadmin.exe. */
static bool
cmd_is_native(const struct ps_cmd *pc, const char *canon)
{
	size_t n = strlen(canon);
	const char *nm = pc->base;

	return strncasecmp(nm, canon, n) == 0 && (nm[n] == '\0' || strcasecmp(nm + n, ".exe") == 0);
}

void
ps_join_parts(char *buf, size_t size, const char *const *parts)
{
	size_t n = 0;

	for (; *parts != NULL && n + 1 < size; parts++) {
		size_t l = strlen(*parts);

		if (l > size - 1 - n)
			l = size - 1 - n;
		memcpy(buf + n, *parts, l);
		n += l;
	}
	buf[n] = '\0';
}

bool
ps_cmd_is_any(const struct ps_cmd *pc, const char *const *canons)
{
	unsigned char c0;

	if (pc == NULL || pc->canon == NULL)
		return false;
	if (pc->path) {
		for (; *canons != NULL; canons++)
			if (ps_cmd_is(pc, *canons))
				return true;
		return false;
	}
	/* what ps_cmd_is tests first, once for the list: the first letter */
	c0 = (unsigned char)pc->canon[0] | 0x20;
	for (; *canons != NULL; canons++)
		if (((unsigned char)(*canons)[0] | 0x20) == c0 && ps_cmd_is(pc, *canons))
			return true;
	return false;
}

bool
ps_ctx_has_arg(const struct ps_node *cmd, const char *param)
{
	return ps_cmd_arg_find(cmd, param) != NULL;
}

const char *
ps_ctx_new_object_type(struct ps_ctx *c, const struct ps_cmd *pc)
{
	const char *t;
	const struct ps_cmd_arg *a;
	bool folded;

	if (!ps_cmd_is(pc, "New-Object"))
		return NULL;
	t = ps_ctx_arg_string(c, pc->node, "TypeName");
	if (t == NULL && (a = ps_cmd_positional(pc->node, 0)) != NULL && a->value != NULL)
		t = ps_ctx_fold(c, a->value, &folded);
	return t;
}

const char *
ps_ctx_arg_string(const struct ps_ctx *c, const struct ps_node *cmd, const char *param)
{
	const struct ps_cmd_arg *a = ps_cmd_arg_find(cmd, param);
	bool folded;

	if (a == NULL || a->value == NULL)
		return NULL;
	return ps_ctx_fold((struct ps_ctx *)c, a->value, &folded);
}

static bool
var_is(const struct ps_node *n, const char *name)
{
	return n != NULL && n->kind == PS_NODE_VARIABLE && n->u.var.bare != NULL &&
	    strcasecmp(n->u.var.bare, name) == 0;
}

double
ps_ctx_number(const struct ps_node *n)
{
	while (n != NULL && n->kind == PS_NODE_PAREN && n->u.list.items.n == 1)
		n = n->u.list.items.v[0];
	while (n != NULL && n->kind == PS_NODE_PIPELINE && n->u.pipe.elems.n == 1)
		n = n->u.pipe.elems.v[0];
	if (n == NULL)
		return NAN;
	if (n->kind == PS_NODE_NUMBER)
		return n->u.num.value;
	if (n->kind == PS_NODE_UNARY && !n->u.un.postfix && (n->u.un.op == PS_OP_MINUS ||
	    n->u.un.op == PS_OP_PLUS))
		return n->u.un.op == PS_OP_MINUS ? -ps_ctx_number(n->u.un.operand) :
		    ps_ctx_number(n->u.un.operand);
	return NAN;
}

bool
ps_node_is_true(const struct ps_node *n)
{
	return var_is(n, "true") || (n != NULL && n->kind == PS_NODE_NUMBER && n->u.num.value == 1);
}

bool
ps_node_is_false(const struct ps_node *n)
{
	return var_is(n, "false") || (n != NULL && n->kind == PS_NODE_NUMBER && n->u.num.value == 0);
}

bool
ps_node_is_null(const struct ps_node *n)
{
	return var_is(n, "null");
}

bool
ps_node_inside(const struct ps_node *n, const struct ps_node *anc)
{
	for (; n != NULL; n = n->parent)
		if (n == anc)
			return true;
	return false;
}

struct ps_node *
ps_node_enclosing(const struct ps_node *n, enum ps_node_kind k)
{
	for (n = n ? n->parent : NULL; n != NULL; n = n->parent)
		if (n->kind == k)
			return (struct ps_node *)n;
	return NULL;
}

bool
ps_node_in_loop(const struct ps_node *n)
{
	for (n = n ? n->parent : NULL; n != NULL; n = n->parent) {
		switch (n->kind) {
		case PS_NODE_FOR:
		case PS_NODE_FOREACH:
		case PS_NODE_WHILE:
		case PS_NODE_DO_WHILE:
		case PS_NODE_DO_UNTIL:
			return true;
		case PS_NODE_FUNCTION:
		case PS_NODE_METHOD_MEMBER:
			return false;
		case PS_NODE_COMMAND: {
			const char *nm = n->u.cmd.name;

			if (nm != NULL && (strcasecmp(nm, "ForEach-Object") == 0 ||
			    strcmp(nm, "%") == 0 || strcasecmp(nm, "foreach") == 0 ||
			    strcasecmp(nm, "Where-Object") == 0 || strcmp(nm, "?") == 0))
				return true;
			break;
		}
		default:
			break;
		}
	}
	return false;
}

static int
lc(int ch)
{
	return (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch;
}

bool
ps_ci_contains(const char *hay, size_t hlen, const char *needle)
{
	size_t nlen = strlen(needle);
	int first;

	if (nlen == 0)
		return true;
	if (hay == NULL || hlen < nlen)
		return false;
	first = lc((unsigned char)needle[0]);
	for (size_t i = 0; i + nlen <= hlen; i++) {
		if (lc((unsigned char)hay[i]) != first)
			continue;
		if (strncasecmp(hay + i, needle, nlen) == 0)
			return true;
	}
	return false;
}

bool
ps_ci_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && lc((unsigned char)a[0]) == lc((unsigned char)b[0]) &&
	    strcasecmp(a, b) == 0;
}

bool
ps_ci_prefix(const char *s, const char *prefix)
{
	return s != NULL && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

bool
ps_ci_suffix(const char *s, const char *suffix)
{
	size_t n, m;

	if (s == NULL)
		return false;
	n = strlen(s);
	m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

bool
ps_name_in(const char *name, const char *const *list)
{
	int first;

	if (name == NULL)
		return false;
	first = lc((unsigned char)name[0]);
	for (; *list != NULL; list++)
		if (lc((unsigned char)(*list)[0]) == first && strcasecmp(name, *list) == 0)
			return true;
	return false;
}

const char *
ps_ctx_text(const struct ps_ctx *c, const struct ps_node *n, size_t *len)
{
	return ps_node_text(c->ast, n, len);
}

double
ps_shannon_entropy(const char *s, size_t n)
{
	size_t counts[256] = { 0 };
	double h = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)s[i]]++;
	for (size_t i = 0; i < 256; i++) {
		double q;

		if (counts[i] == 0)
			continue;
		q = (double)counts[i] / (double)n;
		h -= q * log2(q);
	}
	return h;
}

bool
ps_is_base64_blob(const char *s, size_t n, size_t minlen)
{
	size_t b64 = 0, upper = 0, lower = 0, digit = 0, other = 0;

	if (n < minlen)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 'A' && ch <= 'Z')
			upper++;
		else if (ch >= 'a' && ch <= 'z')
			lower++;
		else if (ch >= '0' && ch <= '9')
			digit++;
		else if (ch == '+' || ch == '/' || ch == '=' || ch == '-' || ch == '_')
			;
		else if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
			continue;
		else
			other++;
		b64++;
	}
	return other == 0 && b64 >= minlen && upper > b64 / 10 && lower > b64 / 10 && digit > 0;
}

/*
 * Constant folding. A value is a string, or a list of strings kept as one string whose
 * items are separated by FOLD_SEP (a control byte that does not occur in scripts).
 */
#define FOLD_SEP '\x1f'
#define FOLD_MAX_DEPTH 48
#define FOLD_MAX_LEN 65536

struct fold {
	struct ps_ctx	*c;
	int		 work;	/* operations evaluated beyond literals */
};

static bool fold_node(struct fold *, const struct ps_node *, int depth, struct buf *, bool *list);

static bool
num_to_char(const struct ps_node *n, struct buf *b)
{
	double v;

	if (n == NULL || n->kind != PS_NODE_NUMBER)
		return false;
	v = n->u.num.value;
	if (!(v >= 1 && v < 0x110000) || v != floor(v))
		return false;
	{
		char enc[4];

		buf_append(b, enc, utf8_encode((uint32_t)v, enc));
	}
	return true;
}

static const char *
type_name_of(const struct ps_node *t)
{
	if (t == NULL)
		return NULL;
	if (t->kind == PS_NODE_TYPE)
		return t->u.type.name;
	if (t->kind == PS_NODE_ATTRIBUTE)
		return t->u.attr.name;
	return NULL;
}

static bool
is_char_type(const char *t, bool *array)
{
	*array = false;
	if (t == NULL)
		return false;
	if (strncasecmp(t, "System.", 7) == 0)
		t += 7;
	if (strcasecmp(t, "char") == 0)
		return true;
	if (strcasecmp(t, "char[]") == 0) {
		*array = true;
		return true;
	}
	return false;
}

/* Split a folded list value into its items (pointers into v, lengths). */
static size_t
list_items(const char *v, size_t len, const char **items, size_t *lens, size_t max)
{
	size_t n = 0, s = 0;

	for (size_t i = 0; i <= len && n < max; i++) {
		if (i == len || v[i] == FOLD_SEP) {
			items[n] = v + s;
			lens[n] = i - s;
			n++;
			s = i + 1;
		}
	}
	return n;
}

static const struct ps_node *
unwrap(const struct ps_node *n)
{
	for (int i = 0; n != NULL && i < 8; i++) {
		if ((n->kind == PS_NODE_PAREN || n->kind == PS_NODE_SUBEXPR) && n->u.list.items.n == 1)
			n = n->u.list.items.v[0];
		else if (n->kind == PS_NODE_PIPELINE && n->u.pipe.elems.n == 1 &&
		    n->u.pipe.elems.v[0]->kind != PS_NODE_COMMAND)
			n = n->u.pipe.elems.v[0];
		else
			break;
	}
	return n;
}

/* Literal (non-regex) replacement of every occurrence of from by to, case-insensitive. */
static void
replace_all(struct buf *out, const char *s, size_t n, const char *from, size_t fl,
    const char *to, size_t tl, bool icase)
{
	size_t i = 0;

	while (i < n) {
		if (fl > 0 && i + fl <= n &&
		    (icase ? strncasecmp(s + i, from, fl) == 0 : memcmp(s + i, from, fl) == 0)) {
			buf_append(out, to, tl);
			i += fl;
		} else {
			buf_putc(out, s[i++]);
		}
	}
}

static bool
has_regex_meta(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr("\\^$.|?*+()[]{}", s[i]) != NULL)
			return true;
	return false;
}

static bool
fold_format(struct fold *f, const struct ps_node *left, const struct ps_node *right, int depth,
    struct buf *out)
{
	struct buf fmt = BUF_INIT, args = BUF_INIT;
	const char *items[64];
	size_t lens[64], nitems;
	bool list = false, ok = false;

	if (!fold_node(f, left, depth + 1, &fmt, &list) || list)
		goto out;
	list = false;
	if (!fold_node(f, right, depth + 1, &args, &list))
		goto out;
	nitems = list_items(buf_cstr(&args), args.len, items, lens, 64);
	for (size_t i = 0; i < fmt.len; i++) {
		char ch = fmt.data[i];

		if (ch == '{' && i + 1 < fmt.len && fmt.data[i + 1] == '{') {
			buf_putc(out, '{');
			i++;
		} else if (ch == '}' && i + 1 < fmt.len && fmt.data[i + 1] == '}') {
			buf_putc(out, '}');
			i++;
		} else if (ch == '{') {
			size_t k = 0, j = i + 1;

			if (j >= fmt.len || fmt.data[j] < '0' || fmt.data[j] > '9')
				goto out;
			while (j < fmt.len && fmt.data[j] >= '0' && fmt.data[j] <= '9' && k < 1000)
				k = k * 10 + (size_t)(fmt.data[j++] - '0');
			while (j < fmt.len && fmt.data[j] != '}')
				j++;
			if (j >= fmt.len || k >= nitems)
				goto out;
			buf_append(out, items[k], lens[k]);
			i = j;
		} else {
			buf_putc(out, ch);
		}
	}
	ok = true;
out:
	buf_free(&fmt);
	buf_free(&args);
	return ok;
}

static bool
fold_index(struct fold *f, const struct ps_node *target, const struct ps_node *index, int depth,
    struct buf *out, bool *list)
{
	struct buf s = BUF_INIT;
	bool tl = false, ok = false;
	long idx[512];
	size_t nidx = 0;
	const struct ps_node *ix = unwrap(index);

	if (ix == NULL || !fold_node(f, target, depth + 1, &s, &tl) || tl)
		goto out;
	if (!isnan(ps_ctx_number(ix))) {
		double v = ps_ctx_number(ix);

		/* a number beyond long is no index of the string (converting it would be
		 * undefined; x86 gave LONG_MIN, which the loop below skips) */
		idx[nidx++] = v > -9.2e18 && v < 9.2e18 ? (long)v : LONG_MIN;
	} else if (ix->kind == PS_NODE_BINARY && ix->u.bin.op == PS_OP_RANGE) {
		double a = ps_ctx_number(ix->u.bin.left), b = ps_ctx_number(ix->u.bin.right);
		long from, to;

		/* [-1..-N] reversal, N often written -($s.Length). */
		if (isnan(a) || a < -1e6 || a > 1e6)
			goto out;
		from = (long)a;
		if (!isnan(b) && b > -1e6 && b < 1e6)
			to = (long)b;
		else if (from == -1)
			to = -(long)s.len;
		else
			goto out;
		for (long k = from; nidx < 512; k += (to >= from ? 1 : -1)) {
			idx[nidx++] = k;
			if (k == to)
				break;
		}
	} else if (ix->kind == PS_NODE_ARRAY_LITERAL) {
		for (size_t k = 0; k < ix->u.list.items.n && nidx < 512; k++) {
			double e = ps_ctx_number(ix->u.list.items.v[k]);

			if (isnan(e) || e < -1e6 || e > 1e6)
				goto out;
			idx[nidx++] = (long)e;
		}
	} else {
		goto out;
	}
	for (size_t k = 0; k < nidx; k++) {
		long i = idx[k] < 0 ? (long)s.len + idx[k] : idx[k];

		if (i < 0 || (size_t)i >= s.len)
			continue;
		if (k > 0)
			buf_putc(out, FOLD_SEP);
		buf_putc(out, s.data[i]);
	}
	*list = nidx > 1;
	f->work++;
	ok = true;
out:
	buf_free(&s);
	return ok;
}

static bool
fold_node(struct fold *f, const struct ps_node *n, int depth, struct buf *out, bool *list)
{
	struct buf tmp = BUF_INIT, tmp2 = BUF_INIT;
	bool ok = false, l1 = false, l2 = false;

	*list = false;
	n = unwrap(n);
	if (n == NULL || depth > FOLD_MAX_DEPTH || out->len > FOLD_MAX_LEN)
		return false;
	switch (n->kind) {
	case PS_NODE_STRING:
		if (n->u.str.expandable)
			return false;
		buf_append(out, n->u.str.value ? n->u.str.value : "", n->u.str.len);
		return true;
	case PS_NODE_NUMBER: {
		size_t tl;
		const char *t = ps_node_text(f->c->ast, n, &tl);

		buf_append(out, t, tl);
		return true;
	}
	case PS_NODE_ARRAY_LITERAL:
	case PS_NODE_ARRAY_EXPR:
		for (size_t i = 0; i < n->u.list.items.n; i++) {
			bool li = false;

			if (i > 0)
				buf_putc(out, FOLD_SEP);
			if (!fold_node(f, n->u.list.items.v[i], depth + 1, out, &li))
				return false;
		}
		*list = true;
		return true;
	case PS_NODE_CONVERT: {
		bool arr;
		const char *t = type_name_of(n->u.conv.type);
		const struct ps_node *e = unwrap(n->u.conv.expr);

		if (is_char_type(t, &arr)) {
			f->work++;
			if (!arr)
				return num_to_char(e, out);
			if (e->kind == PS_NODE_ARRAY_LITERAL) {
				for (size_t i = 0; i < e->u.list.items.n; i++) {
					if (i > 0)
						buf_putc(out, FOLD_SEP);
					if (!num_to_char(unwrap(e->u.list.items.v[i]), out))
						return false;
				}
				*list = true;
				return true;
			}
			if (!fold_node(f, e, depth + 1, &tmp, &l1) || l1)
				goto out;
			for (size_t i = 0; i < tmp.len; i++) {
				if (i > 0)
					buf_putc(out, FOLD_SEP);
				buf_putc(out, tmp.data[i]);
			}
			*list = true;
			ok = true;
			goto out;
		}
		if (t != NULL && (strcasecmp(t, "string") == 0 || strcasecmp(t, "System.String") == 0))
			return fold_node(f, e, depth + 1, out, list);
		return false;
	}
	case PS_NODE_BINARY:
		switch (n->u.bin.op) {
		case PS_OP_PLUS:
			if (!fold_node(f, n->u.bin.left, depth + 1, &tmp, &l1) || l1)
				goto out;
			if (!fold_node(f, n->u.bin.right, depth + 1, &tmp2, &l2) || l2)
				goto out;
			buf_append(out, tmp.data, tmp.len);
			buf_append(out, tmp2.data, tmp2.len);
			f->work++;
			ok = true;
			goto out;
		case PS_OP_F:
			f->work++;
			ok = fold_format(f, n->u.bin.left, n->u.bin.right, depth, out);
			goto out;
		case PS_OP_JOIN:
			if (!fold_node(f, n->u.bin.left, depth + 1, &tmp, &l1))
				goto out;
			if (!fold_node(f, n->u.bin.right, depth + 1, &tmp2, &l2) || l2)
				goto out;
			for (size_t i = 0; i < tmp.len; i++) {
				if (tmp.data[i] == FOLD_SEP)
					buf_append(out, tmp2.data, tmp2.len);
				else
					buf_putc(out, tmp.data[i]);
			}
			f->work++;
			ok = true;
			goto out;
		case PS_OP_REPLACE: {
			const char *items[2];
			size_t lens[2];

			if (!fold_node(f, n->u.bin.left, depth + 1, &tmp, &l1) || l1)
				goto out;
			if (!fold_node(f, n->u.bin.right, depth + 1, &tmp2, &l2))
				goto out;
			if (list_items(buf_cstr(&tmp2), tmp2.len, items, lens, 2) == 1) {
				items[1] = "";
				lens[1] = 0;
			}
			if (has_regex_meta(items[0], lens[0]))
				goto out;
			replace_all(out, buf_cstr(&tmp), tmp.len, items[0], lens[0], items[1],
			    lens[1], !(n->u.bin.flags & PS_TOKF_CASE_SENSITIVE));
			f->work++;
			ok = true;
			goto out;
		}
		default:
			return false;
		}
	case PS_NODE_UNARY:
		if (n->u.un.op != PS_OP_JOIN)
			return false;
		if (!fold_node(f, n->u.un.operand, depth + 1, &tmp, &l1))
			goto out;
		for (size_t i = 0; i < tmp.len; i++)
			if (tmp.data[i] != FOLD_SEP)
				buf_putc(out, tmp.data[i]);
		f->work++;
		ok = true;
		goto out;
	case PS_NODE_INDEX:
		ok = fold_index(f, n->u.idx.target, n->u.idx.index, depth, out, list);
		goto out;
	case PS_NODE_INVOKE_MEMBER: {
		const char *m = n->u.mem.name;
		const struct ps_nodes *args = &n->u.mem.args;

		if (m == NULL)
			return false;
		if (n->u.mem.is_static && strcasecmp(m, "Join") == 0 && args->n == 2) {
			if (!fold_node(f, args->v[0], depth + 1, &tmp, &l1) || l1)
				goto out;
			if (!fold_node(f, args->v[1], depth + 1, &tmp2, &l2))
				goto out;
			for (size_t i = 0; i < tmp2.len; i++) {
				if (tmp2.data[i] == FOLD_SEP)
					buf_append(out, tmp.data, tmp.len);
				else
					buf_putc(out, tmp2.data[i]);
			}
			f->work++;
			ok = true;
			goto out;
		}
		if (n->u.mem.is_static)
			return false;
		if (!fold_node(f, n->u.mem.target, depth + 1, &tmp, &l1) || l1)
			goto out;
		if (strcasecmp(m, "ToLower") == 0 || strcasecmp(m, "ToUpper") == 0) {
			bool up = strcasecmp(m, "ToUpper") == 0;

			for (size_t i = 0; i < tmp.len; i++) {
				char ch = tmp.data[i];

				if (up && ch >= 'a' && ch <= 'z')
					ch = (char)(ch - 32);
				else if (!up && ch >= 'A' && ch <= 'Z')
					ch = (char)(ch + 32);
				buf_putc(out, ch);
			}
		} else if (strcasecmp(m, "ToCharArray") == 0 && args->n == 0) {
			for (size_t i = 0; i < tmp.len; i++) {
				if (i > 0)
					buf_putc(out, FOLD_SEP);
				buf_putc(out, tmp.data[i]);
			}
			*list = true;
		} else if (strcasecmp(m, "Replace") == 0 && args->n == 2) {
			struct buf from = BUF_INIT, to = BUF_INIT;
			bool lf = false, lt = false;

			if (fold_node(f, args->v[0], depth + 1, &from, &lf) && !lf &&
			    fold_node(f, args->v[1], depth + 1, &to, &lt) && !lt) {
				replace_all(out, buf_cstr(&tmp), tmp.len, buf_cstr(&from), from.len,
				    buf_cstr(&to), to.len, false);
				ok = true;
			}
			buf_free(&from);
			buf_free(&to);
			if (!ok)
				goto out;
		} else {
			goto out;
		}
		f->work++;
		ok = true;
		goto out;
	}
	default:
		return false;
	}
out:
	buf_free(&tmp);
	buf_free(&tmp2);
	return ok;
}

const char *
ps_ctx_fold(struct ps_ctx *c, const struct ps_node *n, bool *folded)
{
	struct fold f = { c, 0 };
	struct buf b = BUF_INIT;
	bool list = false;
	const char *r = NULL;

	*folded = false;
	if (fold_node(&f, n, 0, &b, &list)) {
		if (list) {	/* an array used as a string joins with spaces */
			for (size_t i = 0; i < b.len; i++)
				if (b.data[i] == FOLD_SEP)
					b.data[i] = ' ';
		}
		r = ps_ast_strndup(c->ast, buf_cstr(&b), b.len);
		*folded = f.work > 0;
	}
	buf_free(&b);
	return r;
}

/* One pass in command order over a hash table of the canonical names (case-insensitive): a
 * group is numbered when its first use is met, so the groups come in order of first use. A
 * catalog cmdlet's hash is the catalog's own, and two of them are the same name when they are
 * the same entry (its names are distinct, the analyzer's unit tests check it). */
static size_t
cmd_groups_compute(struct ps_analysis_priv *p, struct ps_cmd_group **out, size_t **group_of)
{
	struct ps_cmd_group *g = ps_ast_alloc(p->ast, (p->ncmds + 1) * sizeof(*g));
	size_t *gof = ps_ast_alloc(p->ast, (p->ncmds + 1) * sizeof(*gof));
	size_t nslots = 16, ng = 0, *slot;	/* slot: group index + 1, 0 when empty */

	while (nslots < 2 * p->ncmds)
		nslots *= 2;
	slot = ps_ast_alloc(p->ast, nslots * sizeof(*slot));
	for (size_t i = 0; i < p->ncmds; i++) {
		const struct ps_cmd *pc = &p->cmds[i];
		const char *canon = pc->canon;
		uint32_t h = pc->ci != NULL ? ps_catalog_name_hash(pc->ci) :
		    ps_catalog_hash(canon, pc->canon_len);
		size_t k;

		for (size_t j = h & (nslots - 1);; j = (j + 1) & (nslots - 1)) {
			if (slot[j] == 0) {
				k = ng++;
				g[k].first = i;
				g[k].count = 0;
				g[k].id = h;
				slot[j] = k + 1;
				break;
			}
			k = slot[j] - 1;
			if (g[k].id == h && (pc->ci != NULL && p->cmds[g[k].first].ci != NULL ?
			    pc->ci == p->cmds[g[k].first].ci :
			    strcasecmp(p->cmds[g[k].first].canon, canon) == 0))
				break;
		}
		g[k].count++;
		gof[i] = k;
	}
	*out = g;
	*group_of = gof;
	return ng;
}

size_t
ps_cmd_groups(const struct ps_analysis_priv *cp, const struct ps_cmd_group **out,
    const size_t **group_of)
{
	struct ps_analysis_priv *p = (struct ps_analysis_priv *)cp;	/* a cache */

	if (!p->grouped) {
		p->ngroups = cmd_groups_compute(p, &p->groups, &p->group_of);
		p->grouped = true;
	}
	*out = p->groups;
	if (group_of != NULL)
		*group_of = p->group_of;
	return p->ngroups;
}
