/* test-diff.c: the line diff against GNU diff -u, patch(1), and its edge cases */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "core/diff.h"
#include "diff-apply.h"
#include "t.h"

static char dir[] = "/tmp/pss-diff-XXXXXX";

static void
write_file(const char *name, const char *s, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(s, 1, len, f) != len)
		abort();
	fclose(f);
}

/* run: the standard output of a shell command run in dir. */
static char *
run(const char *cmd)
{
	struct buf b = BUF_INIT;
	char full[512], chunk[4096];
	size_t n;
	FILE *p;

	snprintf(full, sizeof(full), "cd %s && %s", dir, cmd);
	p = popen(full, "r");
	if (p == NULL)
		abort();
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&b, chunk, n);
	pclose(p);
	return b.data != NULL ? buf_detach(&b) : xstrdup("");
}

/* gnu_diff: what diff -u prints for the two texts, labels a and b. */
static char *
gnu_diff(const char *a, size_t alen, const char *b, size_t blen, const char *flags)
{
	char cmd[200];

	write_file("from", a, alen);
	write_file("to", b, blen);
	snprintf(cmd, sizeof(cmd), "diff %s --label a --label b from to", flags);
	return run(cmd);
}

/* same_as_gnu: diff_lines and diff -u print the same text. */
static void
same_as_gnu(const char *a, const char *b)
{
	struct diff_result r;
	char *want = gnu_diff(a, strlen(a), b, strlen(b), "-u");

	diff_lines(a, strlen(a), b, strlen(b), NULL, &r);
	T_STREQ(r.unified, want);
	T_EQ(r.unified_len, strlen(want));
	T_ASSERT(!r.coarse);
	free(want);
	diff_result_free(&r);
}

/* applies: walking the hunks over a gives b, and patch(1) agrees with the unified text. */
static int
applies(const char *a, size_t alen, const char *b, size_t blen, const struct diff_result *r)
{
	struct buf out = BUF_INIT;
	size_t added, removed;
	int ok = 1;
	char *patched;

	if (diff_apply(a, alen, r, &out, &added, &removed) != 0 || added != r->lines_added ||
	    removed != r->lines_removed)
		ok = 0;
	if (out.len != blen || (blen > 0 && memcmp(out.data, b, blen) != 0))
		ok = 0;
	buf_free(&out);
	if (r->nhunks == 0)
		return ok && alen == blen && memcmp(a, b, alen) == 0;
	write_file("from", a, alen);
	write_file("my.diff", r->unified, r->unified_len);
	patched = run("patch -s -o - from < my.diff 2>/dev/null");
	if (strlen(patched) != blen || memcmp(patched, b, blen) != 0)
		ok = 0;
	free(patched);
	return ok;
}

static void
test_one_line_changed_in_the_middle(void)
{
	same_as_gnu("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n");
}

static void
test_insert_at_start_and_delete_at_end(void)
{
	same_as_gnu("a\nb\nc\nd\ne\nf\ng\nh\n", "new\na\nb\nc\nd\ne\nf\ng\n");
}

static void
test_changes_six_apart_share_a_hunk_seven_apart_do_not(void)
{
	same_as_gnu("x\n1\n2\n3\n4\n5\n6\ny\nz\n", "X\n1\n2\n3\n4\n5\n6\nY\nz\n");
	same_as_gnu("x\n1\n2\n3\n4\n5\n6\n7\ny\nz\n", "X\n1\n2\n3\n4\n5\n6\n7\nY\nz\n");
	{
		struct diff_result r;
		const char *a = "x\n1\n2\n3\n4\n5\n6\n7\ny\nz\n", *b = "X\n1\n2\n3\n4\n5\n6\n7\nY\nz\n";

		diff_lines(a, strlen(a), b, strlen(b), NULL, &r);
		T_EQ(r.nhunks, 2);
		T_EQ(r.hunks[0].from_start, 1);
		T_EQ(r.hunks[0].from_lines, 4);
		T_EQ(r.hunks[1].from_start, 6);
		T_EQ(r.hunks[1].to_lines, 5);
		T_EQ(r.lines_added, 2);
		T_EQ(r.lines_removed, 2);
		T_STREQ(diff_line_types[r.hunks[0].lines[0].type], "removed");
		T_STREQ(diff_line_types[r.hunks[0].lines[1].type], "added");
		T_STREQ(diff_line_types[r.hunks[0].lines[2].type], "context");
		T_EQ(r.hunks[0].lines[1].len, 1);
		T_ASSERT(memcmp(r.hunks[0].lines[1].text, "X", 1) == 0);
		diff_result_free(&r);
	}
}

