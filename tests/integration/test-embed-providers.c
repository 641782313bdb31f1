/* test-embed-providers.c: the remote embedding providers (docs/search.md, "Providers") through
 * the services against the harness's PostgreSQL and the loopback stand-in of the remote APIs
 * (tests/standin/ai-standin.py): rows recorded per model beside the built-in ones, queries
 * embedded by the rows' provider, a failing provider answered by the built-in model (said so,
 * never mixing models), failures of a job named with nothing stored lost, the AI service's
 * /embedding, and the embedding service other code calls */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/conf.h"
#include "db/db.h"
#include "services/library.h"
#include "standin/standin.h"
#include "t.h"

static struct standin S;
static struct conf conf;
static struct db *db;
static struct svc svc;
static char run[17];
static int64_t owner, certs, logs, procs;
static struct viewer owner_v;

static const char *
sql_str(const char *sql)
{
	static char out[4096];
	struct db_res *r;

	out[0] = '\0';
	if (db_exec(db, &r, sql, 0, NULL) != PSS_OK)
		return NULL;
	if (db_res_rows(r) > 0 && !db_res_isnull(r, 0, 0))
		snprintf(out, sizeof(out), "%s", db_res_get(r, 0, 0));
	db_res_free(r);
	return out;
}

static void
set_mode(const char *mode)
{
	T_EQ(standin_mode(&S, mode), 0);
}

static long
standin_count(void)
{
	char cmd[256], buf[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "curl -sf '%s/_count' | tr -dc 0-9", S.url);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), p) == NULL)
		buf[0] = '\0';
	pclose(p);
	return strtol(buf, NULL, 10);
}

/* Loads the configuration with these settings (KEY=value, NULL-terminated) over the
 * environment's, and forgets the embedders set up from the one before. */
static void
configure(const char *const *kv)
{
	char err[512];

	for (size_t i = 0; kv[i] != NULL; i++) {
		char k[64];
		const char *eq = strchr(kv[i], '=');

		snprintf(k, sizeof(k), "%.*s", (int)(eq - kv[i]), kv[i]);
		setenv(k, eq + 1, 1);
	}
	conf_free(&conf);
	T_ASSERTF(conf_load(&conf, NULL, err, sizeof(err)) == 0, "%s", err);
	svc.conf = &conf;
	library_embedding_reset();
}

static int64_t
mk(const char *title, const char *body)
{
	struct buf content = BUF_INIT;
	struct script_new sn = { .user_id = owner, .title = title, .is_public = false };
	struct svc_err err = { 0 };
	int64_t id = 0;

	buf_printf(&content, "# %s\n%s\n", run, body);
	sn.content = content.data;
	sn.content_len = content.len;
	if (library_script_create(&svc, &sn, &id, &err) != PSS_OK)
		id = 0;
	buf_free(&content);
	return id;
}

/* The semantic search of q among the owner's scripts: its answer (caller puts). */
static struct json_object *
semantic(const char *q)
{
	struct script_filter f;
	struct json_object *out = NULL;
	struct svc_err err = { 0 };

	library_filter_init(&f, true);
	f.query = q;
	f.mode = library_search_mode_parse("semantic");
	f.mine = true;
	T_EQ(library_scripts_search_mode(&svc, &owner_v, &f, &out, &err), PSS_OK);
	return out;
}

