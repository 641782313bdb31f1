/* test-search.c: search by meaning through nginx: semantic and hybrid search with visibility
 * and gapless ranks in every mode, command aliases, similar scripts, no embeddings yet (the
 * fallback), psscript reembed, and the flat vector file (used, corrupt, healed) */
#include "config.h"

#include <unistd.h>

#include "itest-auth.h"

static struct acct alice, bob;
static long long certs, procs, logs, secret;
static char tag[32];

static long long
create(const char *token, const char *title, const char *description, const char *content,
    bool pub)
{
	struct json_object *o = json_object_new_object(), *tags = json_object_new_array();
	struct it_resp r;
	long long id = 0;
	const char *v;

	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "description", json_object_new_string(description));
	json_object_object_add(o, "content", json_object_new_string(content));
	json_object_object_add(o, "isPublic", json_object_new_boolean(pub));
	json_object_array_add(tags, json_object_new_string(tag));
	json_object_object_add(o, "tags", tags);
	T_EQ(it_json(&r, "POST", "/api/scripts", token, json_object_to_json_string(o)), 0);
	json_object_put(o);
	T_ASSERTF(r.status == 201, "create %s: %ld %.200s", title, r.status, r.body);
	if ((v = it_str(&r, "script.id")) != NULL)
		id = strtoll(v, NULL, 10);
	it_resp_free(&r);
	return id;
}

/* Polls sql (a count) until it reaches want; 0 when it did within 30 s. */
static int
wait_count(const char *sql, long want)
{
	for (int i = 0; i < 300; i++) {
		const char *v = it_psql(sql);

		if (v != NULL && strtol(v, NULL, 10) >= want)
			return 0;
		usleep(100 * 1000);
	}
	return -1;
}

static char embedded_sql[256];

static void
test_setup_and_embed_on_create(void)
{
	char pid[16];

	T_EQ(acct_register(&alice, "sem_a"), 0);
	T_EQ(acct_register(&bob, "sem_b"), 0);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(tag, sizeof(tag), "sem%s", pid);
	certs = create(alice.token, "Certificate report", "Lists machine certificates",
	    "$limit = (Get-Date).AddDays(30)\nGet-ChildItem Cert:\\LocalMachine\\My |\n"
	    "  Where-Object { $_.NotAfter -lt $limit } | Select-Object Subject, NotAfter\n", true);
	procs = create(alice.token, "Stop runaway", "Ends a hung program",
	    "Get-Process -Name notepad | Stop-Process -Force\n", true);
	logs = create(alice.token, "Tidy folder", "Housekeeping",
	    "Get-ChildItem C:\\inetpub\\logs -Filter *.log -Recurse |\n"
	    "  Where-Object LastWriteTime -lt (Get-Date).AddDays(-14) | Remove-Item\n", true);
	secret = create(bob.token, "Bob's certificate check", "private",
	    "Get-ChildItem Cert:\\CurrentUser\\My | Where-Object NotAfter -lt (Get-Date).AddDays(60)\n",
	    false);
	T_ASSERT(certs && procs && logs && secret);
	snprintf(embedded_sql, sizeof(embedded_sql),
	    "SELECT count(*) FROM script_embeddings WHERE script_id IN (%lld, %lld, %lld, %lld)",
	    certs, procs, logs, secret);
	/* the embedding.compute job of every create, run by the job runner */
	T_EQ(wait_count(embedded_sql, 4), 0);
	T_STREQ(it_psql("SELECT DISTINCT embedding_type || ' ' || dimensions FROM script_embeddings"),
	    "builtin 256");
}

