/* test-ai-embed.c: embeddings from a remote provider: answers parsed, checked for size and
 * scaled (pure), and ai_embed against the loopback stand-in (tests/standin/ai-standin.py):
 * both APIs, the request it sends, and every failure (status, garbage, wrong shape, wrong
 * dimension, timeout, a refused connection) named and leaving the vector zero */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "t.h"
#include "standin/standin.h"
#include "ai/embed.h"
#include "core/conf.h"

static struct standin S;
static struct conf C;

static enum ai_outcome
parse(const char *body, enum ai_embed_api api, int dims, float *out, char *why)
{
	return ai_embed_parse(body, strlen(body), api, dims, out, why, 200);
}

static void
test_both_answer_shapes_give_a_unit_vector(void)
{
	float v[3];
	char why[200];

	T_EQ(parse("{\"data\": [{\"embedding\": [3, 0, 4]}], \"model\": \"m\"}", AI_EMBED_OPENAI, 3,
	    v, why), AI_OK);
	T_ASSERT(fabsf(v[0] - 0.6f) < 1e-6 && v[1] == 0 && fabsf(v[2] - 0.8f) < 1e-6);
	T_EQ(parse("{\"embedding\": [0.5, -0.5, 0.5]}", AI_EMBED_SERVICE, 3, v, why), AI_OK);
	T_ASSERT(fabsf(v[1] + 0.57735f) < 1e-4);
	/* numbers below a float's range are scaled as sent, not rounded first (the fuzz driver's
	 * first find: 1e-44 became 0.98 of itself and the vector was not of unit length) */
	T_EQ(parse("{\"embedding\": [1e-44, 0, 0]}", AI_EMBED_SERVICE, 3, v, why), AI_OK);
	T_ASSERTF(v[0] == 1.0f, "%g", (double)v[0]);
	T_EQ(parse("{\"embedding\": [3e-45, 4e-45, 0]}", AI_EMBED_SERVICE, 3, v, why), AI_OK);
	T_ASSERT(fabsf(v[0] - 0.6f) < 1e-6 && fabsf(v[1] - 0.8f) < 1e-6);
}

static void
test_bad_answers_are_named_and_leave_zero(void)
{
	static const struct { const char *body; enum ai_embed_api api; enum ai_outcome r;
	    const char *why; } bad[] = {
		{ "not json", AI_EMBED_OPENAI, AI_BAD_JSON, "not JSON" },
		{ "{\"data\": [1] } x", AI_EMBED_OPENAI, AI_BAD_JSON, "not JSON" },
		{ "{\"data\": []}", AI_EMBED_OPENAI, AI_BAD_ANSWER, "no data[0].embedding" },
		{ "{\"embedding\": [1, 2, 3]}", AI_EMBED_OPENAI, AI_BAD_ANSWER, "no data[0]" },
		{ "[1, 2, 3]", AI_EMBED_SERVICE, AI_BAD_ANSWER, "no embedding array" },
		{ "{\"embedding\": [1, 2]}", AI_EMBED_SERVICE, AI_BAD_ANSWER, "2 numbers, expected 3" },
		{ "{\"embedding\": [1, 2, 3, 4]}", AI_EMBED_SERVICE, AI_BAD_ANSWER, "expected 3" },
		{ "{\"embedding\": [1, \"2\", 3]}", AI_EMBED_SERVICE, AI_BAD_ANSWER, "element 1" },
		{ "{\"embedding\": [1, null, 3]}", AI_EMBED_SERVICE, AI_BAD_ANSWER, "element 1" },
		{ "{\"embedding\": [1, 2, 1e300]}", AI_EMBED_SERVICE, AI_BAD_ANSWER, "out of range" },
		{ "{\"embedding\": [0, 0, 0]}", AI_EMBED_SERVICE, AI_BAD_ANSWER, "all zero" },
	};
	float v[3];
	char why[200];

	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		v[0] = v[1] = v[2] = 7;
		T_ASSERTF(parse(bad[i].body, bad[i].api, 3, v, why) == bad[i].r, "%s", bad[i].body);
		T_CONTAINS(why, bad[i].why);
		T_ASSERTF(v[0] == 0 && v[1] == 0 && v[2] == 0, "%s: the vector is not zero", bad[i].body);
	}
}

static void
set_mode(const char *mode)
{
	T_EQ(standin_mode(&S, mode), 0);
}

static struct ai_embed_target
target(enum ai_embed_api api, const char *base)
{
	return (struct ai_embed_target){ .api = api, .base_url = base, .key = "sk-embed",
	    .model = "standin-embed", .dims = 1536, .timeout_ms = 2000 };
}

static void
test_the_stand_in_answers_near_vectors_for_texts_sharing_words(void)
{
	char base[128], why[300];
	float *a = calloc(1536, sizeof(float)), *b = calloc(1536, sizeof(float)),
	    *c = calloc(1536, sizeof(float));
	struct ai_embed_target t;
	double ab = 0, ac = 0;

	set_mode("ok");
	snprintf(base, sizeof(base), "%s/v1/", S.url);
	t = target(AI_EMBED_OPENAI, base);
	T_EQ(ai_embed(&C, &t, "remove old log files", 20, a, why, sizeof(why)), AI_OK);
	T_EQ(ai_embed(&C, &t, "delete old log files now", 24, b, why, sizeof(why)), AI_OK);
	t = target(AI_EMBED_SERVICE, S.url);
	T_EQ(ai_embed(&C, &t, "list certificates", 17, c, why, sizeof(why)), AI_OK);
	for (int i = 0; i < 1536; i++) {
		ab += (double)a[i] * b[i];
		ac += (double)a[i] * c[i];
	}
	T_ASSERTF(ab > 0.5 && fabs(ac) < 0.3, "cosines %.3f %.3f", ab, ac);
	free(a);
	free(b);
	free(c);
}

