/* test-pages-chat.c: the chat's pages through nginx without JavaScript: the question form
 * posts, redirects to the conversation and shows the answer with its sources as links; the
 * follow-up; the list (newest first, paginated), search, delete one and all; answers as safe
 * Markdown (raw HTML and javascript: links from a stored answer stay text, PowerShell code
 * highlighted); a hostile question stays text; CSRF; signed out sent to the login; another
 * user's (and an admin's) 404; "ask about this script" and its 404 for a script not seen;
 * bad input shown on the form. Every page well-formed (itest-html.h). */
#include "config.h"

#include "itest-html.h"

#define EVIL "<script>alert(1)</script><img src=x onerror=alert(1)> \"q\""
#define EVIL_ESC "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &quot;q&quot;"

static struct acct owner_a, other_a, admin_a, many_a;
static struct visitor owner, other, admin, many, anon;
static long long conv_id;	/* the owner's conversation asked through the form */
static long long private_script, other_script;

/* The id at the end of Location /chat/<id>, or 0. */
static long long
chat_location(const struct it_resp *r)
{
	const char *l = it_header(r, "location");

	return l != NULL && strncmp(l, "/chat/", 6) == 0 ? strtoll(l + 6, NULL, 10) : 0;
}

/* GET path as v: the status; the page checked when 200; the body in r (caller frees). */
static long
page(struct visitor *v, struct it_resp *r, const char *path)
{
	long st = visit(v, r, "GET", path, NULL);

	if (st == 200)
		check_page(r, path);
	return st;
}

/* POST the question form of path as v (extra: more name, value pairs, may be NULL); the
 * conversation id of the redirect, or 0 (the status printed). */
static long long
ask(struct visitor *v, const char *path, const char *question, const char *extra_name,
    const char *extra_value)
{
	struct it_resp r;
	long long id;

	page(v, &r, path);	/* the form's token, as a browser has it */
	it_resp_free(&r);
	visit(v, &r, "POST", path, form_of(v, (const char *[]){ "message", question, extra_name, extra_value,
	    NULL }));
	id = r.status == 303 ? chat_location(&r) : 0;
	if (id == 0)
		printf("#   ask %s: %ld %.300s\n", path, r.status, r.body ? r.body : "");
	it_resp_free(&r);
	return id;
}

/* A conversation stored directly (title, the question, the answer's Markdown, its sources as
 * JSON) for u: its id, or 0. */
static long long
stored(long long user, const char *title, const char *question, const char *answer_md, const char *sources)
{
	const char *v;
	struct json_object *msgs = json_object_new_array(), *m;
	struct buf sql = BUF_INIT;
	const char *js;

	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("user"));
	json_object_object_add(m, "content", json_object_new_string(question));
	json_object_array_add(msgs, m);
	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("assistant"));
	json_object_object_add(m, "content", json_object_new_string(answer_md));
	json_object_object_add(m, "sources", json_tokener_parse(sources));
	json_object_array_add(msgs, m);
	js = json_object_to_json_string_ext(msgs, JSON_C_TO_STRING_PLAIN);
	buf_printf(&sql, "INSERT INTO chat_history (user_id, title, messages, response, sources) VALUES (%lld, $$%s$$, "
	    "$$%s$$::jsonb, $$%s$$, $$%s$$::jsonb) RETURNING id", user, title, js, answer_md, sources);
	v = it_psql(buf_cstr(&sql));
	buf_free(&sql);
	json_object_put(msgs);
	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

static void
test_setup(void)
{
	struct it_resp r;
	char body[300];

	T_EQ(it_run("\"$PSS_BIN/psscript\" docs import \"%s/data/powershell-docs\" >/dev/null",
	    PSS_TOP_SRCDIR), 0);
	T_EQ(acct_register(&owner_a, "chown"), 0);
	T_EQ(acct_register(&other_a, "choth"), 0);
	T_EQ(acct_register(&many_a, "chmany"), 0);
	T_EQ(acct_admin(&admin_a, "chadm"), 0);
	T_EQ(page_login(&owner, owner_a.name, PW), 303);
	T_EQ(page_login(&other, other_a.name, PW), 303);
	T_EQ(page_login(&admin, admin_a.name, PW), 303);
	T_EQ(page_login(&many, many_a.name, PW), 303);
	snprintf(body, sizeof(body), "{\"title\":\"Chat probe %s\",\"content\":\"Get-ChildItem -Path C:\\\\Temp "
	    "-Recurse | Remove-Item -Force\",\"isPublic\":false,\"analyze\":false}", owner_a.name);
	T_EQ(it_json(&r, "POST", "/api/scripts", owner_a.token, body), 0);
	private_script = it_str(&r, "script.id") ? strtoll(it_str(&r, "script.id"), NULL, 10) : 0;
	it_resp_free(&r);
	snprintf(body, sizeof(body), "{\"title\":\"Other's secret %s\",\"content\":\"Get-Date\",\"isPublic\":false}",
	    other_a.name);
	T_EQ(it_json(&r, "POST", "/api/scripts", other_a.token, body), 0);
	other_script = it_str(&r, "script.id") ? strtoll(it_str(&r, "script.id"), NULL, 10) : 0;
	it_resp_free(&r);
	T_ASSERT(private_script > 0 && other_script > 0);
}

