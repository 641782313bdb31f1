/* chat.c: the chat's question checks, the answer (retrieval, the extractive answer or the
 * model's, the fallback), its storage in the asker's history, and the answer's JSON
 * (services/chat.h, docs/chat.md) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/ai.h"
#include "core/text.h"
#include "db/chat.h"
#include "services/chat-int.h"
#include "services/library.h"

#define TITLE_MAX	100	/* bytes of a conversation's title */
#define CHUNK_BYTES	160	/* an extractive answer streamed in pieces of about this */

const char *const chat_role_names[CHAT_ROLE__MAX] = { "user", "assistant", "system" };
const char *const chat_source_names[CHAT_SOURCE__MAX] = { "doc", "script" };

static enum chat_role
role_parse(const char *s)
{
	for (int i = 0; i < CHAT_ROLE__MAX; i++)
		if (strcmp(s, chat_role_names[i]) == 0)
			return (enum chat_role)i;
	return CHAT_ROLE__MAX;
}

/* the messages' checks; last_user: the last one must be the asker's */
static enum pss_err
check_messages(const struct chat_request *req, bool last_user, struct svc_err *err)
{
	size_t total = 0;

	if (req->nmessages == 0)
		return svc_fail(err, PSS_EINVAL, "messages", "at least one message is required");
	if (req->nmessages > CHAT_MESSAGES_MAX)
		return svc_fail(err, PSS_EINVAL, "messages", "at most 50 messages a request");
	for (size_t i = 0; i < req->nmessages; i++) {
		const struct chat_message *m = &req->messages[i];
		size_t n;

		if ((unsigned)m->role >= CHAT_ROLE__MAX)
			return svc_fail(err, PSS_EINVAL, "messages",
			    "each message's role must be user, assistant or system");
		if (m->content == NULL || m->len > CHAT_MESSAGE_MAX)
			return svc_fail(err, PSS_EINVAL, "messages",
			    "each message's content must be text of at most 16,384 bytes");
		if (memchr(m->content, '\0', m->len) != NULL || !utf8_valid(m->content, m->len))
			return svc_fail(err, PSS_EINVAL, "messages",
			    "each message's content must be UTF-8 text without NUL bytes");
		text_trim(m->content, &n);
		if (n == 0 || (m->len > 0 && n == 0))
			return svc_fail(err, PSS_EINVAL, "messages", "a message's content is empty");
		total += m->len;
	}
	if (total > CHAT_TOTAL_MAX)
		return svc_fail(err, PSS_EINVAL, "messages",
		    "the messages together must be at most 65,536 bytes");
	if (last_user && req->messages[req->nmessages - 1].role != CHAT_ROLE_USER)
		return svc_fail(err, PSS_EINVAL, "messages", "the last message must be the user's question");
	if (req->session_id[0] != '\0' && !text_uuid_valid(req->session_id))
		return svc_fail(err, PSS_EINVAL, "sessionId", "must be a UUID");
	if (req->script_id < 0 || req->script_id > INT32_MAX)
		return svc_fail(err, PSS_EINVAL, "scriptId", "must be a script id");
	return PSS_OK;
}

enum pss_err
chat_request_check(const struct chat_request *req, struct svc_err *err)
{
	return check_messages(req, true, err);
}

