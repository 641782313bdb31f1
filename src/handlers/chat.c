/* chat.c: /api/chat: a question answered as JSON or as Server-Sent Events, and the asker's
 * private history (services/chat.h; docs/chat.md) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/chat.h"
#include "handlers/library.h"
#include "handlers/sse.h"
#include "services/chat.h"

#define CHAT_NOT_FOUND "Not found."	/* a script or conversation: no hint that it exists */

static struct viewer
asker(const struct http_ctx *c)
{
	return req_viewer(c);
}

/* whether the client asked for Server-Sent Events */
static bool
wants_sse(const struct http_ctx *c)
{
	const char *a = http_header(c->req, "accept");

	return a != NULL && strstr(a, "text/event-stream") != NULL;
}

static int
on_chunk(void *arg, const char *text, size_t len)
{
	struct sse *s = arg;
	struct json_object *o = json_object_new_object();

	if (text == NULL) {	/* what was sent is void: the answer follows whole */
		json_object_object_add(o, "status", json_object_new_string("reset"));
		return sse_event(s, "reset", o);
	}
	if (len == 0) {	/* the model is asked: say so, so the page shows progress */
		json_object_object_add(o, "status", json_object_new_string("thinking"));
		return sse_event(s, "status", o);
	}
	json_object_object_add(o, "text", json_object_new_string_len(text, (int)len));
	return sse_event(s, "chunk", o);
}

/* POST /api/chat {messages, sessionId?, scriptId?}: 200 {success, response, sessionId,
 * sources, model, fallback?, historyId}; with Accept: text/event-stream the events status,
 * chunk ({text}), reset (drop the chunks so far: the model stopped, or its safe text had to
 * be sent again whole) and done (that object), or error ({error, message}) once streaming
 * began. */
void
h_chat_ask(struct http_ctx *c)
{
	struct json_object *b = json_body(c);
	struct chat_request req;
	struct chat_answer a;
	struct svc_err err = { 0 };
	struct viewer v = asker(c);
	enum pss_err e;

	if (b == NULL)
		return;
	if ((e = chat_request_parse(b, &req, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, CHAT_NOT_FOUND);
		goto out;
	}
	if (wants_sse(c)) {
		struct sse s = { c, false, false };

		e = chat_ask_stream(&c->app->svc, &v, &req, on_chunk, &s, &a, &err);
		if (e != PSS_OK && !s.started) {
			error_from_svc(c, e, &err, CHAT_NOT_FOUND);
			goto out;
		}
		if (e != PSS_OK) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "error", json_object_new_string(
			    e == PSS_EUNAVAIL ? "unavailable" : "internal_error"));
			json_object_object_add(o, "message", json_object_new_string(
			    "The answer could not be stored; try again."));
			(void)sse_event(&s, "error", o);
			goto out;
		}
		(void)sse_event(&s, "done", chat_answer_json(&a));
		chat_answer_free(&a);
		goto out;
	}
	if ((e = chat_ask(&c->app->svc, &v, &req, &a, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, CHAT_NOT_FOUND);
		goto out;
	}
	reply_success(c, 200, NULL, chat_answer_json(&a));
	chat_answer_free(&a);
out:
	chat_request_free(&req);
	json_object_put(b);
}

/* page and limit of a list */
static int
page_params(struct http_ctx *c, int64_t *page, int64_t *limit)
{
	*page = 1;
	*limit = CHAT_LIMIT_DEFAULT;
	if (req_query_int(c, "page", 1, 10000, page) < 0 ||
	    req_query_int(c, "limit", 1, CHAT_LIMIT_MAX, limit) < 0)
		return -1;
	return 0;
}

static void
answer(struct http_ctx *c, enum pss_err e, struct json_object *o, const struct svc_err *err,
    const char *name)
{
	if (e != PSS_OK) {
		json_object_put(o);
		error_from_svc(c, e, err, CHAT_NOT_FOUND);
		return;
	}
	reply_success(c, 200, name, o);
}

/* sessions: the original frontend's form of a page of conversations (docs/compat.md):
 * under name, each {id, sessionId, title, category, timestamp, messages} and, from a
 * search, score; the messages read one conversation at a time (a page is at most
 * CHAT_LIMIT_MAX). */
static void
sessions(struct http_ctx *c, const struct viewer *v, struct json_object *o, const char *name)
{
	struct json_object *list = json_object_object_get(o, "conversations");
	struct json_object *out = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *it = json_object_array_get_idx(list, i), *full = NULL, *s, *x;

		if (chat_history_get(&c->app->svc, v,
		    json_object_get_int64(json_object_object_get(it, "id")), &full) != PSS_OK)
			continue;
		s = json_object_new_object();
		json_object_object_add(s, "id", json_object_get(json_object_object_get(it, "id")));
		json_object_object_add(s, "sessionId", json_object_get(json_object_object_get(it, "sessionId")));
		json_object_object_add(s, "title", json_object_get(json_object_object_get(it, "title")));
		json_object_object_add(s, "category", json_object_get(json_object_object_get(it, "category")));
		json_object_object_add(s, "timestamp", json_object_get(json_object_object_get(it, "updatedAt")));
		json_object_object_add(s, "messages", json_object_get(json_object_object_get(full, "messages")));
		if (json_object_object_get_ex(it, "score", &x))
			json_object_object_add(s, "score", json_object_get(x));
		json_object_array_add(out, s);
		json_object_put(full);
	}
	json_object_object_add(o, name, out);
}

