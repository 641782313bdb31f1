/* test-chat.c: the chat API (issue 17, docs/chat.md) against the harness's stack with the
 * shipped reference imported: the extractive answer and its sources, "nothing fits", every
 * bad input of the issue, a script's answer and its privacy across users, the history (list,
 * get, continue, save, search, delete, cascade with the user), Server-Sent Events, the model
 * path and its failures against the loopback stand-in (tests/standin/ai-standin.py), and the
 * question set tests/data/chat-questions.tsv scored */
#include "config.h"


#include "integration/itest-auth.h"
#include "standin/standin.h"

#ifndef PSS_TOP_SRCDIR
#define PSS_TOP_SRCDIR "."
#endif

#define SECRET "Zqxvelociraptor"	/* a word only the owner's private script holds */

static struct acct owner, other, admin;
static long long private_id;

/* num: a count psql answered, 0 when it answered nothing. */
static long long
num(const char *v)
{
	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

static long long
history_rows(const struct acct *a)
{
	return num(it_psqlf("SELECT count(*) FROM chat_history WHERE user_id = %lld", a->id));
}

/* ask: POST /api/chat with one question (and a scriptId when > 0) as a */
static int
ask(struct it_resp *r, const struct acct *a, const char *question, long long script_id)
{
	struct json_object *b = json_object_new_object(), *msgs = json_object_new_array(),
	    *m = json_object_new_object();
	int rc;

	json_object_object_add(m, "role", json_object_new_string("user"));
	json_object_object_add(m, "content", json_object_new_string(question));
	json_object_array_add(msgs, m);
	json_object_object_add(b, "messages", msgs);
	if (script_id > 0)
		json_object_object_add(b, "scriptId", json_object_new_int64(script_id));
	rc = it_json(r, "POST", "/api/chat", a != NULL ? a->token : NULL,
	    json_object_to_json_string(b));
	json_object_put(b);
	return rc;
}

/* whether the answer's sources hold one of type titled title (any title when NULL) or id */
static bool
has_source(const struct it_resp *r, const char *type, const char *title, long long id)
{
	struct json_object *arr, *v;

	if (r->json == NULL || !json_object_object_get_ex(r->json, "sources", &arr))
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);

		if (!json_object_object_get_ex(s, "type", &v) || strcmp(json_object_get_string(v), type) != 0)
			continue;
		if (title != NULL && json_object_object_get_ex(s, "title", &v) &&
		    strcmp(json_object_get_string(v), title) == 0)
			return true;
		if (id > 0 && json_object_object_get_ex(s, "id", &v) && json_object_get_int64(v) == id)
			return true;
	}
	return false;
}

static void
setup(void)
{
	struct it_resp r;
	char body[1024];

	T_EQ(acct_register(&owner, "chatown"), 0);
	T_EQ(acct_register(&other, "chatoth"), 0);
	T_EQ(acct_admin(&admin, "chatadm"), 0);
	/* the shipped reference, once per stack */
	if (num(it_psqlf("SELECT count(*) FROM documentation WHERE content_type = 'cmdlet'")) < 100)
		T_EQ(it_run("\"$PSS_BIN/psscript\" docs import \"%s/data/powershell-docs\" >/dev/null",
		    PSS_TOP_SRCDIR), 0);
	/* the owner's private script, analysed and embedded */
	snprintf(body, sizeof(body), "{\"title\":\"" SECRET " service restarter\",\"content\":"
	    "\"# " SECRET ": restarts the spooler service\\nparam([string]$Name = 'Spooler')\\n"
	    "Restart-Service -Name $Name -Force\\nInvoke-Expression $env:" SECRET "\\n\","
	    "\"description\":\"Restarts the " SECRET " print spooler service\",\"isPublic\":false}");
	T_EQ(it_json(&r, "POST", "/api/scripts", owner.token, body), 0);
	T_EQ(r.status, 201);
	private_id = strtoll(it_str(&r, "script.id") ?: it_str(&r, "id") ?: "0", NULL, 10);
	it_resp_free(&r);
	T_ASSERT(private_id > 0);
}

static void
wait_analysis_and_embedding(void)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM script_analysis WHERE script_id = %lld", private_id);
	T_STREQ(it_poll_sql(sql, "1", 60), "1");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM script_embeddings WHERE script_id = %lld", private_id);
	T_STREQ(it_poll_sql(sql, "1", 60), "1");
}

static void
test_anonymous_is_401(void)
{
	struct it_resp r;

	T_EQ(ask(&r, NULL, "How do I stop a service?", 0), 0);
	check_error(&r, 401, "unauthorized");
	it_resp_free(&r);
	T_EQ(status_of("GET", "/api/chat/history", NULL, NULL), 401);
	T_EQ(status_of("DELETE", "/api/chat/history", NULL, NULL), 401);
}