/* GET path as token; the answer's scripts' ids in order into ids (at most n), their count. */
static int
search_ids(const char *path, const char *token, long long *ids, int n, struct it_resp *keep)
{
	struct it_resp r;
	struct json_object *arr, *sc, *id, *rank, *score;
	int got = 0;

	T_EQ(it_json(&r, "GET", path, token, NULL), 0);
	T_ASSERTF(r.status == 200, "%s: %ld %.300s", path, r.status, r.body);
	if (r.json != NULL && json_object_object_get_ex(r.json, "scripts", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			sc = json_object_array_get_idx(arr, i);
			T_ASSERT(json_object_object_get_ex(sc, "id", &id));
			/* ranks are the 1-based places, no gaps; every result has a score and snippet */
			T_ASSERT(json_object_object_get_ex(sc, "rank", &rank));
			T_EQ(json_object_get_int64(rank), (long long)i + 1);
			T_ASSERT(json_object_object_get_ex(sc, "score", &score));
			T_ASSERT(json_object_object_get_ex(sc, "snippet", NULL));
			if (got < n)
				ids[got++] = json_object_get_int64(id);
		}
	if (keep != NULL)
		*keep = r;
	else
		it_resp_free(&r);
	return got;
}

static bool
has(const long long *ids, int n, long long id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static void
test_semantic_ranks_by_meaning_and_hides_private_scripts(void)
{
	char path[256];
	long long ids[100];
	struct it_resp r;
	int n;

	/* no word of the question is in the script's text */
	snprintf(path, sizeof(path), "/api/scripts/search?mode=semantic&tag=%s&q=%s", tag,
	    "certificates+that+expire+soon");
	n = search_ids(path, NULL, ids, 100, &r);
	T_STREQ(it_str(&r, "mode"), "semantic");
	T_ASSERTF(it_str(&r, "method") != NULL && strncmp(it_str(&r, "method"), "builtin:", 8) == 0,
	    "method %s", it_str(&r, "method"));
	it_resp_free(&r);
	T_ASSERTF(n >= 1 && ids[0] == certs, "first %lld of %d, want %lld", n ? ids[0] : 0, n, certs);
	T_ASSERT(!has(ids, n, secret));
	/* alice does not see bob's private script either; bob does */
	T_ASSERT(!has(ids, search_ids(path, alice.token, ids, 100, NULL), secret));
	n = search_ids(path, bob.token, ids, 100, NULL);
	T_ASSERT(has(ids, n, secret) && has(ids, n, certs));
	/* the keyword search finds nothing for the same question */
	snprintf(path, sizeof(path), "/api/scripts/search?mode=keyword&tag=%s&q=%s", tag,
	    "certificates+that+expire+soon");
	T_EQ(search_ids(path, NULL, ids, 100, NULL), 0);
}

static void
test_hybrid_fuses_and_filters_apply_in_every_mode(void)
{
	static const char *const modes[] = { "keyword", "semantic", "hybrid" };
	char path[256];
	long long ids[100];
	struct it_resp r;
	int n;

	snprintf(path, sizeof(path), "/api/scripts/search?mode=hybrid&tag=%s&q=%s", tag,
	    "delete+old+log+files");
	n = search_ids(path, NULL, ids, 100, &r);
	T_STREQ(it_str(&r, "mode"), "hybrid");
	it_resp_free(&r);
	T_ASSERTF(n >= 1 && ids[0] == logs, "hybrid first %lld", n ? ids[0] : 0);
	for (size_t m = 0; m < 3; m++) {
		/* page 2 of limit 1 is the second result, rank 2; isPublic=false as anonymous: none */
		snprintf(path, sizeof(path), "/api/scripts/search?mode=%s&tag=%s&q=certificate&limit=1&page=2",
		    modes[m], tag);
		T_EQ(it_json(&r, "GET", path, bob.token, NULL), 0);
		T_EQ(r.status, 200);
		if (r.json != NULL) {
			struct json_object *arr, *rank;

			T_ASSERT(json_object_object_get_ex(r.json, "scripts", &arr));
			T_ASSERTF(json_object_array_length(arr) == 1, "%s page 2: %.300s", modes[m], r.body);
			if (json_object_array_length(arr) == 1) {
				T_ASSERT(json_object_object_get_ex(json_object_array_get_idx(arr, 0), "rank", &rank));
				T_EQ(json_object_get_int64(rank), 2);
			}
		}
		it_resp_free(&r);
		snprintf(path, sizeof(path), "/api/scripts/search?mode=%s&tag=%s&q=certificate&isPublic=false",
		    modes[m], tag);
		T_EQ(search_ids(path, NULL, ids, 100, NULL), 0);
		T_EQ(search_ids(path, alice.token, ids, 100, NULL), 0);
		n = search_ids(path, bob.token, ids, 100, NULL);
		T_ASSERTF(n == 1 && ids[0] == secret, "%s private as bob: %d", modes[m], n);
	}
}

static void
test_bad_modes_and_queries_are_400(void)
{
	struct it_resp r;

	T_EQ(it_json(&r, "GET", "/api/scripts/search?mode=vector&q=x", NULL, NULL), 0);
	check_error(&r, 400, "validation_error");
	T_ASSERT(strstr(r.body, "mode") != NULL);
	it_resp_free(&r);
	T_EQ(status_of("GET", "/api/scripts/search?mode=semantic&q=", NULL, NULL), 400);
	T_EQ(status_of("GET", "/api/scripts/search?mode=semantic&q=a+b+c+d+e+f+g+h+i", NULL, NULL), 400);
	T_EQ(status_of("GET", "/api/scripts/search?mode=hybrid&q=x&sort=title", NULL, NULL), 400);
}

static void
test_a_command_alias_finds_its_command(void)
{
	char path[256];
	long long ids[100];
	struct it_resp r;
	int n;

	/* "kill" is Stop-Process's alias; the script says Stop-Process, never kill */
	snprintf(path, sizeof(path), "/api/scripts/search?mode=keyword&tag=%s&q=kill", tag);
	n = search_ids(path, NULL, ids, 100, &r);
	T_STREQ(it_str(&r, "expandedQuery"), "Stop-Process");
	it_resp_free(&r);
	T_ASSERTF(n == 1 && ids[0] == procs, "kill: %d results", n);
}

static void
test_similar_scripts_are_real_cosines_of_visible_scripts(void)
{
	char path[128];
	struct it_resp r;
	struct json_object *arr, *it, *v;
	bool saw_secret = false, saw_logs = false;

	snprintf(path, sizeof(path), "/api/scripts/%lld/similar?limit=50", certs);
	for (int who = 0; who < 2; who++) {
		T_EQ(it_json(&r, "GET", path, who ? bob.token : NULL, NULL), 0);
		T_EQ(r.status, 200);
		T_ASSERTF(it_str(&r, "method") && strncmp(it_str(&r, "method"), "builtin:", 8) == 0,
		    "%.200s", r.body);
		T_ASSERT(r.json && json_object_object_get_ex(r.json, "similarScripts", &arr));
		for (size_t i = 0; r.json && i < json_object_array_length(arr); i++) {
			double sim;
			long long id;

			it = json_object_array_get_idx(arr, i);
			T_ASSERT(json_object_object_get_ex(it, "scriptId", &v));
			id = json_object_get_int64(v);
			T_ASSERT(id != certs);
			if (who == 0)
				T_ASSERT(id != secret);
			saw_secret |= who == 1 && id == secret;
			saw_logs |= id == logs;
			T_ASSERT(json_object_object_get_ex(it, "similarity", &v));
			sim = json_object_get_double(v);
			T_ASSERTF(sim >= 0 && sim <= 1, "similarity %f", sim);
			T_ASSERT(json_object_object_get_ex(it, "title", NULL));
			T_ASSERT(json_object_object_get_ex(it, "category", NULL));
		}
		it_resp_free(&r);
	}
	T_ASSERT(saw_secret);	/* bob's own private certificate script is the nearest for bob */
	(void)saw_logs;
	T_EQ(status_of("GET", "/api/scripts/999999999/similar", NULL, NULL), 404);
	snprintf(path, sizeof(path), "/api/scripts/%lld/similar", secret);
	T_EQ(status_of("GET", path, alice.token, NULL), 404);
	snprintf(path, sizeof(path), "/api/scripts/%lld/similar?limit=0", certs);
	T_EQ(status_of("GET", path, NULL, NULL), 400);
	snprintf(path, sizeof(path), "/api/scripts/%lld/similar?threshold=1.5", certs);
	T_EQ(status_of("GET", path, NULL, NULL), 400);
	/* a threshold above every other script's cosine: none, still 200 */
	snprintf(path, sizeof(path), "/api/scripts/%lld/similar?threshold=1", certs);
	T_EQ(it_json(&r, "GET", path, NULL, NULL), 0);
	T_EQ(r.status, 200);
	T_ASSERT(strstr(r.body, "\"similarScripts\":[]") != NULL);
	it_resp_free(&r);
}

static const char *
method_of(const char *token)
{
	static char m[64];
	static int k;
	char path[256];
	struct it_resp r;

	/* a new limit each time: a new cache key, so the answer is computed now */
	k = k % 100 + 1;
	snprintf(path, sizeof(path), "/api/scripts/search?mode=semantic&tag=%s&q=certificates&limit=%d",
	    tag, k);
	T_EQ(it_json(&r, "GET", path, token, NULL), 0);
	snprintf(m, sizeof(m), "%s", it_str(&r, "method") ? it_str(&r, "method") : "");
	it_resp_free(&r);
	return m;
}

/* The flat file is what answers; one damaged by the shell command damage (%1$s: the state
 * directory) is ignored (PostgreSQL answers) and healed. */
static void
vector_file_heals(const char *damage)
{
	const char *st = getenv("PSS_TEST_STATE");
	bool healed = false;

	T_ASSERT(st != NULL);
	for (int i = 0; i < 100 && strcmp(method_of(NULL), "builtin:flat-file") != 0; i++)
		usleep(100 * 1000);
	T_STREQ(method_of(NULL), "builtin:flat-file");
	T_EQ(it_run(damage, st), 0);
	T_STREQ(method_of(bob.token), "builtin:postgresql-scan");
	for (int i = 0; i < 100 && !healed; i++) {
		healed = strcmp(method_of(NULL), "builtin:flat-file") == 0;
		usleep(100 * 1000);
	}
	T_ASSERT(healed);
}

/* cut short (a new inode, as a torn copy would be) */
static void
test_the_vector_file_answers_and_heals_when_corrupt(void)
{
	vector_file_heals("head -c 1000 %1$s/run/vectors.bin > %1$s/run/vectors.cut && "
	    "mv %1$s/run/vectors.cut %1$s/run/vectors.bin");
}

/* one byte changed in the middle, the size the same: only the checksum can tell */
static void
test_a_vector_file_with_a_changed_byte_is_rebuilt(void)
{
	vector_file_heals("cp %1$s/run/vectors.bin %1$s/run/vectors.bad && "
	    "at=$(( $(stat -c %%s %1$s/run/vectors.bad) / 2 )) && "
	    "b=$(od -An -tu1 -j \"$at\" -N1 %1$s/run/vectors.bad | tr -d ' ') && "
	    "printf \"\\\\$(printf %%o $(( 255 - b )))\" | dd of=%1$s/run/vectors.bad bs=1 "
	    "seek=\"$at\" conv=notrunc status=none && ! cmp -s %1$s/run/vectors.bin %1$s/run/vectors.bad && "
	    "mv %1$s/run/vectors.bad %1$s/run/vectors.bin");
}

/* a file of the format before the int8 copy (version 1, at byte 8) is rebuilt the same way */
static void
test_a_vector_file_of_the_old_version_is_rebuilt(void)
{
	vector_file_heals("cp %1$s/run/vectors.bin %1$s/run/vectors.old && "
	    "printf '\\001\\000\\000\\000' | dd of=%1$s/run/vectors.old bs=1 seek=8 conv=notrunc "
	    "status=none && mv %1$s/run/vectors.old %1$s/run/vectors.bin");
}

/* Without any embedding: semantic says so, hybrid answers keyword's results with the reason;
 * psscript reembed brings them back. */
static void
test_no_embeddings_yet_then_reembed(void)
{
	char path[256];
	long long ids[100];
	struct it_resp r;
	int n;

	T_STREQ(it_psql("DELETE FROM script_embeddings; SELECT 'ok'"), "ok");
	snprintf(path, sizeof(path), "/api/scripts/search?mode=semantic&tag=%s&q=certificates+soon", tag);
	T_EQ(search_ids(path, NULL, ids, 100, &r), 0);
	T_ASSERTF(it_str(&r, "reason") && strstr(it_str(&r, "reason"), "no script has an embedding"),
	    "%.300s", r.body);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/search?mode=hybrid&tag=%s&q=certificate+or+machine", tag);
	n = search_ids(path, NULL, ids, 100, &r);
	T_STREQ(it_str(&r, "mode"), "hybrid");
	T_STREQ(it_str(&r, "fallback"), "keyword");
	T_ASSERT(it_str(&r, "reason") != NULL);
	it_resp_free(&r);
	T_ASSERT(n >= 1 && has(ids, n, certs));
	/* re-embed every script, in this process, with its progress */
	T_EQ(it_run("\"$PSS_BIN/psscript\" reembed --inline > %s/reembed.out 2>&1",
	    getenv("PSS_TEST_STATE")), 0);
	T_EQ(it_run("grep -q 'embedded .* scripts (100%%)' %s/reembed.out", getenv("PSS_TEST_STATE")), 0);
	T_EQ(wait_count(embedded_sql, 4), 0);
	snprintf(path, sizeof(path), "/api/scripts/search?mode=semantic&tag=%s&q=%s", tag,
	    "certificates+expiring+soon");
	n = search_ids(path, NULL, ids, 100, NULL);
	T_ASSERT(n >= 1 && ids[0] == certs);
}

/* The pages: the search box matches by meaning by default and offers the modes; the script
 * page lists similar scripts the viewer may see. */
static void
test_pages_offer_modes_and_similar_scripts(void)
{
	char path[256];
	struct it_resp r;

	snprintf(path, sizeof(path), "/scripts?tag=%s&q=certificates+that+expire+soon", tag);
	T_EQ(it_get(&r, path), 0);
	T_EQ(r.status, 200);
	T_ASSERT(strstr(r.body, "Certificate report") != NULL);
	T_ASSERT(strstr(r.body, "certificate check") == NULL);
	T_ASSERT(strstr(r.body, "<option value=\"hybrid\" selected=\"selected\">") != NULL);
	T_ASSERT(strstr(r.body, "<option value=\"semantic\">") != NULL);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts?tag=%s&q=certificates+that+expire+soon&mode=keyword", tag);
	T_EQ(it_get(&r, path), 0);
	T_EQ(r.status, 200);
	T_ASSERT(strstr(r.body, "Certificate report") == NULL);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/scripts/%lld", logs);
	T_EQ(it_get(&r, path), 0);
	T_EQ(r.status, 200);
	T_ASSERT(strstr(r.body, "Similar scripts") != NULL);
	T_ASSERT(strstr(r.body, "certificate check") == NULL);
	it_resp_free(&r);
}

/* page_has: GET path (as who, NULL: anonymous) is 200 and has needle or not. */
static bool
page_has(const char *path, const struct acct *who, const char *needle)
{
	char cookie[160];
	const char *hdr[] = { cookie, NULL };
	struct it_resp r;
	bool has;

	snprintf(cookie, sizeof(cookie), "Cookie: __Host-pss_session=%s", who ? who->token : "");
	T_EQ(it_request(&r, "GET", path, NULL, 0, NULL, who ? hdr : NULL), 0);
	T_EQ(r.status, 200);
	has = r.body != NULL && strstr(r.body, needle) != NULL;
	it_resp_free(&r);
	return has;
}

/* The script page's similar scripts are cached per script and viewer
 * (scripts:similar:{id}:{viewer}): each viewer keeps seeing only what they may see, from the
 * cache too, and a write that changes that (a script made public, then private again) shows
 * on the next view. */
static void
test_page_similar_per_viewer_and_after_writes(void)
{
	char path[64], api[64];
	struct it_resp r;
	const char *bobs = "Bob&#39;s certificate check";

	snprintf(path, sizeof(path), "/scripts/%lld", certs);
	snprintf(api, sizeof(api), "/api/scripts/%lld", secret);
	for (int i = 0; i < 2; i++) {	/* the second view from the cache */
		T_ASSERT(!page_has(path, NULL, bobs));
		T_ASSERT(page_has(path, &bob, bobs));
	}
	T_EQ(it_json(&r, "PUT", api, bob.token, "{\"isPublic\": true}"), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_ASSERT(page_has(path, NULL, bobs));
	T_EQ(it_json(&r, "PUT", api, bob.token, "{\"isPublic\": false}"), 0);
	T_EQ(r.status, 200);
	it_resp_free(&r);
	T_ASSERT(!page_has(path, NULL, bobs));
	T_ASSERT(page_has(path, &bob, bobs));
}

/* The keyword side knows what a script's commands mean: the synopsis of each command or alias
 * it names is in its full-text document (scripts.search_terms, migration 0034), made in the
 * transaction of the create and of every new version, and by psscript reembed for a row
 * without it. The question's words are in no field of the script, only in Start-Service's
 * synopsis ("Starts one or more stopped services.") and name, which the script calls by its
 * alias sasv. */
static void
test_keyword_finds_a_script_through_its_commands_meaning(void)
{
	char path[256], sql[256], before[64];
	long long ids[100], spool, bobs;
	struct it_resp r;
	const char *v;
	int n;

	spool = create(alice.token, "Spooler keeper", "Keeps the printer queue up",
	    "$svc = gsv -Name Spooler\nif ($svc.Status -ne 'Running') { sasv -InputObject $svc }\n", true);
	bobs = create(bob.token, "Bob's spooler keeper", "Keeps the printer queue up",
	    "$q = gsv -Name Spooler\nif ($q.Status -ne 'Running') { sasv -InputObject $q }\n", false);
	T_ASSERT(spool && bobs);
	snprintf(sql, sizeof(sql), "SELECT search_terms LIKE '%%Start-Service start service: Starts one or"
	    " more stopped services.%%' FROM scripts WHERE id = %lld", spool);
	T_STREQ(it_psql(sql), "t");
	/* no job needed: keyword mode finds it at once; bob's private twin only for bob */
	snprintf(path, sizeof(path), "/api/scripts/search?mode=keyword&tag=%s&q=start+stopped+services", tag);
	n = search_ids(path, NULL, ids, 100, NULL);
	T_ASSERTF(n == 1 && ids[0] == spool, "keyword anonymous: %d", n);
	n = search_ids(path, alice.token, ids, 100, NULL);
	T_ASSERTF(n == 1 && ids[0] == spool, "keyword alice: %d", n);
	n = search_ids(path, bob.token, ids, 100, NULL);
	T_ASSERTF(n == 2 && has(ids, n, bobs) && has(ids, n, spool), "keyword bob: %d", n);
	/* hybrid: a plain question with a word the script's commands do not explain either */
	snprintf(path, sizeof(path), "/api/scripts/search?mode=hybrid&tag=%s&q=restart+stopped+windows+services", tag);
	n = search_ids(path, NULL, ids, 100, NULL);
	T_ASSERTF(n >= 1 && ids[0] == spool && !has(ids, n, bobs), "hybrid anonymous: %d, first %lld",
	    n, n ? ids[0] : 0);
	n = search_ids(path, bob.token, ids, 100, NULL);
	T_ASSERTF(has(ids, n, bobs), "hybrid bob: %d", n);

	/* a new version: the old commands' meaning goes with the old content, in the same write */
	snprintf(path, sizeof(path), "/api/scripts/%lld", spool);
	T_EQ(it_json(&r, "PUT", path, alice.token,
	    "{\"content\": \"Get-Date | Out-File C:\\\\temp\\\\stamp.txt\\n\"}"), 0);
	T_ASSERTF(r.status == 200, "update: %ld %.200s", r.status, r.body);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/search?mode=keyword&tag=%s&q=start+stopped+services", tag);
	n = search_ids(path, alice.token, ids, 100, NULL);
	T_ASSERTF(!has(ids, n, spool), "the old meaning still matches: %d", n);
	snprintf(path, sizeof(path), "/api/scripts/search?mode=keyword&tag=%s&q=sends+output", tag);
	n = search_ids(path, alice.token, ids, 100, NULL);
	T_ASSERTF(n == 1 && ids[0] == spool, "the new meaning: %d", n);

	/* a row without its terms (older than the migration) is filled by psscript reembed,
	 * which does not make it an edit (updated_at stays) */
	snprintf(sql, sizeof(sql), "UPDATE scripts SET search_terms = NULL WHERE id = %lld;"
	    " SELECT updated_at FROM scripts WHERE id = %lld", spool, spool);
	T_ASSERT((v = it_psql(sql)) != NULL);
	snprintf(before, sizeof(before), "%s", v != NULL ? v : "");
	snprintf(path, sizeof(path), "/api/scripts/search?mode=keyword&tag=%s&q=output+sends", tag);
	T_EQ(search_ids(path, alice.token, ids, 100, NULL), 0);
	T_EQ(it_run("\"$PSS_BIN/psscript\" reembed --inline > %s/reembed-terms.out 2>&1",
	    getenv("PSS_TEST_STATE")), 0);
	snprintf(sql, sizeof(sql), "SELECT updated_at FROM scripts WHERE id = %lld", spool);
	T_STREQ(it_psql(sql), before);
	/* (another question: the command's process has no cache to drop the answer above from) */
	snprintf(path, sizeof(path), "/api/scripts/search?mode=keyword&tag=%s&q=sends+output+file", tag);
	n = search_ids(path, alice.token, ids, 100, NULL);
	T_ASSERTF(n == 1 && ids[0] == spool, "after reembed: %d", n);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM scripts WHERE search_terms IS NULL");
	T_STREQ(it_psql(sql), "0");
}

int
main(void)
{
	it_init();
	T_RUN(test_setup_and_embed_on_create);
	T_RUN(test_semantic_ranks_by_meaning_and_hides_private_scripts);
	T_RUN(test_hybrid_fuses_and_filters_apply_in_every_mode);
	T_RUN(test_bad_modes_and_queries_are_400);
	T_RUN(test_a_command_alias_finds_its_command);
	T_RUN(test_keyword_finds_a_script_through_its_commands_meaning);
	T_RUN(test_similar_scripts_are_real_cosines_of_visible_scripts);
	T_RUN(test_pages_offer_modes_and_similar_scripts);
	T_RUN(test_page_similar_per_viewer_and_after_writes);
	T_RUN(test_the_vector_file_answers_and_heals_when_corrupt);
	T_RUN(test_a_vector_file_with_a_changed_byte_is_rebuilt);
	T_RUN(test_a_vector_file_of_the_old_version_is_rebuilt);
	T_RUN(test_no_embeddings_yet_then_reembed);
	return t_done();
}