/* Signed out: the pages send to the login and back; the forms are refused; no nav link. */
static void
test_signed_out(void)
{
	struct it_resp r;

	T_EQ(visit(&anon, &r, "GET", "/chat", NULL), 303);
	T_STREQ(it_header(&r, "location"), "/login?next=%2Fchat");
	it_resp_free(&r);
	T_EQ(visit(&anon, &r, "GET", "/chat?scriptId=5", NULL), 303);
	T_STREQ(it_header(&r, "location"), "/login?next=%2Fchat%3FscriptId%3D5");
	it_resp_free(&r);
	T_EQ(visit(&anon, &r, "GET", "/chat/1", NULL), 303);
	it_resp_free(&r);
	T_EQ(page(&anon, &r, "/"), 200);
	T_ASSERT(strstr(r.body, "href=\"/chat\"") == NULL);
	it_resp_free(&r);
	T_EQ(visit(&anon, &r, "POST", "/chat", form_of(&anon, (const char *[]){ "message", "hi", NULL })), 401);
	it_resp_free(&r);
	T_EQ(visit(&anon, &r, "POST", "/chat/delete", form_of(&anon, (const char *[]){ NULL })), 401);
	it_resp_free(&r);
}

/* Without JavaScript: ask, 303 to the conversation, the answer with a source link; the
 * follow-up in the same conversation; the list shows it. */
static void
test_ask(void)
{
	struct it_resp r;
	char path[64];
	long long again;

	T_EQ(page(&owner, &r, "/chat"), 200);
	T_CONTAINS(r.body, "<a href=\"/chat\" aria-current=\"page\">Chat</a>");
	T_CONTAINS(r.body, "<form method=\"post\" action=\"/chat\" class=\"chat-form\" id=\"chat-form\" "
	    "data-chat-stream=\"/api/chat\">");
	T_CONTAINS(r.body, "<label for=\"message\">Your question</label>");
	T_CONTAINS(r.body, "No conversations yet");
	T_ASSERT(strstr(r.body, "Delete all conversations") == NULL);
	it_resp_free(&r);

	conv_id = ask(&owner, "/chat", "How do I list the files in a folder?", NULL, NULL);
	T_ASSERT(conv_id > 0);
	snprintf(path, sizeof(path), "/chat/%lld", conv_id);
	T_EQ(page(&owner, &r, path), 200);
	T_CONTAINS(r.body, "<p class=\"chat-text\">How do I list the files in a folder?</p>");
	T_CONTAINS(r.body, "<div class=\"chat-answer markdown\">");
	T_CONTAINS(r.body, "Get-ChildItem");
	T_CONTAINS(r.body, "<h3>Sources</h3>");
	T_CONTAINS(r.body, "<a href=\"/docs/");
	T_CONTAINS(r.body, "action=\"/chat/");	/* the follow-up form posts to the conversation */
	T_CONTAINS(r.body, "<label for=\"message\">Ask a follow-up question</label>");
	T_CONTAINS(r.body, "data-confirm=\"Delete this conversation?\"");
	it_resp_free(&r);

	again = ask(&owner, path, "And only the hidden ones?", NULL, NULL);
	T_EQ(again, conv_id);
	T_EQ(page(&owner, &r, path), 200);
	T_CONTAINS(r.body, "How do I list the files in a folder?");
	T_CONTAINS(r.body, "And only the hidden ones?");
	{
		int answers = 0;

		for (const char *p = r.body; (p = strstr(p, "class=\"chat-answer markdown\"")) != NULL; p++)
			answers++;
		T_EQ(answers, 2);
	}
	it_resp_free(&r);

	T_EQ(page(&owner, &r, "/chat"), 200);
	snprintf(path, sizeof(path), "<a href=\"/chat/%lld\">", conv_id);
	T_CONTAINS(r.body, path);
	T_CONTAINS(r.body, "Delete all conversations");
	{	/* the preview is plain text: no Markdown marks */
		const char *pv = strstr(r.body, "<p class=\"chat-preview muted\">");
		size_t n = pv != NULL ? strcspn(pv, "\n") : 0;

		T_ASSERT(pv != NULL && n > 40);
		T_ASSERTF(memmem(pv, n, "**", 2) == NULL && memmem(pv, n, "```", 3) == NULL, "%.*s", (int)n, pv);
	}
	it_resp_free(&r);
}