static void
test_empty_from_and_empty_to(void)
{
	struct diff_result r;

	same_as_gnu("", "a\nb\n");
	same_as_gnu("a\nb\n", "");
	diff_lines("", 0, "a\nb\n", 4, NULL, &r);
	T_EQ(r.nhunks, 1);
	T_EQ(r.hunks[0].from_start, 0);
	T_EQ(r.hunks[0].from_lines, 0);
	T_EQ(r.hunks[0].to_start, 1);
	T_EQ(r.hunks[0].to_lines, 2);
	T_CONTAINS(r.unified, "@@ -0,0 +1,2 @@\n");
	diff_result_free(&r);
	diff_lines("", 0, "", 0, NULL, &r);
	T_EQ(r.nhunks, 0);
	T_STREQ(r.unified, "");
	diff_result_free(&r);
}

static void
test_no_newline_at_end_of_file(void)
{
	same_as_gnu("a\nb\nc", "a\nb\nc\n");
	same_as_gnu("a\nb\nc\n", "a\nb\nd");
	same_as_gnu("a\nb\nc", "a\nB\nc");
	same_as_gnu("only", "other");
	{
		struct diff_result r;

		diff_lines("a\nb", 3, "a\nc", 3, NULL, &r);
		T_CONTAINS(r.unified, "-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n");
		T_ASSERT(!r.hunks[0].lines[1].newline);
		diff_result_free(&r);
	}
}

static void
test_crlf_lines(void)
{
	struct diff_result r;
	const char *a = "one\r\ntwo\r\nthree\r\n", *b = "one\r\nTWO\r\nthree\r\n";

	same_as_gnu(a, b);
	same_as_gnu("one\r\ntwo\r\n", "one\ntwo\r\n");
	diff_lines(a, strlen(a), b, strlen(b), NULL, &r);
	T_EQ(r.hunks[0].lines[0].len, 3);	/* "one" without its CR */
	T_ASSERT(r.hunks[0].lines[0].cr);
	T_ASSERT(applies(a, strlen(a), b, strlen(b), &r));
	diff_result_free(&r);
}

static void
test_identical_texts_have_no_hunks(void)
{
	struct diff_result r;
	const char *a = "same\ntext\n";

	diff_lines(a, strlen(a), a, strlen(a), NULL, &r);
	T_EQ(r.nhunks, 0);
	T_EQ(r.lines_added, 0);
	T_EQ(r.lines_removed, 0);
	T_STREQ(r.unified, "");
	diff_result_free(&r);
}

static void
test_all_lines_changed(void)
{
	same_as_gnu("a\nb\nc\n", "x\ny\nz\n");
}

static void
test_context_and_labels_options(void)
{
	struct diff_result r;
	struct diff_opts o = { .context = 0, .from_label = "a/t.ps1", .to_label = "b/t.ps1" };
	const char *a = "1\n2\n3\n4\n", *b = "1\n2\nthree\n4\n";
	char *want;

	diff_lines(a, strlen(a), b, strlen(b), &o, &r);
	T_STREQ(r.unified, "--- a/t.ps1\n+++ b/t.ps1\n@@ -3 +3 @@\n-3\n+three\n");
	want = gnu_diff(a, strlen(a), b, strlen(b), "-U0");
	T_STREQ(r.unified + strlen("--- a/t.ps1\n+++ b/t.ps1\n"), want + strlen("--- a\n+++ b\n"));
	free(want);
	diff_result_free(&r);
}

static char *
random_text(unsigned *seed, int lines, int alphabet, size_t *len)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < lines; i++)
		buf_printf(&b, "line %d\n", rand_r(seed) % alphabet);
	if (lines > 0 && rand_r(seed) % 4 == 0)
		b.len--;	/* no newline at the end */
	*len = b.len;
	return b.data != NULL ? buf_detach(&b) : xstrdup("");
}

static size_t
count_lines(const char *s, char sign)
{
	size_t n = 0;
	const char *p = strstr(s, "\n@@");

	for (; p != NULL && *p != '\0'; p = strchr(p + 1, '\n'))
		if (p[1] == sign)
			n++;
	return n;
}