static void
test_extractive_answer_has_cmdlet_syntax_example_and_sources(void)
{
	struct it_resp r;
	const char *resp, *sid;

	T_EQ(ask(&r, &owner, "How do I stop a service?", 0), 0);
	T_EQ(r.status, 200);
	resp = it_str(&r, "response");
	T_CONTAINS(resp, "**Stop-Service**");
	T_CONTAINS(resp, "Stops one or more running services");
	T_CONTAINS(resp, "**Syntax:**");
	T_CONTAINS(resp, "```powershell\nStop-Service");
	T_CONTAINS(resp, "**Example**");
	T_CONTAINS(resp, "**Related cmdlets:**");
	T_ASSERT(has_source(&r, "doc", "Stop-Service", 0));
	T_CONTAINS(it_str(&r, "sources.0.url"), "/docs/");
	T_STREQ(it_str(&r, "model"), "extractive");
	T_ASSERT((sid = it_str(&r, "sessionId")) != NULL && strlen(sid) == 36);
	T_ASSERT(it_str(&r, "fallback") == NULL);
	it_resp_free(&r);
	/* a cmdlet named by its alias */
	T_EQ(ask(&r, &owner, "what does gci do", 0), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(it_str(&r, "response"), "**Get-ChildItem**");
	it_resp_free(&r);
}

static void
test_nothing_fits_is_said_plainly(void)
{
	struct it_resp r;
	struct json_object *src;

	T_EQ(ask(&r, &owner, "xyzzy plugh frobnicate quux", 0), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(it_str(&r, "response"), "I found no cmdlet or page");
	T_ASSERT(json_object_object_get_ex(r.json, "sources", &src) && json_object_array_length(src) == 0);
	it_resp_free(&r);
}

/* every bad input of the issue: a 400 naming the field, and nothing stored */
static void
test_bad_input_is_a_clear_400_and_nothing_is_stored(void)
{
	static const struct { const char *body, *field; } bad[] = {
		{ "{}", "messages" },
		{ "{\"messages\":[]}", "messages" },
		{ "{\"messages\":\"hello\"}", "messages" },
		{ "{\"messages\":[\"hello\"]}", "messages" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":42}]}", "messages" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":null}]}", "messages" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}", "messages" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\" \\n\\t \"}]}", "messages" },
		{ "{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}", "messages" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"a\\u0000b\"}]}", "messages" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"x\"}]}",
		  "messages" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"sessionId\":\"not-a-uuid\"}", "sessionId" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"sessionId\":5}", "sessionId" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"scriptId\":\"abc\"}", "scriptId" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"scriptId\":-3}", "scriptId" },
	};
	long long before = history_rows(&owner);
	struct it_resp r;
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		T_EQ(it_json(&r, "POST", "/api/chat", owner.token, bad[i].body), 0);
		T_ASSERTF(r.status == 400, "%s: %ld", bad[i].body, r.status);
		T_STREQ(it_str(&r, "error"), "validation_error");
		T_STREQ(it_str(&r, "details.0.field"), bad[i].field);
		it_resp_free(&r);
	}
	/* not JSON */
	T_EQ(it_json(&r, "POST", "/api/chat", owner.token, "{messages"), 0);
	T_EQ(r.status, 400);
	it_resp_free(&r);
	/* 1 MB of text in one message */
	buf_puts(&b, "{\"messages\":[{\"role\":\"user\",\"content\":\"");
	for (int i = 0; i < 1024 * 1024; i++)
		buf_putc(&b, 'a');
	buf_puts(&b, "\"}]}");
	T_EQ(it_json(&r, "POST", "/api/chat", owner.token, b.data), 0);
	T_EQ(r.status, 400);
	T_CONTAINS(it_str(&r, "message"), "16,384 bytes");
	it_resp_free(&r);
	/* 500 messages */
	buf_reset(&b);
	buf_puts(&b, "{\"messages\":[");
	for (int i = 0; i < 500; i++)
		buf_printf(&b, "%s{\"role\":\"user\",\"content\":\"q%d\"}", i ? "," : "", i);
	buf_puts(&b, "]}");
	T_EQ(it_json(&r, "POST", "/api/chat", owner.token, b.data), 0);
	T_EQ(r.status, 400);
	T_CONTAINS(it_str(&r, "message"), "at most 50 messages");
	it_resp_free(&r);
	/* 40 messages of 2 KB: each within its cap, together past 64 KB */
	buf_reset(&b);
	buf_puts(&b, "{\"messages\":[");
	for (int i = 0; i < 40; i++) {
		buf_printf(&b, "%s{\"role\":\"user\",\"content\":\"", i ? "," : "");
		for (int k = 0; k < 2000; k++)
			buf_putc(&b, 'b');
		buf_puts(&b, "\"}");
	}
	buf_puts(&b, "]}");
	T_EQ(it_json(&r, "POST", "/api/chat", owner.token, b.data), 0);
	T_EQ(r.status, 400);
	T_CONTAINS(it_str(&r, "message"), "65,536 bytes");
	it_resp_free(&r);
	buf_free(&b);
	T_EQ(history_rows(&owner), before);
}

