/* test-analyzer-corpus.c: every ```powershell block of the shared docs tokenizes and parses */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "analyzer/analyzer.h"
#include "analyzer/ps_ast.h"
#include "core/core.h"
#include "t.h"

struct stats {
	size_t	 files, blocks, bytes, tokens, error_tokens, error_blocks, diag_blocks, nodes_commands;
	size_t	 bad_positions, gaps, orphans;
	size_t	 fmt_findings, fmt_fixed, fmt_changed, fmt_unconverged;	/* formatting rules */
	char	 first_changed[4300];
	double	 cpu_seconds, lex_seconds;
	char	 first_gap[4300];
};

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == 0xC2 || c == 0xA0;
}

/* Token invariants: offsets in range and ordered, positions agree with ps_position,
 * and the bytes between top-level tokens are whitespace only. */
static void
check_tokens(const char *src, size_t len, const struct ps_tokens *t, struct stats *st,
    const char *where)
{
	size_t prev_end = 0;

	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		prev_end = 3;
	for (size_t i = 0; i < t->n; i++) {
		const struct ps_token *k = &t->v[i];
		uint32_t line, col;

		if (k->start > k->end || k->end > len) {
			st->bad_positions++;
			continue;
		}
		ps_position(t, k->start, &line, &col);
		if (line != k->line || col != k->column)
			st->bad_positions++;
		ps_position(t, k->end, &line, &col);
		if (line != k->end_line || col != k->end_column)
			st->bad_positions++;
		if (k->flags & PS_TOKF_NESTED)
			continue;
		if (k->start < prev_end) {
			st->bad_positions++;
			continue;
		}
		for (size_t j = prev_end; j < k->start; j++) {
			if (!is_space((unsigned char)src[j]) && (unsigned char)src[j] < 0x80) {
				if (st->gaps++ == 0)
					snprintf(st->first_gap, sizeof(st->first_gap), "%s: byte %zu", where, j);
				break;
			}
		}
		prev_end = k->end;
	}
}

/*
 * The formatting rules (off by default) on every block, one at a time with all their checks
 * on: their fixes, applied until none is left (at most 4 rounds), change whitespace only.
 * The fixed text has the same tokens, kind and text, in the same order (line breaks aside
 * for PSPlaceCloseBrace, which moves braces), so PowerShell reads the same script.
 */
static const char *const fmt_settings[] = {
	"@{ Rules = @{ PSPlaceCloseBrace = @{ Enable = $true; NoEmptyLineBefore = $true; "
	    "IgnoreOneLineBlock = $false } } }",
	"@{ Rules = @{ PSPlaceCloseBrace = @{ Enable = $true; NewLineAfter = $false } } }",
	"@{ Rules = @{ PSUseConsistentIndentation = @{ Enable = $true; "
	    "PipelineIndentation = 'IncreaseIndentationAfterEveryPipeline' } } }",
	"@{ Rules = @{ PSUseConsistentWhitespace = @{ Enable = $true; CheckParameter = $true; "
	    "CheckPipeForRedundantWhitespace = $true } } }",
	"@{ Rules = @{ PSAlignAssignmentStatement = @{ Enable = $true } } }",
};
static struct ps_settings *fmt_parsed[PSS_ARRAY_LEN(fmt_settings)];

static bool
is_format_rule(const char *id)
{
	return strcmp(id, "PSPlaceCloseBrace") == 0 || strcmp(id, "PSUseConsistentIndentation") == 0 ||
	    strcmp(id, "PSUseConsistentWhitespace") == 0 || strcmp(id, "PSAlignAssignmentStatement") == 0;
}

/* The top-level tokens as text, one per line (NEWLINE tokens left out when skip_nl). */
static void
token_text(const char *src, size_t len, bool skip_nl, struct buf *out)
{
	struct ps_tokens t;

	buf_reset(out);
	ps_tokenize(src, len, &t);
	for (size_t i = 0; i < t.n; i++) {
		const struct ps_token *k = &t.v[i];

		if ((k->flags & PS_TOKF_NESTED) || (skip_nl && k->kind == PS_TOK_NEWLINE))
			continue;
		buf_printf(out, "%d ", k->kind);
		buf_append(out, src + k->start, k->end - k->start);
		buf_putc(out, '\n');
	}
	ps_tokens_free(&t);
}

