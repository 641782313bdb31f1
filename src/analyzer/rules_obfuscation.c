#include "config.h"
/* rules_obfuscation.c: obfuscation rules: backticks, reversal, char codes, -f reordering,
 * random case, entropy, Base64 blobs and computed command names */

#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

/* Words that, once de-obfuscated, show what the hiding was for. */
static const char *const telling[] = {
	"iex", "invoke-expression", "downloadstring", "downloadfile", "webclient", "amsi",
	"frombase64string", "invoke-webrequest", "bypass", "hidden", "mimikatz", "virtualalloc",
	"reflection.assembly", "start-process", "invoke-command", "new-object", NULL
};

static bool
is_telling(const char *v)
{
	size_t n;

	if (v == NULL)
		return false;
	n = strlen(v);
	for (const char *const *t = telling; *t != NULL; t++)
		if (ps_ci_contains(v, n, *t))
			return true;
	return false;
}

static bool
tok_name_kind(uint8_t k)
{
	return k == PS_TOK_COMMAND || k == PS_TOK_GENERIC || k == PS_TOK_MEMBER ||
	    k == PS_TOK_FUNCTION_NAME || k == PS_TOK_PARAMETER || k == PS_TOK_TYPE ||
	    k == PS_TOK_VARIABLE;
}

/*
 * Random case: many case flips, and the lower-case runs are single letters (InVoKe,
 * dOwNlOaD). PascalCase has longer lower-case runs (IsNullOrEmpty: s, ull, r, mpty).
 */
/* 1 lower-case letter, 2 upper-case letter, 0 anything else */
static const unsigned char letter_case[256] = { ['a' ... 'z'] = 1, ['A' ... 'Z'] = 2 };

static bool
random_case(const char *s, size_t n)
{
	unsigned letters = 0, flips = 0, lower_runs = 0, single_lower = 0, run = 0;
	int prev = 0;	/* 0 none, 1 lower, 2 upper */

	for (size_t i = 0; i <= n; i++) {
		int cur = i < n ? letter_case[(unsigned char)s[i]] : 0;

		if (cur == prev) {	/* the same run goes on (no letters: nothing to count) */
			if (cur != 0) {
				letters++;
				run++;
				/* each byte left adds at most one flip and one letter: when flips
				 * can no longer be more than half the letters, it is not random */
				if (letters >= 2 * flips + (n - 1 - i))
					return false;
			}
			continue;
		}
		if (prev == 1 && cur != 1) {	/* a lower-case run ends */
			lower_runs++;
			if (run == 1)
				single_lower++;
		}
		if (cur == 0) {
			prev = 0;
			run = 0;
			continue;
		}
		letters++;
		if (prev != 0 && cur != prev)
			flips++;
		run = cur == prev ? run + 1 : 1;
		prev = cur;
	}
	return letters >= 5 && flips >= 4 && flips * 2 > letters && lower_runs >= 3 &&
	    single_lower * 4 >= lower_runs * 3;
}

