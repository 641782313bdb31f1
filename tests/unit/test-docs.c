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
	    240), "<mark>Get</mark>-<mark>Process</mark> <mark>Gets</mark> the processes."
	    " Get-Process [[-Name] <String[]>]");
	T_STREQ(snip("```powershell\n$p = **bold** and `code`\n```\n- item\n> quote\n| a | b |\n---\n"
	    "--Force stays", 240), "$p = bold and code item quote a b --Force stays");
	T_STREQ(snip("# A heading of words\ntext", 240), "A heading of words text");
	/* a link is its text; brackets that are not a link stay */
	T_STREQ(snip("see [about_Format](../About/about_Format.md) and [-Name] <x>", 240),
	    "see about_Format and [-Name] <x>");
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

/* build: docs_snippet_build into a static buffer. */
static const char *
build(const char *text, const char *terms, size_t max)
{
	static char out[4096];
	char *s = docs_snippet_build(text, terms, max);

	snprintf(out, sizeof(out), "%s", s);
	free(s);
	return out;
}

static void
test_build_marks_the_forms_of_the_terms(void)
{
	/* stems: the word, the stem and a few small letters, y for a stem's i; not FilePath */
	T_STREQ(build("Gets the processes; a Policy and policies. FilePath file files filed", "get process polici file", 240),
	    "<mark>Gets</mark> the <mark>processes</mark>; a <mark>Policy</mark> and <mark>policies</mark>."
	    " FilePath <mark>file</mark> <mark>files</mark> <mark>filed</mark>");
	/* the Markdown of the text goes; "<mark>" in the text is text (esc_marked escapes it) */
	T_STREQ(build("# Get-Item\n\n## SYNOPSIS\nGets an **item**.", "item", 240), "Gets an <mark>item</mark>.");
	T_STREQ(build("Gets <mark> an item.", "item", 240), "Gets <mark> an <mark>item</mark>.");
	T_STREQ(build("no match here", "zzz", 240), "no match here");
	T_STREQ(build("no terms", NULL, 240), "no terms");
	T_STREQ(build("", "a", 240), "");
}

static void
test_build_window_moves_to_the_terms(void)
{
	struct buf b = BUF_INIT;
	const char *s;

	for (int i = 0; i < 60; i++)
		buf_puts(&b, "filler words ");
	buf_puts(&b, "then the line by line read of a file.");
	s = build(buf_cstr(&b), "line read file", 80);
	/* from a few words before the window with every term */
	T_ASSERT(strncmp(s, "\xe2\x80\xa6 ", 4) == 0);
	T_CONTAINS(s, "<mark>line</mark> by <mark>line</mark> <mark>read</mark> of a <mark>file</mark>.");
	/* a match within max: from the start, cut at a word with "…" */
	s = build(buf_cstr(&b), "filler", 30);
	T_STREQ(s, "<mark>filler</mark> words <mark>filler</mark> words\xe2\x80\xa6");
	/* one word longer than max: its start, whole characters */
	s = build("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "x", 5);
	T_STREQ(s, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_build_marks_the_forms_of_the_terms);
	T_RUN(test_build_window_moves_to_the_terms);
	T_RUN(test_white_space_and_markdown_dropped);
	T_RUN(test_bounded_at_a_word_with_marks_balanced);
	T_RUN(test_utf8_never_split);
	return t_done();
}
