/* ai.c: the analysis's prose from an optional AI provider: the prompt, the request within the
 * AI_* limits, the answer checked and cut to size, every outcome counted and failures logged */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "core/core.h"
#include "core/metrics.h"
#include "core/text.h"
#include "ai/ai.h"
#include "ai/http.h"

#define MAX_FINDINGS	40	/* findings listed in the prompt */
#define MAX_MESSAGE	200	/* bytes of one finding's message in the prompt */

static const char *const outcome_names[AI_OUTCOME__MAX] = {
	"ok", "refused", "timeout", "slow", "too_big", "redirect", "tls", "io", "status",
	"bad_json", "bad_answer",
};

_Static_assert(M_AI_BAD_ANSWER - M_AI_OK == AI_BAD_ANSWER - AI_OK,
    "the metrics counters follow enum ai_outcome");

const char *
ai_outcome_name(enum ai_outcome o)
{
	return (unsigned)o < AI_OUTCOME__MAX ? outcome_names[o] : "unknown";
}

bool
ai_configured(const struct conf *c)
{
	return c->ai_api_url[0] != '\0' || c->ai_service_url[0] != '\0';
}

void
ai_prose_free(struct ai_prose *p)
{
	free(p->purpose);
	for (size_t i = 0; i < p->nsuggestions; i++)
		free(p->suggestions[i]);
	memset(p, 0, sizeof(*p));
}

/* Plain text of one line from a model: valid UTF-8 or NULL; white space and control bytes
 * become single spaces, bidirectional controls are dropped, trimmed, cut to max bytes; NULL
 * when nothing is left. Caller frees. */
static char *
clean_text(const char *s, size_t max)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(s), tn;
	const char *t;
	char *out;

	if (!utf8_valid(s, n))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t cp;
		size_t bl = text_bidi_at(s + i, n - i, &cp);

		if (bl > 0) {
			i += bl - 1;
			continue;
		}
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			if (b.len > 0 && b.data[b.len - 1] != ' ')
				buf_putc(&b, ' ');
			continue;
		}
		buf_putc(&b, s[i]);
	}
	t = text_trim(buf_cstr(&b), &tn);
	tn = utf8_cut(t, tn, max);
	out = tn > 0 ? xstrndup(t, tn) : NULL;
	buf_free(&b);
	return out;
}

/* The prose of an object {purpose, suggestions}: AI_BAD_ANSWER when it has neither. */
static enum ai_outcome
prose_of(struct json_object *o, struct ai_prose *out)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object))
		return AI_BAD_ANSWER;
	if (json_object_object_get_ex(o, "purpose", &v) && json_object_is_type(v, json_type_string))
		out->purpose = clean_text(json_object_get_string(v), AI_MAX_PURPOSE);
	if (json_object_object_get_ex(o, "suggestions", &v) && json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v) &&
		    out->nsuggestions < AI_MAX_SUGGESTIONS; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);
			char *t;

			if (json_object_is_type(e, json_type_string) &&
			    (t = clean_text(json_object_get_string(e), AI_MAX_SUGGESTION)) != NULL)
				out->suggestions[out->nsuggestions++] = t;
		}
	if (out->purpose == NULL && out->nsuggestions == 0)
		return AI_BAD_ANSWER;
	return AI_OK;
}

