/* embedding.c: the embedders, the embedding.compute and embedding.index jobs, re-embedding,
 * the flat vector file and the nearest-neighbour search over it (docs/search.md) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ai/embed.h"
#include "analyzer/embed.h"
#include "analyzer/lexicon.h"
#include "cache/cache.h"
#include "db/scripts.h"
#include "db/embeddings.h"
#include "db/jobs.h"
#include "services/library.h"
#include "services/library-int.h"

/* The flat vector file: a header, then count script ids (int64), count x dim floats, and their
 * int8 copy for the scan's first pass (ps_embed_quantize): count scales (float), count bounds
 * (float) and count x dim codes (int8); all in this machine's byte order (the file is per host
 * and rebuilt from PostgreSQL). A file of another version is rebuilt as a corrupt one is. */
#define VF_MAGIC	"PSSVEC01"
#define VF_VERSION	2
struct vf_header {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 dim;
	uint64_t	 count;
	int64_t		 gen;		/* db_embeddings_gen when it was read */
	uint64_t	 checksum;	/* hash_words of every byte after the header */
	char		 model[64];	/* model_version, NUL-padded */
	char		 pad[24];
};

/* what is embedded of a script: at most this much of its content */
#define SOURCE_MAX_CONTENT (64 * 1024)
/* how often a worker that found the file stale asks again for its refresh */
#define HEAL_INTERVAL_MS 5000
/* how often the column type (real[] or pgvector's vector) is looked at again */
#define PGVECTOR_CHECK_MS 60000

/* A set of vectors to scan: the mapped file's or the copy read from PostgreSQL (quantized as
 * it is read), each with its int8 copy. */
struct vset {
	const int64_t		*ids;
	const float		*vecs;
	size_t			 n;
	int64_t			 gen;
	struct ps_embed_q8	 q8;
};

/* One model's embedder and vectors: the mapped flat file (the configured model's only) and
 * the copy read from PostgreSQL when the file is missing, stale or not kept. */
struct eset {
	struct library_embedder	 emb;
	char			 model_name[128];
	bool			 has_file;
	void			*map;
	size_t			 maplen;
	struct stat		 mapst;
	struct vset		 file;
	int64_t			*pids;
	float			*pvecs;
	int8_t			*pcodes;
	float			*pscale, *pbound;
	size_t			 pn, pcap;
	struct vset		 pg;
	int64_t			 heal_at;
	bool			 indexed;	/* pgvector: psscript_embedding_index was asked */
};

static struct {
	bool			 tried;		/* the embedders were set up (or failed) */
	char			 err[4608];	/* why the configured one is not there */
	char			 builtin_err[4608];
	struct ps_embed_model	 model;
	void			*model_map;
	size_t			 model_len;
	struct eset		 builtin;	/* the built-in model (emb.type NULL: not loaded) */
	struct eset		 remote;	/* a remote provider (emb.type NULL: none) */
	struct eset		*main;		/* the configured one, or NULL */
	struct ai_embed_target	 target;
	char			 url[2048];
	int64_t			 remote_down_at;	/* a query's request failed at (0: none) */
	char			 remote_down_why[256];
	bool			 defer_index;	/* library_embedding_defer_index */
	int			 pgvector;	/* -1: not known */
	int64_t			 pgvector_at;
	double			 rarest;	/* the model's highest IDF (0: not known yet) */
} st = { .pgvector = -1 };

