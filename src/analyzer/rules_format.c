#include "config.h"
/* rules_format.c: PSScriptAnalyzer's formatting rules (off by default): PSPlaceCloseBrace,
 * PSUseConsistentIndentation, PSUseConsistentWhitespace and PSAlignAssignmentStatement */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/rules.h"

/*
 * The four rules work on the tokens outside strings ("top-level": a token of an expandable
 * string's $( ) is not the script's layout), with PSScriptAnalyzer's options read from the
 * settings (struct ps_format_opts). Each finding carries its fix, and each fix only changes
 * whitespace on one line, or adds or removes line breaks next to a brace where PowerShell
 * reads the same statements either way: the fixed script parses to the same commands.
 */

const struct ps_format_opts ps_format_defaults = {
	.close_ignore_one_line = true, .close_newline_after = true,
	.indent_size = 4, .pipe_indent = PS_PIPE_INDENT_FIRST,
	.ws_inner_brace = true, .ws_open_brace = true, .ws_open_paren = true, .ws_operator = true,
	.ws_pipe = true, .ws_separator = true,
	.align_hashtable = true, .align_hash_comment = true, .align_enum = true,
	.align_enum_comment = true, .align_valueless = true,
};

#define FMT_FIX_MAX	1024	/* longest replacement a formatting fix writes */

/* The top-level tokens, their matching brackets and the script's line ending. */
struct fmt {
	struct ps_ctx	*c;
	const struct ps_format_opts *o;
	const struct ps_token **tv;	/* top-level tokens in source order */
	uint32_t	*match;		/* index of the matching bracket, or UINT32_MAX */
	size_t		 n;
	const char	*eol;		/* "\r\n" when the script's first line ends so, else "\n" */
	size_t		 fixed_gap;	/* PSUseConsistentWhitespace: the gap before this token
					 * has a fix already (from the token before it) */
	bool		 no_fix;	/* the script does not parse: findings without fixes */
};

static bool
is_opener(const struct ps_token *t)
{
	return t->kind == PS_TOK_LBRACE || t->kind == PS_TOK_HASH_START || t->kind == PS_TOK_LPAREN ||
	    t->kind == PS_TOK_SUBEXPR || t->kind == PS_TOK_ARRAY_EXPR;
}

static bool
is_closer(const struct ps_token *t)
{
	return t->kind == PS_TOK_RBRACE || t->kind == PS_TOK_RPAREN;
}

static bool
is_break(const struct ps_token *t)
{
	return t->kind == PS_TOK_NEWLINE || t->kind == PS_TOK_LINE_CONTINUATION;
}

static void
fmt_init(struct fmt *f, struct ps_ctx *c)
{
	const struct ps_tokens *t = &c->ast->toks;
	const struct ps_settings *st = c->p->opts != NULL ? c->p->opts->settings : NULL;
	uint32_t *stack;
	size_t depth = 0;
	const char *nl;

	memset(f, 0, sizeof(*f));
	f->c = c;
	f->fixed_gap = SIZE_MAX;
	/* Where the parser found errors, how PowerShell would read the text is not known, and
	 * whitespace can change how the tokenizer reads it (`f}else` versus `}` then `else` on
	 * a new line): report, but offer no fix. */
	f->no_fix = c->ast->ndiags > 0 || c->ast->toks.nerrors > 0;
	f->o = st != NULL ? &st->fmt : &ps_format_defaults;
	f->tv = ps_scratch_alloc(c->p, (t->n + 1) * sizeof(*f->tv));
	f->match = ps_scratch_alloc(c->p, (t->n + 1) * sizeof(*f->match));
	stack = ps_scratch_alloc(c->p, (t->n + 1) * sizeof(*stack));
	for (size_t i = 0; i < t->n; i++)
		if (!(t->v[i].flags & PS_TOKF_NESTED))
			f->tv[f->n++] = &t->v[i];
	for (size_t i = 0; i < f->n; i++) {
		f->match[i] = UINT32_MAX;
		if (is_opener(f->tv[i]))
			stack[depth++] = (uint32_t)i;
		else if (is_closer(f->tv[i]) && depth > 0) {
			uint32_t o = stack[--depth];

			f->match[o] = (uint32_t)i;
			f->match[i] = o;
		}
	}
	ps_scratch_free(stack, (t->n + 1) * sizeof(*stack));
	nl = memchr(c->src, '\n', c->len);
	f->eol = nl != NULL && nl > c->src && nl[-1] == '\r' ? "\r\n" : "\n";
}