static const char *
field(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static int64_t
first_id(struct json_object *o)
{
	struct json_object *arr, *id;

	if (!json_object_object_get_ex(o, "scripts", &arr) || json_object_array_length(arr) == 0 ||
	    !json_object_object_get_ex(json_object_array_get_idx(arr, 0), "id", &id))
		return 0;
	return json_object_get_int64(id);
}

static const char *const openai_conf[] = {
	"EMBEDDING_PROVIDER=openai", "EMBEDDING_MODEL=standin-embed-1", "AI_API_KEY=sk-itest",
	"EMBEDDING_QUERY_TIMEOUT_MS=1000", "AI_TIMEOUT_MS=2000", "AI_CONNECT_TIMEOUT_MS=1000",
	"AI_LOW_SPEED_BYTES=100", "AI_LOW_SPEED_MS=1000", NULL,
};

static void
test_a_job_stores_the_providers_row_beside_the_builtin_one(void)
{
	char why[512], sql[512];

	set_mode("ok");
	configure(openai_conf);
	certs = mk("Certificate report", "Get-ChildItem Cert:\\LocalMachine\\My | Where-Object "
	    "{ $_.NotAfter -lt (Get-Date).AddDays(30) } # expiring certificates soon");
	logs = mk("Tidy logs", "Get-ChildItem C:\\inetpub\\logs -Filter *.log | Remove-Item "
	    "# purge old web server log files");
	procs = mk("Stop runaway", "Get-Process notepad | Stop-Process -Force # end a hung program");
	T_ASSERT(certs && logs && procs);
	for (int64_t id = certs; id <= procs; id++) {
		T_ASSERTF(library_embedding_compute(&svc, id, why, sizeof(why)) == PSS_OK, "%s", why);
	}
	snprintf(sql, sizeof(sql), "SELECT string_agg(embedding_type || ' ' || model_version || ' '"
	    " || dimensions, ', ' ORDER BY embedding_type) FROM script_embeddings WHERE script_id = %lld",
	    (long long)certs);
	T_ASSERTF(strncmp(sql_str(sql), "builtin lsi-", 12) == 0, "%s", sql_str(sql));
	T_CONTAINS(sql_str(sql), ", openai standin-embed-1 1536");
	/* the last request went to {AI_API_URL}/embeddings with the key */
	snprintf(sql, sizeof(sql), "curl -sf '%s/_last' | grep -q '\"path\": \"/v1/embeddings\"'"
	    " && curl -sf '%s/_last' | grep -q 'Bearer sk-itest'", S.url, S.url);
	T_EQ(system(sql), 0);
}

static void
test_a_query_is_embedded_by_the_rows_provider(void)
{
	struct json_object *o = semantic("purge old web server log files");
	struct library_vector a, b;
	char why[256];
	double cos;

	T_STREQ(field(o, "method"), "openai:postgresql-scan");
	T_ASSERT(field(o, "reason") == NULL);
	T_EQ(first_id(o), logs);
	json_object_put(o);
	o = semantic("expiring certificates soon");
	T_EQ(first_id(o), certs);
	json_object_put(o);
	/* the service other code embeds with: the provider's model, comparable within it */
	T_EQ(library_embed(&svc, "old log files", 13, NULL, false, &a, why, sizeof(why)), PSS_OK);
	T_STREQ(a.em->type, "openai");
	T_EQ(a.em->dims, 1536);
	T_ASSERT(!a.fallback);
	T_EQ(library_embed(&svc, "old log files", 13, a.em->model, false, &b, why, sizeof(why)), PSS_OK);
	T_EQ(library_vector_cosine(&a, &b, &cos), PSS_OK);
	T_ASSERTF(cos > 0.999, "cos %f", cos);
	library_vector_free(&b);
	/* the built-in model's vector of the same text is never compared with it */
	T_EQ(library_embed(&svc, "old log files", 13, library_embedder_builtin(&svc, why,
	    sizeof(why))->model, false, &b, why, sizeof(why)), PSS_OK);
	T_EQ(b.em->dims, 256);
	T_EQ(library_vector_cosine(&a, &b, &cos), PSS_EINVAL);
	library_vector_free(&b);
	T_EQ(library_embed(&svc, "x", 1, "no-such-model", false, &b, why, sizeof(why)), PSS_ENOTFOUND);
	library_vector_free(&a);
}

static void
test_a_failing_provider_is_answered_by_the_builtin_model_and_said(void)
{
	static const char *const modes[] = { "status500", "garbage", "wrongdim", "hang" };

	for (size_t i = 0; i < PSS_ARRAY_LEN(modes); i++) {
		struct json_object *o;
		long before;

		configure(openai_conf);	/* forgets the last failure */
		set_mode(modes[i]);
		o = semantic("purge old web server log files");
		T_ASSERTF(strncmp(field(o, "method") ?: "", "builtin:", 8) == 0, "mode %s: %s",
		    modes[i], field(o, "method"));
		T_CONTAINS(field(o, "reason"), "the embedding provider openai failed");
		T_CONTAINS(field(o, "reason"), "the built-in model answered");
		T_EQ(first_id(o), logs);
		json_object_put(o);
		/* within LIBRARY_EMBED_RETRY_MS the provider is not asked again */
		before = standin_count();
		o = semantic("expiring certificates");
		T_EQ(standin_count(), before);
		T_CONTAINS(field(o, "reason"), "s ago");
		T_EQ(first_id(o), certs);
		json_object_put(o);
	}
	set_mode("ok");
}

static void
test_a_job_whose_provider_fails_says_why_and_loses_nothing(void)
{
	static const struct { const char *mode, *why; } fails[] = {
		{ "status500", "HTTP status 500" }, { "garbage", "not JSON" },
		{ "wrongdim", "768 numbers, expected 1536" }, { "hang", "timeout" },
	};
	char sql[300], why[512], before[256];

	configure(openai_conf);
	snprintf(sql, sizeof(sql), "SELECT string_agg(text_hash, ' ' ORDER BY embedding_type)"
	    " FROM script_embeddings WHERE script_id = %lld", (long long)procs);
	snprintf(before, sizeof(before), "%s", sql_str(sql));
	snprintf(sql, sizeof(sql), "UPDATE scripts SET description = 'changed %s' WHERE id = %lld"
	    " RETURNING 1", run, (long long)procs);
	T_ASSERT(sql_str(sql) != NULL);
	for (size_t i = 0; i < PSS_ARRAY_LEN(fails); i++) {
		set_mode(fails[i].mode);
		why[0] = '\0';
		T_ASSERTF(library_embedding_compute(&svc, procs, why, sizeof(why)) != PSS_OK,
		    "mode %s", fails[i].mode);
		T_CONTAINS(why, fails[i].why);
		T_CONTAINS(why, "the openai embedding of script");
	}
	/* the openai row is the old one, whole; the built-in row is of the new text */
	snprintf(sql, sizeof(sql), "SELECT text_hash FROM script_embeddings WHERE script_id = %lld"
	    " AND embedding_type = 'openai'", (long long)procs);
	T_ASSERT(strstr(before, sql_str(sql)) != NULL);
	snprintf(sql, sizeof(sql), "SELECT text_hash FROM script_embeddings WHERE script_id = %lld"
	    " AND embedding_type = 'builtin'", (long long)procs);
	T_ASSERT(strstr(before, sql_str(sql)) == NULL);
	set_mode("ok");
	T_ASSERTF(library_embedding_compute(&svc, procs, why, sizeof(why)) == PSS_OK, "%s", why);
	snprintf(sql, sizeof(sql), "SELECT text_hash FROM script_embeddings WHERE script_id = %lld"
	    " AND embedding_type = 'openai'", (long long)procs);
	T_ASSERT(strstr(before, sql_str(sql)) == NULL);
}

static void
test_the_ai_service_embeds_and_a_provider_change_reembeds(void)
{
	static const char *const service_conf[] = { "EMBEDDING_PROVIDER=psscript-ai",
		"EMBEDDING_MODEL=", "AI_API_URL=", "AI_MODEL=", NULL };
	int64_t ids[100];
	char why[512], sql[300], url[128];
	const char *const *kv;
	const char *url_kv[2] = { url, NULL };
	struct json_object *o;
	bool seen = false;
	int n;

	kv = service_conf;
	configure(kv);
	snprintf(url, sizeof(url), "AI_SERVICE_URL=%s", S.url);
	configure(url_kv);
	T_ASSERTF(library_embedder(&svc, why, sizeof(why)) != NULL, "%s", why);
	if (library_embedder(&svc, why, sizeof(why)) == NULL)
		return;
	T_STREQ(library_embedder(&svc, why, sizeof(why))->model, "ai-service");
	/* every one of this run's scripts lacks a row of the new model: psscript reembed's list */
	T_EQ(library_reembed_next(&svc, certs - 1, ids, 100, &n), PSS_OK);
	for (int i = 0; i < n; i++)
		seen |= ids[i] == logs;
	T_ASSERT(seen);
	for (int64_t id = certs; id <= procs; id++)
		T_ASSERTF(library_embedding_compute(&svc, id, why, sizeof(why)) == PSS_OK, "%s", why);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM script_embeddings WHERE script_id BETWEEN"
	    " %lld AND %lld AND embedding_type = 'psscript-ai' AND dimensions = 1536",
	    (long long)certs, (long long)procs);
	T_STREQ(sql_str(sql), "3");
	T_EQ(library_reembed_next(&svc, certs - 1, ids, 100, &n), PSS_OK);
	for (int i = 0; i < n; i++)
		T_ASSERT(ids[i] < certs || ids[i] > procs);
	o = semantic("purge old web server log files");
	T_STREQ(field(o, "method"), "psscript-ai:postgresql-scan");
	T_EQ(first_id(o), logs);
	json_object_put(o);
}