static void *
map_file(const char *path, size_t *len, struct stat *sb)
{
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, sb) != 0 || sb->st_size <= 0) {
		close(fd);
		return NULL;
	}
	*len = (size_t)sb->st_size;
	p = mmap(NULL, *len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static void
eset_init(struct eset *es)
{
	memset(es, 0, sizeof(*es));
	es->file.gen = es->pg.gen = -1;
}

static int
builtin_setup(const struct svc *s)
{
	const struct conf *c = s->conf;
	char path[4096], why[256];
	struct stat sb;

	if (c->embedding_model_file[0] != '\0')
		snprintf(path, sizeof(path), "%s", c->embedding_model_file);
	else {
		snprintf(path, sizeof(path), "%s/embed/builtin-lsi.bin", c->data_dir);
		if (access(path, R_OK) != 0)	/* the source tree */
			snprintf(path, sizeof(path), "%s/data/embed/builtin-lsi.bin", c->data_dir);
	}
	if ((st.model_map = map_file(path, &st.model_len, &sb)) == NULL) {
		snprintf(st.builtin_err, sizeof(st.builtin_err), "the built-in model %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (ps_embed_model_open(&st.model, st.model_map, st.model_len, why, sizeof(why)) != 0) {
		snprintf(st.builtin_err, sizeof(st.builtin_err), "the built-in model %s: %s", path, why);
		munmap(st.model_map, st.model_len);
		st.model_map = NULL;
		return -1;
	}
	snprintf(st.builtin.model_name, sizeof(st.builtin.model_name), "%s", st.model.version);
	st.builtin.emb = (struct library_embedder){ "builtin", st.builtin.model_name,
	    (int)st.model.dim };
	return 0;
}

/* The remote provider of EMBEDDING_PROVIDER (openai or psscript-ai): its URL, key, model and
 * dimension from the configuration, checked; -1 with st.err. */
static int
remote_setup(const struct svc *s, enum ai_embed_api api)
{
	const struct conf *c = s->conf;
	const char *url = c->embedding_api_url[0] != '\0' ? c->embedding_api_url :
	    api == AI_EMBED_OPENAI ? c->ai_api_url : c->ai_service_url;
	const char *model = c->embedding_model[0] != '\0' ? c->embedding_model :
	    api == AI_EMBED_OPENAI ? "text-embedding-3-small" : "";

	if (url[0] == '\0' || !ai_http_url_ok(url) || strlen(url) >= sizeof(st.url)) {
		snprintf(st.err, sizeof(st.err), "EMBEDDING_PROVIDER %s needs an http(s) URL in "
		    "EMBEDDING_API_URL or %s", ai_embed_apis[api],
		    api == AI_EMBED_OPENAI ? "AI_API_URL" : "AI_SERVICE_URL");
		return -1;
	}
	if (api == AI_EMBED_OPENAI)
		snprintf(st.remote.model_name, sizeof(st.remote.model_name), "%s", model);
	else
		snprintf(st.remote.model_name, sizeof(st.remote.model_name), "ai-service%s%s",
		    model[0] != '\0' ? ":" : "", model);
	/* script_embeddings.model_version is VARCHAR(50) */
	if (strlen(st.remote.model_name) > 50 || strlen(model) > 50) {
		snprintf(st.err, sizeof(st.err), "EMBEDDING_MODEL \"%.60s\" is longer than 50 bytes",
		    model);
		return -1;
	}
	snprintf(st.url, sizeof(st.url), "%s", url);
	st.target = (struct ai_embed_target){
		.api = api, .base_url = st.url,
		.key = c->embedding_api_key[0] != '\0' ? c->embedding_api_key :
		    api == AI_EMBED_OPENAI ? c->ai_api_key : NULL,
		.model = model, .dims = c->embedding_dimensions > 0 ? (int)c->embedding_dimensions : 1536,
		.send_dims = c->embedding_dimensions > 0,
	};
	st.remote.emb = (struct library_embedder){ ai_embed_apis[api], st.remote.model_name,
	    st.target.dims };
	return 0;
}

static void
setup(const struct svc *s)
{
	const char *prov = s->conf->embedding_provider;

	if (st.tried)
		return;
	st.tried = true;
	eset_init(&st.builtin);
	eset_init(&st.remote);
	if (builtin_setup(s) != 0)
		log_warn("embedding: %s", st.builtin_err);
	if (strcmp(prov, "builtin") == 0) {
		if (st.builtin.emb.type != NULL)
			st.main = &st.builtin;
		else
			snprintf(st.err, sizeof(st.err), "%s", st.builtin_err);
	} else if (strcmp(prov, "openai") == 0 || strcmp(prov, "psscript-ai") == 0) {
		if (remote_setup(s, strcmp(prov, "openai") == 0 ? AI_EMBED_OPENAI : AI_EMBED_SERVICE) == 0)
			st.main = &st.remote;
	} else
		snprintf(st.err, sizeof(st.err), "EMBEDDING_PROVIDER \"%.40s\" is not one of builtin, "
		    "openai, psscript-ai", prov);
	if (st.main == NULL)
		log_error("embedding: %s", st.err);
	else
		st.main->has_file = s->conf->embedding_index_file[0] != '\0';
}

/* Drops es's copy read from PostgreSQL. */
static void
pg_free(struct eset *es)
{
	free(es->pids);
	free(es->pvecs);
	free(es->pcodes);
	free(es->pscale);
	free(es->pbound);
	es->pids = NULL;
	es->pvecs = NULL;
	es->pcodes = NULL;
	es->pscale = es->pbound = NULL;
	es->pn = es->pcap = 0;
	es->pg.gen = -1;
}

static void
eset_free(struct eset *es)
{
	if (es->map != NULL)
		munmap(es->map, es->maplen);
	pg_free(es);
	eset_init(es);
}

void
library_embedding_reset(void)
{
	eset_free(&st.builtin);
	eset_free(&st.remote);
	if (st.model_map != NULL) {
		ps_embed_model_close(&st.model);
		munmap(st.model_map, st.model_len);
	}
	st.model_map = NULL;
	st.main = NULL;
	st.tried = false;
	st.err[0] = st.builtin_err[0] = '\0';
	st.remote_down_at = 0;
	st.pgvector = -1;
	st.rarest = 0;
}

const struct library_embedder *
library_embedder(const struct svc *s, char *why, size_t whysz)
{
	setup(s);
	if (st.main == NULL) {
		snprintf(why, whysz, "%.200s", st.err);
		return NULL;
	}
	return &st.main->emb;
}

const struct library_embedder *
library_embedder_builtin(const struct svc *s, char *why, size_t whysz)
{
	setup(s);
	if (st.builtin.emb.type == NULL) {
		snprintf(why, whysz, "%.200s", st.builtin_err);
		return NULL;
	}
	return &st.builtin.emb;
}

static struct eset *
eset_of(const struct library_embedder *em)
{
	return em == &st.builtin.emb ? &st.builtin : em == &st.remote.emb ? &st.remote : NULL;
}

/* text's vector by es into out[dims]: the built-in model over the text enriched with its
 * commands' meaning; a remote provider over its first part and that meaning. */
static enum pss_err
embed_with(const struct svc *s, struct eset *es, const char *text, size_t len, bool query,
    float *out, char *why, size_t whysz)
{
	struct buf b = BUF_INIT;
	enum pss_err e = PSS_OK;

	if (len > PS_EMBED_MAX_TEXT)
		len = PS_EMBED_MAX_TEXT;
	if (es == &st.builtin) {
		struct buf x = BUF_INIT;
		size_t used;

		buf_append(&b, text, len);
		ps_embed_enrich(text, len, &b);
		/* a question's everyday words in the reference's words (lexicon.h) */
		if (query)
			ps_lexicon_expand(text, len, &x);
		used = ps_embed_query(&st.model, b.data, b.len, x.data, x.len, out);
		buf_free(&x);
		if (used == 0) {
			snprintf(why, whysz, "no word the model knows");
			e = PSS_EINVAL;
		}
	} else {
		struct ai_embed_target t = st.target;

		/* the meaning of the commands must fit in what is sent: the text's first part */
		buf_append(&b, text, utf8_cut(text, len, AI_EMBED_MAX_INPUT * 3 / 4));
		buf_putc(&b, '\n');
		ps_embed_enrich(text, len, &b);
		t.timeout_ms = query ? s->conf->embedding_query_timeout_ms : 0;
		if (ai_embed(s->conf, &t, b.data, b.len, out, why, whysz) != AI_OK)
			e = PSS_EUNAVAIL;
	}
	buf_free(&b);
	return e;
}

enum pss_err
library_embed_text(const struct svc *s, const char *text, size_t len, bool query, float *out,
    char *why, size_t whysz)
{
	if (library_embedder(s, why, whysz) == NULL)
		return PSS_EUNAVAIL;
	return embed_with(s, st.main, text, len, query, out, why, whysz);
}

void
library_vector_free(struct library_vector *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

enum pss_err
library_embed(const struct svc *s, const char *text, size_t len, const char *model, bool query,
    struct library_vector *out, char *why, size_t whysz)
{
	struct eset *es;
	int64_t now = time_mono_ms();
	char rwhy[256];
	enum pss_err e;

	memset(out, 0, sizeof(*out));
	setup(s);
	if (model != NULL) {
		es = st.main != NULL && strcmp(st.main->emb.model, model) == 0 ? st.main :
		    st.builtin.emb.type != NULL && strcmp(st.builtin.emb.model, model) == 0 ?
		    &st.builtin : NULL;
		if (es == NULL) {
			snprintf(why, whysz, "no embedder here is of the model %.64s", model);
			return PSS_ENOTFOUND;
		}
	} else if ((es = st.main) == NULL) {
		snprintf(why, whysz, "%.200s", st.err);
		return PSS_EUNAVAIL;
	}
	out->em = &es->emb;
	out->v = xcalloc((size_t)es->emb.dims, sizeof(float));
	if (es == &st.remote && model == NULL && st.remote_down_at != 0 &&
	    now - st.remote_down_at < LIBRARY_EMBED_RETRY_MS) {
		e = PSS_EUNAVAIL;	/* failed a moment ago: not asked again yet */
		snprintf(rwhy, sizeof(rwhy), "%.160s %lld s ago", st.remote_down_why,
		    (long long)((now - st.remote_down_at) / 1000));
	} else if ((e = embed_with(s, es, text, len, query, out->v, rwhy, sizeof(rwhy))) == PSS_OK)
		return PSS_OK;
	if (es == &st.remote && e == PSS_EUNAVAIL) {
		if (st.remote_down_at == 0 || now - st.remote_down_at >= LIBRARY_EMBED_RETRY_MS) {
			st.remote_down_at = now;
			snprintf(st.remote_down_why, sizeof(st.remote_down_why), "%.200s", rwhy);
		}
		if (model == NULL && st.builtin.emb.type != NULL) {
			/* the built-in model's vector, compared only with the built-in rows */
			free(out->v);
			out->em = &st.builtin.emb;
			out->v = xcalloc((size_t)st.builtin.emb.dims, sizeof(float));
			out->fallback = true;
			snprintf(out->reason, sizeof(out->reason), "the embedding provider %s failed "
			    "(%.180s); the built-in model answered", es->emb.type, rwhy);
			if ((e = embed_with(s, &st.builtin, text, len, query, out->v, why, whysz)) ==
			    PSS_OK)
				return PSS_OK;
			goto fail;
		}
	}
	snprintf(why, whysz, "%s", rwhy);
fail:
	library_vector_free(out);
	return e;
}

enum pss_err
library_vector_cosine(const struct library_vector *a, const struct library_vector *b,
    double *cos)
{
	*cos = 0;
	if (a->em == NULL || b->em == NULL || a->em->dims != b->em->dims ||
	    strcmp(a->em->model, b->em->model) != 0)
		return PSS_EINVAL;
	*cos = ps_embed_cosine(a->v, b->v, (size_t)a->em->dims);
	return PSS_OK;
}

void
library_embedding_defer_index(bool defer)
{
	st.defer_index = defer;
}

/* Whether script_embeddings.embedding is pgvector's vector (looked at again every minute). */
static bool
pgvector(const struct svc *s)
{
	int64_t now = time_mono_ms();

	if (st.pgvector < 0 || now - st.pgvector_at > PGVECTOR_CHECK_MS) {
		st.pgvector = db_embeddings_pgvector(s->db);
		st.pgvector_at = now;
	}
	return st.pgvector == 1;
}

static void
queue_index(const struct svc *s)
{
	if (st.defer_index || (s->conf->embedding_index_file[0] == '\0' && !pgvector(s)))
		return;
	if (jobs_enqueue_keyed(s->db, LIBRARY_JOB_EMBED_INDEX, NULL, "embedding.index",
	    LIBRARY_JOB_ATTEMPTS, NULL) != PSS_OK)
		log_warn("embedding: could not queue the vector file's refresh: %s", db_last_error(s->db));
}

/* Embeds text by es and stores it for the script unless the same text was embedded by the
 * same model; *stored says whether a row was written. */
static enum pss_err
compute_one(const struct svc *s, struct eset *es, int64_t script_id, const char *text,
    bool *stored, char *why, size_t whysz)
{
	const struct library_embedder *em = &es->emb;
	struct buf hb = BUF_INIT;
	char *old, hash[65];
	float *v = NULL;
	enum pss_err e;

	buf_printf(&hb, "%s\n%s\n", em->type, em->model);
	buf_puts(&hb, text);
	sha256_hex(hb.data, hb.len, hash);
	buf_free(&hb);
	old = db_embedding_text_hash(s->db, script_id, em->model);
	if (old != NULL && strcmp(old, hash) == 0) {
		free(old);
		return PSS_OK;	/* the same text by the same model: nothing to do */
	}
	free(old);
	v = xcalloc((size_t)em->dims, sizeof(*v));
	e = embed_with(s, es, text, strlen(text), false, v, why, whysz);
	if (e == PSS_EINVAL)
		e = PSS_OK;	/* nothing the model knows: stored as the zero vector, it matches nothing */
	if (e == PSS_OK) {
		e = db_embedding_store(s->db, script_id, em->type, em->model, v, em->dims, hash);
		if (e == PSS_ENOTFOUND)
			e = PSS_OK;	/* deleted meanwhile */
		else if (e != PSS_OK)
			snprintf(why, whysz, "storing the %s embedding of script %lld: %s", em->type,
			    (long long)script_id, db_last_error(s->db));
		else
			*stored = true;
	} else
		snprintf(why + strlen(why), whysz - strlen(why), " (the %s embedding of script %lld)",
		    em->type, (long long)script_id);
	free(v);
	return e;
}

static void
term_word(const char *tok, size_t n, void *arg)
{
	buf_putc(arg, ' ');
	buf_append(arg, tok, n);
}

char *
library_search_terms(const char *content, size_t len, const char *purpose)
{
	struct buf en = BUF_INIT, out = BUF_INIT;
	const char *p, *end;

	ps_embed_enrich(content, len, &en);
	/* en: "\n<Name> <synopsis>" per command */
	for (p = en.data, end = en.data + en.len; p != NULL && p < end; ) {
		const char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1)), *le = nl != NULL ? nl : end;
		const char *sp = memchr(p + 1, ' ', (size_t)(le - p - 1));
		const char *ne = sp != NULL ? sp : le;

		if (out.len > 0)
			buf_putc(&out, '\n');
		buf_append(&out, p + 1, (size_t)(ne - p - 1));
		ps_embed_tokens(p + 1, (size_t)(ne - p - 1), term_word, &out);
		buf_putc(&out, ':');
		buf_append(&out, ne, (size_t)(le - ne));
		p = nl;
	}
	if (purpose != NULL && *purpose != '\0') {
		size_t n = strlen(purpose);

		if (out.len > 0)
			buf_putc(&out, '\n');
		buf_append(&out, purpose, utf8_cut(purpose, n, LIBRARY_TERMS_MAX_PURPOSE));
	}
	buf_free(&en);
	buf_putc(&out, '\0');
	return buf_detach(&out);
}

double
library_word_idf(const struct svc *s, const char *word, size_t len)
{
	char why[256];
	double idf;

	if (library_embedder_builtin(s, why, sizeof(why)) == NULL)
		return 1;
	if (st.rarest == 0)
		for (uint32_t t = 0; t < st.model.nterms; t++)
			if (st.model.weights[2 * t] > st.rarest)
				st.rarest = st.model.weights[2 * t];
	idf = ps_embed_idf(&st.model, word, len);
	return idf > 0 ? idf : st.rarest;
}

/* The script's search_terms made again from its content and analysis purpose, written when
 * they changed (and its content did not meanwhile: a newer version wrote its own); the cached
 * keyword searches are then stale. */
static enum pss_err
terms_refresh(const struct svc *s, int64_t script_id, char *why, size_t whysz)
{
	char *content, *purpose, *hash, *terms;
	bool changed = false;
	enum pss_err e;

	if ((e = db_script_terms_source(s->db, script_id, PS_EMBED_MAX_TEXT, &content, &purpose,
	    &hash)) != PSS_OK) {
		if (e == PSS_ENOTFOUND)
			return PSS_OK;	/* deleted meanwhile */
		snprintf(why, whysz, "reading script %lld: %s", (long long)script_id, pss_strerror(e));
		return e;
	}
	terms = library_search_terms(content, strlen(content), purpose);
	if ((e = db_script_terms_set(s->db, script_id, hash, terms, &changed)) != PSS_OK)
		snprintf(why, whysz, "storing the search terms of script %lld: %s", (long long)script_id,
		    db_last_error(s->db));
	else if (changed)
		cache_invalidate_library(s->cache, script_id, CACHE_LIB_LISTS);
	free(content);
	free(purpose);
	free(hash);
	free(terms);
	return e;
}

enum pss_err
library_embedding_compute(const struct svc *s, int64_t script_id, char *why, size_t whysz)
{
	char *text = NULL;
	bool stored = false;
	enum pss_err e;

	/* the keyword side first: it needs no model */
	if ((e = terms_refresh(s, script_id, why, whysz)) != PSS_OK)
		return e;
	if (library_embedder(s, why, whysz) == NULL)
		return PSS_EUNAVAIL;
	if ((e = db_embedding_source(s->db, script_id, SOURCE_MAX_CONTENT, &text)) != PSS_OK) {
		if (e == PSS_ENOTFOUND)
			return PSS_OK;	/* deleted meanwhile */
		snprintf(why, whysz, "reading script %lld: %s", (long long)script_id, pss_strerror(e));
		return e;
	}
	/* the built-in row first: a remote provider's fallback, kept whatever it answers */
	if (st.builtin.emb.type != NULL)
		e = compute_one(s, &st.builtin, script_id, text, &stored, why, whysz);
	if (e == PSS_OK && st.main == &st.remote)
		e = compute_one(s, &st.remote, script_id, text, &stored, why, whysz);
	if (stored)
		queue_index(s);
	free(text);
	return e;
}

static uint64_t
checksum(const void *p, size_t len)
{
	struct hash_words c;

	hash_words_init(&c);
	hash_words_add(&c, p, len);
	return hash_words_end(&c);
}

/* The rows read from PostgreSQL, into one eset's pids / pvecs, quantized into its pcodes,
 * pscale and pbound. */
static void
collect(int64_t id, const float *v, void *arg)
{
	struct eset *es = arg;
	int dims = es->emb.dims;

	if (es->pn == es->pcap) {
		es->pcap = es->pcap ? es->pcap * 2 : 1024;
		es->pids = xrealloc(es->pids, es->pcap * sizeof(*es->pids));
		es->pvecs = xrealloc(es->pvecs, es->pcap * (size_t)dims * sizeof(*es->pvecs));
		es->pcodes = xrealloc(es->pcodes, es->pcap * (size_t)dims);
		es->pscale = xrealloc(es->pscale, es->pcap * sizeof(*es->pscale));
		es->pbound = xrealloc(es->pbound, es->pcap * sizeof(*es->pbound));
	}
	es->pids[es->pn] = id;
	memcpy(es->pvecs + es->pn * (size_t)dims, v, (size_t)dims * sizeof(float));
	ps_embed_quantize(v, (size_t)dims, es->pcodes + es->pn * (size_t)dims, &es->pscale[es->pn],
	    &es->pbound[es->pn]);
	es->pn++;
}

static enum pss_err
read_pg(const struct svc *s, struct eset *es)
{
	int64_t gen;
	enum pss_err e;

	es->pn = 0;
	es->pg.gen = -1;
	if ((e = db_embeddings_read(s->db, es->emb.model, es->emb.dims, collect, es, &gen)) != PSS_OK)
		return e;
	es->pg = (struct vset){ es->pids, es->pvecs, es->pn, gen,
	    { es->pcodes, es->pscale, es->pbound } };
	return PSS_OK;
}

/* Whether the mapped file holds em's vectors; why says what is wrong with it. */
static bool
file_check(const void *map, size_t len, const struct library_embedder *em, char *why, size_t whysz)
{
	const struct vf_header *h = map;
	size_t need;

	if (len < sizeof(*h) || memcmp(h->magic, VF_MAGIC, 8) != 0 || h->version != VF_VERSION) {
		snprintf(why, whysz, "not a vector file of this version");
		return false;
	}
	if ((int)h->dim != em->dims || strncmp(h->model, em->model, sizeof(h->model)) != 0) {
		snprintf(why, whysz, "of another model (%.64s, %u dimensions)", h->model, h->dim);
		return false;
	}
	if (h->count > (len - sizeof(*h)) / 8) {
		snprintf(why, whysz, "truncated");
		return false;
	}
	/* ids, scales and bounds; vectors and codes */
	need = sizeof(*h) + h->count * (8 + 2 * sizeof(float)) +
	    h->count * h->dim * (sizeof(float) + 1);
	if (len != need) {
		snprintf(why, whysz, "%zu bytes, expected %zu (truncated or corrupt)", len, need);
		return false;
	}
	if (checksum((const char *)map + sizeof(*h), len - sizeof(*h)) != h->checksum) {
		snprintf(why, whysz, "its checksum does not match (corrupt)");
		return false;
	}
	return true;
}

static void
unmap_file(struct eset *es)
{
	if (es->map != NULL)
		munmap(es->map, es->maplen);
	es->map = NULL;
	es->file = (struct vset){ NULL, NULL, 0, -1, { NULL, NULL, NULL } };
}

/* Maps es's flat file again when it changed on disk; the valid file's vectors in es->file. */
static void
file_refresh(const struct svc *s, struct eset *es)
{
	const char *path = s->conf->embedding_index_file;
	struct stat sb;
	char why[160];

	if (!es->has_file)
		return;
	if (stat(path, &sb) != 0) {
		unmap_file(es);
		return;
	}
	if (es->map != NULL && sb.st_dev == es->mapst.st_dev && sb.st_ino == es->mapst.st_ino &&
	    sb.st_size == es->mapst.st_size && sb.st_mtim.tv_sec == es->mapst.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == es->mapst.st_mtim.tv_nsec)
		return;
	unmap_file(es);
	if ((es->map = map_file(path, &es->maplen, &es->mapst)) == NULL)
		return;
	if (!file_check(es->map, es->maplen, &es->emb, why, sizeof(why))) {
		log_warn("embedding: ignoring the vector file %s: %s", path, why);
		unmap_file(es);
		return;
	}
	{
		const struct vf_header *h = es->map;
		const char *base = (const char *)es->map + sizeof(*h);
		const char *vecs = base + h->count * 8;
		const char *scale = vecs + h->count * h->dim * sizeof(float);
		const char *bound = scale + h->count * sizeof(float);
		const char *codes = bound + h->count * sizeof(float);

		es->file = (struct vset){ (const int64_t *)(const void *)base,
		    (const float *)(const void *)vecs, h->count, h->gen,
		    { (const int8_t *)codes, (const float *)(const void *)scale,
		    (const float *)(const void *)bound } };
	}
}

/* Writes v as path's vector file: a temporary file beside it, synced, renamed over it. The
 * arrays go from where they are (no second copy of every vector: 130 MB at 100,000 scripts of
 * the built-in model), the checksum taken over them in the file's order before the header. */
static enum pss_err
write_file(const char *path, const struct library_embedder *em, const struct vset *v,
    char *why, size_t whysz)
{
	const struct { const void *p; size_t len; } part[] = {
		{ v->ids, v->n * 8 },
		{ v->vecs, v->n * (size_t)em->dims * sizeof(float) },
		{ v->q8.scale, v->n * sizeof(float) },
		{ v->q8.bound, v->n * sizeof(float) },
		{ v->q8.codes, v->n * (size_t)em->dims },
	};
	struct vf_header h;
	struct hash_words c;
	char tmp[4200];
	FILE *f;
	int ok;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, VF_MAGIC, 8);
	h.version = VF_VERSION;
	h.dim = (uint32_t)em->dims;
	h.count = v->n;
	h.gen = v->gen;
	snprintf(h.model, sizeof(h.model), "%s", em->model);
	hash_words_init(&c);
	for (size_t i = 0; i < PSS_ARRAY_LEN(part); i++)
		hash_words_add(&c, part[i].p, part[i].len);
	h.checksum = hash_words_end(&c);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "wb")) == NULL) {
		snprintf(why, whysz, "cannot write %s: %s", tmp, strerror(errno));
		return PSS_EIO;
	}
	ok = fwrite(&h, sizeof(h), 1, f) == 1;
	for (size_t i = 0; ok && i < PSS_ARRAY_LEN(part); i++)
		ok = part[i].len == 0 || fwrite(part[i].p, part[i].len, 1, f) == 1;
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(why, whysz, "writing %s: %s", path, strerror(errno));
		unlink(tmp);
		return PSS_EIO;
	}
	return PSS_OK;
}

