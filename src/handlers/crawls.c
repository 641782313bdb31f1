/* crawls.c: /api/documentation/crawl and /crawls (admin): start a crawl, its progress,
 * cancel; the page /admin/docs/crawls answers with the same handlers */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "handlers/crawls.h"
#include "handlers/library.h"
#include "handlers/pages.h"
#include "services/crawls.h"

#define CRAWL_NOT_FOUND "Crawl not found."
#define CRAWL_URL_READ_MAX 8192	/* read limit; the crawler allows 2048 */

/* with_active: {crawls, anyActive} from {crawls} (taken and returned). */
static struct json_object *
with_active(struct json_object *o)
{
	struct json_object *list, *a;
	bool any = false;

	if (json_object_object_get_ex(o, "crawls", &list))
		for (size_t i = 0; i < json_object_array_length(list); i++)
			if (json_object_object_get_ex(json_object_array_get_idx(list, i), "active", &a) &&
			    json_object_get_boolean(a))
				any = true;
	json_object_object_add(o, "anyActive", json_object_new_boolean(any));
	return o;
}

/* POST /api/documentation/crawl {url, maxPages?, depth?, sameHost?}: 202 {success, crawl}
 * (the crawl queued, with its jobId); 400 naming url, maxPages, depth or sameHost. */
void
h_crawls_start(struct http_ctx *c)
{
	struct json_object *b = json_body(c), *out = NULL, *list = NULL;
	struct crawl_in in = { NULL, CRAWLS_MAX_PAGES_DEFAULT, CRAWLS_DEPTH_DEFAULT, true };
	struct svc_err err = { 0 };
	enum pss_err e;

	if (b == NULL)
		return;
	if (page_active(c) && crawls_list(&c->app->svc, &list) == PSS_OK)
		c->page_extra = with_active(list);	/* the form shown again lists the crawls */
	if (req_body_str(c, b, "url", NULL, CRAWL_URL_READ_MAX, true, &in.url, NULL) < 0 ||
	    req_body_int(c, b, "maxPages", NULL, INT64_MIN, INT64_MAX, &in.max_pages) < 0 ||
	    req_body_int(c, b, "depth", NULL, INT64_MIN, INT64_MAX, &in.depth) < 0 ||
	    req_body_bool(c, b, "sameHost", NULL, &in.same_host) < 0)
		goto out;
	if ((e = crawls_start(&c->app->svc, c->user ? c->user->id : 0, &in, &out, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, CRAWL_NOT_FOUND);
		goto out;
	}
	reply_success(c, 202, "crawl", out);
out:
	json_object_put(b);
	json_object_put(c->page_extra);
	c->page_extra = NULL;
}

/* GET /api/documentation/crawls: {success, crawls, anyActive}, newest first. */
void
h_crawls_list(struct http_ctx *c)
{
	struct json_object *o;
	enum pss_err e;

	if ((e = crawls_list(&c->app->svc, &o)) != PSS_OK) {
		error_from_svc(c, e, NULL, CRAWL_NOT_FOUND);
		return;
	}
	reply_success(c, 200, NULL, with_active(o));
}

/* GET /api/documentation/crawls/:id: {success, crawl}. */
void
h_crawls_get(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	struct json_object *o;
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = crawls_get(&c->app->svc, id, &o)) != PSS_OK) {
		error_from_svc(c, e, NULL, CRAWL_NOT_FOUND);
		return;
	}
	reply_success(c, 200, "crawl", o);
}

/* POST /api/documentation/crawls/:id/cancel: {success, crawl}; 409 when it has finished. */
void
h_crawls_cancel(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id");
	struct svc_err err = { 0 };
	struct json_object *o;
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = crawls_cancel(&c->app->svc, id, &o, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, CRAWL_NOT_FOUND);
		return;
	}
	reply_success(c, 200, "crawl", o);
}

/* POST /api/documentation/crawl/ai, /crawl/ai/start, GET /crawl/ai/status/:id: the original
 * platform's AI crawl, which this one does not have; its crawler (any user may ask, nothing is
 * done) is POST /api/documentation/crawl: 410 {error: gone, replacement}. */
void
h_crawls_ai_gone(struct http_ctx *c)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "replacement", json_object_new_string("POST /api/documentation/crawl"));
	error_reply(c, 410, "gone", "There is no AI crawl here: an administrator crawls with POST "
	    "/api/documentation/crawl {url, maxPages, depth} (a crawl job).", d);
}
