/* test-ai.c: the analysis's prose from an AI provider: answers parsed and cut to size (pure),
 * and ai_prose_ask against the loopback stand-in in each failure mode, each outcome counted */
#include "config.h"

#include <stdlib.h>

#include <json-c/json.h>

#include "t.h"
#include "standin/standin.h"
#include "ai/ai.h"
#include "core/conf.h"
#include "core/metrics.h"

static struct standin S;

static const char *
chat(const char *content)
{
	static char body[8192];
	struct json_object *o = json_object_new_object(), *ch = json_object_new_array(),
	    *c = json_object_new_object(), *m = json_object_new_object();

	json_object_object_add(m, "role", json_object_new_string("assistant"));
	json_object_object_add(m, "content", json_object_new_string(content));
	json_object_object_add(c, "message", m);
	json_object_array_add(ch, c);
	json_object_object_add(o, "choices", ch);
	snprintf(body, sizeof(body), "%s", json_object_to_json_string(o));
	json_object_put(o);
	return body;
}

static enum ai_outcome
parse(const char *body, bool llm, struct ai_prose *p)
{
	return ai_prose_parse(body, strlen(body), llm, p);
}

static void
test_chat_answer_gives_purpose_and_suggestions(void)
{
	struct ai_prose p;

	T_EQ(parse(chat("{\"purpose\": \"Backs up logs.\", \"suggestions\": [\"Use -WhatIf.\"]}"),
	    true, &p), AI_OK);
	T_STREQ(p.purpose, "Backs up logs.");
	T_EQ(p.nsuggestions, 1);
	T_STREQ(p.suggestions[0], "Use -WhatIf.");
	ai_prose_free(&p);
	/* a model that fences its JSON anyway */
	T_EQ(parse(chat("```json\n{\"purpose\": \"Fenced.\"}\n```"), true, &p), AI_OK);
	T_STREQ(p.purpose, "Fenced.");
	T_EQ(p.nsuggestions, 0);
	ai_prose_free(&p);
}

static void
test_ai_service_answer_gives_purpose_and_suggestions(void)
{
	struct ai_prose p;

	T_EQ(parse("{\"purpose\": \"Service.\", \"suggestions\": [\"a\", 5, {\"x\": 1}, \"b\"],"
	    " \"security_score\": 1}", false, &p), AI_OK);
	T_STREQ(p.purpose, "Service.");
	T_EQ(p.nsuggestions, 2);	/* only the strings */
	T_STREQ(p.suggestions[1], "b");
	ai_prose_free(&p);
}

static void
test_not_json_and_wrong_shapes_are_named(void)
{
	struct ai_prose p;

	T_EQ(parse("<html>oops", true, &p), AI_BAD_JSON);
	T_EQ(parse("{\"choices\": []} trailing", true, &p), AI_BAD_JSON);
	T_EQ(parse("", false, &p), AI_BAD_JSON);
	T_EQ(parse("{\"choices\": []}", true, &p), AI_BAD_ANSWER);
	T_EQ(parse(chat("Sure! Here is the purpose: it copies files."), true, &p), AI_BAD_ANSWER);
	T_EQ(parse(chat("{\"purpose\": 42, \"suggestions\": \"no\"}"), true, &p), AI_BAD_ANSWER);
	T_EQ(parse("[1, 2]", false, &p), AI_BAD_ANSWER);
	T_EQ(parse("{\"purpose\": \"  \\n\\t \"}", false, &p), AI_BAD_ANSWER);
	T_ASSERT(p.purpose == NULL && p.nsuggestions == 0);
}

