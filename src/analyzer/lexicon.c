/* lexicon.c: the query lexicon's look-up and expansion (lexicon.h; the table: lexicon_data.c) */
#include "config.h"

#include <string.h>

#include "analyzer/embed.h"
#include "analyzer/lexicon.h"

/* The longest word looked up; a key is at most two of them and a space. */
#define LEX_WORD	24

/* key against the n bytes of w, bytewise, as strcmp would order them */
static int
keycmp(const char *key, const char *w, size_t n)
{
	int c = strncmp(key, w, n);

	return c != 0 ? c : key[n] != '\0';
}

static const struct ps_lexicon_entry *
find_exact(const char *w, size_t n)
{
	size_t lo = 0, hi = ps_lexicon_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = keycmp(ps_lexicon[mid].word, w, n);

		if (c == 0)
			return &ps_lexicon[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ps_lexicon_entry *
ps_lexicon_find(const char *w, size_t n)
{
	const struct ps_lexicon_entry *e;
	char s[2 * LEX_WORD + 2];
	size_t m;

	if (n == 0 || n >= sizeof(s))
		return NULL;
	if ((e = find_exact(w, n)) != NULL)
		return e;
	/* a plural finds its singular's entry: the model's tokens' plural rule */
	memcpy(s, w, n);
	if ((m = ps_embed_singular(s, n)) == n)
		return NULL;
	return find_exact(s, m);
}

static int
is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

size_t
ps_lexicon_expand(const char *text, size_t len, struct buf *out)
{
	char w[PS_LEXICON_MAX_WORDS][LEX_WORD + 1];
	size_t wl[PS_LEXICON_MAX_WORDS], nw = 0, i = 0, done = 0;

	while (i < len && nw < PS_LEXICON_MAX_WORDS) {
		size_t s;

		if (!is_letter((unsigned char)text[i])) {
			i++;
			continue;
		}
		for (s = i; i < len && is_letter((unsigned char)text[i]); i++)
			;
		/* a longer word is no key, but still a word: no phrase spans it */
		wl[nw] = i - s > LEX_WORD ? 0 : i - s;
		for (size_t k = 0; k < wl[nw]; k++)
			w[nw][k] = (char)(text[s + k] | 0x20);
		nw++;
	}
	for (i = 0; i < nw; i++) {
		const struct ps_lexicon_entry *e = NULL;
		char p[2 * LEX_WORD + 1];

		if (wl[i] == 0)
			continue;
		if (i + 1 < nw && wl[i + 1] > 0) {
			memcpy(p, w[i], wl[i]);
			p[wl[i]] = ' ';
			memcpy(p + wl[i] + 1, w[i + 1], wl[i + 1]);
			if ((e = ps_lexicon_find(p, wl[i] + 1 + wl[i + 1])) != NULL)
				i++;
		}
		if (e == NULL)
			e = ps_lexicon_find(w[i], wl[i]);
		if (e == NULL)
			continue;
		buf_putc(out, ' ');
		buf_puts(out, e->terms);
		done++;
	}
	return done;
}
