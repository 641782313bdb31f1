/* embeddings.h: the script_embeddings table's queries: store, read one, read a model's all,
 * the write generation, pgvector's nearest neighbours, and what a script's embedding reads */
#ifndef PSS_DB_EMBEDDINGS_H
#define PSS_DB_EMBEDDINGS_H

#include <stdint.h>

#include "db/db.h"
#include "db/rows.h"

/* db_embedding_store: upserts the script's vector (dims floats) made by type/model from the
 * text whose SHA-256 hex is text_hash, and removes the script's rows of type made by another
 * model. PSS_ENOTFOUND when the script is gone. */
enum pss_err db_embedding_store(struct db *, int64_t script_id, const char *type,
	const char *model, const float *v, int dims, const char *text_hash);

/* db_embedding_text_hash: the text_hash of the script's row when it is of model, else NULL
 * (caller frees). */
char	*db_embedding_text_hash(struct db *, int64_t script_id, const char *model);

/* db_embedding_get: the vector of model of a script the viewer sees into out[dims], *has
 * true; *has false when it has none of that model and dimension; PSS_ENOTFOUND when there is
 * no such script or the viewer may not see it. */
enum pss_err db_embedding_get(struct db *, const struct viewer *, int64_t script_id,
	const char *model, int dims, float *out, bool *has);

/* db_embeddings_gen: the write generation (script_embeddings_seq's last value; 0 before any
 * write); -1 on error. Any insert, update or delete of a row advances it. */
int64_t	 db_embeddings_gen(struct db *);

/* db_embeddings_read: every row of model and dims, by script id: fn(script id, vector, arg)
 * for each; *gen gets the generation the rows are complete for (every write it counts has
 * committed and is in what was read; docs/search.md, "The flat vector file"). */
typedef void (*db_embedding_fn)(int64_t script_id, const float *v, void *arg);
enum pss_err db_embeddings_read(struct db *, const char *model, int dims, db_embedding_fn fn,
	void *arg, int64_t *gen);

/* db_embeddings_pgvector: whether script_embeddings.embedding is pgvector's vector (and the
 * nearest-neighbour query below can use its HNSW index). */
bool	 db_embeddings_pgvector(struct db *);

/* db_embeddings_nearest: with pgvector, the k script ids of model nearest q by cosine (HNSW
 * index, psscript_embedding_index) with their cosine similarity. *n gets how many. */
enum pss_err db_embeddings_nearest(struct db *, const char *model, int dims, const float *q,
	int k, int64_t *ids, float *scores, int *n);

/* db_embeddings_index: with pgvector, the HNSW cosine index of model's vectors of dims
 * (psscript_embedding_index: created when missing); its name, or "none" without pgvector or
 * over HNSW's 2,000 dimensions, into name. */
enum pss_err db_embeddings_index(struct db *, const char *model, int dims, char *name,
	size_t namesz);

/* db_embedding_source: what a script's embedding reads, as one text: title, description,
 * tags, the analysis's purpose and the content (first max_content bytes). PSS_ENOTFOUND when
 * the script is gone. Caller frees *text. */
enum pss_err db_embedding_source(struct db *, int64_t script_id, size_t max_content, char **text);

/* db_embeddings_stale_ids: up to max ids (> after, ascending) of scripts with no row of model
 * or one of another dimension, or without search_terms; *n gets how many. */
enum pss_err db_embeddings_stale_ids(struct db *, const char *model, int dims, int64_t after,
	int max, int64_t *ids, int *n);

/* db_embeddings_progress: scripts in all, and those with a row of model and dims and their
 * search_terms. */
enum pss_err db_embeddings_progress(struct db *, const char *model, int dims, int64_t *scripts,
	int64_t *done);

#endif
