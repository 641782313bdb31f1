/* crawls.c: documentation crawls: start (checked, queued), progress, cancel, and the job
 * that runs one and stores its pages through docs_upsert */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/crawls.h"
#include "db/jobs.h"
#include "db/rows.h"
#include "ai/crawl.h"
#include "ai/crawl_url.h"
#include "services/crawls.h"
#include "services/docs.h"

static struct crawl_allow
allow_of(const struct conf *conf)
{
	return (struct crawl_allow){ conf->crawl_allow_loopback, conf->crawl_allow_private };
}

/* ---- start, list, get, cancel ---- */

struct start_tx {
	int64_t	 user_id;
	const struct crawl_in *in;
	const char *url;
	int64_t	 id;
};

static enum pss_err
start_in_tx(struct db *db, void *arg)
{
	struct start_tx *t = arg;
	char payload[64];
	int64_t job;
	enum pss_err e;

	if ((e = db_crawl_insert(db, t->user_id, t->url, t->in->max_pages, t->in->depth,
	    t->in->same_host, &t->id)) != PSS_OK)
		return e;
	snprintf(payload, sizeof(payload), "{\"crawlId\": %lld}", (long long)t->id);
	/* two attempts: a runner that died mid-crawl is replaced once (the re-crawl is cheap:
	 * conditional GETs); a crawl that fails otherwise says why on its row */
	if ((e = jobs_enqueue(db, CRAWLS_JOB, payload, 2, &job)) != PSS_OK)
		return e;
	return db_crawl_set_job(db, t->id, job);
}

enum pss_err
crawls_start(const struct svc *s, int64_t user_id, const struct crawl_in *in,
    struct json_object **out, struct svc_err *err)
{
	struct crawl_allow allow = allow_of(s->conf);
	struct start_tx t = { user_id, in, NULL, 0 };
	char scheme[16], host[256];
	const char *why;
	char *url;
	enum crawl_addr k;
	enum pss_err e;

	*out = NULL;
	if (in->url == NULL || in->url[0] == '\0')
		return svc_fail(err, PSS_EINVAL, "url", "a start URL is required");
	if ((url = crawl_url_resolve(NULL, in->url, scheme, &why)) == NULL)
		return svc_fail(err, PSS_EINVAL, "url", why);
	if (strcmp(scheme, "file") == 0 && s->conf->crawl_file_root[0] == '\0')
		e = svc_fail(err, PSS_EINVAL, "url", "file URLs are off on this server (CRAWL_FILE_ROOT names no folder)");
	else if (crawl_url_host(url, host, sizeof(host)) != 0)
		e = svc_fail(err, PSS_EINVAL, "url", "the host name is too long");
	else if ((k = crawl_host_refused(host, &allow)) != CRAWL_ADDR_PUBLIC)
		e = svc_fail(err, PSS_EINVAL, "url", k == CRAWL_ADDR_LOOPBACK ?
		    "refused address: loopback addresses are not crawled (CRAWL_ALLOW_LOOPBACK)" :
		    k == CRAWL_ADDR_RESERVED ? "refused address: a reserved address is never crawled" :
		    "refused address: private and link-local addresses are not crawled (CRAWL_ALLOW_PRIVATE)");
	else if (in->max_pages < 1 || in->max_pages > CRAWL_MAX_PAGES)
		e = svc_fail(err, PSS_EINVAL, "maxPages", "must be a whole number from 1 to 1000");
	else if (in->depth < 0 || in->depth > CRAWL_MAX_DEPTH)
		e = svc_fail(err, PSS_EINVAL, "depth", "must be a whole number from 0 to 10");
	else {
		t.url = url;
		if ((e = db_tx(s->db, start_in_tx, &t)) == PSS_OK)
			e = db_crawl_get(s->db, t.id, out);
	}
	free(url);
	return e;
}

enum pss_err
crawls_list(const struct svc *s, struct json_object **out)
{
	return db_crawl_list(s->db, CRAWLS_LIST_MAX, out);
}

enum pss_err
crawls_get(const struct svc *s, int64_t id, struct json_object **out)
{
	return db_crawl_get(s->db, id, out);
}

enum pss_err
crawls_cancel(const struct svc *s, int64_t id, struct json_object **out, struct svc_err *err)
{
	const char *status;
	char sid[24];
	enum pss_err e;

	*out = NULL;
	if ((e = db_crawl_cancel(s->db, id, &status)) == PSS_ECONFLICT)
		return svc_fail(err, PSS_ECONFLICT, NULL, "The crawl has finished already.");
	if (e != PSS_OK)
		return e;
	if (status != NULL && strcmp(status, "cancelled") == 0) {
		db_id(sid, id);
		(void)jobs_done_queued(s->db, CRAWLS_JOB, "crawlId", sid);
	}
	return db_crawl_get(s->db, id, out);
}

