/* embed.c: embeddings from a remote provider (an OpenAI-compatible API or the original AI
 * service): the request within the AI_* limits, the answer checked to be one vector of the
 * expected size and scaled to unit length (docs/search.md, "Providers") */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/core.h"
#include "ai/embed.h"
#include "ai/http.h"

const char *const ai_embed_apis[AI_EMBED__MAX] = { "openai", "psscript-ai" };

enum ai_outcome
ai_embed_parse(const char *body, size_t len, enum ai_embed_api api, int dims, float *out,
    char *why, size_t whysz)
{
	struct json_object *o, *v = NULL, *data;
	enum ai_outcome r = AI_BAD_ANSWER;
	double norm = 0;
	size_t n;

	memset(out, 0, sizeof(*out) * (size_t)dims);
	if ((o = ai_json_parse(body, len)) == NULL) {
		snprintf(why, whysz, "the answer (%zu bytes) is not JSON", len);
		return AI_BAD_JSON;
	}
	if (api == AI_EMBED_OPENAI) {
		if (json_object_object_get_ex(o, "data", &data) &&
		    json_object_is_type(data, json_type_array) && json_object_array_length(data) > 0)
			(void)json_object_object_get_ex(json_object_array_get_idx(data, 0), "embedding", &v);
	} else if (json_object_is_type(o, json_type_object))
		(void)json_object_object_get_ex(o, "embedding", &v);
	if (v == NULL || !json_object_is_type(v, json_type_array)) {
		snprintf(why, whysz, "the answer has no %s", api == AI_EMBED_OPENAI ?
		    "data[0].embedding array" : "embedding array");
		goto out;
	}
	if ((n = json_object_array_length(v)) != (size_t)dims) {
		snprintf(why, whysz, "a vector of %zu numbers, expected %d (EMBEDDING_DIMENSIONS)",
		    n, dims);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		double d;

		if (!json_object_is_type(e, json_type_double) && !json_object_is_type(e, json_type_int)) {
			snprintf(why, whysz, "element %zu of the vector is not a number", i);
			goto out;
		}
		d = json_object_get_double(e);
		if (!isfinite(d) || fabs(d) > 1e6) {
			snprintf(why, whysz, "element %zu of the vector is out of range", i);
			goto out;
		}
		norm += d * d;
	}
	if (!(norm > 0)) {
		snprintf(why, whysz, "the vector is all zero (or too small to scale)");
		goto out;
	}
	/* scaled from the numbers as sent (a number too small for a float is not rounded first) */
	norm = sqrt(norm);
	for (size_t i = 0; i < n; i++)
		out[i] = (float)(json_object_get_double(json_object_array_get_idx(v, i)) / norm);
	r = AI_OK;
out:
	if (r != AI_OK)
		memset(out, 0, sizeof(*out) * (size_t)dims);
	json_object_put(o);
	return r;
}

/* The request body. Caller frees. */
static char *
request_body(const struct ai_embed_target *t, const char *text, size_t len)
{
	struct json_object *o = json_object_new_object();
	size_t n = utf8_cut(text, len, AI_EMBED_MAX_INPUT);
	char *s;

	if (t->api == AI_EMBED_OPENAI) {
		json_object_object_add(o, "model", json_object_new_string(t->model));
		json_object_object_add(o, "input", json_object_new_string_len(text, (int)n));
		json_object_object_add(o, "encoding_format", json_object_new_string("float"));
		if (t->send_dims)
			json_object_object_add(o, "dimensions", json_object_new_int(t->dims));
	} else
		json_object_object_add(o, "content", json_object_new_string_len(text, (int)n));
	s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

enum ai_outcome
ai_embed(const struct conf *c, const struct ai_embed_target *t, const char *text, size_t len,
    float *out, char *why, size_t whysz)
{
	int64_t total = t->timeout_ms > 0 ? t->timeout_ms : c->ai_timeout_ms;
	struct ai_http_limits l = {
		.connect_timeout_ms = c->ai_connect_timeout_ms < total ? c->ai_connect_timeout_ms : total,
		.total_timeout_ms = total,
		.low_speed_bytes = c->ai_low_speed_bytes, .low_speed_ms = c->ai_low_speed_ms,
		.max_response_bytes = (size_t)c->ai_max_response_bytes, .max_redirects = -1,
	};
	struct ai_http_response resp;
	enum ai_outcome r;
	char *url, *body;

	memset(out, 0, sizeof(*out) * (size_t)t->dims);
	url = ai_endpoint(t->base_url, t->api == AI_EMBED_OPENAI ? "/embeddings" : "/embedding");
	body = request_body(t, text, len);
	r = ai_outcome_of_http(ai_http_post_json(url, t->key != NULL && t->key[0] != '\0' ?
	    t->key : NULL, body, &l, &resp));
	if (r != AI_OK)
		snprintf(why, whysz, "%s: %s", ai_outcome_name(r), resp.error);
	else if (resp.status < 200 || resp.status > 299) {
		r = AI_STATUS;
		snprintf(why, whysz, "status: HTTP status %ld", resp.status);
	} else {
		char what[200];

		if ((r = ai_embed_parse(resp.body.data, resp.body.len, t->api, t->dims, out, what,
		    sizeof(what))) != AI_OK)
			snprintf(why, whysz, "%s: %s", ai_outcome_name(r), what);
	}
	if (r != AI_OK)
		log_warn("ai: embedding by %s failed after %lld ms: %s", ai_embed_apis[t->api],
		    (long long)resp.elapsed_ms, why);
	ai_http_response_free(&resp);
	free(body);
	free(url);
	return r;
}