/* What a question or a stored answer holds is shown as text: raw HTML escaped, javascript:
 * links not links, a source's foreign address not a link, PowerShell highlighted. */
static void
test_hostile(void)
{
	struct it_resp r;
	char path[64];
	long long id;

	id = ask(&owner, "/chat", EVIL, NULL, NULL);
	T_ASSERT(id > 0);
	snprintf(path, sizeof(path), "/chat/%lld", id);
	T_EQ(page(&owner, &r, path), 200);
	T_CONTAINS(r.body, "<p class=\"chat-text\">" EVIL_ESC "</p>");
	T_ASSERT(strstr(r.body, "<script>alert") == NULL && strstr(r.body, "<img src=x") == NULL);
	it_resp_free(&r);

	id = stored(owner_a.id, "Hostile <b>title</b>", "q",
	    "# Heading\n\n<script>alert(2)</script> <b>bold?</b>\n\n[click](javascript:alert(3))\n\n"
	    "```powershell\nGet-Process | Stop-Process -WhatIf\n```\n",
	    "[{\"type\":\"doc\",\"id\":1,\"title\":\"Evil <i>source</i>\",\"url\":\"javascript:alert(4)\"},"
	    "{\"type\":\"script\",\"id\":2,\"title\":\"Fine\",\"url\":\"/scripts/2\"}]");
	T_ASSERT(id > 0);
	snprintf(path, sizeof(path), "/chat/%lld", id);
	T_EQ(page(&owner, &r, path), 200);
	T_CONTAINS(r.body, "<title>Hostile &lt;b&gt;title&lt;/b&gt; · PSScript</title>");
	T_CONTAINS(r.body, "&lt;script&gt;alert(2)&lt;/script&gt; &lt;b&gt;bold?&lt;/b&gt;");
	T_CONTAINS(r.body, "<h3>Heading</h3>");	/* under the message's h2 */
	T_ASSERT(strstr(r.body, "<script>alert") == NULL && strstr(r.body, "<b>") == NULL &&
	    strstr(r.body, "<i>") == NULL);
	T_ASSERT(strstr(r.body, "javascript:") == NULL);
	T_CONTAINS(r.body, "<h-m>Get-Process</h-m>");
	T_CONTAINS(r.body, "<li>Evil &lt;i&gt;source&lt;/i&gt; <span class=\"muted\">(documentation)</span></li>");
	T_CONTAINS(r.body, "<li><a href=\"/scripts/2\">Fine</a> <span class=\"muted\">(script)</span></li>");
	it_resp_free(&r);
}

/* Every form of the chat needs the session's token. */
static void
test_csrf(void)
{
	struct it_resp r;
	char path[64];
	const char *n0 = it_psqlf("SELECT count(*) FROM chat_history WHERE user_id = %lld", owner_a.id);
	char before[24];

	snprintf(before, sizeof(before), "%s", n0 ? n0 : "");
	T_EQ(visit(&owner, &r, "POST", "/chat", "message=hello"), 403);
	it_resp_free(&r);
	T_EQ(visit(&owner, &r, "POST", "/chat", "csrf_token=0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef&message=hello"), 403);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/chat/%lld/delete", conv_id);
	T_EQ(visit(&owner, &r, "POST", path, ""), 403);
	it_resp_free(&r);
	T_EQ(visit(&owner, &r, "POST", "/chat/delete", "csrf_token=x"), 403);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/chat/%lld", conv_id);
	T_EQ(visit(&owner, &r, "POST", path, "message=hello"), 403);
	it_resp_free(&r);
	T_STREQ(it_psqlf("SELECT count(*) FROM chat_history WHERE user_id = %lld", owner_a.id), before);
}

/* A conversation is its owner's: another user and an administrator get 404 for every page
 * and form of it, and nothing changes. */