struct json_object *
ai_json_parse(const char *s, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (len > INT32_MAX || (tok = json_tokener_new_ex(64)) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o != NULL && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	/* only white space may follow, within len (s need not be NUL-terminated there) */
	for (size_t i = o != NULL ? json_tokener_get_parse_end(tok) : len; i < len; i++)
		if (strchr(" \t\r\n", s[i]) == NULL || s[i] == '\0') {
			json_object_put(o);
			o = NULL;
			break;
		}
	json_tokener_free(tok);
	return o;
}

/* The model's message content without a ``` fence (```json … ```) around it. */
static const char *
unfence(const char *s, size_t *n)
{
	const char *t = text_trim(s, n), *nl;

	if (*n >= 6 && strncmp(t, "```", 3) == 0 && strncmp(t + *n - 3, "```", 3) == 0 &&
	    (nl = memchr(t, '\n', *n)) != NULL && nl < t + *n - 3) {
		*n = (size_t)(t + *n - 3 - (nl + 1));
		return nl + 1;
	}
	return t;
}

enum ai_outcome
ai_prose_parse(const char *body, size_t len, bool llm, struct ai_prose *out)
{
	struct json_object *o, *choices, *msg, *content, *inner = NULL;
	enum ai_outcome r;

	memset(out, 0, sizeof(*out));
	if ((o = ai_json_parse(body, len)) == NULL)
		return AI_BAD_JSON;
	if (!llm) {
		r = prose_of(o, out);
		goto out;
	}
	r = AI_BAD_ANSWER;
	if (json_object_object_get_ex(o, "choices", &choices) &&
	    json_object_is_type(choices, json_type_array) &&
	    json_object_array_length(choices) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(choices, 0), "message", &msg) &&
	    json_object_object_get_ex(msg, "content", &content) &&
	    json_object_is_type(content, json_type_string)) {
		size_t n;
		const char *c = unfence(json_object_get_string(content), &n);

		if ((inner = ai_json_parse(c, n)) != NULL)
			r = prose_of(inner, out);
	}
out:
	if (r != AI_OK)
		ai_prose_free(out);
	json_object_put(inner);
	json_object_put(o);
	return r;
}

/* The findings of one list of the analysis object, one prompt line each, while *left > 0. */
static void
prompt_findings(struct buf *b, struct json_object *analysis, const char *list, int *left)
{
	struct json_object *arr, *f, *v;

	if (!json_object_object_get_ex(analysis, list, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr) && *left > 0; i++, (*left)--) {
		const char *msg = "", *rule = "", *sev = "";
		int line = 0;

		f = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(f, "message", &v))
			msg = json_object_get_string(v);
		if (json_object_object_get_ex(f, "ruleId", &v))
			rule = json_object_get_string(v);
		if (json_object_object_get_ex(f, "severity", &v))
			sev = json_object_get_string(v);
		if (json_object_object_get_ex(f, "line", &v))
			line = json_object_get_int(v);
		buf_printf(b, "- [%s] %s, line %d: %.*s\n", sev, rule, line,
		    (int)utf8_cut(msg, strlen(msg), MAX_MESSAGE), msg);
	}
}

/* The user message: what the analyzer found, then the script (cut to max bytes). */
static void
prompt_user(struct buf *b, const struct ai_ask *q, size_t max)
{
	static const char *const lists[] = {
		"securityIssues", "potentialRisks", "bestPracticeViolations", "performanceInsights",
	};
	struct json_object *v;
	size_t n = utf8_cut(q->content, q->len, max);
	int left = MAX_FINDINGS;

	buf_printf(b, "File: %s\n", q->file_name != NULL ? q->file_name : "script.ps1");
	if (json_object_object_get_ex(q->analysis, "purpose", &v))
		buf_printf(b, "The analyzer's purpose: %s\n", json_object_get_string(v));
	buf_puts(b, "Scores (0-10): security ");
	buf_puts(b, json_object_object_get_ex(q->analysis, "securityScore", &v) ?
	    json_object_get_string(v) : "?");
	buf_puts(b, ", code quality ");
	buf_puts(b, json_object_object_get_ex(q->analysis, "codeQualityScore", &v) ?
	    json_object_get_string(v) : "?");
	buf_puts(b, ", risk (higher is worse) ");
	buf_puts(b, json_object_object_get_ex(q->analysis, "riskScore", &v) ?
	    json_object_get_string(v) : "?");
	buf_puts(b, "\nFindings:\n");
	for (size_t i = 0; i < PSS_ARRAY_LEN(lists); i++)
		prompt_findings(b, q->analysis, lists[i], &left);
	if (left == MAX_FINDINGS)
		buf_puts(b, "(none)\n");
	buf_printf(b, "Script%s:\n```powershell\n", n < q->len ? " (cut short)" : "");
	buf_append(b, q->content, n);
	buf_puts(b, "\n```\n");
}

static const char system_prompt[] =
	"You review PowerShell scripts. A deterministic analyzer has already scored the script "
	"and listed its findings; they stand and are shown to the reader beside your text. "
	"Answer with one JSON object and nothing else: {\"purpose\": \"what the script does and "
	"why, in one to three plain sentences\", \"suggestions\": [\"up to 5 concrete improvements "
	"the findings do not already say, one sentence each\"]}. No markdown.";