static void
check_tokens(struct ps_ctx *c)
{
	const struct ps_tokens *t = &c->ast->toks;

	for (size_t i = 0; i < t->n; i++) {
		const struct ps_token *tk = &t->v[i];
		const char *s = c->src + tk->start;
		size_t n = tk->end - tk->start;

		if (!tok_name_kind(tk->kind) || tk->kind == PS_TOK_GENERIC)
			continue;
		if (tk->flags & PS_TOKF_BACKTICK) {
			for (size_t k = 0; k + 1 < n; k++) {
				const char *bt = memchr(s + k, '`', n - 1 - k);
				char nx;

				if (bt == NULL)
					break;
				k = (size_t)(bt - s);
				nx = s[k + 1];
				if ((nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z') ||
				    (nx >= '0' && nx <= '9') || nx == '-') {
					ps_rule_emit_range(c, R_OBF_BACKTICK, PS_SEV__MAX,
					    tk->start, tk->end, NULL,
					    "Backticks inside '%.*s' hide the name.", (int)(n > 80 ? 80 : n), s);
					break;
				}
			}
		}
		if (random_case(s, n))
			ps_rule_emit_range(c, R_OBF_CASE, PS_SEV__MAX, tk->start, tk->end, NULL,
			    "'%.*s' is written in random case.", (int)(n > 80 ? 80 : n), s);
	}
}

/* -f with a format made only of reordered {n} placeholders. */
static void
check_format(struct ps_ctx *c, const struct ps_node *n)
{
	const char *fmt = ps_node_const_string(n->u.bin.left);
	unsigned places = 0, other = 0;
	long last = -1;
	bool reordered = false, folded;

	if (fmt == NULL)
		return;
	for (const char *p = fmt; *p; p++) {
		if (*p == '{' && p[1] >= '0' && p[1] <= '9') {
			long k = 0;

			p++;
			while (*p >= '0' && *p <= '9' && k < 100000)
				k = k * 10 + (*p++ - '0');
			while (*p && *p != '}')
				p++;
			if (k < last)
				reordered = true;
			last = k;
			places++;
			if (*p == '\0')
				break;
		} else {
			other++;
		}
	}
	if (places >= 3 && reordered && other <= places) {
		const char *v = ps_ctx_fold(c, n, &folded);

		ps_rule_emit(c, R_OBF_FORMAT, is_telling(v) ? PS_SEV_ERROR : PS_SEV__MAX, &n->ext, NULL,
		    "The format operator reassembles %u reordered fragments%s%s%s.", places,
		    v ? " into \"" : "", v ? v : "", v ? "\"" : "");
	}
}

/* Character-code conversions counted per statement. */
struct charcount {
	const struct ps_node	*stmt;
	unsigned		 n;
	bool			 reported;
};

static const struct ps_node *
statement_of(const struct ps_node *n)
{
	const struct ps_node *best = n;

	for (const struct ps_node *p = n->parent; p != NULL; p = p->parent) {
		if (p->kind == PS_NODE_PIPELINE || p->kind == PS_NODE_ASSIGNMENT)
			best = p;
		if (p->kind == PS_NODE_SCRIPTBLOCK || p->kind == PS_NODE_STATEMENT_BLOCK ||
		    p->kind == PS_NODE_NAMED_BLOCK)
			break;
	}
	return best;
}

static bool
char_type(const struct ps_node *t, bool *array)
{
	const char *nm = t == NULL ? NULL : t->kind == PS_NODE_TYPE ? t->u.type.name : NULL;

	*array = false;
	if (nm == NULL)
		return false;
	if (ps_ci_prefix(nm, "System."))
		nm += 7;
	if (ps_ci_eq(nm, "char"))
		return true;
	if (ps_ci_eq(nm, "char[]")) {
		*array = true;
		return true;
	}
	return false;
}

struct obf_walk {
	struct ps_ctx		*c;
	struct charcount	 counts[64];
	size_t			 ncounts;
};

static void
count_char(struct obf_walk *w, const struct ps_node *n)
{
	const struct ps_node *st = statement_of(n);
	struct charcount *cc = NULL;
	bool folded;

	for (size_t i = 0; i < w->ncounts; i++)
		if (w->counts[i].stmt == st)
			cc = &w->counts[i];
	if (cc == NULL) {
		if (w->ncounts == PSS_ARRAY_LEN(w->counts)) {
			memmove(w->counts, w->counts + 1, sizeof(w->counts) - sizeof(w->counts[0]));
			w->ncounts--;
		}
		cc = &w->counts[w->ncounts++];
		cc->stmt = st;
		cc->n = 0;
		cc->reported = false;
	}
	if (++cc->n >= 4 && !cc->reported) {
		const char *v = ps_ctx_fold(w->c, st, &folded);

		cc->reported = true;
		ps_rule_emit(w->c, R_OBF_CHARCODES, is_telling(v) ? PS_SEV_ERROR : PS_SEV__MAX,
		    &st->ext, NULL, "Text is built from character codes%s%.100s%s.",
		    v ? ": \"" : "", v ? v : "", v ? "\"" : "");
	}
}

static bool
is_reverse_range(const struct ps_node *ix)
{
	while (ix != NULL && ix->kind == PS_NODE_PAREN && ix->u.list.items.n == 1)
		ix = ix->u.list.items.v[0];
	while (ix != NULL && ix->kind == PS_NODE_PIPELINE && ix->u.pipe.elems.n == 1)
		ix = ix->u.pipe.elems.v[0];
	return ix != NULL && ix->kind == PS_NODE_BINARY && ix->u.bin.op == PS_OP_RANGE &&
	    ps_ctx_number(ix->u.bin.left) == -1;
}

static bool
dynamic_name_node(const struct ps_node *nn)
{
	switch (nn->kind) {
	case PS_NODE_BINARY:
	case PS_NODE_INDEX:
	case PS_NODE_CONVERT:
	case PS_NODE_UNARY:
	case PS_NODE_INVOKE_MEMBER:
		return true;
	case PS_NODE_PAREN:
	case PS_NODE_SUBEXPR: {
		const struct ps_node *in = nn->u.list.items.n == 1 ? nn->u.list.items.v[0] : NULL;

		while (in != NULL && in->kind == PS_NODE_PIPELINE && in->u.pipe.elems.n == 1)
			in = in->u.pipe.elems.v[0];
		if (in == NULL)
			return false;
		if (in->kind == PS_NODE_COMMAND) {
			/* & (Get-Command *ke-Ex*) or & (gcm ...): a lookup by wildcard */
			const char *cn = in->u.cmd.name;
			bool wild = false;

			if (cn == NULL || !(ps_ci_eq(cn, "Get-Command") || ps_ci_eq(cn, "gcm") ||
			    ps_ci_eq(cn, "Get-Alias") || ps_ci_eq(cn, "gal")))
				return false;
			for (size_t k = 0; k < in->u.cmd.nargs; k++) {
				const char *v = in->u.cmd.args[k].value ?
				    ps_node_const_string(in->u.cmd.args[k].value) : NULL;

				if (v != NULL && strpbrk(v, "*?[") != NULL)
					wild = true;
			}
			return wild;
		}
		return dynamic_name_node(in);
	}
	default:
		return false;
	}
}

/* The right-hand side of the last assignment to variable v before it is used, or NULL. */
static const struct ps_node *
var_assigned_before(const struct ps_ctx *c, const struct ps_node *v)
{
	const struct ps_nodes *as = &c->ast->assignments;
	const struct ps_node *rhs = NULL;

	if (v->u.var.bare == NULL)
		return NULL;
	for (size_t i = 0; i < as->n && as->v[i]->ext.start < v->ext.start; i++) {
		const struct ps_node *lhs = as->v[i]->u.asg.lhs;

		if (lhs != NULL && lhs->kind == PS_NODE_VARIABLE && as->v[i]->u.asg.op == PS_OP_ASSIGN &&
		    ps_ci_eq(lhs->u.var.bare, v->u.var.bare))
			rhs = as->v[i]->u.asg.rhs;
	}
	while (rhs != NULL && rhs->kind == PS_NODE_PIPELINE && rhs->u.pipe.elems.n == 1)
		rhs = rhs->u.pipe.elems.v[0];
	return rhs;
}

static void
check_dynamic_command(struct ps_ctx *c, const struct ps_cmd *pc)
{
	const struct ps_node *n = pc->node, *nn = n->u.cmd.name_node;
	const struct ps_cmdlet_info *ci = NULL;
	const char *v;
	bool folded;

	if (n->u.cmd.invocation == 0 || nn == NULL)
		return;
	if (nn->kind == PS_NODE_VARIABLE) {
		/* & $c where $c was assigned a computed constant: & $c with $c = 'I'+'EX' */
		const struct ps_node *rhs = var_assigned_before(c, nn);

		if (rhs == NULL || !dynamic_name_node(rhs) ||
		    (v = ps_ctx_fold(c, rhs, &folded)) == NULL || !folded)
			return;
		ci = ps_catalog_resolve(v, strlen(v), NULL);
		if (ci == NULL)
			return;
		ps_rule_emit(c, R_OBF_DYNAMIC_NAME, ps_ci_eq(ci->name, "Invoke-Expression") ?
		    PS_SEV_ERROR : PS_SEV__MAX, &nn->ext, NULL,
		    "The command in $%s is computed at run time and is '%s' (%s).",
		    nn->u.var.bare ? nn->u.var.bare : "", v, ci->name);
		if (ps_ci_eq(ci->name, "Invoke-Expression"))
			ps_rule_emit(c, R_INVOKE_EXPRESSION, PS_SEV_ERROR, &n->ext, NULL,
			    "Invoke-Expression is called through a variable holding a computed name.");
		return;
	}
	if (!dynamic_name_node(nn))
		return;
	v = ps_ctx_fold(c, nn, &folded);
	if (v != NULL)
		ci = ps_catalog_resolve(v, strlen(v), NULL);
	if (ci != NULL && ps_ci_eq(ci->name, "Invoke-Expression")) {
		ps_rule_emit(c, R_OBF_DYNAMIC_NAME, PS_SEV_ERROR, &nn->ext, NULL,
		    "The command name is computed at run time and is '%s' (Invoke-Expression).", v);
		ps_rule_emit(c, R_INVOKE_EXPRESSION, PS_SEV_ERROR, &n->ext, NULL,
		    "Invoke-Expression is called under a computed name.");
	} else if (ci != NULL) {
		ps_rule_emit(c, R_OBF_DYNAMIC_NAME, PS_SEV__MAX, &nn->ext, NULL,
		    "The command name is computed at run time and is '%s'.", ci->name);
	} else {
		ps_rule_emit(c, R_OBF_DYNAMIC_NAME, PS_SEV__MAX, &nn->ext, NULL,
		    "The command name is computed at run time.");
	}
}

static int
obf_visit(struct ps_node *n, void *arg)
{
	struct obf_walk *w = arg;
	struct ps_ctx *c = w->c;
	bool arr;

	switch (n->kind) {
	case PS_NODE_BINARY:
		if (n->u.bin.op == PS_OP_F)
			check_format(c, n);
		break;
	case PS_NODE_CONVERT:
		if (char_type(n->u.conv.type, &arr)) {
			const struct ps_node *e = n->u.conv.expr;

			while (e != NULL && e->kind == PS_NODE_PAREN && e->u.list.items.n == 1)
				e = e->u.list.items.v[0];
			while (e != NULL && e->kind == PS_NODE_PIPELINE && e->u.pipe.elems.n == 1)
				e = e->u.pipe.elems.v[0];
			if (arr && e != NULL && e->kind == PS_NODE_ARRAY_LITERAL &&
			    e->u.list.items.n >= 4 && e->u.list.items.v[0]->kind == PS_NODE_NUMBER) {
				bool folded;
				const char *v = ps_ctx_fold(c, n, &folded);

				ps_rule_emit(c, R_OBF_CHARCODES, is_telling(v) ? PS_SEV_ERROR : PS_SEV__MAX,
				    &n->ext, NULL, "Text is built from %zu character codes%s%.100s%s.",
				    e->u.list.items.n, v ? ": \"" : "", v ? v : "", v ? "\"" : "");
			} else if (!arr) {
				count_char(w, n);
			}
		}
		break;
	case PS_NODE_INDEX:
		if (is_reverse_range(n->u.idx.index))
			ps_rule_emit(c, R_OBF_REVERSE, PS_SEV__MAX, &n->ext, NULL,
			    "A string is indexed backwards ([-1..-n]) to reverse it.");
		break;
	case PS_NODE_INVOKE_MEMBER:
		if (n->u.mem.is_static && ps_ci_eq(n->u.mem.name, "Reverse") && n->u.mem.target != NULL &&
		    n->u.mem.target->kind == PS_NODE_TYPE &&
		    (ps_ci_eq(n->u.mem.target->u.type.name, "array") ||
		    ps_ci_eq(n->u.mem.target->u.type.name, "System.Array")))
			ps_rule_emit(c, R_OBF_REVERSE, PS_SEV__MAX, &n->ext, NULL,
			    "[Array]::Reverse reverses data at run time.");
		break;
	case PS_NODE_STRING: {
		const char *v = n->u.str.value;
		size_t len = n->u.str.len;

		if (v == NULL || n->u.str.bare || len < 40)
			break;
		if (ps_ci_eq(v, "RightToLeft"))
			ps_rule_emit(c, R_OBF_REVERSE, PS_SEV__MAX, &n->ext, NULL,
			    "A right-to-left regex reverses a string.");
		if (ps_is_base64_blob(v, len, 200)) {
			ps_rule_emit(c, R_OBF_BASE64, PS_SEV__MAX, &n->ext, NULL,
			    "A Base64 blob of %zu characters is embedded.", len);
		} else if (len >= 40 && len <= 4096 && memchr(v, ' ', len) == NULL &&
		    memchr(v, '\n', len) == NULL && strstr(v, "://") == NULL &&
		    memchr(v, '\\', len) == NULL && ps_shannon_entropy(v, len) >= 4.8) {
			ps_rule_emit(c, R_OBF_ENTROPY, PS_SEV__MAX, &n->ext, NULL,
			    "A %zu-character string has high entropy (%.1f bits per character).", len,
			    ps_shannon_entropy(v, len));
		}
		break;
	}
	case PS_NODE_COMMAND: {
		const struct ps_cmd *pc = ps_ctx_cmd(c, n);

		if (pc != NULL)
			check_dynamic_command(c, pc);
		if (pc != NULL && (ps_cmd_is(pc, "Set-Alias") || ps_cmd_is(pc, "New-Alias"))) {
			const char *v = ps_ctx_arg_string(c, n, "Value");
			const struct ps_cmd_arg *a;
			bool folded;

			if (v == NULL && (a = ps_cmd_positional(n, 1)) != NULL && a->value != NULL)
				v = ps_ctx_fold(c, a->value, &folded);
			if (v != NULL && (ps_ci_eq(v, "Invoke-Expression") || ps_ci_eq(v, "iex")))
				ps_rule_emit(c, R_OBF_DYNAMIC_NAME, PS_SEV_ERROR, &n->ext, NULL,
				    "An alias hides Invoke-Expression.");
		}
		break;
	}
	default:
		break;
	}
	return PS_WALK_CONTINUE;
}

void
ps_rules_obfuscation_run(struct ps_ctx *c)
{
	struct obf_walk w;

	w.c = c;
	w.ncounts = 0;	/* counts[] entries are set when taken */
	check_tokens(c);
	ps_ast_walk_tree(c->ast, obf_visit, &w);
}