/* pgvector: the HNSW index of es's model (psscript_embedding_index; once a process). */
static void
ensure_index(const struct svc *s, struct eset *es)
{
	char idx[128];

	if (es->emb.type == NULL || es->indexed || !pgvector(s))
		return;
	if (db_embeddings_index(s->db, es->emb.model, es->emb.dims, idx, sizeof(idx)) == PSS_OK) {
		es->indexed = true;
		log_info("embedding: pgvector index of %s (%d dimensions): %s", es->emb.model,
		    es->emb.dims, idx);
	} else
		log_warn("embedding: the pgvector index of %s: %s", es->emb.model, db_last_error(s->db));
}

enum pss_err
library_embedding_index(const struct svc *s, int64_t *rows, char *why, size_t whysz)
{
	const char *path = s->conf->embedding_index_file;
	struct eset *es;
	enum pss_err e;

	*rows = 0;
	if (library_embedder(s, why, whysz) == NULL)
		return PSS_EUNAVAIL;
	es = st.main;
	ensure_index(s, st.main);
	ensure_index(s, &st.builtin);
	if (path[0] == '\0')
		return PSS_OK;
	/* a write during the rebuild makes it stale at once: read again, once */
	for (int round = 0; round < 2; round++) {
		int64_t gen = db_embeddings_gen(s->db);

		if (gen < 0) {
			snprintf(why, whysz, "reading the generation: %s", db_last_error(s->db));
			return PSS_EUNAVAIL;
		}
		file_refresh(s, es);
		if (es->map != NULL && es->file.gen == gen) {
			*rows = (int64_t)es->file.n;
			return PSS_OK;
		}
		if ((e = read_pg(s, es)) != PSS_OK) {
			snprintf(why, whysz, "reading the vectors: %s", db_last_error(s->db));
			return e;
		}
		if ((e = write_file(path, &es->emb, &es->pg, why, whysz)) != PSS_OK)
			return e;
		*rows = (int64_t)es->pg.n;
		log_info("embedding: wrote %s: %zu vectors of %s, generation %lld", path, es->pg.n,
		    es->emb.model, (long long)es->pg.gen);
	}
	return PSS_OK;
}

