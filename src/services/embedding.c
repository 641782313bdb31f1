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

#include "analyzer/embed.h"
#include "db/embeddings.h"
#include "db/jobs.h"
#include "services/library.h"
#include "services/library-int.h"

/* The flat vector file: a header, then count script ids (int64), then count x dim floats,
 * all in this machine's byte order (the file is per host and rebuilt from PostgreSQL). */
#define VF_MAGIC	"PSSVEC01"
#define VF_VERSION	1
struct vf_header {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 dim;
	uint64_t	 count;
	int64_t		 gen;		/* db_embeddings_gen when it was read */
	uint64_t	 checksum;	/* of the ids and vectors */
	char		 model[64];	/* model_version, NUL-padded */
	char		 pad[24];
};

/* what is embedded of a script: at most this much of its content */
#define SOURCE_MAX_CONTENT (64 * 1024)
/* how often a worker that found the file stale asks again for its refresh */
#define HEAL_INTERVAL_MS 5000
/* how often the column type (real[] or pgvector's vector) is looked at again */
#define PGVECTOR_CHECK_MS 60000

/* A set of vectors to scan: the mapped file's or the copy read from PostgreSQL. */
struct vset {
	const int64_t	*ids;
	const float	*vecs;
	size_t		 n;
	int64_t		 gen;
};

static struct {
	bool			 tried;		/* the embedder was set up (or failed) */
	char			 err[4608];
	struct library_embedder	 emb;
	char			 model_name[128];
	struct ps_embed_model	 model;
	void			*model_map;
	size_t			 model_len;
	/* the mapped flat file */
	void			*map;
	size_t			 maplen;
	struct stat		 mapst;
	struct vset		 file;
	/* the copy read from PostgreSQL when the file is missing or stale */
	int64_t			*pids;
	float			*pvecs;
	size_t			 pn, pcap;
	struct vset		 pg;
	int64_t			 heal_at;
	bool			 defer_index;	/* library_embedding_defer_index */
	int			 pgvector;	/* -1: not known */
	int64_t			 pgvector_at;
} st = { .pgvector = -1, .file = { .gen = -1 }, .pg = { .gen = -1 } };

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

static int
embedder_setup(const struct svc *s)
{
	const struct conf *c = s->conf;
	const char *prov = c->embedding_provider;

	if (strcmp(prov, "builtin") == 0) {
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
			snprintf(st.err, sizeof(st.err), "the built-in model %s: %s", path, strerror(errno));
			return -1;
		}
		if (ps_embed_model_open(&st.model, st.model_map, st.model_len, why, sizeof(why)) != 0) {
			snprintf(st.err, sizeof(st.err), "the built-in model %s: %s", path, why);
			munmap(st.model_map, st.model_len);
			st.model_map = NULL;
			return -1;
		}
		snprintf(st.model_name, sizeof(st.model_name), "%s", st.model.version);
		st.emb = (struct library_embedder){ "builtin", st.model_name, (int)st.model.dim };
		return 0;
	}
	snprintf(st.err, sizeof(st.err), "EMBEDDING_PROVIDER \"%.40s\" is not available (builtin is)",
	    prov);
	return -1;
}

const struct library_embedder *
library_embedder(const struct svc *s, char *why, size_t whysz)
{
	if (!st.tried) {
		st.tried = true;
		if (embedder_setup(s) != 0)
			log_error("embedding: %s", st.err);
	}
	if (st.emb.type == NULL) {
		snprintf(why, whysz, "%.200s", st.err);
		return NULL;
	}
	return &st.emb;
}

enum pss_err
library_embed_text(const struct svc *s, const char *text, size_t len, float *out, char *why,
    size_t whysz)
{
	const struct library_embedder *em = library_embedder(s, why, whysz);
	struct buf b = BUF_INIT;
	size_t used;

	if (em == NULL)
		return PSS_EUNAVAIL;
	if (len > PS_EMBED_MAX_TEXT)
		len = PS_EMBED_MAX_TEXT;
	buf_append(&b, text, len);
	ps_embed_enrich(text, len, &b);
	used = ps_embed_text(&st.model, b.data, b.len, out);
	buf_free(&b);
	if (used == 0) {
		snprintf(why, whysz, "no word the model knows");
		return PSS_EINVAL;
	}
	return PSS_OK;
}

void
library_embedding_defer_index(bool defer)
{
	st.defer_index = defer;
}

static void
queue_index(const struct svc *s)
{
	if (s->conf->embedding_index_file[0] == '\0' || st.defer_index)
		return;
	if (jobs_enqueue_keyed(s->db, LIBRARY_JOB_EMBED_INDEX, NULL, "embedding.index",
	    LIBRARY_JOB_ATTEMPTS, NULL) != PSS_OK)
		log_warn("embedding: could not queue the vector file's refresh: %s", db_last_error(s->db));
}