/* The request body for the configured provider. Caller frees. */
static char *
request_body(const struct conf *c, const struct ai_ask *q, bool llm)
{
	struct json_object *o = json_object_new_object();
	struct buf user = BUF_INIT;
	char *s;

	if (llm) {
		struct json_object *msgs = json_object_new_array(), *m;

		prompt_user(&user, q, (size_t)c->ai_max_prompt_bytes);
		m = json_object_new_object();
		json_object_object_add(m, "role", json_object_new_string("system"));
		json_object_object_add(m, "content", json_object_new_string(system_prompt));
		json_object_array_add(msgs, m);
		m = json_object_new_object();
		json_object_object_add(m, "role", json_object_new_string("user"));
		json_object_object_add(m, "content", json_object_new_string_len(user.data, (int)user.len));
		json_object_array_add(msgs, m);
		json_object_object_add(o, "model", json_object_new_string(c->ai_model));
		json_object_object_add(o, "messages", msgs);
		json_object_object_add(o, "temperature", json_object_new_double(0.2));
		json_object_object_add(o, "max_tokens", json_object_new_int(800));
	} else {
		/* the original service's ScriptAnalysisRequest, with the built-in analysis along */
		size_t n = utf8_cut(q->content, q->len, (size_t)c->ai_max_prompt_bytes);

		json_object_object_add(o, "content", json_object_new_string_len(q->content, (int)n));
		json_object_object_add(o, "script_name", json_object_new_string(
		    q->file_name != NULL ? q->file_name : "script.ps1"));
		json_object_object_add(o, "script_id", json_object_new_int64(q->script_id));
		json_object_object_add(o, "builtin_analysis", json_object_get(q->analysis));
	}
	s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	buf_free(&user);
	return s;
}

enum ai_outcome
ai_outcome_of_http(enum ai_http_err e)
{
	switch (e) {
	case AI_HTTP_OK:	return AI_OK;
	case AI_HTTP_EREFUSED:	return AI_REFUSED;
	case AI_HTTP_ETIMEOUT:	return AI_TIMEOUT;
	case AI_HTTP_ESLOW:	return AI_SLOW;
	case AI_HTTP_ETOOBIG:	return AI_TOO_BIG;
	case AI_HTTP_EREDIRECT:	return AI_REDIRECT;
	case AI_HTTP_ETLS:	return AI_TLS;
	default:		return AI_IO;
	}
}

char *
ai_endpoint(const char *base, const char *path)
{
	size_t n = strlen(base);
	struct buf b = BUF_INIT;

	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_append(&b, base, n);
	buf_puts(&b, path);
	return buf_detach(&b);
}

enum ai_outcome
ai_prose_ask(const struct conf *c, const struct ai_ask *q, struct ai_prose *out)
{
	bool llm = c->ai_api_url[0] != '\0';
	struct ai_http_limits l = {
		/* the connect is part of the whole request: never longer than it */
		.connect_timeout_ms = c->ai_connect_timeout_ms < c->ai_timeout_ms ?
		    c->ai_connect_timeout_ms : c->ai_timeout_ms,
		.total_timeout_ms = c->ai_timeout_ms,
		.low_speed_bytes = c->ai_low_speed_bytes, .low_speed_ms = c->ai_low_speed_ms,
		.max_response_bytes = (size_t)c->ai_max_response_bytes, .max_redirects = -1,
	};
	struct ai_http_response resp;
	enum ai_http_err he;
	enum ai_outcome r;
	char *url, *body, why[300];

	memset(out, 0, sizeof(*out));
	url = ai_endpoint(llm ? c->ai_api_url : c->ai_service_url, llm ? "/chat/completions" : "/analyze");
	body = request_body(c, q, llm);
	he = ai_http_post_json(url, llm && c->ai_api_key[0] != '\0' ? c->ai_api_key : NULL, body,
	    &l, &resp);
	r = ai_outcome_of_http(he);
	if (r != AI_OK)
		snprintf(why, sizeof(why), "%s", resp.error);
	else if (resp.status < 200 || resp.status > 299) {
		r = AI_STATUS;
		snprintf(why, sizeof(why), "HTTP status %ld", resp.status);
	} else if ((r = ai_prose_parse(resp.body.data, resp.body.len, llm, out)) != AI_OK)
		snprintf(why, sizeof(why), r == AI_BAD_JSON ? "the answer (%zu bytes) is not JSON" :
		    "the answer (%zu bytes) has no purpose or suggestions", resp.body.len);
	if (r == AI_OK && llm)
		snprintf(out->provider, sizeof(out->provider), "llm:%s", c->ai_model);
	else if (r == AI_OK)
		snprintf(out->provider, sizeof(out->provider), "ai-service");
	metrics_add((enum metric_counter)(M_AI_OK + r), 1);
	if (r == AI_OK)
		log_info("ai: script %lld: %s answered in %lld ms", (long long)q->script_id,
		    out->provider, (long long)resp.elapsed_ms);
	else
		log_warn("ai: script %lld: %s failed (%s) after %lld ms: %s; the built-in analysis "
		    "stands", (long long)q->script_id, llm ? "the chat API" : "the AI service",
		    ai_outcome_name(r), (long long)resp.elapsed_ms, why);
	ai_http_response_free(&resp);
	free(body);
	free(url);
	return r;
}

