/* chat.c: the chat's question checks, answers and the answer's JSON (services/chat.h) */
#include <stdlib.h>
#include <string.h>

#include "services/chat.h"

const char *const chat_role_names[CHAT_ROLE__MAX] = { "user", "assistant", "system" };
const char *const chat_source_names[CHAT_SOURCE__MAX] = { "doc", "script" };

static enum pss_err
chat_not_built(struct svc_err *err)
{
	if (err != NULL) {
		memset(err, 0, sizeof *err);
		err->message = "The chat is not built yet.";
	}
	return PSS_EUNAVAIL;
}

enum pss_err
chat_request_parse(struct json_object *body, struct chat_request *req, struct svc_err *err)
{
	(void)body;
	memset(req, 0, sizeof *req);
	return chat_not_built(err);
}

enum pss_err
chat_request_check(const struct chat_request *req, struct svc_err *err)
{
	(void)req;
	return chat_not_built(err);
}

void
chat_request_free(struct chat_request *req)
{
	free(req->messages);
	req->messages = NULL;
	req->nmessages = 0;
}

enum pss_err
chat_ask(const struct svc *svc, const struct viewer *v, const struct chat_request *req,
    struct chat_answer *out, struct svc_err *err)
{
	(void)svc; (void)v; (void)req;
	memset(out, 0, sizeof *out);
	return chat_not_built(err);
}

enum pss_err
chat_ask_stream(const struct svc *svc, const struct viewer *v, const struct chat_request *req,
    chat_chunk_fn chunk, void *arg, struct chat_answer *out, struct svc_err *err)
{
	(void)chunk; (void)arg;
	return chat_ask(svc, v, req, out, err);
}

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

struct json_object *
chat_answer_json(const struct chat_answer *a)
{
	struct json_object *o = json_object_new_object(), *src = json_object_new_array();

	json_object_object_add(o, "response", json_object_new_string(a->response ? a->response : ""));
	json_object_object_add(o, "sessionId", json_object_new_string(a->session_id));
	for (size_t i = 0; i < a->nsources; i++) {
		struct json_object *s = json_object_new_object();
		json_object_object_add(s, "type", json_object_new_string(chat_source_names[a->sources[i].type]));
		json_object_object_add(s, "id", json_object_new_int64(a->sources[i].id));
		json_object_object_add(s, "title", json_object_new_string(a->sources[i].title ? a->sources[i].title : ""));
		json_object_object_add(s, "url", json_object_new_string(a->sources[i].url ? a->sources[i].url : ""));
		json_object_array_add(src, s);
	}
	json_object_object_add(o, "sources", src);
	json_object_object_add(o, "model", json_object_new_string(a->model));
	if (a->fallback != NULL)
		json_object_object_add(o, "fallback", json_object_new_string(a->fallback));
	json_object_object_add(o, "historyId", json_object_new_int64(a->history_id));
	return o;
}