static void
test_answers_are_plain_text_cut_to_size(void)
{
	struct buf b = BUF_INIT;
	struct ai_prose p;

	/* controls become spaces, bidi controls go, at most 5 suggestions */
	T_EQ(parse("{\"purpose\": \"a\\u0000b\\r\\nX-Evil: 1\\u202e reversed\", \"suggestions\":"
	    " [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\"]}", false, &p), AI_OK);
	T_STREQ(p.purpose, "a");	/* json-c stops a string at its NUL */
	T_EQ(p.nsuggestions, AI_MAX_SUGGESTIONS);
	ai_prose_free(&p);
	T_EQ(parse("{\"purpose\": \"one\\r\\ntwo\\u202e three\\u0007\"}", false, &p), AI_OK);
	T_STREQ(p.purpose, "one two three");
	ai_prose_free(&p);
	/* 2,000 two-byte characters: cut to AI_MAX_PURPOSE bytes on a character boundary */
	buf_puts(&b, "{\"purpose\": \"");
	for (int i = 0; i < 2000; i++)
		buf_puts(&b, "\xc3\xa9");
	buf_puts(&b, "\"}");
	T_EQ(parse(buf_cstr(&b), false, &p), AI_OK);
	T_EQ(strlen(p.purpose), AI_MAX_PURPOSE);
	T_ASSERT(utf8_valid(p.purpose, strlen(p.purpose)));
	ai_prose_free(&p);
	buf_free(&b);
}

/* ---- against the stand-in ---- */

static struct conf C;

static void
configure(const char *api, const char *service)
{
	char err[256];

	conf_free(&C);
	setenv("AI_API_URL", api, 1);
	setenv("AI_SERVICE_URL", service, 1);
	setenv("AI_MODEL", "standin-model", 1);
	setenv("AI_API_KEY", "sk-unit", 1);
	setenv("AI_TIMEOUT_MS", "3000", 1);
	setenv("AI_CONNECT_TIMEOUT_MS", "1000", 1);
	setenv("AI_LOW_SPEED_BYTES", "100", 1);
	setenv("AI_LOW_SPEED_MS", "1000", 1);
	if (conf_load(&C, NULL, err, sizeof(err)) != 0)
		T_FAIL_("conf_load: %s", err);
}

static void
set_mode(const char *mode)
{
	T_EQ(standin_mode(&S, mode), 0);
}

/* The value of one series in the metrics text, or -1. */
static long long
counter(const char *series)
{
	struct buf b = BUF_INIT;
	const char *p;
	long long v = -1;

	metrics_render(&b, NULL, 0);
	if ((p = strstr(buf_cstr(&b), series)) != NULL && p[strlen(series)] == ' ')
		v = strtoll(p + strlen(series) + 1, NULL, 10);
	buf_free(&b);
	return v;
}

static enum ai_outcome
ask(struct ai_prose *p)
{
	struct json_object *an = json_tokener_parse("{\"purpose\": \"built-in\", \"securityScore\": 7.5,"
	    " \"securityIssues\": [{\"ruleId\": \"PSAvoidUsingInvokeExpression\", \"severity\": \"warning\","
	    " \"message\": \"IEX <img onerror=x>\", \"line\": 3}]}");
	struct ai_ask q = { "Write-Output 1\nIEX $x\n", 22, "demo.ps1", 42, an };
	enum ai_outcome r = ai_prose_ask(&C, &q, p);

	json_object_put(an);
	return r;
}

static void
test_chat_api_in_every_mode(void)
{
	static const struct { const char *mode; enum ai_outcome want; const char *series; } cases[] = {
		{ "ok", AI_OK, "psscript_ai_requests_total{outcome=\"ok\"}" },
		{ "status500", AI_STATUS, "psscript_ai_requests_total{outcome=\"status\"}" },
		{ "garbage", AI_BAD_JSON, "psscript_ai_requests_total{outcome=\"bad_json\"}" },
		{ "badshape", AI_BAD_ANSWER, "psscript_ai_requests_total{outcome=\"bad_answer\"}" },
		{ "huge", AI_TOO_BIG, "psscript_ai_requests_total{outcome=\"too_big\"}" },
		{ "drip", AI_SLOW, "psscript_ai_requests_total{outcome=\"slow\"}" },
		{ "hang", AI_TIMEOUT, "psscript_ai_requests_total{outcome=\"timeout\"}" },
		{ "redirect", AI_STATUS, "psscript_ai_requests_total{outcome=\"status\"}" },
	};
	char url[128];

	snprintf(url, sizeof(url), "%s/v1", S.url);
	configure(url, "");
	for (size_t i = 0; i < PSS_ARRAY_LEN(cases); i++) {
		struct ai_prose p;
		long long before = counter(cases[i].series);
		enum ai_outcome r;

		set_mode(cases[i].mode);
		r = ask(&p);
		T_ASSERTF(r == cases[i].want, "mode %s: got %s, want %s", cases[i].mode,
		    ai_outcome_name(r), ai_outcome_name(cases[i].want));
		T_ASSERTF(counter(cases[i].series) == before + 1, "mode %s: %s not counted",
		    cases[i].mode, cases[i].series);
		if (r == AI_OK) {
			T_STREQ(p.provider, "llm:standin-model");
			T_CONTAINS(p.purpose, "LLM standin-model");
			T_EQ(p.nsuggestions, 2);
		} else
			T_ASSERT(p.purpose == NULL && p.nsuggestions == 0);
		ai_prose_free(&p);
	}
}

