/* test-chat.c: the chat's pure parts: a model's text made safe (chat_model_clean), the
 * question's words (chat_words) and the request's checks (chat_request_parse) */
#include "config.h"

#include <string.h>

#include "services/chat-int.h"
#include "t.h"

static void
test_clean_drops_html_outside_code_and_keeps_code(void)
{
	bool cited[CHAT_SOURCES_MAX] = { false };
	char *s = chat_model_clean("Hi <script>alert(1)</script><img src=x onerror=y> a < b\n"
	    "```powershell\nGet-Item <path> # <b>x</b>\n```\n<!-- c -->done", 2, cited);

	T_STREQ(s, "Hi alert(1) a < b\n```powershell\nGet-Item <path> # <b>x</b>\n```\ndone");
	free(s);
}

static void
test_clean_keeps_only_citations_of_retrieved_sources(void)
{
	bool cited[CHAT_SOURCES_MAX] = { false };
	char *s = chat_model_clean("one [1], two [2], bad [3] [0] [99999999999], link [x](y)", 2, cited);

	T_STREQ(s, "one [1], two [2], bad      , link [x](y)");
	T_ASSERT(cited[0] && cited[1] && !cited[2]);
	free(s);
}

/* what one step drops cannot join its neighbours into a citation or a tag */
static void
test_clean_drops_what_joins_after_a_drop(void)
{
	bool cited[CHAT_SOURCES_MAX] = { false };
	char *s = chat_model_clean("[01[9]99] [<b>7</b>] <[9]b>x <<b>b>y [\x01" "9]", 2, cited);

	T_ASSERT(strchr(s, '<') == NULL || strstr(s, "<b") == NULL);
	T_STREQ(s, "[01 99]   < b>x y  ");
	T_ASSERT(!cited[0] && !cited[1]);
	free(s);
}

static void
test_clean_drops_control_bytes(void)
{
	bool cited[CHAT_SOURCES_MAX] = { false };
	char *s = chat_model_clean("a\x01\x1b[31mb\tc\r\nd\x7f", 0, cited);

	T_STREQ(s, "a[31mb\tc\nd");
	free(s);
}

static void
test_words_lower_case_without_stop_words(void)
{
	struct chat_ctx x;
	const char *q = "How do I STOP the Get-Service --- of a  machine? stop";

	memset(&x, 0, sizeof(x));
	chat_words(&x, q, strlen(q));
	T_EQ(x.nwords, 3);
	T_STREQ(x.words[0], "stop");
	T_STREQ(x.words[1], "get-service");
	T_STREQ(x.words[2], "machine");
}

static void
test_parse_checks_every_field(void)
{
	static const char *const bad[] = {
		"[]", "{}", "{\"messages\":[]}", "{\"messages\":[{\"role\":\"user\"}]}",
		"{\"messages\":[{\"role\":\"god\",\"content\":\"x\"}]}",
		"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"scriptId\":0}",
		"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"scriptId\":\"12a\"}",
		"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"sessionId\":\"zz\"}",
		"{\"messages\":[{\"role\":\"assistant\",\"content\":\"x\"}]}",
	};
	struct chat_request req;
	struct svc_err err;
	struct json_object *o;

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		o = json_tokener_parse(bad[i]);
		memset(&err, 0, sizeof(err));
		T_ASSERTF(chat_request_parse(o, &req, &err) == PSS_EINVAL, "%s", bad[i]);
		T_ASSERT(err.message != NULL);
		chat_request_free(&req);
		json_object_put(o);
	}
	o = json_tokener_parse("{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
	    "{\"role\":\"user\",\"content\":\"hi\"}],\"scriptId\":\"42\","
	    "\"sessionId\":\"3FFB5398-2D58-4318-A239-8971D6786291\"}");
	T_EQ(chat_request_parse(o, &req, NULL), PSS_OK);
	T_EQ(req.nmessages, 2);
	T_EQ(req.messages[0].role, CHAT_ROLE_SYSTEM);
	T_EQ(req.script_id, 42);
	T_STREQ(req.session_id, "3ffb5398-2d58-4318-a239-8971d6786291");
	chat_request_free(&req);
	json_object_put(o);
}

int
main(void)
{
	T_RUN(test_clean_drops_html_outside_code_and_keeps_code);
	T_RUN(test_clean_keeps_only_citations_of_retrieved_sources);
	T_RUN(test_clean_drops_what_joins_after_a_drop);
	T_RUN(test_clean_drops_control_bytes);
	T_RUN(test_words_lower_case_without_stop_words);
	T_RUN(test_parse_checks_every_field);
	return t_done();
}