enum pss_err
library_embedding_compute(const struct svc *s, int64_t script_id, char *why, size_t whysz)
{
	const struct library_embedder *em = library_embedder(s, why, whysz);
	char *text = NULL, *old = NULL, hash[65];
	struct buf hb = BUF_INIT;
	float *v = NULL;
	enum pss_err e;

	if (em == NULL)
		return PSS_EUNAVAIL;
	if ((e = db_embedding_source(s->db, script_id, SOURCE_MAX_CONTENT, &text)) != PSS_OK) {
		if (e == PSS_ENOTFOUND)
			return PSS_OK;	/* deleted meanwhile */
		snprintf(why, whysz, "reading script %lld: %s", (long long)script_id, pss_strerror(e));
		return e;
	}
	buf_printf(&hb, "%s\n%s\n", em->type, em->model);
	buf_puts(&hb, text);
	sha256_hex(hb.data, hb.len, hash);
	buf_free(&hb);
	old = db_embedding_text_hash(s->db, script_id, em->model);
	if (old != NULL && strcmp(old, hash) == 0)
		goto out;	/* the same text by the same model: nothing to do */
	v = xcalloc((size_t)em->dims, sizeof(*v));
	e = library_embed_text(s, text, strlen(text), v, why, whysz);
	if (e == PSS_EINVAL)
		e = PSS_OK;	/* nothing the model knows: stored as the zero vector, it matches nothing */
	if (e != PSS_OK)
		goto out;
	e = db_embedding_store(s->db, script_id, em->type, em->model, v, em->dims, hash);
	if (e == PSS_ENOTFOUND) {
		e = PSS_OK;
		goto out;
	}
	if (e != PSS_OK) {
		snprintf(why, whysz, "storing the embedding of script %lld: %s", (long long)script_id,
		    db_last_error(s->db));
		goto out;
	}
	queue_index(s);
out:
	free(text);
	free(old);
	free(v);
	return e;
}

static uint64_t
checksum(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ULL;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, 8);
		h = (h ^ w) * 1099511628211ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

/* The rows read from PostgreSQL, into st.pids / st.pvecs. */
static void
collect(int64_t id, const float *v, void *arg)
{
	int dims = *(int *)arg;

	if (st.pn == st.pcap) {
		st.pcap = st.pcap ? st.pcap * 2 : 1024;
		st.pids = xrealloc(st.pids, st.pcap * sizeof(*st.pids));
		st.pvecs = xrealloc(st.pvecs, st.pcap * (size_t)dims * sizeof(*st.pvecs));
	}
	st.pids[st.pn] = id;
	memcpy(st.pvecs + st.pn * (size_t)dims, v, (size_t)dims * sizeof(float));
	st.pn++;
}

static enum pss_err
read_pg(const struct svc *s, const struct library_embedder *em)
{
	int dims = em->dims;
	int64_t gen;
	enum pss_err e;

	st.pn = 0;
	st.pg.gen = -1;
	if ((e = db_embeddings_read(s->db, em->model, dims, collect, &dims, &gen)) != PSS_OK)
		return e;
	st.pg = (struct vset){ st.pids, st.pvecs, st.pn, gen };
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
	need = sizeof(*h) + h->count * 8 + h->count * h->dim * sizeof(float);
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
unmap_file(void)
{
	if (st.map != NULL)
		munmap(st.map, st.maplen);
	st.map = NULL;
	st.file = (struct vset){ NULL, NULL, 0, -1 };
}

/* Maps the flat file again when it changed on disk; the valid file's vectors in st.file. */
static void
file_refresh(const struct svc *s, const struct library_embedder *em)
{
	const char *path = s->conf->embedding_index_file;
	struct stat sb;
	char why[160];

	if (path[0] == '\0')
		return;
	if (stat(path, &sb) != 0) {
		unmap_file();
		return;
	}
	if (st.map != NULL && sb.st_dev == st.mapst.st_dev && sb.st_ino == st.mapst.st_ino &&
	    sb.st_size == st.mapst.st_size && sb.st_mtim.tv_sec == st.mapst.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == st.mapst.st_mtim.tv_nsec)
		return;
	unmap_file();
	if ((st.map = map_file(path, &st.maplen, &st.mapst)) == NULL)
		return;
	if (!file_check(st.map, st.maplen, em, why, sizeof(why))) {
		log_warn("embedding: ignoring the vector file %s: %s", path, why);
		unmap_file();
		return;
	}
	{
		const struct vf_header *h = st.map;
		const char *base = (const char *)st.map + sizeof(*h);

		st.file = (struct vset){ (const int64_t *)(const void *)base,
		    (const float *)(const void *)(base + h->count * 8), h->count, h->gen };
	}
}

static enum pss_err
write_file(const char *path, const struct library_embedder *em, const struct vset *v,
    char *why, size_t whysz)
{
	struct vf_header h;
	char tmp[4200];
	size_t nid = v->n * 8, nvec = v->n * (size_t)em->dims * sizeof(float);
	uint64_t sum;
	char *body;
	FILE *f;
	int ok;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, VF_MAGIC, 8);
	h.version = VF_VERSION;
	h.dim = (uint32_t)em->dims;
	h.count = v->n;
	h.gen = v->gen;
	snprintf(h.model, sizeof(h.model), "%s", em->model);
	body = xmalloc(nid + nvec + 1);
	memcpy(body, v->ids, nid);
	memcpy(body + nid, v->vecs, nvec);
	sum = checksum(body, nid + nvec);
	h.checksum = sum;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "wb")) == NULL) {
		snprintf(why, whysz, "cannot write %s: %s", tmp, strerror(errno));
		free(body);
		return PSS_EIO;
	}
	ok = fwrite(&h, sizeof(h), 1, f) == 1 && (nid + nvec == 0 ||
	    fwrite(body, nid + nvec, 1, f) == 1) && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	free(body);
	if (!ok || rename(tmp, path) != 0) {
		snprintf(why, whysz, "writing %s: %s", path, strerror(errno));
		unlink(tmp);
		return PSS_EIO;
	}
	return PSS_OK;
}

