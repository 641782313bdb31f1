/* chat-int.h: what the chat's files share: the retrieval's passages and the answer's parts */
#ifndef PSS_SERVICES_CHAT_INT_H
#define PSS_SERVICES_CHAT_INT_H

#include "core/core.h"
#include "analyzer/catalog.h"
#include "services/chat.h"

#define CHAT_WORDS_MAX		24	/* words of a question looked at */
#define CHAT_WORD_MAX		40	/* bytes of one */
#define CHAT_CANDS		5	/* cmdlets kept from the catalog's ranking */
#define CHAT_PASSAGE_MAX	1500	/* bytes of one passage in a model's prompt */

/* One retrieved thing an answer may cite: a document or a script, with the text a model is
 * shown (the extractive answer quotes from it). */
struct chat_passage {
	enum chat_source_type	 type;
	int64_t			 id;
	char			*title;
	char			*url;
	char			*text;
};

struct chat_cand {
	const struct ps_cmdlet_info	*ci;
	double				 score;
	bool				 named;	/* the question names it (or an alias) */
};

/* A question's retrieval, and the extractive answer made of it. */
struct chat_ctx {
	const struct svc	*svc;
	struct viewer		 v;		/* the asker, never with an admin's reach */
	char			 words[CHAT_WORDS_MAX][CHAT_WORD_MAX];	/* lower case, no stop words */
	size_t			 nwords;
	/* each word's entry in the plain-verb and plain-noun tables, -1 when none */
	int			 wverb[CHAT_WORDS_MAX];
	int			 wnoun[CHAT_WORDS_MAX];
	struct chat_cand	 cands[CHAT_CANDS];
	size_t			 ncands;
	struct chat_passage	 p[CHAT_SOURCES_MAX];
	size_t			 np;
	struct buf		 md;		/* the extractive answer */
	bool			 nothing;	/* nothing fits */
};

/* chat_words: the question's lower-cased words (ASCII letters, digits and '-'), without
 * stop words, into ctx. */
void	 chat_words(struct chat_ctx *, const char *q, size_t len);
/* chat_retrieve: the catalog's ranking, the documentation and the asker's similar scripts,
 * and the extractive answer in ctx->md. */
enum pss_err chat_retrieve(struct chat_ctx *, const char *q, size_t len);
/* chat_retrieve_script: the answer about one script the asker sees (PSS_ENOTFOUND). */
enum pss_err chat_retrieve_script(struct chat_ctx *, int64_t id, const char *q, size_t len);
/* chat_passage_add: a passage (strings copied); the same type and id is added once.
 * Returns its index, or -1 when full. */
int	 chat_passage_add(struct chat_ctx *, enum chat_source_type, int64_t id, const char *title,
	const char *text);
void	 chat_ctx_free(struct chat_ctx *);
/* chat_history_changed: drops the cached list pages of user_id's history (chat_history.c);
 * every write of a history calls it once it is stored. */
void	 chat_history_changed(const struct svc *, int64_t user_id);

/* chat_model_answer: the model's answer over ctx's passages (chat_model.c): AI_OK with the
 * safe Markdown in *md and, in cited[i], whether passage i was cited; else why. */
int	 chat_model_answer(struct chat_ctx *, const struct chat_request *, int64_t timeout_ms,
	char **md, bool cited[CHAT_SOURCES_MAX], char *model, size_t modelsz, const char **why);
/* chat_model_stream: chat_model_answer with the model's answer streamed: chunk gets the
 * safe Markdown as it grows (up to each newline the model wrote), and at the end the rest,
 * so that what the reader holds is *md; a chunk of NULL (length 0) first when the reader must
 * drop what it has (the whole answer follows). On a failure, *sent says whether any chunk
 * went (the caller then resets the reader before the fallback). */
int	 chat_model_stream(struct chat_ctx *, const struct chat_request *, int64_t timeout_ms,
	chat_chunk_fn chunk, void *arg, char **md, bool cited[CHAT_SOURCES_MAX], char *model,
	size_t modelsz, const char **why, bool *sent);
/* chat_model_clean: a model's text made safe (pure, for tests): HTML tags outside code
 * blocks dropped, control bytes but tab and newline dropped, citations [n] of no passage
 * (n > np) dropped, and cited[n-1] set for the others. Caller frees. */
char	*chat_model_clean(const char *text, size_t np, bool cited[CHAT_SOURCES_MAX]);

#endif
