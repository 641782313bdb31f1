/* pages-chat.c: the chat's pages: /chat (the question form, the asker's conversations newest
 * first, paginated and searchable, "ask about this script" by ?scriptId), a conversation
 * /chat/:id with its answers rendered as safe Markdown and their sources as links, the form's
 * POST (answer, store, redirect) and the deletes. The service is services/chat.h; the
 * streamed answer of chat.js is the API's POST /api/chat. docs/pages.md, "Chat". */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/library.h"
#include "handlers/pages.h"
#include "render/markdown.h"
#include "services/chat.h"

#define CHAT_PAGE_LIMIT 20
#define CHAT_PAGE_MAX 100000
#define CHAT_QUERY_MAX 200	/* bytes of a history search (the form's maxlength) */
#define PREVIEW_MAX 160		/* bytes of a conversation's preview in the list */

/* str_member: the string member name of o, or NULL (json_field_str, app.h). */
static const char *
str_member(struct json_object *o, const char *name)
{
	const char *s;
	size_t n;

	return json_field_str(o, name, NULL, &s, &n) == 1 ? s : NULL;
}

/* local_href: the source's address when it is a path of this site (the service gives
 * /docs/:id and /scripts/:id); NULL otherwise, and the source is shown without a link. */
static bool
local_href(const char *url)
{
	return url != NULL && page_local_path(url);
}

/* sources_decorate: each source gets href (a local path, or nothing) and typeLabel. */
static void
sources_decorate(struct json_object *sources)
{
	if (sources == NULL || !json_object_is_type(sources, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(sources); i++) {
		struct json_object *s = json_object_array_get_idx(sources, i);
		const char *url = str_member(s, "url"), *type = str_member(s, "type");

		if (!json_object_is_type(s, json_type_object))
			continue;
		if (local_href(url))
			json_object_object_add(s, "href", json_object_new_string(url));
		json_object_object_add(s, "typeLabel", json_object_new_string(type != NULL &&
		    strcmp(type, "script") == 0 ? "script" : "documentation"));
	}
}

/* answer_html: Markdown through the project's safe renderer (render/markdown.h: every byte
 * escaped, links only http(s), mailto or relative, PowerShell blocks highlighted); an
 * answer's "#" is an h3 under the message's h2. */
static struct json_object *
answer_html(const char *md)
{
	struct md_opts mo = { .heading_offset = 2 };
	struct buf html = BUF_INIT;
	struct json_object *o;

	md_render(&html, md, strlen(md), &mo);
	o = json_object_new_string_len(buf_cstr(&html), (int)html.len);
	buf_free(&html);
	return o;
}

/* conversation_decorate: the messages of chat_history_get's object ready for the template:
 * each answer's html, each source's href; the stored response as the last answer when the
 * messages end with the question. */
static void
conversation_decorate(struct json_object *conv)
{
	struct json_object *msgs, *last = NULL, *resp, *src;
	const char *role;

	if (!json_object_object_get_ex(conv, "messages", &msgs) || !json_object_is_type(msgs, json_type_array)) {
		msgs = json_object_new_array();
		json_object_object_add(conv, "messages", msgs);
	}
	if (json_object_array_length(msgs) > 0)
		last = json_object_array_get_idx(msgs, json_object_array_length(msgs) - 1);
	role = last != NULL ? str_member(last, "role") : NULL;
	if ((role == NULL || strcmp(role, "assistant") != 0) &&
	    json_object_object_get_ex(conv, "response", &resp) && json_object_is_type(resp, json_type_string) &&
	    json_object_get_string_len(resp) > 0) {
		struct json_object *a = json_object_new_object();

		json_object_object_add(a, "role", json_object_new_string("assistant"));
		json_object_object_add(a, "content", json_object_get(resp));
		if (json_object_object_get_ex(conv, "sources", &src))
			json_object_object_add(a, "sources", json_object_get(src));
		json_object_array_add(msgs, a);
	}
	for (size_t i = 0; i < json_object_array_length(msgs); i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i);
		const char *content = str_member(m, "content");

		role = str_member(m, "role");
		if (role == NULL || content == NULL)
			continue;
		if (strcmp(role, "user") != 0)
			json_object_object_add(m, "html", answer_html(content));
		if (json_object_object_get_ex(m, "sources", &src))
			sources_decorate(src);
	}
}

/* conversation_view: {conversation, maxChars} of the path's :id for the viewer; -1 after
 * answering (400 bad id, 404 not the viewer's). */
static int
conversation_view(struct http_ctx *c, struct json_object **out)
{
	struct viewer v = req_viewer(c);
	struct json_object *conv;
	int64_t id;
	enum pss_err e;

	*out = NULL;
	if ((id = req_path_id(c, "id", "id")) == 0)
		return -1;
	if ((e = chat_history_get(&c->app->svc, &v, id, &conv)) != PSS_OK) {
		error_from_svc(c, e, NULL, "Conversation not found.");
		return -1;
	}
	conversation_decorate(conv);
	*out = json_object_new_object();
	json_object_object_add(*out, "conversation", conv);
	json_object_object_add(*out, "maxChars", json_object_new_int(CHAT_MESSAGE_MAX));
	return 0;
}