enum pss_err
library_reembed(const struct svc *s, int64_t *queued, char *why, size_t whysz)
{
	const struct library_embedder *em = library_embedder(s, why, whysz);
	int64_t ids[500], after = 0;
	int n;
	enum pss_err e;

	*queued = 0;
	if (em == NULL)
		return PSS_EUNAVAIL;
	do {
		if ((e = db_embeddings_stale_ids(s->db, em->model, em->dims, after,
		    (int)PSS_ARRAY_LEN(ids), ids, &n)) != PSS_OK) {
			snprintf(why, whysz, "%s", db_last_error(s->db));
			return e;
		}
		for (int i = 0; i < n; i++) {
			char payload[64], key[64];

			snprintf(payload, sizeof(payload), "{\"scriptId\": %lld}", (long long)ids[i]);
			snprintf(key, sizeof(key), "embed:%lld", (long long)ids[i]);
			if ((e = jobs_enqueue_keyed(s->db, LIBRARY_JOB_EMBEDDING, payload, key,
			    LIBRARY_JOB_ATTEMPTS, NULL)) != PSS_OK) {
				snprintf(why, whysz, "%s", db_last_error(s->db));
				return e;
			}
			after = ids[i];
			(*queued)++;
		}
	} while (n == (int)PSS_ARRAY_LEN(ids));
	return PSS_OK;
}