static enum pss_err
parse(struct json_object *body, struct chat_request *req, bool last_user, struct svc_err *err)
{
	struct json_object *arr, *v;
	size_t n;

	memset(req, 0, sizeof *req);
	if (!json_object_is_type(body, json_type_object))
		return svc_fail(err, PSS_EINVAL, NULL, "the body must be a JSON object");
	if (!json_object_object_get_ex(body, "messages", &arr) || !json_object_is_type(arr, json_type_array))
		return svc_fail(err, PSS_EINVAL, "messages", "an array of {role, content} is required");
	n = json_object_array_length(arr);
	if (n > CHAT_MESSAGES_MAX)
		return svc_fail(err, PSS_EINVAL, "messages", "at most 50 messages a request");
	req->messages = xcalloc(n > 0 ? n : 1, sizeof(*req->messages));
	for (size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(arr, i), *r, *c;

		if (!json_object_is_type(m, json_type_object) ||
		    !json_object_object_get_ex(m, "role", &r) || !json_object_is_type(r, json_type_string) ||
		    !json_object_object_get_ex(m, "content", &c) || !json_object_is_type(c, json_type_string))
			return svc_fail(err, PSS_EINVAL, "messages",
			    "each message must be an object {role, content} of two strings");
		req->messages[i].role = role_parse(json_object_get_string(r));
		req->messages[i].content = json_object_get_string(c);
		req->messages[i].len = (size_t)json_object_get_string_len(c);
		req->nmessages++;
	}
	if (json_object_object_get_ex(body, "sessionId", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) != CHAT_SESSION_LEN ||
		    !text_uuid_valid(json_object_get_string(v)))
			return svc_fail(err, PSS_EINVAL, "sessionId", "must be a UUID");
		memcpy(req->session_id, json_object_get_string(v), CHAT_SESSION_LEN + 1);
		for (char *p = req->session_id; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
	}
	if (json_object_object_get_ex(body, "scriptId", &v) && !json_object_is_type(v, json_type_null)) {
		int64_t id = 0;
		char *end = NULL;

		if (json_object_is_type(v, json_type_int))
			id = json_object_get_int64(v);
		else if (json_object_is_type(v, json_type_string)) {
			const char *s = json_object_get_string(v);

			id = *s >= '1' && *s <= '9' && strlen(s) <= 10 ? strtoll(s, &end, 10) : 0;
			if (end == NULL || *end != '\0')
				id = 0;
		}
		if (id <= 0 || id > INT32_MAX)
			return svc_fail(err, PSS_EINVAL, "scriptId", "must be a script id");
		req->script_id = id;
	}
	return check_messages(req, last_user, err);
}

enum pss_err
chat_request_parse(struct json_object *body, struct chat_request *req, struct svc_err *err)
{
	return parse(body, req, true, err);
}

void
chat_request_free(struct chat_request *req)
{
	free(req->messages);
	req->messages = NULL;
	req->nmessages = 0;
}

/* ---- the answer ---- */

void
chat_answer_free(struct chat_answer *a)
{
	free(a->response);
	for (size_t i = 0; i < a->nsources; i++) {
		free(a->sources[i].title);
		free(a->sources[i].url);
	}
	memset(a, 0, sizeof *a);
}

static struct json_object *
sources_json(const struct chat_source *s, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "type", json_object_new_string(chat_source_names[s[i].type]));
		json_object_object_add(o, "id", json_object_new_int64(s[i].id));
		json_object_object_add(o, "title", json_object_new_string(s[i].title));
		json_object_object_add(o, "url", json_object_new_string(s[i].url));
		json_object_array_add(arr, o);
	}
	return arr;
}

struct json_object *
chat_answer_json(const struct chat_answer *a)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "response", json_object_new_string(a->response ? a->response : ""));
	json_object_object_add(o, "sessionId", json_object_new_string(a->session_id));
	json_object_object_add(o, "sources", sources_json(a->sources, a->nsources));
	json_object_object_add(o, "model", json_object_new_string(a->model));
	if (a->fallback != NULL)
		json_object_object_add(o, "fallback", json_object_new_string(a->fallback));
	json_object_object_add(o, "historyId", json_object_new_int64(a->history_id));
	return o;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct json_object *
message_json(const char *role, const char *content, size_t len)
{
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "role", json_object_new_string(role));
	json_object_object_add(m, "content", json_object_new_string_len(content, (int)len));
	return m;
}

/* a title of at most TITLE_MAX bytes from the first user message (on one line) */
static char *
title_of(struct json_object *msgs)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < json_object_array_length(msgs); i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i), *v;
		const char *s;
		size_t n;

		if (!json_object_object_get_ex(m, "role", &v) || strcmp(json_object_get_string(v), "user") != 0 ||
		    !json_object_object_get_ex(m, "content", &v))
			continue;
		s = text_trim(json_object_get_string(v), &n);
		for (size_t k = 0; k < n && b.len < TITLE_MAX; k++) {
			unsigned char ch = (unsigned char)s[k];

			if (ch < 0x20) {
				if (b.len > 0 && b.data[b.len - 1] != ' ')
					buf_putc(&b, ' ');
				continue;
			}
			buf_putc(&b, (char)ch);
		}
		break;
	}
	/* on a character boundary */
	while (b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0x80) != 0 &&
	    !utf8_valid(b.data, b.len))
		b.data[--b.len] = '\0';
	return b.len > 0 ? buf_detach(&b) : (buf_free(&b), xstrdup("Conversation"));
}

/* db_chat_upsert with the conversation's embedding job (never computed in the request: a
 * remote provider's time is not the asker's); without any embedder there is nothing to queue */