/* preview_plain: an answer's first characters (the list's preview, Markdown) as one line of
 * plain text: emphasis and code marks, a fence's language and heading marks dropped, white
 * space collapsed, at most PREVIEW_MAX bytes (cut on a character, "…" after). The template
 * escapes it. */
static struct json_object *
preview_plain(const char *md)
{
	struct buf b = BUF_INIT;
	struct json_object *o;
	bool space = false;

	for (const char *p = md; *p && b.len < PREVIEW_MAX; p++) {
		if (strncmp(p, "```", 3) == 0) {
			p += 3;
			while (*p == '`' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
				p++;
			p--;
			space = b.len > 0;
			continue;
		}
		if (*p == '*' || *p == '`' || (*p == '#' && (p == md || p[-1] == '\n' || p[-1] == '#')))
			continue;
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_putc(&b, ' ');
		space = false;
		buf_putc(&b, *p);
	}
	if (b.len >= PREVIEW_MAX) {
		while (b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0xC0) == 0x80)
			b.len--;	/* a character's continuation bytes */
		if (b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0x80))
			b.len--;	/* and its lead byte */
		buf_puts(&b, "…");
	}
	o = json_object_new_string_len(b.len ? buf_cstr(&b) : "", (int)b.len);
	buf_free(&b);
	return o;
}

/* script_summary: {id, title} of a script object (taken). */
static struct json_object *
script_summary(struct json_object *script)
{
	struct json_object *s = json_object_new_object(), *m;

	if (json_object_object_get_ex(script, "id", &m))
		json_object_object_add(s, "id", json_object_get(m));
	if (json_object_object_get_ex(script, "title", &m))
		json_object_object_add(s, "title", json_object_get(m));
	json_object_put(script);
	return s;
}

/* index_view: the list (or the search ?q) of the viewer's conversations, ?page, and the
 * script of ?scriptId (404 when the viewer may not see it, as on its page); -1 after
 * answering. */
static int
index_view(struct http_ctx *c, struct json_object **out)
{
	struct viewer v = req_viewer(c);
	struct json_object *view = NULL, *script = NULL, *t;
	const char *q = http_query(c->req, "q");
	struct svc_err err = { 0 };
	int64_t page = 1, sid = 0, total;
	enum pss_err e;
	bool searching = q != NULL && *q != '\0';

	*out = NULL;
	if (req_query_int(c, "page", 1, CHAT_PAGE_MAX, &page) < 0 ||
	    req_query_int(c, "scriptId", 1, INT32_MAX, &sid) < 0)
		return -1;
	if (searching && strlen(q) > CHAT_QUERY_MAX) {
		field_error(c, "q", "q: at most 200 bytes.");
		return -1;
	}
	if (sid > 0 && view_script_by_id(c, sid, &script) != 0)
		return -1;
	e = searching ? chat_history_search(&c->app->svc, &v, q, NULL, page, CHAT_PAGE_LIMIT,
	    &view, &err) :
	    chat_history_list(&c->app->svc, &v, page, CHAT_PAGE_LIMIT, &view, &err);
	if (e != PSS_OK) {
		json_object_put(script);
		error_from_svc(c, e, &err, NULL);
		return -1;
	}
	if (searching && json_object_object_get_ex(view, "conversations", &t))
		view_snippets_html(t);	/* ts_headline's text escaped, its <mark>s kept */
	if (json_object_object_get_ex(view, "conversations", &t))
		for (size_t i = 0; i < json_object_array_length(t); i++) {
			struct json_object *it = json_object_array_get_idx(t, i);
			const char *pv = str_member(it, "preview");

			if (pv != NULL)
				json_object_object_add(it, "preview", preview_plain(pv));
		}
	if (script != NULL)
		json_object_object_add(view, "script", script_summary(script));
	total = json_object_object_get_ex(view, "total", &t) ? json_object_get_int64(t) : 0;
	json_object_object_add(view, "query", json_object_new_string(searching ? q : ""));
	json_object_object_add(view, "searching", json_object_new_boolean(searching));
	json_object_object_add(view, "hasHistory", json_object_new_boolean(searching || total > 0));
	json_object_object_add(view, "maxChars", json_object_new_int(CHAT_MESSAGE_MAX));
	*out = view;
	return 0;
}

/* GET /chat?q&page&scriptId */
void
h_page_chat(struct http_ctx *c)
{
	struct json_object *view;

	if (index_view(c, &view) == 0)
		json_reply(c, 200, view);
}

/* GET /chat/:id */
void
h_page_chat_show(struct http_ctx *c)
{
	struct json_object *view;

	if (conversation_view(c, &view) == 0)
		json_reply(c, 200, view);
}