/* ---- the chat's completions (services/chat.c) ---- */

bool
ai_chat_configured(const struct conf *c)
{
	return c->ai_api_url[0] != '\0';
}

/* A streamed completion's Server-Sent Events: each "data: {json}" line's
 * choices[0].delta.content goes to fn and into text; "data: [DONE]" ends it. */
struct chat_sse {
	ai_chat_delta_fn fn;
	void		*arg;
	struct buf	 line, text;
	bool		 bad;
};

static void
sse_line(struct chat_sse *s, const char *l, size_t n)
{
	struct json_object *o, *v;

	if (n < 5 || memcmp(l, "data:", 5) != 0)
		return;	/* event:, id:, a comment, the blank line between events */
	l += 5;
	n -= 5;
	while (n > 0 && l[0] == ' ') {
		l++;
		n--;
	}
	if (n == 6 && memcmp(l, "[DONE]", 6) == 0)
		return;
	if ((o = ai_json_parse(l, n)) == NULL) {
		s->bad = true;
		return;
	}
	if (json_object_object_get_ex(o, "choices", &v) && (v = json_object_array_get_idx(v, 0)) != NULL &&
	    json_object_object_get_ex(v, "delta", &v) && json_object_object_get_ex(v, "content", &v) &&
	    json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0) {
		buf_append(&s->text, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		s->fn(s->arg, json_object_get_string(v), (size_t)json_object_get_string_len(v));
	}
	json_object_put(o);
}

static int
on_sse(void *arg, const char *p, size_t len)
{
	struct chat_sse *s = arg;

	for (size_t i = 0; i < len; i++) {
		if (p[i] != '\n') {
			buf_putc(&s->line, p[i]);
			continue;
		}
		if (s->line.len > 0 && s->line.data[s->line.len - 1] == '\r')
			s->line.len--;
		sse_line(s, s->line.data != NULL ? s->line.data : "", s->line.len);
		buf_reset(&s->line);
	}
	return 0;
}

/* One completion, streamed when sse is not NULL (ai_chat_complete, ai_chat_stream). */
static enum ai_outcome
chat_request(const struct conf *c, struct json_object *messages, int64_t timeout_ms,
    struct chat_sse *sse, char **text, char *why, size_t whysz)
{
	int64_t total = timeout_ms > 0 && timeout_ms < c->ai_timeout_ms ? timeout_ms : c->ai_timeout_ms;
	struct ai_http_limits l = {
		.connect_timeout_ms = c->ai_connect_timeout_ms < total ? c->ai_connect_timeout_ms : total,
		.total_timeout_ms = total,
		.low_speed_bytes = c->ai_low_speed_bytes, .low_speed_ms = c->ai_low_speed_ms,
		.max_response_bytes = (size_t)c->ai_max_response_bytes, .max_redirects = -1,
	};
	struct json_object *o = json_object_new_object(), *reply = NULL, *v;
	struct ai_http_response resp;
	struct ai_http_request rq;
	enum ai_outcome r;
	char *url;

	*text = NULL;
	why[0] = '\0';
	json_object_object_add(o, "model", json_object_new_string(c->ai_model));
	json_object_object_add(o, "messages", json_object_get(messages));
	json_object_object_add(o, "temperature", json_object_new_double(0.2));
	json_object_object_add(o, "max_tokens", json_object_new_int(900));
	if (sse != NULL)
		json_object_object_add(o, "stream", json_object_new_boolean(1));
	url = ai_endpoint(c->ai_api_url, "/chat/completions");
	rq = (struct ai_http_request){ .method = "POST", .url = url,
	    .bearer = c->ai_api_key[0] != '\0' ? c->ai_api_key : NULL,
	    .body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    .content_type = "application/json", .limits = l,
	    .on_data = sse != NULL ? on_sse : NULL, .on_data_arg = sse };
	rq.body_len = strlen(rq.body);
	r = ai_outcome_of_http(ai_http_do(&rq, &resp));
	if (r != AI_OK)
		snprintf(why, whysz, "%s", resp.error);
	else if (resp.status < 200 || resp.status > 299) {
		r = AI_STATUS;
		snprintf(why, whysz, "HTTP status %ld", resp.status);
	} else if (sse != NULL && resp.content_type != NULL &&
	    strncasecmp(resp.content_type, "text/event-stream", 17) == 0) {
		if (sse->line.len > 0)	/* a last line without its newline */
			on_sse(sse, "\n", 1);
		if (sse->bad) {
			r = AI_BAD_JSON;
			snprintf(why, whysz, "an event of the stream is not JSON");
		} else if (sse->text.len == 0 || !utf8_valid(sse->text.data, sse->text.len)) {
			r = AI_BAD_ANSWER;
			snprintf(why, whysz, "the stream has no message content in UTF-8");
		} else
			*text = xstrndup(sse->text.data, sse->text.len);
	} else if ((reply = ai_json_parse(resp.body.data, resp.body.len)) == NULL) {
		r = AI_BAD_JSON;
		snprintf(why, whysz, "the answer (%zu bytes) is not JSON", resp.body.len);
	} else if (!json_object_object_get_ex(reply, "choices", &v) ||
	    (v = json_object_array_get_idx(v, 0)) == NULL ||
	    !json_object_object_get_ex(v, "message", &v) ||
	    !json_object_object_get_ex(v, "content", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0 ||
	    !utf8_valid(json_object_get_string(v), (size_t)json_object_get_string_len(v))) {
		r = AI_BAD_ANSWER;
		snprintf(why, whysz, "the answer has no message content in UTF-8");
	} else {
		*text = xstrdup(json_object_get_string(v));
		if (sse != NULL)	/* a server that did not stream: the whole answer at once */
			sse->fn(sse->arg, *text, strlen(*text));
	}
	metrics_add((enum metric_counter)(M_AI_OK + r), 1);
	if (r == AI_OK)
		log_info("ai: chat: llm:%s answered in %lld ms%s", c->ai_model,
		    (long long)resp.elapsed_ms, sse != NULL ? " (streamed)" : "");
	else
		log_warn("ai: chat: the chat API failed (%s) after %lld ms: %s; the extractive answer "
		    "stands", ai_outcome_name(r), (long long)resp.elapsed_ms, why);
	json_object_put(reply);
	json_object_put(o);
	ai_http_response_free(&resp);
	free(url);
	return r;
}

enum ai_outcome
ai_chat_complete(const struct conf *c, struct json_object *messages, int64_t timeout_ms,
    char **text, char *why, size_t whysz)
{
	return chat_request(c, messages, timeout_ms, NULL, text, why, whysz);
}

enum ai_outcome
ai_chat_stream(const struct conf *c, struct json_object *messages, int64_t timeout_ms,
    ai_chat_delta_fn fn, void *arg, char **text, char *why, size_t whysz)
{
	struct chat_sse s = { .fn = fn, .arg = arg, .line = BUF_INIT, .text = BUF_INIT };
	enum ai_outcome r = chat_request(c, messages, timeout_ms, &s, text, why, whysz);

	buf_free(&s.line);
	buf_free(&s.text);
	return r;
}