static void
test_a_provider_without_a_url_or_unknown_is_refused_with_the_reason(void)
{
	static const char *const none[] = { "EMBEDDING_PROVIDER=openai", "AI_API_URL=",
		"AI_SERVICE_URL=", "EMBEDDING_API_URL=", NULL };
	static const char *const unknown[] = { "EMBEDDING_PROVIDER=word2vec", NULL };
	static const char *const longname[] = { "EMBEDDING_PROVIDER=openai", "EMBEDDING_API_URL="
		"http://127.0.0.1:9/v1", "EMBEDDING_MODEL=a-model-name-that-is-longer-than-fifty-bytes-"
		"for-sure", NULL };
	char why[512];
	struct json_object *o;

	configure(none);
	T_ASSERT(library_embedder(&svc, why, sizeof(why)) == NULL);
	T_CONTAINS(why, "needs an http(s) URL in EMBEDDING_API_URL or AI_API_URL");
	o = semantic("old logs");
	T_CONTAINS(field(o, "reason"), "no embedding model is available");
	json_object_put(o);
	configure(unknown);
	T_ASSERT(library_embedder(&svc, why, sizeof(why)) == NULL);
	T_CONTAINS(why, "is not one of builtin, openai, psscript-ai");
	configure(longname);
	T_ASSERT(library_embedder(&svc, why, sizeof(why)) == NULL);
	T_CONTAINS(why, "longer than 50 bytes");
}