static enum pss_err
store_row(const struct svc *s, int64_t user_id, struct db_chat_row *row, int64_t *id,
    char session[CHAT_SESSION_LEN + 1])
{
	char why[256];

	if (library_embedder(s, why, sizeof(why)) != NULL) {
		row->job_type = LIBRARY_JOB_EMBEDDING;
		row->job_attempts = LIBRARY_JOB_ATTEMPTS;
	}
	return db_chat_upsert(s->db, user_id, row, id, session);
}

/* store: the conversation msgs (taken) with the answer appended, under the asker */
static enum pss_err
store(const struct svc *s, const struct viewer *v, const char *session, struct json_object *msgs,
    struct chat_answer *a)
{
	struct json_object *am = message_json("assistant", a->response, strlen(a->response));
	struct json_object *src = sources_json(a->sources, a->nsources);
	char *title;
	enum pss_err e;

	json_object_object_add(am, "sources", json_object_get(src));
	json_object_object_add(am, "model", json_object_new_string(a->model));
	json_object_array_add(msgs, am);
	title = title_of(msgs);
	e = store_row(s, v->user_id, &(struct db_chat_row){
	    .session_id = session, .title = title,
	    .messages = json_object_to_json_string_ext(msgs, JSON_C_TO_STRING_PLAIN),
	    .response = a->response,
	    .sources = json_object_to_json_string_ext(src, JSON_C_TO_STRING_PLAIN) },
	    &a->history_id, a->session_id);
	free(title);
	json_object_put(src);
	json_object_put(msgs);
	return e;
}

/* the conversation so far as a JSON array: the stored one of req's session continued by a
 * single message, else req's messages. PSS_ENOTFOUND never: a session the asker does not
 * have starts anew under that id. */
static enum pss_err
conversation(const struct svc *s, const struct viewer *v, const struct chat_request *req,
    struct json_object **out)
{
	struct json_object *arr = json_object_new_array(), *stored = NULL, *m;
	enum pss_err e;

	*out = NULL;
	if (req->session_id[0] != '\0' && req->nmessages == 1) {
		e = db_chat_get_session(s->db, v->user_id, req->session_id, &stored);
		if (e != PSS_OK && e != PSS_ENOTFOUND) {
			json_object_put(arr);
			return e;
		}
		if (e == PSS_OK && json_object_object_get_ex(stored, "messages", &m) &&
		    json_object_is_type(m, json_type_array))
			for (size_t i = 0; i < json_object_array_length(m); i++)
				json_object_array_add(arr, json_object_get(json_object_array_get_idx(m, i)));
		json_object_put(stored);
	}
	/* never more than CHAT_MESSAGES_MAX * 2 turns kept: the oldest go */
	while (json_object_array_length(arr) > 2 * CHAT_MESSAGES_MAX)
		json_object_array_del_idx(arr, 0, 2);
	for (size_t i = 0; i < req->nmessages; i++)
		json_object_array_add(arr, message_json(chat_role_names[req->messages[i].role],
		    req->messages[i].content, req->messages[i].len));
	*out = arr;
	return PSS_OK;
}