/* ---- the job ---- */

struct run {
	const struct svc *s;
	int64_t	 id;
	bool	 (*alive)(void *);
	void	*alive_arg;
	bool	 stopped;	/* alive said no */
	bool	 cancel;	/* an admin asked */
	int64_t	 next_tick;
	struct crawl_stats last;
	char	 source[120];
};

static void
run_recall(void *arg, const char *url, struct crawl_memo *m)
{
	struct run *r = arg;
	char *links = NULL;
	struct json_object *a;

	if (db_crawl_page_get(r->s->db, url, &m->etag, &m->last_modified, &links) != PSS_OK)
		return;
	if ((a = json_tokener_parse(links)) != NULL && json_object_is_type(a, json_type_array)) {
		size_t n = json_object_array_length(a);

		m->links = xcalloc(n ? n : 1, sizeof(*m->links));
		for (size_t i = 0; i < n && i < CRAWL_MAX_LINKS; i++) {
			struct json_object *v = json_object_array_get_idx(a, i);

			if (json_object_is_type(v, json_type_string))
				m->links[m->nlinks++] = xstrdup(json_object_get_string(v));
		}
	}
	json_object_put(a);
	free(links);
}

static void
run_remember(void *arg, const char *url, const struct crawl_memo *m)
{
	struct run *r = arg;
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < m->nlinks; i++)
		json_object_array_add(a, json_object_new_string(m->links[i]));
	if (db_crawl_page_put(r->s->db, url, m->etag, m->last_modified,
	    json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN)) != PSS_OK)
		log_warn("crawl %lld: the validators of a page were not kept", (long long)r->id);
	json_object_put(a);
}

/* summary_of: the first paragraph of text that is not a heading, code or a list, cut at
 * 300 bytes on a character boundary (caller frees). */
static char *
summary_of(const char *text)
{
	struct buf b = BUF_INIT;
	const char *p = text;
	bool fenced = false, front = strncmp(text, "---\n", 4) == 0;

	while (*p != '\0' && b.len == 0) {
		const char *nl = strchr(p, '\n'), *e = nl ? nl : p + strlen(p);
		size_t n = (size_t)(e - p);

		if (front) {
			if (p != text && n >= 3 && strncmp(p, "---", 3) == 0)
				front = false;
		} else if (n >= 3 && (strncmp(p, "```", 3) == 0 || strncmp(p, "~~~", 3) == 0))
			fenced = !fenced;
		else if (!fenced && n > 0 && p[0] != '#' && p[0] != '-' && p[0] != '*' && p[0] != '|' &&
		    p[0] != '>' && p[0] != '<' && p[0] != '!' && p[0] != '[')
			while (*p != '\0' && *p != '\n' && b.len < 300) {
				e = strchr(p, '\n');
				n = e ? (size_t)(e - p) : strlen(p);
				if (b.len > 0)
					buf_putc(&b, ' ');
				buf_append(&b, p, n > 300 - b.len ? 300 - b.len : n);
				p += n + (e ? 1 : 0);
			}
		if (b.len > 0)
			break;
		p = nl ? nl + 1 : e;
	}
	while (b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0xc0) == 0x80)
		b.len--;
	if (b.len > 0 && (unsigned char)b.data[b.len - 1] >= 0xc0)
		b.len--;
	while (b.len > 0 && isspace((unsigned char)b.data[b.len - 1]))
		b.len--;
	return buf_detach(&b);
}

static enum crawl_store
run_store(void *arg, const struct crawl_page *p, char *why, size_t whysz)
{
	struct run *r = arg;
	struct svc_err err = { 0 };
	struct doc_in d = { 0 };
	enum docs_upsert_result res;
	char host[256], source[300], meta[100], *summary = summary_of(p->text);
	const char *slash;
	int64_t id;
	enum pss_err e;

	if (crawl_url_host(p->url, host, sizeof(host)) != 0 || host[0] == '\0')
		snprintf(source, sizeof(source), "Local files");
	else
		snprintf(source, sizeof(source), "%.100s", host);
	snprintf(meta, sizeof(meta), "{\"crawled\": true, \"mediaType\": \"%s\"}", crawl_type_names[p->type]);
	d.url = p->url;
	d.title = p->title;
	if (d.title == NULL || d.title[0] == '\0')	/* no title: the last part of the URL */
		d.title = (slash = strrchr(p->url, '/')) != NULL && slash[1] != '\0' ? slash + 1 : p->url;
	d.content = p->text;
	d.summary = summary[0] != '\0' ? summary : NULL;
	d.source = source;
	d.content_type = "article";
	d.metadata = meta;
	e = docs_upsert(r->s, &d, &id, &res, &err);
	free(summary);
	if (e != PSS_OK) {
		if (err.field != NULL)
			snprintf(why, whysz, "%s: %s", err.field, err.message ? err.message : "not valid");
		else
			snprintf(why, whysz, "%s", pss_strerror(e));
		return CRAWL_STORE_FAILED;
	}
	return res == DOCS_UNCHANGED ? CRAWL_SAME : CRAWL_STORED;
}

