/* test-docs.c: the documentation search's snippet (docs_snippet): white space, Markdown
 * markup dropped, the length bound at a word boundary, balanced marks, UTF-8 kept whole */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "services/docs.h"
#include "t.h"

/* snip: docs_snippet into a static buffer (the tests compare it). */
static const char *
snip(const char *hl, size_t max)
{
	static char out[4096];
	char *s = docs_snippet(hl, max);

	snprintf(out, sizeof(out), "%s", s);
	free(s);
	return out;
}

/* balanced: every <mark> closed before the next and at the end. */
static int
balanced(const char *s)
{
	int open = 0;

	for (; *s != '\0'; s++) {
		if (strncmp(s, "<mark>", 6) == 0) {
			if (open)
				return 0;
			open = 1;
		} else if (strncmp(s, "</mark>", 7) == 0) {
			if (!open)
				return 0;
			open = 0;
		}
	}
	return !open;
}

static void
test_white_space_and_markdown_dropped(void)
{
	T_STREQ(snip("<mark>Get</mark>-<mark>Process</mark>\n\n## SYNOPSIS\n<mark>Gets</mark> the"
	    " processes.\n\n## SYNTAX\n\n### Name (Default)\n\n```\nGet-Process [[-Name] <String[]>]\n```",
	    240), "<mark>Get</mark>-<mark>Process</mark> <mark>Gets</mark> the processes. Name (Default)"
	    " Get-Process [[-Name] <String[]>]");
	T_STREQ(snip("```powershell\n$p = **bold** and `code`\n```\n- item\n> quote\n| a | b |\n---\n"
	    "--Force stays", 240), "$p = bold and code item quote a b --Force stays");
	T_STREQ(snip("# A heading of words\ntext", 240), "A heading of words text");
	T_STREQ(snip("", 240), "");
	T_STREQ(snip(NULL, 240), "");
	T_STREQ(snip("  \n\t ", 240), "");
}

static void
test_bounded_at_a_word_with_marks_balanced(void)
{
	const char *s;

	s = snip("one two three four five six seven", 14);
	T_STREQ(s, "one two three\xe2\x80\xa6");
	/* cut inside a marked word: the mark is closed */
	s = snip("one two <mark>threefourfivesixseven</mark> eight", 14);
	T_STREQ(s, "one two\xe2\x80\xa6");
	s = snip("a <mark>bcdefghijklmnopqrstuvwxyz</mark> end", 10);
	T_ASSERT(balanced(s));
	T_STREQ(s, "a <mark>bcdefghi</mark>\xe2\x80\xa6");
	/* cut after a marked word: the boundary before the next */
	s = snip("alpha <mark>beta</mark> gamma delta epsilon", 16);
	T_STREQ(s, "alpha <mark>beta</mark> gamma\xe2\x80\xa6");
	T_ASSERT(balanced(snip("<mark>x</mark> <mark>y</mark> <mark>z", 240)));
	/* the marks are not counted: 240 bytes of text however many marks */
	{
		struct buf b = BUF_INIT;
		size_t text = 0;

		for (int i = 0; i < 200; i++)
			buf_puts(&b, "<mark>ab</mark> ");
		s = snip(buf_cstr(&b), 240);
		for (const char *p = s; *p != '\0'; p++)
			if (strncmp(p, "<mark>", 6) == 0)
				p += 5;
			else if (strncmp(p, "</mark>", 7) == 0)
				p += 6;
			else
				text++;
		T_ASSERT(text <= 240 + 3 && text > 200);
		T_ASSERT(balanced(s));
		buf_free(&b);
	}
}

static void
test_utf8_never_split(void)
{
	/* one long word of two-byte characters: cut at a character, not inside one */
	struct buf b = BUF_INIT;
	const char *s;
	size_t n;

	for (int i = 0; i < 100; i++)
		buf_puts(&b, "\xc3\xa9");
	s = snip(buf_cstr(&b), 15);
	n = strlen(s);
	T_ASSERT(n >= 3 && strcmp(s + n - 3, "\xe2\x80\xa6") == 0);
	T_EQ((n - 3) % 2, 0);
	T_ASSERT(n - 3 <= 16);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_white_space_and_markdown_dropped);
	T_RUN(test_bounded_at_a_word_with_marks_balanced);
	T_RUN(test_utf8_never_split);
	return t_done();
}