static void
format_block(const char *src, size_t len, struct stats *st, const char *where)
{
	struct buf text = BUF_INIT, out = BUF_INIT, before = BUF_INIT, after = BUF_INIT;

	for (size_t r = 0; r < PSS_ARRAY_LEN(fmt_settings); r++) {
		struct ps_analyze_opts o;
		size_t applied = 1;
		int round;

		memset(&o, 0, sizeof(o));
		o.settings = fmt_parsed[r];
		buf_reset(&text);
		buf_append(&text, src, len);
		for (round = 0; round < 4 && applied > 0; round++) {
			struct ps_analysis *a = NULL;

			if (ps_analyze(text.data ? text.data : "", text.len, &o, &a) != PSS_OK)
				break;
			for (size_t i = 0; i < a->nfindings; i++)
				if (!is_format_rule(a->findings[i].rule->id))
					a->findings[i].fix = NULL;	/* only the formatting rule's */
			if (round == 0)
				for (size_t i = 0; i < a->nfindings; i++)
					st->fmt_findings += a->findings[i].fix != NULL;
			buf_reset(&out);
			applied = ps_fixes_apply(text.data ? text.data : "", text.len, a, &out);
			st->fmt_fixed += applied;
			ps_analysis_free(a);
			buf_reset(&text);
			buf_append(&text, out.data ? out.data : "", out.len);
		}
		if (applied > 0)
			st->fmt_unconverged++;
		token_text(src, len, r < 2, &before);
		token_text(text.data ? text.data : "", text.len, r < 2, &after);
		if (strcmp(buf_cstr(&before), buf_cstr(&after)) != 0 && st->fmt_changed++ == 0)
			snprintf(st->first_changed, sizeof(st->first_changed), "%s (settings %zu)",
			    where, r);
	}
	buf_free(&text);
	buf_free(&out);
	buf_free(&before);
	buf_free(&after);
}

static void
analyse_block(const char *src, size_t len, struct stats *st, const char *where)
{
	struct ps_ast *a;
	struct ps_tokens t;
	double t0 = time_cpu_us() / 1e6;

	ps_tokenize(src, len, &t);
	st->lex_seconds += time_cpu_us() / 1e6 - t0;
	ps_tokens_free(&t);
	t0 = time_cpu_us() / 1e6;
	a = ps_parse(src, len);
	st->cpu_seconds += time_cpu_us() / 1e6 - t0;
	st->blocks++;
	st->bytes += len;
	st->tokens += a->toks.n;
	st->error_tokens += a->toks.nerrors;
	st->nodes_commands += a->commands.n;
	if (a->toks.nerrors > 0) {
		st->error_blocks++;
		if (getenv("CORPUS_VERBOSE") != NULL)
			printf("# error tokens in %s\n", where);
	}
	if (a->ndiags > 0)
		st->diag_blocks++;
	for (size_t i = 0; i < a->ndiags; i++)
		if (strncmp(a->diags[i].msg, "internal:", 9) == 0)
			st->orphans++;
	check_tokens(src, len, &a->toks, st, where);
	ps_ast_free(a);
	format_block(src, len, st, where);
}

/* every ```powershell fenced block of one Markdown file */
static void
scan_markdown(const char *path, struct stats *st)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT, block = BUF_INIT;
	char line[8192];
	int in = 0, n = 0;

	if (f == NULL)
		return;
	st->files++;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!in && strncmp(p, "```", 3) == 0 && strncasecmp(p + 3, "powershell", 10) == 0) {
			in = 1;
			buf_reset(&block);
			continue;
		}
		if (in && strncmp(p, "```", 3) == 0) {
			char where[4200];

			snprintf(where, sizeof(where), "%s block %d", path, ++n);
			in = 0;
			analyse_block(block.data ? block.data : "", block.len, st, where);
			continue;
		}
		if (in)
			buf_puts(&block, line);
	}
	fclose(f);
	buf_free(&b);
	buf_free(&block);
}