static void
run_note(void *arg, const char *url, const char *reason, bool page)
{
	struct run *r = arg;

	(void)page;
	if (db_crawl_reason(r->s->db, r->id, url, reason) != PSS_OK)
		log_warn("crawl %lld: a reason was not recorded", (long long)r->id);
}

static void
run_progress(void *arg, const struct crawl_stats *st)
{
	struct run *r = arg;
	bool cancel = false;

	r->last = *st;
	if (db_crawl_progress(r->s->db, r->id, st->fetched, st->stored, st->unchanged, st->skipped,
	    &cancel) == PSS_OK && cancel)
		r->cancel = true;
}

static bool
run_tick(void *arg)
{
	struct run *r = arg;
	int64_t now = time_mono_ms();

	if (now >= r->next_tick) {
		r->next_tick = now + 1000;
		if (r->alive != NULL && !r->alive(r->alive_arg))
			r->stopped = true;
		run_progress(r, &r->last);
	}
	return r->stopped || r->cancel;
}

enum pss_err
crawls_run(const struct svc *s, int64_t id, bool (*alive)(void *), void *arg, char *why, size_t whysz)
{
	const struct conf *conf = s->conf;
	struct run r = { .s = s, .id = id, .alive = alive, .alive_arg = arg };
	struct crawl_hooks h = { &r, run_recall, run_remember, run_store, run_note, run_progress, run_tick };
	struct crawl_opts o = { 0 };
	struct crawl_stats st;
	struct db_crawl c;
	char agent[300], msg[200];
	enum pss_err e;

	if ((e = db_crawl_begin(s->db, id, &c)) == PSS_ENOTFOUND) {
		log_info("crawl %lld: gone, finished or cancelled before it started", (long long)id);
		return PSS_OK;
	}
	if (e != PSS_OK) {
		snprintf(why, whysz, "crawl %lld: %s", (long long)id, pss_strerror(e));
		return e;
	}
	fetch_global_init();
	snprintf(agent, sizeof(agent), "%s/%s (+%.200s)", CRAWL_AGENT, PACKAGE_VERSION, conf->public_url);
	o.start_url = c.start_url;
	o.max_pages = (int)c.max_pages;
	o.depth = (int)c.depth;
	o.same_host = c.same_host;
	o.delay_ms = conf->crawl_delay_ms;
	o.fetch = (struct fetch_opts){
		.user_agent = agent,
		.allow = allow_of(conf),
		.max_bytes = conf->crawl_max_bytes,
		.timeout_ms = conf->crawl_timeout_ms,
		.connect_timeout_ms = conf->crawl_timeout_ms < 10000 ? conf->crawl_timeout_ms : 10000,
		.file_root = conf->crawl_file_root,
	};
	log_info("crawl %lld: %s (at most %d pages, depth %d%s)", (long long)id, c.start_url,
	    o.max_pages, o.depth, o.same_host ? "" : ", any host");
	crawl_run(&o, &h, &st);
	db_crawl_free(&c);
	snprintf(msg, sizeof(msg), "%d fetched, %d stored, %d unchanged, %d skipped", st.fetched,
	    st.stored, st.unchanged, st.skipped);
	if (r.stopped && !r.cancel) {
		snprintf(why, whysz, "crawl %lld: the job runner is stopping (%s so far)", (long long)id, msg);
		return PSS_EUNAVAIL;
	}
	if ((e = db_crawl_finish(s->db, id, st.cancelled ? "cancelled" : "done", msg)) != PSS_OK) {
		snprintf(why, whysz, "crawl %lld: its end was not recorded: %s", (long long)id, pss_strerror(e));
		return e;
	}
	log_info("crawl %lld %s: %s", (long long)id, st.cancelled ? "cancelled" : "done", msg);
	return PSS_OK;
}