static void
test_the_ai_family_has_one_help_line(void)
{
	struct buf b = BUF_INIT;
	const char *p, *help = "# HELP psscript_ai_requests_total ";
	int n = 0;

	metrics_render(&b, NULL, 0);
	for (p = buf_cstr(&b); (p = strstr(p, help)) != NULL; p++)
		n++;
	T_EQ(n, 1);
	T_CONTAINS(buf_cstr(&b), "# TYPE psscript_ai_requests_total counter\n"
	    "psscript_ai_requests_total{outcome=\"ok\"} ");
	T_CONTAINS(buf_cstr(&b), "psscript_ai_requests_total{outcome=\"bad_answer\"} ");
	T_CONTAINS(buf_cstr(&b), "# TYPE psscript_analyses_stale_queued_total counter\n");
	buf_free(&b);
}

static void
test_ai_service_and_a_refused_connection(void)
{
	struct ai_prose p;
	long long before = counter("psscript_ai_requests_total{outcome=\"refused\"}");

	configure("", S.url);
	set_mode("ok");
	T_EQ(ask(&p), AI_OK);
	T_STREQ(p.provider, "ai-service");
	T_CONTAINS(p.purpose, "AI service: a script of 3 lines.");
	ai_prose_free(&p);
	configure("", "http://127.0.0.1:9");	/* discard port: nobody listens on loopback */
	T_EQ(ask(&p), AI_REFUSED);
	T_EQ(counter("psscript_ai_requests_total{outcome=\"refused\"}"), before + 1);
}

static void
test_configuration_is_checked(void)
{
	struct conf c;
	char err[256];
	static const struct { const char *api, *service, *model, *want; } bad[] = {
		{ "ftp://x/v1", "", "m", "AI_API_URL" },
		{ "", "localhost:8000", "m", "AI_SERVICE_URL" },
		{ "http://127.0.0.1/v1", "", "", "AI_MODEL: required" },
		{ "http://127.0.0.1/v1", "http://127.0.0.1:8000", "m", "choose one provider" },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		setenv("AI_API_URL", bad[i].api, 1);
		setenv("AI_SERVICE_URL", bad[i].service, 1);
		setenv("AI_MODEL", bad[i].model, 1);
		T_ASSERT(conf_load(&c, NULL, err, sizeof(err)) != 0);
		T_CONTAINS(err, bad[i].want);
	}
	setenv("AI_API_URL", "", 1);
	setenv("AI_SERVICE_URL", "", 1);
	T_EQ(conf_load(&c, NULL, err, sizeof(err)), 0);
	T_ASSERT(!ai_configured(&c));	/* off by default */
	conf_free(&c);
}

int
main(void)
{
	T_RUN(test_chat_answer_gives_purpose_and_suggestions);
	T_RUN(test_ai_service_answer_gives_purpose_and_suggestions);
	T_RUN(test_not_json_and_wrong_shapes_are_named);
	T_RUN(test_answers_are_plain_text_cut_to_size);
	T_RUN(test_configuration_is_checked);
	T_RUN(test_the_ai_family_has_one_help_line);
	if (standin_start(&S, "ok") != 0) {
		printf("# the stand-in (python3 tests/standin/ai-standin.py) did not start\n");
		t_result(0, "the stand-in starts");
		return t_done();
	}
	log_init("test-ai", LOG_ERROR);
	T_RUN(test_chat_api_in_every_mode);
	T_RUN(test_ai_service_and_a_refused_connection);
	standin_stop(&S);
	conf_free(&C);
	return t_done();
}