static void
fmt_free(struct fmt *f)
{
	size_t n = f->c->ast->toks.n + 1;

	ps_scratch_free(f->tv, n * sizeof(*f->tv));
	ps_scratch_free(f->match, n * sizeof(*f->match));
}

/* The whitespace that starts the line holding byte off: its length in *len. */
static const char *
line_indent(const struct fmt *f, const struct ps_token *tk, size_t *len)
{
	const struct ps_tokens *t = &f->c->ast->toks;
	size_t s = tk->line >= 1 && tk->line <= t->nlines ? t->line_starts[tk->line - 1] : 0, e = s;

	while (e < f->c->len && (f->c->src[e] == ' ' || f->c->src[e] == '\t'))
		e++;
	*len = e - s;
	return f->c->src + s;
}

/* The gap between two tokens is exactly one blank (a space or a tab, one column as
 * PSScriptAnalyzer counts it). */
static bool
one_blank(const struct fmt *f, const struct ps_token *a, const struct ps_token *b)
{
	return b->start == a->end + 1 && (f->c->src[a->end] == ' ' || f->c->src[a->end] == '\t');
}

/* Only spaces and tabs between the two offsets. */
static bool
blank_between(const struct fmt *f, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (f->c->src[i] != ' ' && f->c->src[i] != '\t')
			return false;
	return true;
}

/* Attach fix to the finding just emitted over exactly [start, end) (one inside an earlier
 * finding of the rule is not kept, and its fix must not go to that one). */
static void
attach_fix(struct fmt *f, enum ps_rule r, size_t start, size_t end, const char *fix)
{
	const struct ps_analysis *a = f->c->a;

	if (!f->no_fix && a->nfindings > 0 && a->findings[a->nfindings - 1].end == end &&
	    a->findings[a->nfindings - 1].rule == &ps_rule_table[r])
		ps_rule_fix(f->c, r, start, fix);
}

/* Emit a finding over [start, end) whose fix is the parts joined. */
static void
emit_fix(struct fmt *f, enum ps_rule r, size_t start, size_t end, const char *const *parts,
    const char *msg)
{
	char fix[FMT_FIX_MAX + 1];

	ps_rule_emit_range(f->c, r, PS_SEV__MAX, start, end, NULL, "%s", msg);
	ps_join_parts(fix, sizeof(fix), parts);
	attach_fix(f, r, start, end, fix);
}

/* ------------------------------------------------------------------ PSPlaceCloseBrace */

static bool
is_branch(const struct ps_token *t)
{
	return t->kind == PS_TOK_KEYWORD && (t->sub == PS_KW_ELSE || t->sub == PS_KW_ELSEIF ||
	    t->sub == PS_KW_CATCH || t->sub == PS_KW_FINALLY);
}