static void
test_privacy(void)
{
	struct it_resp r;
	char path[64], del[64];
	struct visitor *who[] = { &other, &admin };

	snprintf(path, sizeof(path), "/chat/%lld", conv_id);
	snprintf(del, sizeof(del), "/chat/%lld/delete", conv_id);
	for (size_t i = 0; i < 2; i++) {
		T_EQ(page(who[i], &r, path), 404);
		T_ASSERT(strstr(r.body, "How do I list") == NULL);
		it_resp_free(&r);
		T_EQ(page(who[i], &r, "/chat"), 200);	/* a token for the forms */
		T_ASSERT(strstr(r.body, "How do I list") == NULL);
		it_resp_free(&r);
		T_EQ(visit(who[i], &r, "POST", path, form_of(who[i], (const char *[]){ "message", "mine now?", NULL })), 404);
		it_resp_free(&r);
		T_EQ(visit(who[i], &r, "POST", del, form_of(who[i], (const char *[]){ NULL })), 404);
		it_resp_free(&r);
		T_EQ(visit(who[i], &r, "GET", "/chat?q=folder", NULL), 200);
		T_ASSERT(strstr(r.body, "How do I list") == NULL);
		it_resp_free(&r);
	}
	/* the other's delete-all leaves the owner's conversations */
	T_EQ(visit(&other, &r, "POST", "/chat/delete", form_of(&other, (const char *[]){ NULL })), 303);
	it_resp_free(&r);
	T_EQ(page(&owner, &r, path), 200);
	T_CONTAINS(r.body, "And only the hidden ones?");
	it_resp_free(&r);
}

/* Bad input is shown on the form (never a 500): empty, too long, bad ids and pages, a script
 * the asker may not see (404, no hint of its title). */
static void
test_bad_input(void)
{
	struct it_resp r;
	struct buf big = BUF_INIT;
	char path[64];

	T_EQ(page(&owner, &r, "/chat"), 200);
	it_resp_free(&r);
	T_EQ(visit(&owner, &r, "POST", "/chat", form_of(&owner, (const char *[]){ "message", "  \r\n ", NULL })), 400);
	check_page(&r, "empty question");
	T_CONTAINS(r.body, "Type a question first.");
	T_CONTAINS(r.body, "aria-invalid=\"true\"");
	T_CONTAINS(r.body, "<h2 id=\"history-h\">Your conversations</h2>");	/* in its page */
	it_resp_free(&r);
	for (int i = 0; i < 17 * 1024; i++)
		buf_putc(&big, 'a' + i % 26);
	T_EQ(visit(&owner, &r, "POST", "/chat", form_of(&owner, (const char *[]){ "message", buf_cstr(&big), NULL })), 413);
	check_page(&r, "long question");
	T_CONTAINS(r.body, "at most 16 KB");
	it_resp_free(&r);
	buf_free(&big);
	snprintf(path, sizeof(path), "/chat/%lld", conv_id);
	T_EQ(visit(&owner, &r, "POST", path, form_of(&owner, (const char *[]){ "message", "", NULL })), 400);
	check_page(&r, "empty follow-up");
	T_CONTAINS(r.body, "And only the hidden ones?");	/* shown again in its conversation */
	it_resp_free(&r);
	T_EQ(page(&owner, &r, "/chat/abc"), 400);
	it_resp_free(&r);
	T_EQ(page(&owner, &r, "/chat/2147483000"), 404);
	it_resp_free(&r);
	T_EQ(page(&owner, &r, "/chat?page=0"), 400);
	it_resp_free(&r);
	T_EQ(page(&owner, &r, "/chat?page=x"), 400);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/chat?scriptId=%lld", other_script);
	T_EQ(page(&owner, &r, path), 404);
	T_ASSERT(strstr(r.body, "Other&#39;s secret") == NULL);
	it_resp_free(&r);
	T_EQ(page(&owner, &r, "/chat?scriptId=-1"), 400);
	it_resp_free(&r);
	/* posting another's script id: 404, nothing stored */
	snprintf(path, sizeof(path), "%lld", other_script);
	T_EQ(visit(&owner, &r, "POST", "/chat", form_of(&owner, (const char *[]){ "message", "what does it do?",
	    "scriptId", path, NULL })), 404);
	T_ASSERT(strstr(r.body, "Other&#39;s secret") == NULL);
	it_resp_free(&r);
}

/* "Ask about this script": the script page links to /chat?scriptId=N, which names the
 * script and carries it in the form; the answer cites the script. */
