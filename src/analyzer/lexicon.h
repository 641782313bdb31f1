/* lexicon.h: the query lexicon: the words users search with ("trash", "folder", "reboot") and
 * the words the PowerShell reference says instead ("recycle bin", "directory", "restart"), so
 * that the built-in model, which knows only the reference's words, understands the question
 * (docs/search.md, "The query lexicon"). Pure data and a look-up: no I/O. */
#ifndef PSS_ANALYZER_LEXICON_H
#define PSS_ANALYZER_LEXICON_H

#include <stddef.h>

#include "core/core.h"

/* The most words of one text ps_lexicon_expand looks up (a query has at most 8: library.h). */
#define PS_LEXICON_MAX_WORDS	32

struct ps_lexicon_entry {
	const char	*word;	/* lower case, base form; one word or two separated by a space */
	const char	*terms;	/* the reference's words for it, space-separated, best first */
};

/* The table, sorted bytewise by word (lexicon_data.c), and its size. */
extern const struct ps_lexicon_entry ps_lexicon[];
extern const size_t ps_lexicon_len;

/* ps_lexicon_find: the entry for word (len bytes, lower case) or NULL; a plural form ("files",
 * "directories") finds its singular's entry when it has none of its own. */
const struct ps_lexicon_entry *ps_lexicon_find(const char *word, size_t len);

/* ps_lexicon_expand: append to out, each after a space, the terms of every word or two-word
 * phrase of text (its first PS_LEXICON_MAX_WORDS words: runs of ASCII letters, compared in lower
 * case) that the lexicon knows; a phrase's entry wins over its words'. Returns how many words
 * or phrases were expanded. */
size_t	 ps_lexicon_expand(const char *text, size_t len, struct buf *out);

#endif