static enum pss_err
ask(const struct svc *s, const struct viewer *viewer, const struct chat_request *req,
    chat_chunk_fn chunk, void *arg, struct chat_answer *out, struct svc_err *err)
{
	struct chat_ctx x = { .svc = s, .md = BUF_INIT };
	const struct chat_message *q;
	struct json_object *msgs = NULL;
	int64_t t0 = now_ms();
	size_t streamed = 0;	/* bytes of the response the reader has already */
	enum pss_err e;
	char *md = NULL;
	bool cited[CHAT_SOURCES_MAX];

	memset(out, 0, sizeof *out);
	if (err != NULL)
		memset(err, 0, sizeof *err);
	if (viewer == NULL || viewer->user_id <= 0)
		return PSS_EAUTH;
	if ((e = chat_request_check(req, err)) != PSS_OK)
		return e;
	/* the asker's reach, never an admin's: an admin's chat sees public and own scripts */
	x.v = (struct viewer){ viewer->user_id, false };
	q = &req->messages[req->nmessages - 1];
	e = req->script_id > 0 ? chat_retrieve_script(&x, req->script_id, q->content, q->len) :
	    chat_retrieve(&x, q->content, q->len);
	if (e != PSS_OK)
		goto out;
	snprintf(out->model, sizeof(out->model), "extractive");
	if (!req->extractive && ai_chat_configured(s->conf)) {
		int64_t left = chunk != NULL ? CHAT_STREAM_SECONDS * 1000 - (now_ms() - t0) - 2000 : 0;
		const char *why = NULL;
		bool sent = false;
		int rc = -1;

		if (chunk != NULL && chunk(arg, "", 0) != 0)	/* the reader left already */
			left = -1;
		if (left < 0)
			why = "timeout";
		else if (chunk != NULL)	/* the model's tokens to the reader as they come */
			rc = chat_model_stream(&x, req, left, chunk, arg, &md, cited, out->model,
			    sizeof(out->model), &why, &sent);
		else
			rc = chat_model_answer(&x, req, left, &md, cited, out->model,
			    sizeof(out->model), &why);
		if (rc == 0) {
			out->response = md;
			streamed = chunk != NULL ? strlen(md) : 0;
		} else {
			struct buf b = BUF_INIT;

			/* the model stopped mid-answer: the reader drops its part */
			if (sent)
				(void)chunk(arg, NULL, 0);
			out->fallback = why;
			buf_printf(&b, "*The language model did not answer (%s), so this is the "
			    "platform's own answer from its sources.*\n\n", why);
			buf_append(&b, x.md.data, x.md.len);
			out->response = buf_detach(&b);
		}
	} else
		out->response = x.md.len > 0 ? xstrdup(x.md.data) : xstrdup("");
	for (size_t i = 0; i < x.np; i++) {
		out->sources[i] = (struct chat_source){ x.p[i].type, x.p[i].id, x.p[i].title, x.p[i].url };
		x.p[i].title = x.p[i].url = NULL;
	}
	out->nsources = x.np;
	if (chunk != NULL) {
		size_t n = strlen(out->response), off = streamed;

		while (off < n) {
			const char *nl = off + CHUNK_BYTES < n ?
			    memchr(out->response + off + CHUNK_BYTES, '\n', n - off - CHUNK_BYTES) : NULL;
			size_t len = nl != NULL ? (size_t)(nl - out->response) + 1 - off : n - off;

			if (chunk(arg, out->response + off, len) != 0)
				break;	/* the reader left: the answer is stored all the same */
			off += len;
		}
	}
	if ((e = conversation(s, viewer, req, &msgs)) != PSS_OK)
		goto out;
	if ((e = store(s, viewer, req->session_id, msgs, out)) == PSS_OK)
		chat_history_changed(s, viewer->user_id);
out:
	chat_ctx_free(&x);
	if (e != PSS_OK)
		chat_answer_free(out);
	return e;
}

enum pss_err
chat_ask(const struct svc *s, const struct viewer *v, const struct chat_request *req,
    struct chat_answer *out, struct svc_err *err)
{
	return ask(s, v, req, NULL, NULL, out, err);
}

enum pss_err
chat_ask_stream(const struct svc *s, const struct viewer *v, const struct chat_request *req,
    chat_chunk_fn chunk, void *arg, struct chat_answer *out, struct svc_err *err)
{
	return ask(s, v, req, chunk, arg, out, err);
}

/* ---- history writes that share the request's checks (chat_history.c reads) ---- */

enum pss_err
chat_history_save(const struct svc *s, const struct viewer *v, struct json_object *body,
    struct json_object **out, struct svc_err *err)
{
	struct chat_request req;
	struct json_object *msgs;
	const char *response = "";
	char *title, session[CHAT_SESSION_LEN + 1];
	int64_t id;
	enum pss_err e;

	*out = NULL;
	if (v == NULL || v->user_id <= 0)
		return PSS_EAUTH;
	if ((e = parse(body, &req, false, err)) != PSS_OK) {
		chat_request_free(&req);
		return e;
	}
	msgs = json_object_new_array();
	for (size_t i = 0; i < req.nmessages; i++) {
		json_object_array_add(msgs, message_json(chat_role_names[req.messages[i].role],
		    req.messages[i].content, req.messages[i].len));
		if (req.messages[i].role == CHAT_ROLE_ASSISTANT)
			response = req.messages[i].content;
	}
	title = title_of(msgs);
	e = store_row(s, v->user_id, &(struct db_chat_row){
	    .session_id = req.session_id, .title = title,
	    .messages = json_object_to_json_string_ext(msgs, JSON_C_TO_STRING_PLAIN),
	    .response = response, .sources = "[]" }, &id, session);
	free(title);
	json_object_put(msgs);
	chat_request_free(&req);
	if (e != PSS_OK)
		return e;
	chat_history_changed(s, v->user_id);
	return db_chat_get(s->db, v->user_id, id, out);
}