static void
test_script_answer_and_privacy_across_users(void)
{
	struct it_resp r, r2;
	char missing[64];

	wait_analysis_and_embedding();
	T_EQ(ask(&r, &owner, "What does this script do?", private_id), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(it_str(&r, "response"), "About the script **" SECRET);
	T_CONTAINS(it_str(&r, "response"), "**Purpose:**");
	T_CONTAINS(it_str(&r, "response"), "Findings and how to fix them");
	T_CONTAINS(it_str(&r, "response"), "Invoke-Expression");
	T_ASSERT(has_source(&r, "script", NULL, private_id));
	T_ASSERT(has_source(&r, "doc", "Restart-Service", 0));
	it_resp_free(&r);
	/* another user, and an admin (the chat's reach is a user's): 404, as for no script */
	T_EQ(ask(&r, &other, "What does this script do?", private_id), 0);
	check_error(&r, 404, "not_found");
	snprintf(missing, sizeof(missing), "%lld", private_id + 100000);
	T_EQ(ask(&r2, &other, "What does this script do?", private_id + 100000), 0);
	check_error(&r2, 404, "not_found");
	T_STREQ(it_str(&r, "message"), it_str(&r2, "message"));
	it_resp_free(&r);
	it_resp_free(&r2);
	T_EQ(ask(&r, &admin, "What does this script do?", private_id), 0);
	T_EQ(r.status, 404);
	it_resp_free(&r);
	/* similar scripts: the owner's own private one is offered to the owner only */
	T_EQ(ask(&r, &owner, "restart the " SECRET " print spooler service", 0), 0);
	T_EQ(r.status, 200);
	T_ASSERT(has_source(&r, "script", NULL, private_id));
	it_resp_free(&r);
	T_EQ(ask(&r, &other, "restart the " SECRET " print spooler service", 0), 0);
	T_EQ(r.status, 200);
	T_ASSERT(!has_source(&r, "script", NULL, private_id));
	T_ASSERT(strstr(r.body, SECRET " service restarter") == NULL);
	it_resp_free(&r);
}

static void
test_history_is_private_paginated_and_searchable(void)
{
	struct it_resp r;
	char path[128], sid[40], body[512];
	long long id, n;

	T_EQ(it_json(&r, "DELETE", "/api/chat/history", owner.token, NULL), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_EQ(ask(&r, &owner, "How do I sort objects by a property?", 0), 0);
	T_EQ(r.status, 200);
	snprintf(sid, sizeof(sid), "%s", it_str(&r, "sessionId"));
	id = strtoll(it_str(&r, "historyId") ?: "0", NULL, 10);
	it_resp_free(&r);
	T_ASSERT(id > 0);
	/* one message with the sessionId continues the stored conversation */
	snprintf(body, sizeof(body), "{\"sessionId\":\"%s\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"and how do I pick the first 5?\"}]}", sid);
	T_EQ(it_json(&r, "POST", "/api/chat", owner.token, body), 0);
	T_EQ(r.status, 200);
	T_EQ(strtoll(it_str(&r, "historyId") ?: "0", NULL, 10), id);
	it_resp_free(&r);
	T_EQ(ask(&r, &owner, "How do I wait for a process to finish?", 0), 0);
	it_resp_free(&r);
	/* newest first; paginated */
	for (int i = 0; i < WORKER_ROUNDS; i++) {	/* each worker reads (and caches) the page */
		T_EQ(it_json(&r, "GET", "/api/chat/history?limit=1", owner.token, NULL), 0);
		T_STREQ(it_str(&r, "total"), "2");
		it_resp_free(&r);
	}
	T_EQ(it_json(&r, "GET", "/api/chat/history?limit=1", owner.token, NULL), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(it_str(&r, "conversations.0.title"), "wait for a process");
	T_STREQ(it_str(&r, "total"), "2");
	T_STREQ(it_str(&r, "totalPages"), "2");
	it_resp_free(&r);
	T_EQ(it_json(&r, "GET", "/api/chat/history?limit=1&page=2", owner.token, NULL), 0);
	T_CONTAINS(it_str(&r, "conversations.0.title"), "sort objects");
	T_STREQ(it_str(&r, "conversations.0.messageCount"), "4");
	it_resp_free(&r);
	/* the conversation: every turn, the answers with their sources */
	snprintf(path, sizeof(path), "/api/chat/history/%lld", id);
	T_EQ(it_json(&r, "GET", path, owner.token, NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "conversation.messages.1.role"), "assistant");
	T_CONTAINS(it_str(&r, "conversation.messages.1.content"), "Sort-Object");
	T_STREQ(it_str(&r, "conversation.messages.1.sources.0.type"), "doc");
	T_CONTAINS(it_str(&r, "conversation.messages.3.content"), "Select-Object");
	it_resp_free(&r);
	/* not another user's (nor an admin's) */
	T_EQ(status_of("GET", path, other.token, NULL), 404);
	T_EQ(status_of("GET", path, admin.token, NULL), 404);
	T_EQ(status_of("DELETE", path, other.token, NULL), 404);
	T_EQ(it_json(&r, "GET", "/api/chat/history", other.token, NULL), 0);
	T_ASSERT(strstr(r.body, "sort objects") == NULL);
	it_resp_free(&r);
	/* search over the owner's own */
	T_EQ(it_json(&r, "GET", "/api/chat/history/search?q=sort", owner.token, NULL), 0);
	T_EQ(r.status, 200);
	T_STREQ(it_str(&r, "total"), "1");
	T_EQ(strtoll(it_str(&r, "conversations.0.id") ?: "0", NULL, 10), id);
	it_resp_free(&r);
	T_EQ(it_json(&r, "GET", "/api/chat/history/search?q=sort", other.token, NULL), 0);
	T_STREQ(it_str(&r, "total"), "0");
	it_resp_free(&r);
	/* bad list input */
	T_EQ(status_of("GET", "/api/chat/history?page=0", owner.token, NULL), 400);
	T_EQ(status_of("GET", "/api/chat/history?limit=101", owner.token, NULL), 400);
	T_EQ(status_of("GET", "/api/chat/history/search", owner.token, NULL), 400);
	T_EQ(status_of("GET", "/api/chat/history/search?q=-x", owner.token, NULL), 400);
	T_EQ(status_of("GET", "/api/chat/history/abc", owner.token, NULL), 400);
	/* save a conversation made elsewhere */
	T_EQ(it_json(&r, "POST", "/api/chat/history", owner.token, "{\"messages\":[{\"role\":\"user\","
	    "\"content\":\"kept question\"},{\"role\":\"assistant\",\"content\":\"kept answer\"}]}"), 0);
	T_EQ(r.status, 201);
	T_STREQ(it_str(&r, "conversation.response"), "kept answer");
	T_STREQ(it_str(&r, "conversation.title"), "kept question");
	it_resp_free(&r);
	T_EQ(status_of("POST", "/api/chat/history", owner.token, "{\"messages\":[{\"role\":\"x\",\"content\":\"y\"}]}"),
	    400);
	/* delete one, then all */
	T_EQ(status_of("DELETE", path, owner.token, NULL), 200);
	T_EQ(status_of("GET", path, owner.token, NULL), 404);
	T_EQ(status_of("DELETE", path, owner.token, NULL), 404);
	T_EQ(it_json(&r, "DELETE", "/api/chat/history", owner.token, NULL), 0);
	T_STREQ(it_str(&r, "deleted"), "2");
	it_resp_free(&r);
	/* the cached first page (read above) went with the writes, on every worker */
	for (int i = 0; i < WORKER_ROUNDS; i++) {
		T_EQ(it_json(&r, "GET", "/api/chat/history?limit=1", owner.token, NULL), 0);
		T_STREQ(it_str(&r, "total"), "0");
		it_resp_free(&r);
	}
	n = history_rows(&owner);
	T_EQ(n, 0);
}

/* ask_sse: POST /api/chat with Accept: text/event-stream */
static int
ask_sse(struct it_resp *r, const struct acct *a, const char *question)
{
	char auth[160], body[512];
	const char *h[3] = { auth, "Accept: text/event-stream", NULL };

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", a->token);
	snprintf(body, sizeof(body), "{\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}",
	    question);
	return it_request(r, "POST", "/api/chat", body, strlen(body), "application/json", h);
}

static int
chunks_of(const char *body)
{
	int n = 0;

	for (const char *p = body; (p = strstr(p, "event: chunk\n")) != NULL; p++)
		n++;
	return n;
}

/* whether the chunks since the last reset add up to the done event's response */
static bool
sse_text_is_response(const char *body)
{
	struct buf text = BUF_INIT;
	const char *p = body, *d;
	struct json_object *o, *v;
	bool ok = false;

	while ((p = strstr(p, "event: ")) != NULL) {
		const char *name = p + 7;

		char *line;

		if ((d = strstr(p, "\ndata: ")) == NULL)
			break;
		line = strndup(d + 7, strcspn(d + 7, "\n"));
		o = json_tokener_parse(line);
		free(line);
		if (strncmp(name, "reset\n", 6) == 0)
			buf_reset(&text);
		else if (strncmp(name, "chunk\n", 6) == 0 && o != NULL &&
		    json_object_object_get_ex(o, "text", &v))
			buf_puts(&text, json_object_get_string(v));
		else if (strncmp(name, "done\n", 5) == 0 && o != NULL &&
		    json_object_object_get_ex(o, "response", &v))
			ok = strcmp(json_object_get_string(v), text.data != NULL ? text.data : "") == 0;
		json_object_put(o);
		p = d;
	}
	buf_free(&text);
	return ok;
}

/* the vector of conversation id, by the job: its model's name once it is there */
static const char *
wait_vector(long long id)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT embedding_model IS NOT NULL AND cardinality(question_vector)"
	    " > 0 FROM chat_history WHERE id = %lld", id);
	T_STREQ(it_poll_sql(sql, "t", 30), "t");
	return it_psqlf("SELECT embedding_model FROM chat_history WHERE id = %lld", id);
}

static long long
ask_id(const struct acct *a, const char *question)
{
	struct it_resp r;
	long long id;

	T_EQ(ask(&r, a, question, 0), 0);
	T_EQ(r.status, 200);
	id = strtoll(it_str(&r, "historyId") ?: "0", NULL, 10);
	it_resp_free(&r);
	T_ASSERT(id > 0);
	return id;
}

/* search ids of q in mode as a: the count, ids[0..] the first ones */
static int
search_as(const struct acct *a, const char *q, const char *mode, long long *ids, int max,
    struct it_resp *keep)
{
	struct it_resp r;
	struct json_object *arr;
	char path[400];
	int n = 0;

	snprintf(path, sizeof(path), "/api/chat/history/search?q=%s%s%s", q, mode ? "&mode=" : "",
	    mode ? mode : "");
	T_EQ(it_json(&r, "GET", path, a->token, NULL), 0);
	T_ASSERTF(r.status == 200, "%s: %ld %.200s", path, r.status, r.body);
	if (r.json != NULL && json_object_object_get_ex(r.json, "conversations", &arr))
		for (size_t i = 0; i < json_object_array_length(arr) && n < max; i++)
			ids[n++] = json_object_get_int64(json_object_object_get(
			    json_object_array_get_idx(arr, i), "id"));
	if (keep != NULL)
		*keep = r;
	else
		it_resp_free(&r);
	return n;
}

static bool
has_id(const long long *ids, int n, long long id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* every exchange gets its vector from the embedding.compute job, without touching the
 * conversation; the search fuses full-text and meaning over the owner's own alone; psscript
 * reembed covers the conversations */
static void
test_history_embeddings_and_hybrid_search(void)
{
	struct it_resp r;
	long long csv, svc, mine, ids[20];
	const char *model;
	int n;

	T_EQ(it_json(&r, "DELETE", "/api/chat/history", owner.token, NULL), 0);
	it_resp_free(&r);
	csv = ask_id(&owner, "How do I read a csv file?");
	svc = ask_id(&owner, "How do I stop a service?");
	mine = ask_id(&other, "How do I read a csv file?");
	T_ASSERT((model = wait_vector(csv)) != NULL && model[0] != '\0');
	(void)wait_vector(svc);
	(void)wait_vector(mine);
	/* the job's write is not an update of the conversation: the list's order stays */
	T_STREQ(it_psqlf("SELECT updated_at = created_at FROM chat_history WHERE id = %lld", csv), "t");
	T_EQ(num(it_psqlf("SELECT count(*) FROM jobs WHERE type = 'embedding.compute' AND"
	    " payload->>'chatId' = '%lld' AND status = 'done'", csv)), 1);
	/* by meaning: a question that shares no word with the conversation's */
	n = search_as(&owner, "comma+separated+values", "semantic", ids, 20, &r);
	T_STREQ(it_str(&r, "mode"), "semantic");
	T_CONTAINS(it_str(&r, "method"), "builtin:");
	it_resp_free(&r);
	T_ASSERTF(n >= 1 && ids[0] == csv, "n %d first %lld want %lld", n, n ? ids[0] : 0, csv);
	T_ASSERT(search_as(&owner, "comma+separated+values", "keyword", ids, 20, NULL) == 0);
	/* hybrid (the default): both, fused; full-text's match first where it has one */
	n = search_as(&owner, "comma+separated+values", NULL, ids, 20, &r);
	T_STREQ(it_str(&r, "mode"), "hybrid");
	T_ASSERT(it_str(&r, "fallback") == NULL);
	T_STREQ(it_str(&r, "conversations.0.rank"), "1");
	T_ASSERT(it_str(&r, "conversations.0.score") != NULL);
	it_resp_free(&r);
	T_ASSERT(n >= 1 && ids[0] == csv);
	n = search_as(&owner, "service", NULL, ids, 20, NULL);
	T_ASSERT(n >= 1 && ids[0] == svc);
	/* the owner's own in every mode: the other user's twin conversation never appears */
	for (int m = 0; m < 3; m++) {
		static const char *const modes[] = { "keyword", "semantic", "hybrid" };

		n = search_as(&owner, "csv+file", modes[m], ids, 20, NULL);
		T_ASSERTF(!has_id(ids, n, mine), "mode %s", modes[m]);
		n = search_as(&other, "comma+separated+values", modes[m], ids, 20, NULL);
		T_ASSERTF(!has_id(ids, n, csv) && !has_id(ids, n, svc), "mode %s", modes[m]);
	}
	T_EQ(status_of("GET", "/api/chat/history/search?q=x&mode=fuzzy", owner.token, NULL), 400);
	/* nothing to compare by meaning (no vector of the model): full-text alone, saying so */
	T_STREQ(it_psqlf("UPDATE chat_history SET embedding_model = 'old-model' WHERE user_id = %lld;"
	    " SELECT 'ok'", owner.id), "ok");
	n = search_as(&owner, "service", NULL, ids, 20, &r);
	T_ASSERT(n == 1 && ids[0] == svc);
	T_STREQ(it_str(&r, "mode"), "hybrid");
	T_STREQ(it_str(&r, "fallback"), "keyword");
	T_CONTAINS(it_str(&r, "reason"), "no conversation has an embedding");
	T_ASSERT(search_as(&owner, "comma+separated+values", "semantic", ids, 20, NULL) == 0);
	it_resp_free(&r);
	/* psscript reembed: the conversations of another model again, by the configured one */
	T_EQ(it_run("\"$PSS_BIN/psscript\" reembed --inline > %s/chat-reembed.out 2>&1",
	    getenv("PSS_TEST_STATE")), 0);
	T_EQ(it_run("grep -q 'conversations and scripts (100%%)' %s/chat-reembed.out",
	    getenv("PSS_TEST_STATE")), 0);
	T_STREQ(it_psqlf("SELECT count(*) FROM chat_history WHERE embedding_model = 'old-model'"), "0");
	n = search_as(&owner, "comma+separated+values", "semantic", ids, 20, NULL);
	T_ASSERT(n >= 1 && ids[0] == csv);
	/* queued: every conversation without a vector of the model gets its job */
	T_STREQ(it_psqlf("UPDATE chat_history SET embedding_model = NULL WHERE id = %lld;"
	    " SELECT 'ok'", svc), "ok");
	T_EQ(it_run("\"$PSS_BIN/psscript\" reembed --stall-timeout 30 > %s/chat-reembed.out 2>&1",
	    getenv("PSS_TEST_STATE")), 0);
	T_EQ(it_run("grep -q '1 conversations' %s/chat-reembed.out", getenv("PSS_TEST_STATE")), 0);
	T_STREQ(wait_vector(svc), model);
}

static void
test_sse_streams_chunks_and_done(void)
{
	struct it_resp r;
	char auth[160];
	const char *h[3] = { auth, "Accept: text/event-stream", NULL };
	const char *body = "{\"messages\":[{\"role\":\"user\",\"content\":\"How do I stop a service?\"}]}";

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", owner.token);
	T_EQ(it_request(&r, "POST", "/api/chat", body, strlen(body), "application/json", h), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(it_header(&r, "content-type"), "text/event-stream");
	T_CONTAINS(r.body, "event: chunk\ndata: {\"text\":\"Use **Stop-Service**");
	T_CONTAINS(r.body, "event: done\ndata: {\"response\":");
	T_CONTAINS(r.body, "\"historyId\":");
	T_ASSERT(sse_text_is_response(r.body));
	it_resp_free(&r);
	/* bad input before the stream: the JSON error */
	T_EQ(it_request(&r, "POST", "/api/chat", "{}", 2, "application/json", h), 0);
	T_EQ(r.status, 400);
	T_CONTAINS(it_header(&r, "content-type"), "application/json");
	it_resp_free(&r);
}

static int
restart_fcgi(const char *env)
{
	int rc = it_run("env %s \"$PSS_HARNESS\" ctl \"$PSS_TEST_STATE\" fcgi-restart >/dev/null 2>&1", env);

	for (int i = 0; i < 50 && status_of("GET", "/api/health", NULL, NULL) != 200; i++)
		usleep(100 * 1000);
	return rc;
}

static void
set_mode(const struct standin *s, const char *mode)
{
	T_EQ(it_run("curl -sf '%s/_mode?set=%s' >/dev/null", s->url, mode), 0);
}

static void
test_model_path_and_its_failures(void)
{
	static const struct { const char *mode, *why; } fails[] = {
		{ "status500", "status" }, { "garbage", "bad_json" }, { "badshape", "bad_answer" },
		{ "chatempty", "empty_answer" }, { "hang", "timeout" },
	};
	struct standin s;
	struct it_resp r;
	char env[400];
	long long before;
	const char *resp;

	if (standin_start(&s, "chat") != 0) {
		T_ASSERTF(0, "the stand-in (python3 tests/standin/ai-standin.py) did not start");
		return;
	}
	snprintf(env, sizeof(env), "AI_API_URL=%s/v1 AI_MODEL=standin-model AI_API_KEY=sk-chat "
	    "AI_TIMEOUT_MS=2000", s.url);
	T_EQ(restart_fcgi(env), 0);
	before = history_rows(&other);
	/* the model's prose: only retrieved sources cited, its HTML dropped outside code */
	T_EQ(ask(&r, &other, "How do I stop a service?", 0), 0);
	T_EQ(r.status, 200);
	resp = it_str(&r, "response");
	T_STREQ(it_str(&r, "model"), "llm:standin-model");
	T_CONTAINS(resp, "Model answer over 5 sources");
	T_CONTAINS(resp, "name [1], not  .");	/* [9] named no source: a space */
	T_ASSERT(strstr(resp, "<script") == NULL && strstr(resp, "<img") == NULL);
	T_CONTAINS(resp, "# <b>code</b>");	/* code is code: the renderer escapes it */
	T_ASSERT(has_source(&r, "doc", "Stop-Service", 0));
	it_resp_free(&r);
	T_EQ(it_run("curl -sf '%s/_last' | grep -q 'Bearer sk-chat'", s.url), 0);
	T_EQ(it_run("curl -sf '%s/_last' | grep -q 'Stop-Service'", s.url), 0);
	/* another user's private script never reaches the model's prompt */
	T_EQ(ask(&r, &other, "restart the " SECRET " print spooler service", 0), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_EQ(it_run("curl -sf '%s/_last' | grep -q 'spooler'", s.url), 0);
	T_ASSERT(it_run("curl -sf '%s/_last' | grep -q '" SECRET " service restarter'", s.url) != 0);
	T_ASSERT(it_run("curl -sf '%s/_last' | grep -q 'Invoke-Expression'", s.url) != 0);
	/* each failure: the extractive answer, saying why, stored all the same */
	for (size_t i = 0; i < PSS_ARRAY_LEN(fails); i++) {
		set_mode(&s, fails[i].mode);
		T_EQ(ask(&r, &other, "How do I stop a service?", 0), 0);
		T_ASSERTF(r.status == 200, "mode %s: %ld", fails[i].mode, r.status);
		T_STREQ(it_str(&r, "fallback"), fails[i].why);
		T_STREQ(it_str(&r, "model"), "extractive");
		T_CONTAINS(it_str(&r, "response"), "The language model did not answer");
		T_CONTAINS(it_str(&r, "response"), "**Stop-Service**");
		it_resp_free(&r);
	}
	T_EQ(history_rows(&other), before + 2 + (long long)PSS_ARRAY_LEN(fails));
	/* streamed: the model's own tokens, made safe line by line, then done */
	set_mode(&s, "chat");
	T_EQ(ask_sse(&r, &other, "How do I stop a service?"), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(it_header(&r, "content-type"), "text/event-stream");
	T_CONTAINS(r.body, "event: status\ndata: {\"status\":\"thinking\"}");
	T_CONTAINS(r.body, "event: chunk\ndata: {\"text\":\"Model answer over 5 sources");
	T_ASSERT(strstr(r.body, "<script") == NULL && strstr(r.body, "<img") == NULL &&
	    strstr(r.body, "[9]") == NULL && strstr(r.body, "event: reset") == NULL);
	T_ASSERT(chunks_of(r.body) >= 3);	/* a line of the model's at a time */
	T_CONTAINS(r.body, "\"model\":\"llm:standin-model\"");
	T_ASSERT(strstr(r.body, "\"fallback\"") == NULL);
	T_ASSERT(sse_text_is_response(r.body));
	it_resp_free(&r);
	T_EQ(it_run("curl -sf '%s/_last' | grep -q 'stream[^a-z]*true'", s.url), 0);
	/* the model stops mid-answer: its part is dropped (reset) and the extractive answer
	 * follows, saying so; the stored answer is that one */
	set_mode(&s, "chatstall");
	T_EQ(ask_sse(&r, &other, "How do I stop a service?"), 0);
	T_EQ(r.status, 200);
	T_CONTAINS(r.body, "event: chunk\ndata: {\"text\":\"Model answer over 5 sources");
	T_CONTAINS(r.body, "event: reset");
	T_CONTAINS(r.body, "The language model did not answer (timeout)");
	T_CONTAINS(r.body, "\"fallback\":\"timeout\"");
	T_ASSERT(sse_text_is_response(r.body));
	it_resp_free(&r);
	T_EQ(history_rows(&other), before + 4 + (long long)PSS_ARRAY_LEN(fails));
	standin_stop(&s);
	T_EQ(restart_fcgi(""), 0);
}

static int
restart_worker(const char *env)
{
	(void)it_harness("worker-kill");
	return it_run("env %s \"$PSS_HARNESS\" ctl \"$PSS_TEST_STATE\" worker-start >/dev/null 2>&1",
	    env);
}

/* a remote embedding provider (the stand-in's OpenAI-compatible /v1/embeddings): while it
 * fails, the built-in vector and the job retried, the conversation untouched; once it
 * answers, reembed stores its vector and the search by meaning uses it */
static void
test_history_embedding_by_a_remote_provider(void)
{
	struct standin s;
	struct it_resp r;
	char env[400], sql[300];
	long long id, ids[20];
	int n;

	if (standin_start(&s, "status500") != 0) {
		T_ASSERTF(0, "the stand-in (python3 tests/standin/ai-standin.py) did not start");
		return;
	}
	snprintf(env, sizeof(env), "EMBEDDING_PROVIDER=openai EMBEDDING_API_URL=%s/v1 "
	    "EMBEDDING_MODEL=standin-embed EMBEDDING_DIMENSIONS=64", s.url);
	T_EQ(restart_worker(env), 0);
	T_EQ(restart_fcgi(env), 0);
	id = ask_id(&other, "How do I read a csv file?");
	snprintf(sql, sizeof(sql), "SELECT embedding_model LIKE 'lsi-%%' FROM chat_history WHERE id = %lld",
	    id);
	T_STREQ(it_poll_sql(sql, "t", 30), "t");
	snprintf(sql, sizeof(sql), "SELECT bool_or(last_error LIKE '%%built-in vector is stored"
	    " meanwhile%%') FROM jobs WHERE payload->>'chatId' = '%lld'", id);
	T_STREQ(it_poll_sql(sql, "t", 30), "t");
	T_STREQ(it_psqlf("SELECT jsonb_array_length(messages) FROM chat_history WHERE id = %lld", id), "2");
	/* the provider back: psscript reembed (the configured model's vectors where missing) */
	set_mode(&s, "ok");
	T_EQ(it_run("env %s \"$PSS_BIN/psscript\" reembed --inline > %s/chat-reembed2.out 2>&1", env,
	    getenv("PSS_TEST_STATE")), 0);
	T_STREQ(it_psqlf("SELECT embedding_model || ':' || cardinality(question_vector)"
	    " FROM chat_history WHERE id = %lld", id), "standin-embed:64");
	n = search_as(&other, "read+csv+file", "semantic", ids, 20, &r);
	T_CONTAINS(it_str(&r, "method"), "openai:standin-embed");
	T_ASSERT(it_str(&r, "reason") == NULL);
	it_resp_free(&r);
	T_ASSERT(n >= 1 && has_id(ids, n, id));
	standin_stop(&s);
	T_EQ(restart_worker(""), 0);
	T_EQ(restart_fcgi(""), 0);
}

/* the question set: the expected cmdlet named in the answer, with a source for it */
static void
test_question_set_score(void)
{
	char path[1024], line[1024];
	FILE *f;
	int n = 0, hits = 0, top = 0;

	snprintf(path, sizeof(path), "%s/tests/data/chat-questions.tsv", PSS_TOP_SRCDIR);
	T_ASSERT((f = fopen(path, "r")) != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t'), *nl, want[80], named[96];
		struct it_resp r;
		const char *resp;

		if (line[0] == '#' || tab == NULL || strncmp(line, "question\t", 9) == 0)
			continue;
		*tab = '\0';
		if ((nl = strchr(tab + 1, '\n')) != NULL)
			*nl = '\0';
		snprintf(want, sizeof(want), "%s", tab + 1);
		snprintf(named, sizeof(named), "**%s**", want);
		n++;
		if (ask(&r, &owner, line, 0) != 0 || r.status != 200) {
			it_resp_free(&r);
			continue;
		}
		resp = it_str(&r, "response");
		if (resp != NULL && strstr(resp, named) != NULL && has_source(&r, "doc", want, 0)) {
			hits++;
			snprintf(named, sizeof(named), "Use **%s**", want);
			top += strncmp(resp, named, strlen(named)) == 0;
		} else
			printf("#   miss: %s (want %s)\n", line, want);
		it_resp_free(&r);
	}
	fclose(f);
	printf("# chat question set: %d/%d answers name the cmdlet with its source (%d/%d as the "
	    "first cmdlet)\n", hits, n, top, n);
	T_ASSERT(n >= 30);
	T_ASSERTF(hits * 10 >= n * 8, "%d/%d is under 80%%", hits, n);
}

static void
test_history_cascades_with_the_user(void)
{
	struct it_resp r;
	struct acct gone;
	char path[64];

	T_EQ(acct_register(&gone, "chatgone"), 0);
	T_EQ(ask(&r, &gone, "How do I stop a service?", 0), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_EQ(history_rows(&gone), 1);
	snprintf(path, sizeof(path), "/api/users/%lld", gone.id);
	T_EQ(status_of("DELETE", path, admin.token, NULL), 200);
	T_EQ(history_rows(&gone), 0);
}

int
main(void)
{
	it_init();
	setup();
	T_RUN(test_anonymous_is_401);
	T_RUN(test_extractive_answer_has_cmdlet_syntax_example_and_sources);
	T_RUN(test_nothing_fits_is_said_plainly);
	T_RUN(test_bad_input_is_a_clear_400_and_nothing_is_stored);
	T_RUN(test_script_answer_and_privacy_across_users);
	T_RUN(test_history_is_private_paginated_and_searchable);
	T_RUN(test_history_embeddings_and_hybrid_search);
	T_RUN(test_sse_streams_chunks_and_done);
	T_RUN(test_model_path_and_its_failures);
	T_RUN(test_history_embedding_by_a_remote_provider);
	T_RUN(test_question_set_score);
	T_RUN(test_history_cascades_with_the_user);
	return t_done();
}