static void
test_about_script(void)
{
	struct it_resp r;
	char path[96], id[24];
	long long cid;

	snprintf(path, sizeof(path), "/scripts/%lld", private_script);
	T_EQ(page(&owner, &r, path), 200);
	snprintf(path, sizeof(path), "<a href=\"/chat?scriptId=%lld\">Ask about this script</a>", private_script);
	T_CONTAINS(r.body, path);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/chat?scriptId=%lld", private_script);
	T_EQ(page(&owner, &r, path), 200);
	snprintf(path, sizeof(path), "<input type=\"hidden\" name=\"scriptId\" value=\"%lld\" />", private_script);
	T_CONTAINS(r.body, path);
	T_CONTAINS(r.body, "Asking about the script <a href=\"/scripts/");
	it_resp_free(&r);
	snprintf(id, sizeof(id), "%lld", private_script);
	cid = ask(&owner, "/chat", "What does this script do?", "scriptId", id);
	T_ASSERT(cid > 0);
	snprintf(path, sizeof(path), "/chat/%lld", cid);
	T_EQ(page(&owner, &r, path), 200);
	snprintf(path, sizeof(path), "<a href=\"/scripts/%lld\">", private_script);
	T_CONTAINS(r.body, path);
	it_resp_free(&r);
}

/* The list: newest first, 20 a page with the pager, search over the asker's own, delete one
 * and all (post/redirect/get with the flash). */
static void
test_list_search_delete(void)
{
	struct it_resp r;
	char path[64], link[64];
	long long first = 0, last = 0, id;
	const char *p1, *p2;

	for (int i = 0; i < 23; i++) {
		char title[64], q[96];

		snprintf(title, sizeof(title), "Question number %02d", i);
		snprintf(q, sizeof(q), "%s %s", title, i == 7 ? "zebrafish" : "plain");
		id = stored(many_a.id, title, q, "An answer.", "[]");
		T_ASSERT(id > 0);
		it_psqlf("UPDATE chat_history SET updated_at = now() - interval '%d minutes' WHERE id = %lld",
		    100 - i, id);
		if (i == 0)
			first = id;
		last = id;
	}
	T_EQ(page(&many, &r, "/chat"), 200);
	T_CONTAINS(r.body, "Page 1 of 2");
	T_CONTAINS(r.body, "<a rel=\"next\" href=\"/chat?page=2\">");
	snprintf(link, sizeof(link), "<a href=\"/chat/%lld\">", last);
	T_ASSERT((p1 = strstr(r.body, link)) != NULL);
	snprintf(link, sizeof(link), "<a href=\"/chat/%lld\">", last - 1);
	T_ASSERT((p2 = strstr(r.body, link)) != NULL && p1 < p2);	/* newest first */
	snprintf(link, sizeof(link), "<a href=\"/chat/%lld\">", first);
	T_ASSERT(strstr(r.body, link) == NULL);	/* the oldest is on page 2 */
	it_resp_free(&r);
	T_EQ(page(&many, &r, "/chat?page=2"), 200);
	T_CONTAINS(r.body, link);
	it_resp_free(&r);

	T_EQ(page(&many, &r, "/chat?q=zebrafish"), 200);
	T_CONTAINS(r.body, "1 conversation match");
	T_CONTAINS(r.body, "Question number 07");
	T_ASSERT(strstr(r.body, "Question number 08") == NULL);
	T_CONTAINS(r.body, "<a href=\"/chat\">Show all</a>");
	it_resp_free(&r);
	T_EQ(page(&many, &r, "/chat?q=nothing-matches-this"), 200);
	T_CONTAINS(r.body, "No conversation matches.");
	it_resp_free(&r);

	snprintf(path, sizeof(path), "/chat/%lld/delete", last);
	T_EQ(visit(&many, &r, "POST", path, form_of(&many, (const char *[]){ NULL })), 303);
	T_STREQ(it_header(&r, "location"), "/chat");
	it_resp_free(&r);
	T_EQ(page(&many, &r, "/chat"), 200);
	T_CONTAINS(r.body, "The conversation was deleted.");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/chat/%lld", last);
	T_EQ(page(&many, &r, path), 404);
	it_resp_free(&r);

	T_EQ(visit(&many, &r, "POST", "/chat/delete", form_of(&many, (const char *[]){ NULL })), 303);
	it_resp_free(&r);
	T_EQ(page(&many, &r, "/chat"), 200);
	T_CONTAINS(r.body, "Your conversations were deleted.");
	T_CONTAINS(r.body, "No conversations yet");
	it_resp_free(&r);
	T_STREQ(it_psqlf("SELECT count(*) FROM chat_history WHERE user_id = %lld", many_a.id), "0");
}

int
main(void)
{
	it_init();
	T_RUN(test_setup);
	T_RUN(test_signed_out);
	T_RUN(test_ask);
	T_RUN(test_hostile);
	T_RUN(test_csrf);
	T_RUN(test_privacy);
	T_RUN(test_bad_input);
	T_RUN(test_about_script);
	T_RUN(test_list_search_delete);
	html_check_done();
	return t_done();
}