void
h_chat_history_list(struct http_ctx *c)
{
	struct json_object *o = NULL;
	struct svc_err err = { 0 };
	struct viewer v = asker(c);
	int64_t page, limit;
	enum pss_err e;
	char key[96];

	if (page_params(c, &page, &limit) != 0)
		return;
	if (chat_history_list_key(key, sizeof(key), &v, page, limit) == 0 &&
	    reply_cached(c, key, NULL, NULL) == 1)
		return;
	e = chat_history_list(&c->app->svc, &v, page, limit, &o, &err);
	/* the original frontend's history page reads history (docs/compat.md) */
	if (e == PSS_OK && req_asks_as_axios(c))
		sessions(c, &v, o, "history");
	answer(c, e, o, &err, NULL);
}

static void
search(struct http_ctx *c, const char *results)
{
	struct json_object *o = NULL;
	struct svc_err err = { 0 };
	struct viewer v = asker(c);
	int64_t page, limit;
	enum pss_err e;

	if (page_params(c, &page, &limit) != 0)
		return;
	e = chat_history_search(&c->app->svc, &v, http_query(c->req, "q"),
	    http_query(c->req, "mode"), page, limit, &o, &err);
	if (e == PSS_OK && results != NULL)
		sessions(c, &v, o, results);
	answer(c, e, o, &err, NULL);
}

void
h_chat_history_search(struct http_ctx *c)
{
	search(c, NULL);
}

/* GET /api/chat/search?q: the history search with the original frontend's results beside */
void
h_chat_search(struct http_ctx *c)
{
	search(c, "results");
}

/* GET /api/chat/categories: {success, categories: [string]} */
void
h_chat_categories(struct http_ctx *c)
{
	struct json_object *o = NULL, *w;
	struct viewer v = asker(c);
	enum pss_err e;

	if ((e = chat_history_categories(&c->app->svc, &v, &o)) != PSS_OK) {
		error_from_svc(c, e, NULL, CHAT_NOT_FOUND);
		return;
	}
	w = json_object_new_object();
	json_object_object_add(w, "categories", o);
	reply_success(c, 200, NULL, w);
}

/* POST /api/chat/:id/category {category}: {success, id, category} (empty or null: none) */
void
h_chat_set_category(struct http_ctx *c)
{
	struct json_object *b, *o, *cat = NULL;
	struct svc_err err = { 0 };
	struct viewer v = asker(c);
	int64_t id = req_path_id(c, "id", "id");
	const char *name = NULL;
	enum pss_err e;

	if (id == 0 || (b = json_body(c)) == NULL)
		return;
	if (json_object_object_get_ex(b, "category", &cat) && cat != NULL &&
	    !json_object_is_type(cat, json_type_string)) {
		field_error(c, "category", "category must be a string or null.");
		json_object_put(b);
		return;
	}
	if (cat != NULL)
		name = json_object_get_string(cat);
	if ((e = chat_history_set_category(&c->app->svc, &v, id, name, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, CHAT_NOT_FOUND);
		json_object_put(b);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "category", name != NULL && *name != '\0' ?
	    json_object_new_string(name) : NULL);
	json_object_put(b);
	reply_success(c, 200, NULL, o);
}

void
h_chat_history_get(struct http_ctx *c)
{
	struct json_object *o = NULL;
	struct viewer v = asker(c);
	int64_t id = req_path_id(c, "id", "id");

	enum pss_err e;

	if (id == 0)
		return;
	e = chat_history_get(&c->app->svc, &v, id, &o);
	answer(c, e, o, NULL, "conversation");
}

/* POST /api/chat/history {messages, sessionId?}: 201 {success, conversation} */
void
h_chat_history_save(struct http_ctx *c)
{
	struct json_object *b = json_body(c), *o = NULL;
	struct svc_err err = { 0 };
	struct viewer v = asker(c);
	enum pss_err e;

	if (b == NULL)
		return;
	if ((e = chat_history_save(&c->app->svc, &v, b, &o, &err)) != PSS_OK)
		error_from_svc(c, e, &err, CHAT_NOT_FOUND);
	else
		reply_success(c, 201, "conversation", o);
	json_object_put(b);
}

void
h_chat_history_clear(struct http_ctx *c)
{
	struct viewer v = asker(c);
	int64_t n;
	enum pss_err e;
	struct json_object *o;

	if ((e = chat_history_delete_all(&c->app->svc, &v, &n)) != PSS_OK) {
		error_from_svc(c, e, NULL, CHAT_NOT_FOUND);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "deleted", json_object_new_int64(n));
	reply_success(c, 200, NULL, o);
}

void
h_chat_history_delete(struct http_ctx *c)
{
	struct viewer v = asker(c);
	int64_t id = req_path_id(c, "id", "id");
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = chat_history_delete(&c->app->svc, &v, id)) != PSS_OK)
		error_from_svc(c, e, NULL, CHAT_NOT_FOUND);
	else
		ok_reply(c, "Conversation deleted.");
}