/* The form's question: trimmed, CRLF as LF (a textarea sends CRLF), in request memory. */
static char *
form_question(struct http_ctx *c, const char *s, size_t *len)
{
	char *out = arena_alloc(c->req->arena, strlen(s) + 1), *w = out;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	for (; *s; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			*w++ = *s;
	while (w > out && (w[-1] == ' ' || w[-1] == '\t' || w[-1] == '\r' || w[-1] == '\n'))
		w--;
	*w = '\0';
	*len = (size_t)(w - out);
	return out;
}

/* keep_page: before answering a refusal of the form, what the page around it shows (the
 * conversation, or the list and the script asked about) goes to c->page_extra, so the form
 * is shown again in its page. A builder that fails answers into a scratch response: the
 * form is then shown alone. */
static void
keep_page(struct http_ctx *c, bool in_conversation, int64_t script_id)
{
	struct json_object *view = NULL, *script;
	struct http_ctx quiet = *c;
	struct response scratch;

	resp_init(&scratch);
	quiet.resp = &scratch;
	if ((in_conversation ? conversation_view(&quiet, &view) : index_view(&quiet, &view)) == 0) {
		if (script_id > 0 && view_script_by_id(&quiet, script_id, &script) == 0)
			json_object_object_add(view, "script", script_summary(script));
		c->page_extra = view;
	}
	resp_free(&scratch);
}

/* POST /chat (a new conversation; scriptId may name a script to ask about) and POST
 * /chat/:id (the next question of that conversation): the answer is stored, then 303 to
 * /chat/:historyId; a refusal shows the form again with the message and the question. */
void
h_page_chat_ask(struct http_ctx *c)
{
	struct viewer v = req_viewer(c);
	struct json_object *body, *conv = NULL, *view;
	struct chat_request req = { 0 };
	struct chat_message msg = { CHAT_ROLE_USER, NULL, 0 };
	struct chat_answer ans = { 0 };
	struct svc_err err = { 0 };
	const char *text, *sess;
	int64_t id = 0, sid = 0;
	bool in_conv = http_param(c->req, "id") != NULL;
	enum pss_err e;

	if (in_conv && (id = req_path_id(c, "id", "id")) == 0)
		return;
	if ((body = page_form_body(c)) == NULL)
		return;
	text = str_member(body, "message");
	if (text == NULL)
		text = "";
	msg.content = form_question(c, text, &msg.len);
	if (req_body_int(c, body, "scriptId", NULL, 1, INT32_MAX, &sid) < 0)
		goto out;
	if (in_conv) {
		/* the conversation must be the asker's (404 otherwise); its session continues */
		if ((e = chat_history_get(&c->app->svc, &v, id, &conv)) != PSS_OK) {
			error_from_svc(c, e, NULL, "Conversation not found.");
			goto out;
		}
		if ((sess = str_member(conv, "sessionId")) != NULL)
			snprintf(req.session_id, sizeof(req.session_id), "%s", sess);
	}
	if (msg.len == 0) {
		keep_page(c, in_conv, sid);
		field_error(c, "message", "Type a question first.");
		goto out;
	}
	if (msg.len > CHAT_MESSAGE_MAX) {
		keep_page(c, in_conv, sid);
		error_reply(c, 413, "payload_too_large", "The question is too long: at most 16 KB.", NULL);
		goto out;
	}
	req.messages = &msg;
	req.nmessages = 1;
	req.script_id = sid;
	if ((e = chat_request_check(&req, &err)) != PSS_OK ||
	    (e = chat_ask(&c->app->svc, &v, &req, &ans, &err)) != PSS_OK) {
		keep_page(c, in_conv, e == PSS_ENOTFOUND ? 0 : sid);
		if (e == PSS_EINVAL && err.field != NULL && strncmp(err.field, "messages", 8) == 0)
			field_error(c, "message", err.message != NULL ? err.message : "The question cannot be used.");
		else
			error_from_svc(c, e, &err, sid > 0 ? "Script not found." : "Conversation not found.");
		goto out;
	}
	view = json_object_new_object();
	json_object_object_add(view, "historyId", json_object_new_int64(in_conv ? id : ans.history_id));
	chat_answer_free(&ans);
	json_reply(c, 200, view);
out:
	json_object_put(c->page_extra);
	c->page_extra = NULL;
	json_object_put(conv);
	json_object_put(body);
}

/* POST /chat/:id/delete */
void
h_page_chat_delete(struct http_ctx *c)
{
	struct viewer v = req_viewer(c);
	int64_t id;
	enum pss_err e;

	if ((id = req_path_id(c, "id", "id")) == 0)
		return;
	if ((e = chat_history_delete(&c->app->svc, &v, id)) != PSS_OK) {
		error_from_svc(c, e, NULL, "Conversation not found.");
		return;
	}
	ok_reply(c, "The conversation was deleted.");
}

/* POST /chat/delete: every conversation of the asker. */
void
h_page_chat_delete_all(struct http_ctx *c)
{
	struct viewer v = req_viewer(c);
	int64_t n = 0;
	enum pss_err e;

	if ((e = chat_history_delete_all(&c->app->svc, &v, &n)) != PSS_OK) {
		error_from_svc(c, e, NULL, NULL);
		return;
	}
	ok_reply(c, "Your conversations were deleted.");
}