/* The indentation a close brace gets: that of the line of its open brace. */
static void
brace_indent(const struct fmt *f, uint32_t open, char *buf, size_t size)
{
	size_t n;
	const char *s = line_indent(f, f->tv[open], &n);

	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/*
 * PSPlaceCloseBrace, per its documentation and options: a "}" must start its line (fix: a
 * line break and the indentation of the open brace's line before it); NoEmptyLineBefore: no
 * empty line before it (fix: the empty lines removed); NewLineAfter ($true): else, elseif,
 * catch and finally go on the next line (fix: a line break after the brace), ($false): on
 * the brace's line after one space (fix: the line break or the spacing replaced by one
 * space). IgnoreOneLineBlock leaves a block whose braces share a line alone; a one-line
 * hashtable and a script block written as a command's argument are never reported.
 */
static void
rule_close_brace(struct fmt *f, const uint32_t *args, size_t nargs)
{
	const struct ps_format_opts *o = f->o;

	for (size_t k = 0; k < f->n; k++) {
		const struct ps_token *tk = f->tv[k], *open, *prev, *next;
		uint32_t m = f->match[k];
		char ind[256];

		if (tk->kind != PS_TOK_RBRACE || m == UINT32_MAX)
			continue;
		open = f->tv[m];
		if (open->kind == PS_TOK_HASH_START && open->line == tk->line)
			continue;
		if (o->close_ignore_one_line && open->line == tk->line)
			continue;
		if (nargs > 0 && bsearch(&open->start, args, nargs, sizeof(*args), ps_cmp_u32) != NULL)
			continue;
		brace_indent(f, m, ind, sizeof(ind));
		prev = k > 0 ? f->tv[k - 1] : NULL;
		next = k + 1 < f->n ? f->tv[k + 1] : NULL;
		if (prev != NULL && prev->kind != PS_TOK_NEWLINE) {
			const char *parts[] = { f->eol, ind, "}", NULL };

			emit_fix(f, R_CLOSE_BRACE, prev->end, tk->end, parts,
			    "Close brace is not on a new line.");
		} else if (o->close_no_empty_before && k >= 2 && f->tv[k - 2]->kind == PS_TOK_NEWLINE) {
			size_t j = k - 2;
			const char *parts[] = { ind, "}", NULL };

			while (j > 0 && f->tv[j - 1]->kind == PS_TOK_NEWLINE)
				j--;
			emit_fix(f, R_CLOSE_BRACE, f->tv[j]->end, tk->end, parts,
			    "Close brace follows an empty line.");
		}
		if (next == NULL)
			continue;
		if (o->close_newline_after && is_branch(next)) {
			const char *parts[] = { "}", f->eol, ind, NULL };

			emit_fix(f, R_CLOSE_BRACE, tk->start, next->start, parts,
			    "Close brace is not followed by a new line.");
		} else if (!o->close_newline_after) {
			const struct ps_token *br = NULL;

			if (is_branch(next) && !one_blank(f, tk, next))
				br = next;
			else if (next->kind == PS_TOK_NEWLINE && k + 2 < f->n && is_branch(f->tv[k + 2]))
				br = f->tv[k + 2];
			if (br != NULL) {
				const char *parts[] = { "} ", NULL };

				emit_fix(f, R_CLOSE_BRACE, tk->start, br->start, parts,
				    "Close brace is not followed by its branch statement on the same line.");
			}
		}
	}
}

/* ---------------------------------------------------------- PSUseConsistentIndentation */

/* A multi-line pipeline's element other than the last: where it ends, where its pipeline
 * ends, and whether it is the first element. */
struct pipe_elem {
	uint32_t	 elem_end, pipe_end;
	bool		 first;
};

static int
cmp_pipe_elem(const void *a, const void *b)
{
	uint32_t x = ((const struct pipe_elem *)a)->elem_end, y = ((const struct pipe_elem *)b)->elem_end;

	return x < y ? -1 : x > y;
}

static struct pipe_elem *
pipe_elems(struct fmt *f, size_t *n, size_t *cap)
{
	const struct ps_nodes *pl = &f->c->ast->pipelines;
	struct pipe_elem *v;

	*n = *cap = 0;
	for (size_t i = 0; i < pl->n; i++)
		*cap += pl->v[i]->u.pipe.elems.n;
	v = ps_scratch_alloc(f->c->p, (*cap + 1) * sizeof(*v));
	for (size_t i = 0; i < pl->n; i++) {
		const struct ps_nodes *e = &pl->v[i]->u.pipe.elems;

		if (e->n < 2 || e->v[0]->ext.line == e->v[e->n - 1]->ext.line ||
		    e->v[0]->ext.end_line == e->v[e->n - 1]->ext.end_line)
			continue;	/* spans one line: PSScriptAnalyzer leaves its level alone */
		for (size_t k = 0; k + 1 < e->n; k++) {
			v[*n].elem_end = e->v[k]->ext.end;
			v[*n].pipe_end = pl->v[i]->ext.end;
			v[(*n)++].first = k == 0;
		}
	}
	qsort(v, *n, sizeof(*v), cmp_pipe_elem);
	return v;
}

/* Report the first token of a line whose indentation is not level levels. */
static void
check_indent(struct fmt *f, const struct ps_token *tk, unsigned level)
{
	const struct ps_tokens *t = &f->c->ast->toks;
	size_t s = tk->line >= 1 && tk->line <= t->nlines ? t->line_starts[tk->line - 1] : 0;
	size_t want = f->o->indent_tab ? level : (size_t)level * f->o->indent_size, have = tk->start - s;
	char ch = f->o->indent_tab ? '\t' : ' ';
	bool ok;

	if (s == 0 && f->c->len >= 3 && memcmp(f->c->src, "\xEF\xBB\xBF", 3) == 0)
		s = 3, have = tk->start - 3;
	if (!blank_between(f, s, tk->start))
		return;	/* the line starts inside a multi-line token */
	ok = have == want;
	for (size_t i = s; ok && i < tk->start; i++)
		ok = f->c->src[i] == ch;
	if (ok)
		return;
	ps_rule_emit_range(f->c, R_INDENTATION, PS_SEV__MAX, s, tk->start, NULL,
	    "Indentation not consistent: %zu %s expected.", want, f->o->indent_tab ?
	    (want == 1 ? "tab" : "tabs") : (want == 1 ? "space" : "spaces"));
	if (want <= FMT_FIX_MAX) {
		char fix[FMT_FIX_MAX + 1];

		memset(fix, ch, want);
		fix[want] = '\0';
		attach_fix(f, R_INDENTATION, s, tk->start, fix);
	}
}

/*
 * PSUseConsistentIndentation, as PSScriptAnalyzer counts levels: each ( { @{ @( $( opens
 * one, its closer closes it (and is checked at the outer level); a line after a line
 * continuation gets one more; a multi-line pipeline adds one after its first "|" that ends
 * a line (IncreaseIndentationForFirstPipeline), one after each such "|"
 * (IncreaseIndentationAfterEveryPipeline) or none (NoIndentation, None), until its last
 * token. The first token of each line (a comment too) is compared with Kind (space:
 * IndentationSize spaces a level; tab: one tab) byte for byte; the fix rewrites the
 * leading whitespace. Lines inside here-strings, multi-line strings and block comments
 * are data and never looked at.
 */
static void
rule_indentation(struct fmt *f)
{
	enum ps_pipe_indent style = f->o->pipe_indent;
	size_t npe = 0, cappe = 0, depth = 0;
	struct pipe_elem *pe = style == PS_PIPE_INDENT_FIRST || style == PS_PIPE_INDENT_EVERY ?
	    pipe_elems(f, &npe, &cappe) : NULL;
	uint32_t *ends = npe > 0 ? ps_scratch_alloc(f->c->p, (npe + 1) * sizeof(*ends)) : NULL;
	unsigned level = 0;
	bool bol = true;

	for (size_t k = 0; k < f->n; k++) {
		const struct ps_token *tk = f->tv[k];

		if (is_opener(tk)) {
			if (bol)
				check_indent(f, tk, level);
			level++;
		} else if (is_closer(tk)) {
			level = level > 0 ? level - 1 : 0;
			if (bol)
				check_indent(f, tk, level);
		} else if (is_break(tk)) {
			bol = true;
			continue;
		} else if (tk->kind == PS_TOK_OPERATOR && tk->sub == PS_OP_PIPE && k > 0 &&
		    k + 1 < f->n && is_break(f->tv[k + 1])) {
			struct pipe_elem key = { .elem_end = f->tv[k - 1]->end }, *e;

			if (bol)
				check_indent(f, tk, level);
			e = npe > 0 ? bsearch(&key, pe, npe, sizeof(*pe), cmp_pipe_elem) : NULL;
			if (e != NULL && (style == PS_PIPE_INDENT_EVERY || e->first) && depth < npe) {
				ends[depth++] = e->pipe_end;
				level++;
			}
		} else if (bol) {
			check_indent(f, tk, level + (k > 0 && f->tv[k - 1]->kind ==
			    PS_TOK_LINE_CONTINUATION));
		}
		bol = false;
		while (depth > 0 && ends[depth - 1] == tk->end) {
			depth--;
			level = level > 0 ? level - 1 : 0;
		}
	}
	if (ends != NULL)
		ps_scratch_free(ends, (npe + 1) * sizeof(*ends));
	if (pe != NULL)
		ps_scratch_free(pe, (cappe + 1) * sizeof(*pe));
}

/* ----------------------------------------------------------- PSUseConsistentWhitespace */

static bool
checked_operator(const struct ps_token *t)
{
	if (t->kind != PS_TOK_OPERATOR)
		return false;
	switch (t->sub) {
	case PS_OP_ASSIGN: case PS_OP_PLUS_ASSIGN: case PS_OP_MINUS_ASSIGN: case PS_OP_MUL_ASSIGN:
	case PS_OP_DIV_ASSIGN: case PS_OP_MOD_ASSIGN: case PS_OP_COALESCE_ASSIGN:
	case PS_OP_PLUS: case PS_OP_MINUS: case PS_OP_MUL: case PS_OP_DIV: case PS_OP_MOD:
	case PS_OP_AND_AND: case PS_OP_OR_OR:
		return true;
	default:
		return false;
	}
}

/* Does the token end an operand (so a + or - after it is binary)? */
static bool
ends_operand(const struct fmt *f, size_t k)
{
	const struct ps_token *t = f->tv[k];

	switch (t->kind) {
	case PS_TOK_VARIABLE: case PS_TOK_NUMBER: case PS_TOK_STRING_SQ: case PS_TOK_STRING_DQ:
	case PS_TOK_HERESTRING_SQ: case PS_TOK_HERESTRING_DQ: case PS_TOK_RPAREN:
	case PS_TOK_RBRACE: case PS_TOK_MEMBER:
		return true;
	case PS_TOK_RBRACKET:	/* an index, not a cast ([int]-1) */
		return k == 0 || f->tv[k - 1]->kind != PS_TOK_TYPE;
	default:
		return false;
	}
}

static bool
open_paren_keyword(const struct ps_token *t)
{
	return t->kind == PS_TOK_KEYWORD && (t->sub == PS_KW_IF || t->sub == PS_KW_ELSEIF ||
	    t->sub == PS_KW_WHILE || t->sub == PS_KW_SWITCH || t->sub == PS_KW_FOR ||
	    t->sub == PS_KW_FOREACH);
}

/* Report token k whose spacing is wrong on one side or both, with the fix that puts one
 * space on each side named (the other side is kept as written). A gap the token before
 * already fixes (`1,{`: the comma's space) is not fixed twice, so one round of fixes gives
 * one space. */
static void
space_around(struct fmt *f, size_t k, bool before, bool after, const char *msg)
{
	const struct ps_token *tk = f->tv[k];
	char text[FMT_FIX_MAX + 1];
	size_t len = tk->end - tk->start, start = before ? f->tv[k - 1]->end : tk->start;
	bool fix_before = before && f->fixed_gap != k;
	const char *parts[] = { fix_before ? " " : "", text, after ? " " : "", NULL };

	if (len > FMT_FIX_MAX)
		return;
	if (!fix_before && !after) {
		ps_rule_emit_range(f->c, R_WHITESPACE, PS_SEV__MAX, start, tk->end, NULL, "%s", msg);
		return;
	}
	memcpy(text, f->c->src + tk->start, len);
	text[len] = '\0';
	emit_fix(f, R_WHITESPACE, fix_before ? start : tk->start,
	    after ? f->tv[k + 1]->start : tk->end, parts, msg);
	if (after)
		f->fixed_gap = k + 1;
}

/* The gap before token k is on its line (the previous token ends on it). */
static bool
same_line_before(const struct fmt *f, size_t k)
{
	return k > 0 && !is_break(f->tv[k - 1]) && f->tv[k - 1]->end_line == f->tv[k]->line;
}

static void
rule_whitespace(struct fmt *f)
{
	const struct ps_format_opts *o = f->o;
	uint32_t *open = ps_scratch_alloc(f->c->p, (f->n + 1) * sizeof(*open));
	size_t depth = 0;

	for (size_t k = 0; k < f->n; k++) {
		const struct ps_token *tk = f->tv[k], *prev = k > 0 ? f->tv[k - 1] : NULL,
		    *next = k + 1 < f->n ? f->tv[k + 1] : NULL;
		bool sb = same_line_before(f, k), sa = next != NULL && !is_break(next) &&
		    next->line == tk->end_line;

		if (is_opener(tk))
			open[depth++] = (uint32_t)k;
		else if (is_closer(tk) && depth > 0)
			depth--;
		switch (tk->kind) {
		case PS_TOK_LBRACE:
			if (o->ws_open_brace && sb && prev->kind != PS_TOK_MEMBER && !is_opener(prev) &&
			    !one_blank(f, prev, tk))
				space_around(f, k, true, false, "Use a space before an open brace.");
			if (o->ws_inner_brace && sa && next->kind != PS_TOK_RBRACE &&
			    !one_blank(f, tk, next))
				space_around(f, k, false, true, "Use a space after an open brace.");
			break;
		case PS_TOK_RBRACE:
			if (o->ws_inner_brace && sb && f->match[k] != UINT32_MAX &&
			    f->tv[f->match[k]]->kind == PS_TOK_LBRACE && prev->kind != PS_TOK_LBRACE &&
			    !one_blank(f, prev, tk))
				space_around(f, k, true, false, "Use a space before a close brace.");
			break;
		case PS_TOK_LPAREN:
			if (o->ws_open_paren && sb && open_paren_keyword(prev) && !one_blank(f, prev, tk))
				space_around(f, k, true, false, "Use a space between a keyword and "
				    "its open parenthesis.");
			break;
		case PS_TOK_SEMICOLON:
			if (o->ws_separator && sa && !one_blank(f, tk, next))
				space_around(f, k, false, true, "Use a space after a semicolon.");
			break;
		case PS_TOK_OPERATOR: {
			bool bad_b, bad_a;

			if (tk->sub == PS_OP_COMMA) {
				if (o->ws_separator && sa && !one_blank(f, tk, next))
					space_around(f, k, false, true, "Use a space after a comma.");
				break;
			}
			if (tk->sub == PS_OP_PIPE) {
				bool gb = sb && blank_between(f, prev->end, tk->start),
				    ga = sa && blank_between(f, tk->end, next->start);

				bad_b = sb && ((o->ws_pipe && prev->end == tk->start) ||
				    (o->ws_pipe_redundant && gb && tk->start - prev->end > 1));
				bad_a = sa && ((o->ws_pipe && next->start == tk->end) ||
				    (o->ws_pipe_redundant && ga && next->start - tk->end > 1));
				if (bad_b || bad_a)
					space_around(f, k, bad_b, bad_a, "Use a single space before and "
					    "after a pipe.");
				break;
			}
			if (!o->ws_operator || !checked_operator(tk))
				break;
			if ((tk->sub == PS_OP_PLUS || tk->sub == PS_OP_MINUS) &&
			    (k == 0 || !ends_operand(f, k - 1)))
				break;	/* unary */
			if (o->ws_ignore_hash_assign && tk->sub == PS_OP_ASSIGN && depth > 0 &&
			    f->tv[open[depth - 1]]->kind == PS_TOK_HASH_START &&
			    f->match[open[depth - 1]] != UINT32_MAX &&
			    f->tv[f->match[open[depth - 1]]]->line != f->tv[open[depth - 1]]->line)
				break;
			bad_b = sb && !one_blank(f, prev, tk);
			bad_a = sa && !one_blank(f, tk, next);
			if (bad_b || bad_a)
				space_around(f, k, bad_b, bad_a, "Use a single space before and after "
				    "an operator.");
			break;
		}
		default:
			break;
		}
	}
	ps_scratch_free(open, (f->n + 1) * sizeof(*open));
	if (!o->ws_parameter)
		return;
	/* CheckParameter: one space between the elements of a command on one line. */
	for (size_t i = 0; i < f->c->ast->commands.n; i++) {
		const struct ps_node *cmd = f->c->ast->commands.v[i], *pe = cmd->u.cmd.name_node;

		for (size_t j = 0; j < cmd->u.cmd.elems.n; j++) {
			const struct ps_node *e = cmd->u.cmd.elems.v[j];
			const char *parts[] = { " ", NULL };

			if (pe != NULL && pe->ext.end_line == e->ext.line && e->ext.start > pe->ext.end + 1 &&
			    blank_between(f, pe->ext.end, e->ext.start) &&
			    !(pe->kind == PS_NODE_COMMAND_PARAMETER && f->c->src[pe->ext.end - 1] == ':'))
				emit_fix(f, R_WHITESPACE, pe->ext.end, e->ext.start, parts,
				    "Use a single space between a command's parameters and values.");
			pe = e;
		}
	}
}

/* --------------------------------------------------------- PSAlignAssignmentStatement */

/* Index of the first top-level token starting at or after off. */
static size_t
token_at(const struct fmt *f, size_t off)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->tv[mid]->start < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* One name = value line to align: where the name (and any comment after it) ends, its
 * column there, and the "=" token (NULL: a valueless enum member, counted for the width). */
struct align_row {
	size_t		 name_end;
	uint32_t	 col, line;
	const struct ps_token *eq;
};

/* The row of a name ending at name_end; false when it cannot be aligned (the "=" is on
 * another line, or a comment comes between and with_comment is off). */
static bool
align_row(const struct fmt *f, size_t name_end, bool with_comment, struct align_row *r)
{
	size_t k = token_at(f, name_end);
	const struct ps_token *last = NULL;

	if (k > 0 && f->tv[k - 1]->end == name_end)
		last = f->tv[k - 1];
	while (k < f->n && f->tv[k]->kind == PS_TOK_BLOCK_COMMENT) {
		if (!with_comment)
			return false;
		last = f->tv[k++];
	}
	if (last == NULL || k >= f->n || f->tv[k]->kind != PS_TOK_OPERATOR ||
	    f->tv[k]->sub != PS_OP_ASSIGN || f->tv[k]->line != last->end_line)
		return false;
	r->name_end = last->end;
	r->col = last->end_column;
	r->line = last->end_line;
	r->eq = f->tv[k];
	return true;
}

/* Align the rows: each "=" one column after the widest name. Rows sharing a line leave the
 * whole group alone, as PSScriptAnalyzer does for @{ a = 1; b = 2 }. */
static void
align_rows(struct fmt *f, struct align_row *r, size_t n)
{
	uint32_t want = 0;

	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && r[i].line == r[i - 1].line)
			return;	/* rows are in source order: a shared line is two neighbours */
		if (r[i].col > want)
			want = r[i].col;
	}
	want++;
	for (size_t i = 0; i < n; i++) {
		char pad[FMT_FIX_MAX + 1];
		size_t w;

		if (r[i].eq == NULL || r[i].eq->column == want)
			continue;
		w = want - r[i].col;
		if (w > FMT_FIX_MAX || !blank_between(f, r[i].name_end, r[i].eq->start))
			continue;
		ps_rule_emit_range(f->c, R_ALIGN_ASSIGNMENT, PS_SEV__MAX, r[i].name_end,
		    r[i].eq->end, NULL, "Assignment statements are not aligned.");
		memset(pad, ' ', w);
		memcpy(pad + w, "=", 2);
		attach_fix(f, R_ALIGN_ASSIGNMENT, r[i].name_end, r[i].eq->end, pad);
	}
}