static void
test_random_edits_are_minimal_and_apply(void)
{
	unsigned seed = 42;
	int bad = 0;

	for (int t = 0; t < 150; t++) {
		size_t alen, blen;
		int n = rand_r(&seed) % 40, m = rand_r(&seed) % 40, alpha = 2 + rand_r(&seed) % 10;
		char *a = random_text(&seed, n, alpha, &alen), *b = random_text(&seed, m, alpha, &blen);
		char *want = gnu_diff(a, alen, b, blen, "-u -d");
		struct diff_result r;

		diff_lines(a, alen, b, blen, NULL, &r);
		if (r.lines_added != count_lines(want, '+') || r.lines_removed != count_lines(want, '-') ||
		    !applies(a, alen, b, blen, &r)) {
			if (bad++ == 0)
				printf("# case %d differs:\n# ours:\n%s# gnu:\n%s", t, r.unified, want);
		}
		diff_result_free(&r);
		free(a);
		free(b);
		free(want);
	}
	T_EQ(bad, 0);
}

static void
test_ten_thousand_lines_changed_falls_back_to_a_coarse_hunk(void)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct diff_result r;
	int64_t t0;

	for (int i = 0; i < 10000; i++) {
		buf_printf(&a, "old %d\n", i);
		buf_printf(&b, "new %d\n", i);
	}
	t0 = time_mono_ms();
	diff_lines(a.data, a.len, b.data, b.len, NULL, &r);
	printf("# 10,000 of 10,000 lines changed: %lld ms\n", (long long)(time_mono_ms() - t0));
	T_ASSERT(r.coarse);
	T_EQ(r.nhunks, 1);
	T_EQ(r.lines_added, 10000);
	T_EQ(r.lines_removed, 10000);
	T_ASSERT(applies(a.data, a.len, b.data, b.len, &r));
	diff_result_free(&r);
	buf_free(&a);
	buf_free(&b);
}

static void
test_ten_thousand_lines_with_scattered_edits_is_exact(void)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct diff_result r;
	int64_t t0;
	char *want;

	for (int i = 0; i < 10000; i++) {
		buf_printf(&a, "line %d\n", i);
		if (i % 100 == 7)
			buf_printf(&b, "changed %d\n", i);
		else if (i % 250 != 3)
			buf_printf(&b, "line %d\n", i);
	}
	t0 = time_mono_ms();
	diff_lines(a.data, a.len, b.data, b.len, NULL, &r);
	printf("# 10,000 lines, 140 edits: %lld ms\n", (long long)(time_mono_ms() - t0));
	T_ASSERT(!r.coarse);
	T_EQ(r.lines_added, 100);
	T_EQ(r.lines_removed, 140);
	want = gnu_diff(a.data, a.len, b.data, b.len, "-u");
	T_STREQ(r.unified, want);
	T_ASSERT(applies(a.data, a.len, b.data, b.len, &r));
	free(want);
	diff_result_free(&r);
	buf_free(&a);
	buf_free(&b);
}

static void
test_nul_bytes_are_data(void)
{
	struct diff_result r;

	diff_lines("a\0b\nc\n", 6, "a\0c\nc\n", 6, NULL, &r);
	T_EQ(r.nhunks, 1);
	T_EQ(r.lines_removed, 1);
	T_EQ(r.hunks[0].lines[0].len, 3);
	diff_result_free(&r);
}

int
main(void)
{
	char cmd[64];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 99;
	T_RUN(test_one_line_changed_in_the_middle);
	T_RUN(test_insert_at_start_and_delete_at_end);
	T_RUN(test_changes_six_apart_share_a_hunk_seven_apart_do_not);
	T_RUN(test_empty_from_and_empty_to);
	T_RUN(test_no_newline_at_end_of_file);
	T_RUN(test_crlf_lines);
	T_RUN(test_identical_texts_have_no_hunks);
	T_RUN(test_all_lines_changed);
	T_RUN(test_context_and_labels_options);
	T_RUN(test_random_edits_are_minimal_and_apply);
	T_RUN(test_ten_thousand_lines_changed_falls_back_to_a_coarse_hunk);
	T_RUN(test_ten_thousand_lines_with_scattered_edits_is_exact);
	T_RUN(test_nul_bytes_are_data);
	rc = t_done();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
