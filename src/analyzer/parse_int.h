/* parse_int.h: internals shared by the parser (parse.c) and its post-pass (parse_post.c) */
#ifndef PSS_PARSE_INT_H
#define PSS_PARSE_INT_H

#include "analyzer/ps_ast.h"

/* A growable array of node pointers, copied into the arena when done. The first few live
 * in the vector itself (most lists are short), so a vector must not be copied while in use. */
#define PVEC_INLINE	8
struct pvec {
	struct ps_node **v;	/* inl, or the heap once there are more */
	size_t	 n, cap;
	struct ps_node *inl[PVEC_INLINE];
};
#define PVEC_INIT	{ NULL, 0, 0, { NULL } }

void	 ps_pvec_push_grow(struct pvec *, struct ps_node *);	/* ps_pvec_push when full */
/* ps_pvec_push: append n (a NULL n is ignored) */
static inline void
ps_pvec_push(struct pvec *v, struct ps_node *n)
{
	if (n == NULL)
		return;
	if (v->n < v->cap)
		v->v[v->n++] = n;
	else
		ps_pvec_push_grow(v, n);
}
/* ps_pvec_free: release a vector's heap array (an empty or inline one has none) */
static inline void
ps_pvec_free(struct pvec *v)
{
	if (v->v != NULL && v->v != v->inl)
		free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}
struct ps_nodes ps_pvec_to_nodes(struct ps_ast *, struct pvec *);	/* frees the vector */

/* Everything the parser created, in creation order; parse_post builds the kid
 * lists, flat indexes, help, #Requires entries and complexity from it. */
struct parse_result {
	struct pvec all;
	struct ps_diag *diags;
	size_t	 ndiags, capdiags;
};

void	 ps_parse_post(struct ps_ast *, struct parse_result *);
void	 ps_parse_diag(struct ps_ast *, struct parse_result *, const struct ps_extent *, const char *msg);

/* decoded text of a token (strings, words, variables), in the arena */
char	*ps_parse_decode_string(struct ps_ast *, const char *src, const struct ps_token *, size_t *len);

#endif