enum pss_err
library_embedding_index(const struct svc *s, int64_t *rows, char *why, size_t whysz)
{
	const struct library_embedder *em = library_embedder(s, why, whysz);
	const char *path = s->conf->embedding_index_file;
	enum pss_err e;

	*rows = 0;
	if (em == NULL)
		return PSS_EUNAVAIL;
	if (path[0] == '\0')
		return PSS_OK;
	/* a write during the rebuild makes it stale at once: read again, once */
	for (int round = 0; round < 2; round++) {
		int64_t gen = db_embeddings_gen(s->db);

		if (gen < 0) {
			snprintf(why, whysz, "reading the generation: %s", db_last_error(s->db));
			return PSS_EUNAVAIL;
		}
		file_refresh(s, em);
		if (st.map != NULL && st.file.gen == gen) {
			*rows = (int64_t)st.file.n;
			return PSS_OK;
		}
		if ((e = read_pg(s, em)) != PSS_OK) {
			snprintf(why, whysz, "reading the vectors: %s", db_last_error(s->db));
			return e;
		}
		if ((e = write_file(path, em, &st.pg, why, whysz)) != PSS_OK)
			return e;
		*rows = (int64_t)st.pg.n;
		log_info("embedding: wrote %s: %zu vectors of %s, generation %lld", path, st.pg.n,
		    em->model, (long long)st.pg.gen);
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
	size_t n = ps_embed_topk(q, v->vecs, v->n, (size_t)dims, NULL, (size_t)k, hits);

	for (size_t i = 0; i < n; i++) {
		ids[i] = v->ids[hits[i].row];
		scores[i] = hits[i].score;
	}
	free(hits);
	return n;
}

enum pss_err
library_nearest(const struct svc *s, const float *q, int k, int64_t *ids, float *scores, int *n,
    const char **method)
{
	char why[256];
	const struct library_embedder *em = library_embedder(s, why, sizeof(why));
	int64_t gen, now = time_mono_ms();
	enum pss_err e;

	*n = 0;
	*method = NULL;
	if (em == NULL)
		return PSS_EUNAVAIL;
	if (st.pgvector < 0 || now - st.pgvector_at > PGVECTOR_CHECK_MS) {
		st.pgvector = db_embeddings_pgvector(s->db);
		st.pgvector_at = now;
	}
	if (st.pgvector == 1) {
		if ((e = db_embeddings_nearest(s->db, em->model, em->dims, q, k, ids, scores, n)) == PSS_OK) {
			*method = "pgvector-hnsw";
			return PSS_OK;
		}
		log_warn("embedding: pgvector's nearest neighbours failed (%s): scanning instead",
		    db_last_error(s->db));
	}
	if ((gen = db_embeddings_gen(s->db)) < 0)
		return PSS_EUNAVAIL;
	file_refresh(s, em);
	if (st.map != NULL && st.file.gen == gen) {
		if (st.pids != NULL) {	/* the file is back: drop the copy */
			free(st.pids);
			free(st.pvecs);
			st.pids = NULL;
			st.pvecs = NULL;
			st.pn = st.pcap = 0;
			st.pg.gen = -1;
		}
		*n = (int)scan(&st.file, em->dims, q, k, ids, scores);
		*method = "flat-file";
		return PSS_OK;
	}
	/* missing or stale: PostgreSQL's copy, and ask the job runner to heal the file */
	if (s->conf->embedding_index_file[0] != '\0' && now - st.heal_at > HEAL_INTERVAL_MS) {
		st.heal_at = now;
		queue_index(s);
	}
	if (st.pg.gen != gen)
		if ((e = read_pg(s, em)) != PSS_OK)
			return e;
	*n = (int)scan(&st.pg, em->dims, q, k, ids, scores);
	*method = "postgresql-scan";
	return PSS_OK;
}