enum pss_err
library_reembed_next(const struct svc *s, int64_t after, int64_t *ids, int max, int *n)
{
	char why[256];
	const struct library_embedder *em = library_embedder(s, why, sizeof(why));

	*n = 0;
	if (em == NULL)
		return PSS_EUNAVAIL;
	return db_embeddings_stale_ids(s->db, em->model, em->dims, after, max, ids, n);
}

enum pss_err
library_reembed_settle(const struct svc *s)
{
	return db_scripts_vacuum(s->db);
}

enum pss_err
library_reembed_progress(const struct svc *s, int64_t *scripts, int64_t *done)
{
	char why[256];
	const struct library_embedder *em = library_embedder(s, why, sizeof(why));

	if (em == NULL)
		return PSS_EUNAVAIL;
	return db_embeddings_progress(s->db, em->model, em->dims, scripts, done);
}

static size_t
scan(const struct vset *v, int dims, const float *q, int k, int64_t *ids, float *scores)
{
	struct ps_embed_hit *hits = xcalloc((size_t)k, sizeof(*hits));
	size_t n = ps_embed_topk_q8(q, v->vecs, &v->q8, v->n, (size_t)dims, NULL, (size_t)k, hits,
	    NULL);

	for (size_t i = 0; i < n; i++) {
		ids[i] = v->ids[hits[i].row];
		scores[i] = hits[i].score;
	}
	free(hits);
	return n;
}