int
main(void)
{
	char err[512], api[128];
	struct db_res *r;

	log_init("test-embed-providers", LOG_ERROR);
	if (standin_start(&S, "ok") != 0) {
		printf("Bail out! the stand-in (python3 tests/standin/ai-standin.py) did not start\n");
		return 1;
	}
	snprintf(api, sizeof(api), "%s/v1", S.url);
	setenv("AI_API_URL", api, 1);
	setenv("AI_MODEL", "standin-chat", 1);
	if (conf_load(&conf, NULL, err, sizeof(err)) != 0) {
		printf("Bail out! %s\n", err);
		standin_stop(&S);
		return 1;
	}
	db = db_open(&conf, false);
	svc = (struct svc){ &conf, db, NULL };
	if (db_ensure(db) != PSS_OK) {
		printf("Bail out! no database\n");
		standin_stop(&S);
		return 1;
	}
	rand_hex(run, 8);
	{
		char uname[64], email[96];

		snprintf(uname, sizeof(uname), "embprov_%s", run);
		snprintf(email, sizeof(email), "%s@example.test", uname);
		if (db_exec(db, &r, "INSERT INTO users (username, email, password_hash, role)"
		    " VALUES ($1, $2, 'x', 'user') RETURNING id", 2,
		    (const char *[]){ uname, email }) == PSS_OK) {
			owner = db_res_int(r, 0, 0);
			db_res_free(r);
		}
	}
	owner_v = (struct viewer){ owner, false };
	T_RUN(test_a_job_stores_the_providers_row_beside_the_builtin_one);
	T_RUN(test_a_query_is_embedded_by_the_rows_provider);
	T_RUN(test_a_failing_provider_is_answered_by_the_builtin_model_and_said);
	T_RUN(test_a_job_whose_provider_fails_says_why_and_loses_nothing);
	T_RUN(test_the_ai_service_embeds_and_a_provider_change_reembeds);
	T_RUN(test_a_provider_without_a_url_or_unknown_is_refused_with_the_reason);
	/* the suites after this one see only built-in rows again */
	if (db_exec(db, NULL, "DELETE FROM script_embeddings WHERE embedding_type <> 'builtin'",
	    0, NULL) != PSS_OK)
		printf("# could not remove the remote providers' rows\n");
	library_embedding_reset();
	standin_stop(&S);
	db_close(db);
	conf_free(&conf);
	return t_done();
}