static void
walk_dir(const char *dir, struct stats *st, int depth)
{
	DIR *d;
	struct dirent *e;

	if (depth > 16 || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat sb;
		size_t nl = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			walk_dir(path, st, depth + 1);
		else if (nl > 3 && strcmp(e->d_name + nl - 3, ".md") == 0)
			scan_markdown(path, st);
	}
	closedir(d);
}

int
main(void)
{
	const char *shared = getenv("PSS_SHARED_DIR");
	char root[4096];
	struct stats st;
	struct stat sb;

	memset(&st, 0, sizeof(st));
	snprintf(root, sizeof(root), "%s/data/powershell-docs", shared ? shared : "../shared");
	/* The corpus is optional data outside the project (14 MB, not in the release tarball):
	 * absent, the whole program is a TAP skip that says where it looked. */
	if (stat(root, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		printf("1..0 # SKIP PowerShell docs corpus not found at %s (set PSS_SHARED_DIR to the "
		    "folder holding data/powershell-docs)\n", root);
		return 0;
	}
	for (size_t i = 0; i < PSS_ARRAY_LEN(fmt_settings); i++) {
		struct buf e = BUF_INIT;

		if (ps_settings_parse(fmt_settings[i], strlen(fmt_settings[i]), &fmt_parsed[i], &e,
		    NULL) != PSS_OK)
			printf("# settings %zu: %s\n", i, buf_cstr(&e));
		buf_free(&e);
	}
	walk_dir(root, &st, 0);
	for (size_t i = 0; i < PSS_ARRAY_LEN(fmt_settings); i++)
		ps_settings_free(fmt_parsed[i]);
	printf("# files %zu, blocks %zu, bytes %zu, tokens %zu\n", st.files, st.blocks, st.bytes, st.tokens);
	printf("# error tokens %zu in %zu blocks (%.2f%%); blocks with parse diagnostics %zu (%.2f%%)\n",
	    st.error_tokens, st.error_blocks, st.blocks ? 100.0 * (double)st.error_blocks / (double)st.blocks : 0,
	    st.diag_blocks, st.blocks ? 100.0 * (double)st.diag_blocks / (double)st.blocks : 0);
	printf("# commands %zu; tokenize+parse %.3f s CPU, %.1f MB/s; tokenize alone %.1f MB/s\n",
	    st.nodes_commands, st.cpu_seconds,
	    st.cpu_seconds > 0 ? (double)st.bytes / 1e6 / st.cpu_seconds : 0,
	    st.lex_seconds > 0 ? (double)st.bytes / 1e6 / st.lex_seconds : 0);
	/* the docs hold thousands of blocks; fewer means the corpus was not found */
	t_result(st.blocks >= 1000, "corpus of powershell blocks found");
	t_result(st.blocks > 0 && st.error_blocks * 100 < st.blocks,
	    "error tokens in fewer than 1% of blocks (the rest is invalid doc text)");
	t_result(st.bad_positions == 0, "token offsets, lines and columns are consistent");
	if (st.gaps > 0)
		printf("# %zu blocks with non-space text outside tokens, first at %s\n", st.gaps, st.first_gap);
	t_result(st.gaps == 0, "every non-space byte belongs to a token");
	t_result(st.orphans == 0, "every node is in the tree");
	printf("# formatting rules: %zu findings with a fix, %zu fixes applied, %zu blocks not "
	    "settled in 4 rounds\n", st.fmt_findings, st.fmt_fixed, st.fmt_unconverged);
	if (st.fmt_changed > 0)
		printf("# %zu formatted blocks read differently, first %s\n", st.fmt_changed,
		    st.first_changed);
	t_result(st.fmt_findings > 1000, "the formatting rules find something to fix in the docs");
	t_result(st.fmt_changed == 0, "formatting fixes change whitespace only (same tokens)");
	t_result(st.fmt_unconverged == 0, "formatting fixes settle (no finding left to fix)");
	return t_done();
}