/*
 * PSAlignAssignmentStatement: in a hashtable written over several lines (CheckHashtable) and
 * in an enum (CheckEnum), the "=" of each key or member goes one column after the widest
 * name. AlignHashtableKvpWithInterveningComment / AlignEnumMemberWithInterveningComment
 * count a <# comment #> between the name and "=" as part of the name (else such a line is
 * left out); IncludeValuelessEnumMembers counts members without a value in the width.
 */
static void
rule_align(struct fmt *f)
{
	const struct ps_format_opts *o = f->o;
	size_t cap = 16;
	struct align_row *rows = xcalloc(cap, sizeof(*rows));
	const struct ps_nodes *pre = &f->c->ast->preorder;

	for (size_t i = 0; o->align_hashtable && i < pre->n; i++) {
		const struct ps_node *h = pre->v[i];
		size_t n = 0;

		if (h->kind != PS_NODE_HASHTABLE || h->ext.line == h->ext.end_line)
			continue;
		if (h->u.hash.keys.n > cap) {
			cap = h->u.hash.keys.n;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		for (size_t k = 0; k < h->u.hash.keys.n; k++)
			if (align_row(f, h->u.hash.keys.v[k]->ext.end, o->align_hash_comment, &rows[n]))
				n++;
		align_rows(f, rows, n);
	}
	for (size_t i = 0; o->align_enum && i < f->c->ast->classes.n; i++) {
		const struct ps_node *en = f->c->ast->classes.v[i];
		const struct ps_nodes *m = &en->u.cls.members;
		size_t n = 0;

		if (en->kind != PS_NODE_ENUM)
			continue;
		if (m->n > cap) {
			cap = m->n;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		for (size_t k = 0; k < m->n; k++) {
			const struct ps_node *mm = m->v[k];
			size_t t = token_at(f, mm->ext.start);

			if (t >= f->n || mm->kind != PS_NODE_PROPERTY_MEMBER)
				continue;
			if (mm->u.prop.default_value == NULL) {
				if (o->align_valueless) {
					rows[n].name_end = f->tv[t]->end;
					rows[n].col = f->tv[t]->end_column;
					rows[n].line = f->tv[t]->line;
					rows[n++].eq = NULL;
				}
			} else if (align_row(f, f->tv[t]->end, o->align_enum_comment, &rows[n]))
				n++;
		}
		align_rows(f, rows, n);
	}
	free(rows);
}

void
ps_rules_format_run(struct ps_ctx *c)
{
	struct fmt f;

	if (!c->p->enabled[R_CLOSE_BRACE] && !c->p->enabled[R_INDENTATION] &&
	    !c->p->enabled[R_WHITESPACE] && !c->p->enabled[R_ALIGN_ASSIGNMENT])
		return;	/* all four are off by default: nothing to pay */
	fmt_init(&f, c);
	if (c->p->enabled[R_CLOSE_BRACE]) {
		size_t nargs, cap;
		uint32_t *args = ps_command_block_starts(c, &nargs, &cap);

		rule_close_brace(&f, args, nargs);
		ps_scratch_free(args, (cap + 1) * sizeof(*args));
	}
	if (c->p->enabled[R_INDENTATION])
		rule_indentation(&f);
	if (c->p->enabled[R_WHITESPACE])
		rule_whitespace(&f);
	if (c->p->enabled[R_ALIGN_ASSIGNMENT])
		rule_align(&f);
	fmt_free(&f);
}