static void
test_the_requests_carry_model_input_key_and_dimensions(void)
{
	char base[128], why[300], cmd[512];
	float v[256];
	struct ai_embed_target t;

	set_mode("ok");
	snprintf(base, sizeof(base), "%s/v1", S.url);
	t = target(AI_EMBED_OPENAI, base);
	t.dims = 256;
	t.send_dims = true;
	T_EQ(ai_embed(&C, &t, "x y", 3, v, why, sizeof(why)), AI_OK);
	snprintf(cmd, sizeof(cmd), "curl -sf '%s/_last' | python3 -c 'import json,sys; l=json.load("
	    "sys.stdin); b=json.loads(l[\"body\"]); sys.exit(not (l[\"path\"] == \"/v1/embeddings\" "
	    "and l[\"authorization\"] == \"Bearer sk-embed\" and b[\"model\"] == \"standin-embed\" "
	    "and b[\"input\"] == \"x y\" and b[\"dimensions\"] == 256))'", S.url);
	T_EQ(system(cmd), 0);
	t = target(AI_EMBED_SERVICE, S.url);
	t.key = NULL;
	t.dims = 256;
	/* the service has no way to ask for a size: its 1536 numbers are the wrong size here */
	T_EQ(ai_embed(&C, &t, "x y", 3, v, why, sizeof(why)), AI_BAD_ANSWER);
	T_CONTAINS(why, "1536 numbers, expected 256");
	snprintf(cmd, sizeof(cmd), "curl -sf '%s/_last' | python3 -c 'import json,sys; l=json.load("
	    "sys.stdin); b=json.loads(l[\"body\"]); sys.exit(not (l[\"path\"] == \"/embedding\" "
	    "and l[\"authorization\"] is None and b == {\"content\": \"x y\"}))'", S.url);
	T_EQ(system(cmd), 0);
}

static void
test_every_failure_is_named_and_leaves_zero(void)
{
	static const struct { const char *mode, *why; enum ai_outcome r; } fails[] = {
		{ "status500", "HTTP status 500", AI_STATUS },
		{ "garbage", "not JSON", AI_BAD_JSON },
		{ "badshape", "no data[0].embedding", AI_BAD_ANSWER },
		{ "wrongdim", "768 numbers, expected 1536", AI_BAD_ANSWER },
		{ "hang", "timeout", AI_TIMEOUT },
		{ "huge", "too_big", AI_TOO_BIG },
	};
	char base[128], why[300];
	float *v = calloc(1536, sizeof(float));
	struct ai_embed_target t;

	snprintf(base, sizeof(base), "%s/v1", S.url);
	t = target(AI_EMBED_OPENAI, base);
	t.timeout_ms = 1000;
	for (size_t i = 0; i < PSS_ARRAY_LEN(fails); i++) {
		int zero = 1;

		set_mode(fails[i].mode);
		v[0] = 1;
		T_ASSERTF(ai_embed(&C, &t, "a b", 3, v, why, sizeof(why)) == fails[i].r, "mode %s: %s",
		    fails[i].mode, why);
		T_CONTAINS(why, fails[i].why);
		for (int j = 0; j < 1536; j++)
			zero &= v[j] == 0;
		T_ASSERTF(zero, "mode %s: the vector is not zero", fails[i].mode);
	}
	set_mode("ok");
	/* nobody listens on the discard port of loopback */
	t = target(AI_EMBED_SERVICE, "http://127.0.0.1:9");
	T_EQ(ai_embed(&C, &t, "a b", 3, v, why, sizeof(why)), AI_REFUSED);
	free(v);
}

int
main(void)
{
	char err[512];

	T_RUN(test_both_answer_shapes_give_a_unit_vector);
	T_RUN(test_bad_answers_are_named_and_leave_zero);
	setenv("AI_CONNECT_TIMEOUT_MS", "1000", 1);
	setenv("AI_LOW_SPEED_BYTES", "100", 1);
	setenv("AI_LOW_SPEED_MS", "1000", 1);
	if (conf_load(&C, NULL, err, sizeof(err)) != 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	if (standin_start(&S, "ok") != 0) {
		printf("# the stand-in (python3 tests/standin/ai-standin.py) did not start\n");
		t_result(0, "the stand-in starts");
		return t_done();
	}
	log_init("test-ai-embed", LOG_ERROR);
	T_RUN(test_the_stand_in_answers_near_vectors_for_texts_sharing_words);
	T_RUN(test_the_requests_carry_model_input_key_and_dimensions);
	T_RUN(test_every_failure_is_named_and_leaves_zero);
	standin_stop(&S);
	conf_free(&C);
	return t_done();
}
