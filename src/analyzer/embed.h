/* embed.h: the built-in embedding model (TF-IDF and a truncated SVD of the shipped reference),
 * the catalog enrichment of a script's text, and the exact nearest-neighbour scan. Pure: no I/O;
 * the caller maps the model's bytes (data/embed/builtin-lsi.bin, tools/gen-embed-model.py). */
#ifndef PSS_ANALYZER_EMBED_H
#define PSS_ANALYZER_EMBED_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core.h"

/* The most bytes of text one embedding reads (longer text: its first PS_EMBED_MAX_TEXT bytes). */
#define PS_EMBED_MAX_TEXT	(256 * 1024)
/* The most distinct commands whose meaning ps_embed_enrich appends. */
#define PS_EMBED_MAX_COMMANDS	32
#define PS_EMBED_MAX_DIM	4096

struct ps_embed_model {
	uint32_t	 dim;
	uint32_t	 nterms;
	const float	*weights;	/* nterms x (idf, scale), little-endian floats */
	const int8_t	*proj;		/* nterms x dim */
	const char	**terms;	/* nterms pointers into the model's bytes, sorted bytewise */
	char		 version[24];	/* "lsi-" and the first 16 hex digits of the file's SHA-256 */
};

/* ps_embed_model_open: check and index the model in buf (len bytes, which must outlive the
 * model). 0, or -1 with a reason in err (truncated, bad magic, bad sizes, unsorted terms).
 * Free with ps_embed_model_close. */
int	 ps_embed_model_open(struct ps_embed_model *, const void *buf, size_t len,
	    char *err, size_t errsz);
void	 ps_embed_model_close(struct ps_embed_model *);

/* ps_embed_singular: the model's plural rule on the lower-case word t of n bytes, in place
 * ("ies" -> "y" after 2+ bytes, a final s dropped after 3+ unless "ss"; the generator's
 * stem()); returns the new length. Shared by the tokenizer and the query lexicon. */
static inline size_t
ps_embed_singular(char *t, size_t n)
{
	if (n > 4 && memcmp(t + n - 3, "ies", 3) == 0) {
		t[n - 3] = 'y';
		return n - 2;
	}
	if (n > 3 && t[n - 1] == 's' && t[n - 2] != 's')
		return n - 1;
	return n;
}

/* ps_embed_tokens: call fn for each token of text as the model's generator cut it (ASCII
 * letters and digits, lower case, case-change parts, 2..32 bytes, the plural rule). */
void	 ps_embed_tokens(const char *text, size_t len,
	    void (*fn)(const char *tok, size_t n, void *arg), void *arg);

/* ps_embed_enrich: append to out, one per line, the cmdlet name and synopsis of each distinct
 * command or alias that text names (catalog.h; at most PS_EMBED_MAX_COMMANDS). Returns how many. */
size_t	 ps_embed_enrich(const char *text, size_t len, struct buf *out);

/* ps_embed_text: the unit-length embedding of text (its first PS_EMBED_MAX_TEXT bytes) into
 * out[dim]. Returns the number of known terms it used; 0 leaves out all zero. Deterministic. */
size_t	 ps_embed_text(const struct ps_embed_model *, const char *text, size_t len, float *out);

/* ps_embed_query: as ps_embed_text, with the terms of extra (elen bytes: a question's words in
 * the reference's words, lexicon.h) weighing PS_EMBED_EXTRA_WEIGHT of the text's own. */
#ifndef PS_EMBED_EXTRA_WEIGHT
#define PS_EMBED_EXTRA_WEIGHT	0.5
#endif
size_t	 ps_embed_query(const struct ps_embed_model *, const char *text, size_t len,
	    const char *extra, size_t elen, float *out);

/* ps_embed_idf: the highest IDF among the tokens of text (ps_embed_tokens) the model knows,
 * 0 when it knows none: how rare the text's rarest word is in the reference. */
double	 ps_embed_idf(const struct ps_embed_model *, const char *text, size_t len);

/* ps_embed_cosine: the cosine of two vectors of dim floats (0 when either is zero). */
float	 ps_embed_cosine(const float *a, const float *b, size_t dim);

struct ps_embed_hit {
	uint32_t	 row;
	float		 score;
};

/* ps_embed_topk: the exact k best rows of vecs (n rows of dim floats, each unit length or zero)
 * by dot product with q, best first, ties by lower row; rows whose keep[row] is 0 are skipped
 * (keep NULL: none). Writes at most k hits to hits; returns how many. */
size_t	 ps_embed_topk(const float *q, const float *vecs, size_t n, size_t dim,
	    const uint8_t *keep, size_t k, struct ps_embed_hit *hits);

/* The int8 copy of n vectors of dim floats, row r at codes + r * dim, scale[r], bound[r]
 * (ps_embed_quantize). */
struct ps_embed_q8 {
	const int8_t	*codes;
	const float	*scale;
	const float	*bound;
};

/* ps_embed_quantize: v (dim floats) as dim int8 codes c = round(v / s) with *scale = s =
 * max|v| / 127, and *bound, which covers both the codes' error and the scans' rounding (embed.c
 * says how). A row holding anything above 2^50, infinite or NaN gets codes 0, scale 0 and an
 * infinite bound: ps_embed_topk_q8 always rescores it. */
void	 ps_embed_quantize(const float *v, size_t dim, int8_t *c, float *scale, float *bound);

/* ps_embed_topk_q8: ps_embed_topk's answer (the same rows, the same scores bit for bit, when no
 * score is NaN), found by a pass over the int8 copy qv of vecs that bounds every row's score,
 * then the float dot product of only the rows that can still be among the k best. *rescored
 * (NULL: not wanted): how many rows that was. Needs n floats of scratch, freed on return. */
size_t	 ps_embed_topk_q8(const float *q, const float *vecs, const struct ps_embed_q8 *qv,
	    size_t n, size_t dim, const uint8_t *keep, size_t k, struct ps_embed_hit *hits,
	    size_t *rescored);

#endif