enum pss_err
library_nearest(const struct svc *s, const struct library_embedder *em, const float *q, int k,
    int64_t *ids, float *scores, int *n, const char **method)
{
	struct eset *es = eset_of(em);
	int64_t gen, now = time_mono_ms();
	enum pss_err e;

	*n = 0;
	*method = NULL;
	if (es == NULL)
		return PSS_EUNAVAIL;
	if (pgvector(s)) {
		if ((e = db_embeddings_nearest(s->db, em->model, em->dims, q, k, ids, scores, n)) == PSS_OK) {
			*method = "pgvector-hnsw";
			return PSS_OK;
		}
		log_warn("embedding: pgvector's nearest neighbours failed (%s): scanning instead",
		    db_last_error(s->db));
	}
	if ((gen = db_embeddings_gen(s->db)) < 0)
		return PSS_EUNAVAIL;
	file_refresh(s, es);
	if (es->map != NULL && es->file.gen == gen) {
		if (es->pids != NULL)	/* the file is back: drop the copy */
			pg_free(es);
		*n = (int)scan(&es->file, em->dims, q, k, ids, scores);
		*method = "flat-file";
		return PSS_OK;
	}
	/* missing or stale: PostgreSQL's copy, and ask the job runner to heal the file */
	if (es->has_file && now - es->heal_at > HEAL_INTERVAL_MS) {
		es->heal_at = now;
		queue_index(s);
	}
	if (es->pg.gen != gen)
		if ((e = read_pg(s, es)) != PSS_OK)
			return e;
	*n = (int)scan(&es->pg, em->dims, q, k, ids, scores);
	*method = "postgresql-scan";
	return PSS_OK;
}
