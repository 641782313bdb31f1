/* test-library-db.c: the script library's data layer against the harness's PostgreSQL:
 * visibility, dedup races, versions and diffs, bulk all-or-nothing, execution counters under
 * concurrency, uploads, keyset pagination, search ranking, injection strings as data */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache/cache.h"
#include "core/conf.h"
#include "db/db.h"
#include "db/scripts.h"
#include "itest.h"
#include "services/library.h"
#include "t.h"

static struct conf conf;
static struct db *db;
static struct svc svc;	/* the library's operations, without a cache */
static char run[17];		/* makes this run's contents unique */
static int64_t alice, bob, admin_id;
static struct viewer anon_v, alice_v, bob_v, admin_v;

static int64_t
sql_int(const char *sql)
{
	struct db_res *r;
	int64_t v = -1;

	if (db_exec(db, &r, sql, 0, NULL) == PSS_OK) {
		v = db_res_int(r, 0, 0);
		db_res_free(r);
	}
	return v;
}

static int64_t
mk_user(const char *name, const char *role)
{
	struct db_res *r;
	char uname[64], email[96];
	int64_t id = 0;

	snprintf(uname, sizeof(uname), "%s_%s", name, run);
	snprintf(email, sizeof(email), "%s@example.test", uname);
	if (db_exec(db, &r, "INSERT INTO users (username, email, password_hash, role)"
	    " VALUES ($1, $2, 'x', $3) RETURNING id", 3, (const char *[]){ uname, email, role }) == PSS_OK) {
		id = db_res_int(r, 0, 0);
		db_res_free(r);
	}
	return id;
}

/* mk: a script of user with a unique content; returns its id (0 on failure). */
static int64_t
mk(int64_t user, const char *title, const char *body, bool pub, const char *tag)
{
	struct buf content = BUF_INIT;
	const char *tags[1] = { tag };
	struct script_new sn = { .user_id = user, .title = title, .is_public = pub,
		.tags = tags, .ntags = tag != NULL, .analyze = false };
	struct svc_err err = { 0 };
	int64_t id = 0;
	static int seq;

	buf_printf(&content, "# %s %d\n%s\n", run, ++seq, body);
	sn.content = content.data;
	sn.content_len = content.len;
	if (library_script_create(&svc, &sn, &id, &err) != PSS_OK)
		printf("# create %s failed: %s %s\n", title, err.field ? err.field : "", err.message ? err.message : "");
	buf_free(&content);
	return id;
}

/* ids: the ids of out.scripts, as "1,2,3". */
static char *
ids(struct json_object *o)
{
	struct json_object *a, *id;
	struct buf b = BUF_INIT;

	buf_puts(&b, "");
	if (o == NULL || !json_object_object_get_ex(o, "scripts", &a))
		return buf_detach(&b);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object_object_get_ex(json_object_array_get_idx(a, i), "id", &id);
		buf_printf(&b, "%s%lld", i ? "," : "", (long long)json_object_get_int64(id));
	}
	return buf_detach(&b);
}

static int64_t
jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int64_t pub_a, priv_a, priv_b;
static char vis_tag[32];

static void
test_visibility_matrix_on_list_get_and_search(void)
{
	struct { const struct viewer *v; const char *want; bool pa, qa, rb; } m[] = {
		{ &anon_v, "P", true, false, false },
		{ &alice_v, "PQ", true, true, false },
		{ &bob_v, "PR", true, false, true },
		{ &admin_v, "PQR", true, true, true },
	};

	snprintf(vis_tag, sizeof(vis_tag), "vis-%s", run);
	pub_a = mk(alice, "Visible aardvark", "Get-Process aardvark", true, vis_tag);
	priv_a = mk(alice, "Private aardvark", "Get-Service aardvark", false, vis_tag);
	priv_b = mk(bob, "Bob's aardvark", "Get-Item aardvark", false, vis_tag);
	T_ASSERT(pub_a > 0 && priv_a > 0 && priv_b > 0);
	for (size_t i = 0; i < PSS_ARRAY_LEN(m); i++) {
		struct script_filter f;
		struct json_object *o;
		char want[96] = "", *got;

		/* newest first: R, Q, P */
		if (strchr(m[i].want, 'R'))
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%lld", *want ? "," : "", (long long)priv_b);
		if (strchr(m[i].want, 'Q'))
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%lld", *want ? "," : "", (long long)priv_a);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%lld", *want ? "," : "", (long long)pub_a);
		library_filter_init(&f, false);
		f.tag = vis_tag;
		T_EQ(library_scripts_list(&svc, m[i].v, &f, &o, NULL), PSS_OK);
		got = ids(o);
		T_STREQ(got, want);
		T_EQ(jint(o, "total"), strlen(m[i].want));
		free(got);
		json_object_put(o);
		library_filter_init(&f, true);
		f.tag = vis_tag;
		f.query = "aardvark";
		T_EQ(library_scripts_search(&svc, m[i].v, &f, &o, NULL), PSS_OK);
		T_EQ(jint(o, "total"), strlen(m[i].want));
		json_object_put(o);
		T_EQ(library_script_get(&svc, m[i].v, pub_a, &o), PSS_OK);
		json_object_put(o);
		T_EQ(library_script_get(&svc, m[i].v, priv_a, &o), m[i].qa ? PSS_OK : PSS_ENOTFOUND);
		json_object_put(o);
		T_EQ(library_script_get(&svc, m[i].v, priv_b, &o), m[i].rb ? PSS_OK : PSS_ENOTFOUND);
		json_object_put(o);
	}
}

static void
test_get_has_user_category_tags_and_null_analysis(void)
{
	struct json_object *o, *v;

	T_EQ(library_script_get(&svc, &anon_v, pub_a, &o), PSS_OK);
	T_STREQ(jstr(o, "title"), "Visible aardvark");
	T_ASSERT(json_object_object_get_ex(o, "user", &v) && jint(v, "id") == alice);
	T_ASSERT(json_object_object_get_ex(o, "tags", &v) && json_object_array_length(v) == 1);
	T_ASSERT(json_object_object_get_ex(o, "analysis", &v) && v == NULL);
	T_ASSERT(json_object_object_get_ex(o, "category", &v) && v == NULL);
	T_CONTAINS(jstr(o, "content"), "Get-Process aardvark");
	T_EQ(strlen(jstr(o, "fileHash")), 64);
	json_object_put(o);
	/* a private script is changed only by its owner or an admin; others get 404 or 403 */
	T_EQ(library_script_delete(&svc, &bob_v, priv_a), PSS_ENOTFOUND);
	T_EQ(library_script_delete(&svc, &bob_v, pub_a), PSS_EFORBIDDEN);
}

static void
test_analysis_summary_full_analysis_and_score_filter(void)
{
	struct script_filter f;
	struct json_object *o, *a, *sc;
	char sql[300], *got, want[24];

	snprintf(sql, sizeof(sql), "INSERT INTO script_analysis (script_id, purpose, security_score,"
	    " quality_score, risk_score, security_issues) VALUES (%lld, 'lists', 8.25, 7, 2.04,"
	    " '[{\"ruleId\": \"PSS001\"}]') RETURNING id", (long long)pub_a);
	T_ASSERT(sql_int(sql) > 0);
	library_filter_init(&f, false);
	f.tag = vis_tag;
	f.has_min_security = true;
	f.min_security = 8;
	T_EQ(library_scripts_list(&svc, &admin_v, &f, &o, NULL), PSS_OK);
	got = ids(o);
	snprintf(want, sizeof(want), "%lld", (long long)pub_a);
	T_STREQ(got, want);
	free(got);
	json_object_object_get_ex(o, "scripts", &a);
	json_object_object_get_ex(json_object_array_get_idx(a, 0), "analysis", &sc);
	T_STREQ(json_object_to_json_string_ext(sc, JSON_C_TO_STRING_PLAIN),
	    "{\"securityScore\":8.3,\"codeQualityScore\":7.0,\"code_quality_score\":7.0,"
	    "\"quality_score\":7.0,\"riskScore\":2.0}");	/* the snake_case twins: docs/compat.md */
	json_object_put(o);
	/* sorted by security score: the analysed script first, the others (-1) after */
	f.has_min_security = false;
	f.sort = SCRIPT_SORT_SECURITY;
	T_EQ(library_scripts_list(&svc, &admin_v, &f, &o, NULL), PSS_OK);
	json_object_object_get_ex(o, "scripts", &a);
	T_EQ(jint(json_object_array_get_idx(a, 0), "id"), pub_a);
	json_object_put(o);
	f.min_security = 11;
	f.has_min_security = true;
	T_EQ(library_scripts_list(&svc, &admin_v, &f, &o, NULL), PSS_EINVAL);
	T_EQ(library_script_get(&svc, &anon_v, pub_a, &o), PSS_OK);
	json_object_object_get_ex(o, "analysis", &sc);
	T_STREQ(jstr(sc, "purpose"), "lists");
	T_STREQ(jstr(sc, "provider"), "builtin");
	T_EQ(jint(sc, "scriptId"), pub_a);
	T_ASSERT(json_object_object_get_ex(sc, "securityIssues", &a) && json_object_array_length(a) == 1);
	T_ASSERT(json_object_object_get_ex(sc, "bestPracticeViolations", &a) && json_object_array_length(a) == 0);
	json_object_put(o);
}

static void
test_same_content_twice_is_a_conflict_naming_the_first(void)
{
	struct script_new sn = { .user_id = bob, .title = "copy", .content = "Write-Output 'dup'\n",
		.content_len = 19 };
	struct svc_err err = { 0 };
	int64_t id1, id2;
	char content[64];

	snprintf(content, sizeof(content), "Write-Output '%s'\n", run);
	sn.content = content;
	sn.content_len = strlen(content);
	T_EQ(library_script_create(&svc, &sn, &id1, &err), PSS_OK);
	T_EQ(library_script_create(&svc, &sn, &id2, &err), PSS_ECONFLICT);
	T_EQ(err.existing_id, id1);
	T_EQ(id2, 0);
	/* bob's is private: absent for alice, who keeps her own copy (issue 12 item 5) */
	{
		struct script_new other = sn;
		int64_t id3 = 0;

		other.user_id = alice;
		memset(&err, 0, sizeof(err));
		T_EQ(library_script_create(&svc, &other, &id3, &err), PSS_OK);
		T_ASSERT(id3 != 0 && id3 != id1);
		T_EQ(err.existing_id, 0);
	}
	/* a UTF-8 BOM does not make it different content */
	{
		char bom[80];

		snprintf(bom, sizeof(bom), "\xef\xbb\xbf%s", content);
		sn.content = bom;
		sn.content_len = strlen(bom);
		memset(&err, 0, sizeof(err));
		T_EQ(library_script_create(&svc, &sn, &id2, &err), PSS_ECONFLICT);
		T_EQ(err.existing_id, id1);
	}
}

static void
test_two_racing_creates_one_wins_the_other_names_it(void)
{
	int bad = 0;

	for (int round = 0; round < 8; round++) {
		int go[2], res[2];
		pid_t pids[2];
		int64_t got[2] = { 0, 0 }, existing[2] = { 0, 0 };
		int rcs[2];

		if (pipe(go) != 0 || pipe(res) != 0)
			abort();
		for (int k = 0; k < 2; k++) {
			if ((pids[k] = fork()) == 0) {
				struct db *mine = db_open(&conf, false);
				/* two users, public: the copy would be visible to both */
				struct script_new sn = { .user_id = k ? bob : alice, .title = "race",
					.is_public = true };
				struct svc_err err = { 0 };
				char content[96], c;
				int64_t id = 0, out[3];
				enum pss_err e;

				snprintf(content, sizeof(content), "Get-Date # race %s %d\n", run, round);
				sn.content = content;
				sn.content_len = strlen(content);
				(void)db_ensure(mine);
				if (read(go[0], &c, 1) != 1)
					_exit(2);
				e = library_script_create(&(struct svc){ &conf, mine, NULL }, &sn, &id, &err);
				out[0] = e;
				out[1] = id;
				out[2] = err.existing_id;
				if (write(res[1], out, sizeof(out)) != sizeof(out))
					_exit(3);
				db_close(mine);
				_exit(0);
			}
		}
		usleep(100000);
		if (write(go[1], "gg", 2) != 2)
			abort();
		for (int k = 0; k < 2; k++) {
			int64_t out[3];

			if (read(res[0], out, sizeof(out)) != sizeof(out))
				abort();
			rcs[k] = (int)out[0];
			got[k] = out[1];
			existing[k] = out[2];
		}
		for (int k = 0; k < 2; k++)
			waitpid(pids[k], NULL, 0);
		close(go[0]); close(go[1]); close(res[0]); close(res[1]);
		/* exactly one created it; the other has a conflict naming the winner's id */
		if (!((rcs[0] == PSS_OK && rcs[1] == PSS_ECONFLICT && existing[1] == got[0]) ||
		    (rcs[1] == PSS_OK && rcs[0] == PSS_ECONFLICT && existing[0] == got[1]))) {
			printf("# round %d: %d/%lld/%lld and %d/%lld/%lld\n", round, rcs[0], (long long)got[0],
			    (long long)existing[0], rcs[1], (long long)got[1], (long long)existing[1]);
			bad++;
		}
	}
	T_EQ(bad, 0);
}

static int64_t versioned;

static void
test_content_change_writes_a_version_and_enqueues_analysis(void)
{
	struct script_update u = { 0 };
	struct svc_err err = { 0 };
	struct json_object *o, *a;
	char sql[200], c2[200], c3[200];
	int64_t jobs_before;

	versioned = mk(alice, "Versioned", "line 1\nline 2\nline 3\nline 4\nline 5", true, NULL);
	snprintf(c2, sizeof(c2), "# %s v2\nline 1\nline two\nline 3\nline 4\nline 5\nline 6\n", run);
	snprintf(c3, sizeof(c3), "# %s v3\nline 1\nline two\nline 3\nline 5\nline 6\n", run);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'analysis.run'"
	    " AND payload->>'scriptId' = '%lld'", (long long)versioned);
	jobs_before = sql_int(sql);
	u.id = versioned;
	u.is_public = -1;
	u.content = c2;
	u.content_len = strlen(c2);
	u.commit_message = "second";
	T_EQ(library_script_update(&svc, &alice_v, &u, &err), PSS_OK);
	T_EQ(sql_int(sql), jobs_before + 1);
	/* not the owner: 403 (visible) */
	T_EQ(library_script_update(&svc, &bob_v, &u, &err), PSS_EFORBIDDEN);
	/* the same content again: no new version */
	T_EQ(library_script_update(&svc, &alice_v, &u, &err), PSS_OK);
	/* an admin edits: version 3, authored by the admin */
	u.content = c3;
	u.content_len = strlen(c3);
	u.commit_message = "third";
	T_EQ(library_script_update(&svc, &admin_v, &u, &err), PSS_OK);
	T_EQ(library_versions_list(&svc, &anon_v, versioned, &o), PSS_OK);
	T_EQ(jint(o, "totalVersions"), 3);
	T_EQ(jint(o, "currentVersion"), 3);
	json_object_object_get_ex(o, "versions", &a);
	T_EQ(jint(json_object_array_get_idx(a, 0), "version"), 3);
	T_STREQ(jstr(json_object_array_get_idx(a, 0), "changelog"), "third");
	T_EQ(jint(json_object_array_get_idx(a, 0), "userId"), admin_id);
	T_EQ(jint(json_object_array_get_idx(a, 0), "linesRemoved"), 2);	/* header, line 4 */
	T_EQ(jint(json_object_array_get_idx(a, 0), "linesAdded"), 1);
	json_object_put(o);
	T_EQ(library_version_get(&svc, &anon_v, versioned, 2, &o), PSS_OK);
	T_STREQ(jstr(o, "content"), c2);
	json_object_put(o);
	T_EQ(library_version_get(&svc, &anon_v, versioned, 9, &o), PSS_ENOTFOUND);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM scripts WHERE id = %lld AND version = 3"
	    " AND file_hash = encode(sha256(convert_to(content, 'UTF8')), 'hex')", (long long)versioned);
	T_EQ(sql_int(sql), 1);
}

static void
test_compare_gives_hunks_and_unified_text(void)
{
	struct json_object *o, *h, *l;
	const char *u;

	T_EQ(library_versions_compare(&svc, &anon_v, versioned, 2, 3, &o), PSS_OK);
	T_EQ(jint(o, "fromVersion"), 2);
	T_EQ(jint(o, "linesAdded"), 1);
	T_EQ(jint(o, "linesRemoved"), 2);
	json_object_object_get_ex(o, "hunks", &h);
	T_EQ(json_object_array_length(h), 1);
	h = json_object_array_get_idx(h, 0);
	T_EQ(jint(h, "fromStart"), 1);
	T_EQ(jint(h, "fromLines"), 7);
	T_EQ(jint(h, "toLines"), 6);
	json_object_object_get_ex(h, "lines", &l);
	T_STREQ(jstr(json_object_array_get_idx(l, 0), "type"), "removed");
	u = jstr(o, "unified");
	T_CONTAINS(u, "@@ -1,7 +1,6 @@\n");
	T_CONTAINS(u, "\n-line 4\n");
	T_CONTAINS(u, "+++ b/script-");
	json_object_put(o);
	T_EQ(library_versions_compare(&svc, &bob_v, priv_a, 1, 1, &o), PSS_ENOTFOUND);
}

static void
test_revert_writes_n_plus_one_with_old_content(void)
{
	struct json_object *a, *b;
	struct svc_err err = { 0 };
	int64_t nv, jobs;
	char sql[200];

	T_EQ(library_version_revert(&svc, &bob_v, versioned, 1, &nv, &err), PSS_EFORBIDDEN);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'analysis.run'"
	    " AND payload->>'scriptId' = '%lld'", (long long)versioned);
	jobs = sql_int(sql);
	T_EQ(library_version_revert(&svc, &alice_v, versioned, 1, &nv, &err), PSS_OK);
	T_EQ(nv, 4);
	T_EQ(sql_int(sql), jobs + 1);
	T_EQ(library_version_get(&svc, &alice_v, versioned, 1, &a), PSS_OK);
	T_EQ(library_script_get(&svc, &alice_v, versioned, &b), PSS_OK);
	T_STREQ(jstr(b, "content"), jstr(a, "content"));
	T_EQ(jint(b, "version"), 4);
	json_object_put(a);
	json_object_put(b);
	T_EQ(library_version_get(&svc, &alice_v, versioned, 4, &a), PSS_OK);
	T_STREQ(jstr(a, "changelog"), "Reverted to version 1");
	json_object_put(a);
	T_EQ(library_version_revert(&svc, &alice_v, versioned, 17, &nv, &err), PSS_ENOTFOUND);
}

static void
test_update_to_another_scripts_content_is_a_conflict(void)
{
	struct json_object *o;
	struct script_update u = { .id = versioned, .is_public = -1 };
	struct svc_err err = { 0 };

	T_EQ(library_script_get(&svc, &alice_v, pub_a, &o), PSS_OK);
	u.content = jstr(o, "content");
	u.content_len = strlen(u.content);
	T_EQ(library_script_update(&svc, &alice_v, &u, &err), PSS_ECONFLICT);
	T_EQ(err.existing_id, pub_a);
	json_object_put(o);
}

static void
test_bulk_delete_is_all_or_nothing(void)
{
	struct svc_err err = { 0 };
	int64_t a1 = mk(alice, "bulk 1", "x", false, NULL), a2 = mk(alice, "bulk 2", "y", false, NULL);
	int64_t list[3] = { a1, priv_b, a2 }, n;
	struct json_object *o;

	T_EQ(library_scripts_delete(&svc, &alice_v, list, 3, &n, &err), PSS_EFORBIDDEN);
	T_EQ(err.nunauthorized, 1);
	T_EQ(err.unauthorized[0], priv_b);
	T_EQ(library_script_get(&svc, &alice_v, a1, &o), PSS_OK);	/* nothing deleted */
	json_object_put(o);
	list[1] = 999999;	/* missing ids are refused the same way */
	memset(&err, 0, sizeof(err));
	T_EQ(library_scripts_delete(&svc, &alice_v, list, 3, &n, &err), PSS_EFORBIDDEN);
	T_EQ(err.unauthorized[0], 999999);
	list[1] = a2;
	T_EQ(library_scripts_delete(&svc, &alice_v, list, 2, &n, &err), PSS_OK);
	T_EQ(n, 2);
	T_EQ(library_script_get(&svc, &alice_v, a1, &o), PSS_ENOTFOUND);
}

static void
test_bulk_update_tags_visibility_and_tag_limit(void)
{
	struct svc_err err = { 0 };
	int64_t a1 = mk(alice, "bu 1", "x", false, NULL), a2 = mk(alice, "bu 2", "y", false, "keep");
	int64_t list[2] = { a1, a2 }, n;
	const char *add[] = { " Alpha ", "BETA" }, *rm[] = { "keep" };
	const char *many[] = { "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9" };
	struct script_bulk bu = { list, 2, 1, false, 0, add, 2, rm, 1 };
	struct json_object *o, *t;

	T_EQ(library_scripts_bulk_update(&svc, &alice_v, &bu, &n, &err), PSS_OK);
	T_EQ(n, 2);
	T_EQ(library_script_get(&svc, &anon_v, a2, &o), PSS_OK);	/* now public */
	json_object_object_get_ex(o, "tags", &t);
	T_STREQ(json_object_to_json_string_ext(t, JSON_C_TO_STRING_PLAIN), "[\"alpha\",\"beta\"]");
	json_object_put(o);
	/* 2 + 9 > 10: refused for both, nothing changed */
	bu.add_tags = many;
	bu.nadd = 9;
	bu.nremove = 0;
	bu.is_public = 0;
	T_EQ(library_scripts_bulk_update(&svc, &alice_v, &bu, &n, &err), PSS_EINVAL);
	T_STREQ(err.field, "addTags");
	T_EQ(library_script_get(&svc, &anon_v, a1, &o), PSS_OK);	/* still public */
	json_object_put(o);
}

static void
test_execution_counters_under_concurrent_records(void)
{
	int64_t s = mk(alice, "executed", "Start-Sleep 1", true, NULL);
	pid_t pids[4];
	char sql[300];
	int ok = 1;

	for (int k = 0; k < 4; k++) {
		if ((pids[k] = fork()) == 0) {
			struct db *mine = db_open(&conf, false);
			int fails = 0;

			for (int i = 0; i < 25; i++) {
				struct exec_record x = { .script_id = s,
					.status = EXEC_SUCCESS, .has_time = true, .time_ms = 10 * (k + 1) + i,
					.parameters = "{\"Name\": \"x\"}", .ip = "127.0.0.1" };
				struct viewer v = { k % 2 ? bob : alice, false };
				struct json_object *o;

				if (library_execution_record(&(struct svc){ &conf, mine, NULL }, &v, &x, &o, NULL) != PSS_OK)
					fails++;
				json_object_put(o);
			}
			db_close(mine);
			_exit(fails ? 1 : 0);
		}
	}
	for (int k = 0; k < 4; k++) {
		int st;

		waitpid(pids[k], &st, 0);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	T_ASSERT(ok);
	snprintf(sql, sizeof(sql), "SELECT execution_count FROM scripts WHERE id = %lld", (long long)s);
	T_EQ(sql_int(sql), 100);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM scripts s WHERE id = %lld AND last_executed_at IS NOT NULL"
	    " AND abs(average_execution_time - (SELECT avg(execution_time) FROM execution_logs"
	    " WHERE script_id = s.id)) < 1e-9", (long long)s);
	T_EQ(sql_int(sql), 1);
	{
		struct json_object *o, *p;
		struct exec_record x = { .script_id = s, .status = EXEC__MAX };

		T_EQ(library_execution_record(&svc, &bob_v, &x, &o, NULL), PSS_EINVAL);
		T_EQ(library_exec_status_parse("timeout"), EXEC_TIMEOUT);
		T_EQ(library_exec_status_parse("killed"), EXEC__MAX);
		x.status = EXEC_FAILURE;
		x.script_id = priv_a;
		T_EQ(library_execution_record(&svc, &bob_v, &x, &o, NULL), PSS_ENOTFOUND);
		T_EQ(library_executions_list(&svc, &bob_v, s, 10, 0, &o), PSS_EFORBIDDEN);
		T_EQ(library_executions_list(&svc, &alice_v, s, 10, 95, &o), PSS_OK);
		json_object_object_get_ex(o, "pagination", &p);
		T_EQ(jint(p, "total"), 100);
		T_ASSERT(json_object_object_get_ex(p, "hasMore", &p) && !json_object_get_boolean(p));
		json_object_object_get_ex(o, "executions", &p);
		T_EQ(json_object_array_length(p), 5);
		json_object_put(o);
	}
}

static void
test_uploads_batch_is_processed_and_reports_progress(void)
{
	char good[64], dupc[128], upath[100];
	struct upload_file f[6];
	const char *tags[] = { "Upload" };
	struct upload_options opt = { .tags = tags, .ntags = 1, .analyze = true };
	struct json_object *o, *ups, *b;
	struct svc_err err = { 0 };
	char utf16[80], want16[40];
	size_t n16 = 2;
	struct json_object *pa;

	snprintf(good, sizeof(good), "Get-ChildItem # upload %s\n", run);
	T_EQ(library_script_get(&svc, &alice_v, pub_a, &pa), PSS_OK);
	snprintf(dupc, sizeof(dupc), "%s", jstr(pa, "content"));
	json_object_put(pa);
	snprintf(upath, sizeof(upath), "u16-%s.ps1", run);
	f[0] = (struct upload_file){ "good.ps1", good, strlen(good) };
	f[1] = (struct upload_file){ "dup.psm1", dupc, strlen(dupc) };
	f[2] = (struct upload_file){ "bad.ps1", "a\xff\xfe b", 5 };
	f[3] = (struct upload_file){ "tool.exe", "MZ", 2 };
	f[4] = (struct upload_file){ "nul.txt", "a\0b", 3 };
	/* UTF-16 LE with its BOM */
	snprintf(want16, sizeof(want16), "Get-Date # %s\n", run);
	utf16[0] = '\xff';
	utf16[1] = '\xfe';
	for (size_t i = 0; want16[i] != '\0'; i++) {
		utf16[n16++] = want16[i];
		utf16[n16++] = '\0';
	}
	f[5] = (struct upload_file){ upath, utf16, n16 };
	T_EQ(library_uploads_store(&svc, bob, f, 6, &opt, &o, &err), PSS_OK);
	json_object_object_get_ex(o, "uploads", &ups);
	T_EQ(json_object_array_length(ups), 6);
	{
		char sql[200];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'upload.process' AND"
		    " payload->>'uploadId' IN (SELECT id::text FROM uploads WHERE batch_id = '%s')",
		    jstr(o, "batchId"));
		T_EQ(sql_int(sql), 6);
	}
	for (size_t i = 0; i < 6; i++) {
		const char *st, *want[] = { "completed", "duplicate", "failed", "failed", "failed", "completed" };
		const char *id = jstr(json_object_array_get_idx(ups, i), "uploadId");
		struct json_object *s;

		T_EQ(library_upload_process(&svc, id, &st), PSS_OK);
		T_STREQ(st, want[i]);
		T_EQ(library_upload_process(&svc, id, &st), PSS_OK);	/* again: nothing to do */
		T_STREQ(st, want[i]);
		T_EQ(library_upload_status(&svc, &bob_v, id, &s), PSS_OK);
		if (i == 1)
			T_EQ(jint(s, "existingScriptId"), pub_a);
		if (i == 0 || i == 5)
			T_ASSERT(jint(s, "scriptId") > 0);
		if (i == 2)
			T_STREQ(jstr(s, "error"), "the file is not valid UTF-8 text");
		if (i == 3)
			T_CONTAINS(jstr(s, "error"), ".ps1");
		json_object_put(s);
		T_EQ(library_upload_status(&svc, &alice_v, id, &s), PSS_ENOTFOUND);
	}
	T_EQ(library_upload_batch(&svc, &bob_v, jstr(o, "batchId"), &b), PSS_OK);
	T_EQ(jint(b, "total"), 6);
	T_EQ(jint(b, "done"), 6);
	T_EQ(jint(b, "failed"), 3);
	json_object_put(b);
	{
		struct json_object *s, *sc, *t;
		const char *id = jstr(json_object_array_get_idx(ups, 5), "uploadId");

		T_EQ(library_upload_status(&svc, &bob_v, id, &s), PSS_OK);
		T_EQ(library_script_get(&svc, &bob_v, jint(s, "scriptId"), &sc), PSS_OK);
		T_STREQ(jstr(sc, "content"), want16);	/* UTF-16 converted */
		upath[strlen(upath) - 4] = '\0';
		T_STREQ(jstr(sc, "title"), upath);	/* the file name without its extension */
		json_object_object_get_ex(sc, "tags", &t);
		T_STREQ(json_object_to_json_string_ext(t, JSON_C_TO_STRING_PLAIN), "[\"upload\"]");
		json_object_put(s);
		json_object_put(sc);
	}
	T_EQ(library_upload_batch(&svc, &alice_v, jstr(o, "batchId"), &b), PSS_ENOTFOUND);
	T_EQ(library_upload_status(&svc, &bob_v, "not-a-uuid", &b), PSS_ENOTFOUND);
	json_object_put(o);
}

/* pages: every id of a filtered list walked with cursors of limit n. */
static char *
walk(const struct viewer *v, const char *tag, enum script_sort sort, bool asc, int n, int *pages)
{
	struct buf all = BUF_INIT;
	char *cursor = NULL;

	buf_puts(&all, "");
	*pages = 0;
	for (;;) {
		struct script_filter f;
		struct json_object *o, *c;
		char *got;

		library_filter_init(&f, false);
		f.tag = tag;
		f.sort = sort;
		f.asc = asc;
		f.limit = n;
		f.cursor = cursor;
		if (library_scripts_list(&svc, v, &f, &o, NULL) != PSS_OK)
			break;
		got = ids(o);
		if (*got)
			buf_printf(&all, "%s%s", all.len ? "," : "", got);
		free(got);
		free(cursor);
		cursor = NULL;
		(*pages)++;
		if (json_object_object_get_ex(o, "nextCursor", &c) && c != NULL)
			cursor = xstrdup(json_object_get_string(c));
		json_object_put(o);
		if (cursor == NULL || *pages > 100)
			break;
	}
	return buf_detach(&all);
}

static void
test_keyset_pagination_is_stable_across_pages(void)
{
	char tag[32], title[32];
	enum script_sort sorts[] = { SCRIPT_SORT_UPDATED, SCRIPT_SORT_CREATED, SCRIPT_SORT_TITLE,
		SCRIPT_SORT_EXECUTIONS, SCRIPT_SORT_SECURITY };

	snprintf(tag, sizeof(tag), "page-%s", run);
	for (int i = 0; i < 23; i++) {
		snprintf(title, sizeof(title), "Page %c", 'A' + i % 5);	/* ties on title */
		mk(alice, title, "paged", i % 3 != 0, tag);
	}
	for (size_t s = 0; s < PSS_ARRAY_LEN(sorts); s++)
		for (int asc = 0; asc < 2; asc++) {
			struct script_filter f;
			struct json_object *o;
			char *one, *paged;
			int pages;

			library_filter_init(&f, false);
			f.tag = tag;
			f.sort = sorts[s];
			f.asc = asc;
			f.limit = 100;
			T_EQ(library_scripts_list(&svc, &alice_v, &f, &o, NULL), PSS_OK);
			one = ids(o);
			json_object_put(o);
			paged = walk(&alice_v, tag, sorts[s], asc, 5, &pages);
			T_STREQ(paged, one);
			T_EQ(pages, 5);
			free(one);
			free(paged);
		}
	/* a row added between pages does not shift the rest */
	{
		struct script_filter f;
		struct json_object *o, *c;
		char *first, *second, *all, *cur;
		int pages;

		library_filter_init(&f, false);
		f.tag = tag;
		f.limit = 10;
		f.sort = SCRIPT_SORT_CREATED;
		f.asc = true;
		T_EQ(library_scripts_list(&svc, &alice_v, &f, &o, NULL), PSS_OK);
		first = ids(o);
		json_object_object_get_ex(o, "nextCursor", &c);
		cur = xstrdup(json_object_get_string(c));
		f.cursor = cur;
		json_object_put(o);
		T_EQ(library_scripts_list(&svc, &alice_v, &f, &o, NULL), PSS_OK);
		second = ids(o);
		json_object_put(o);
		mk(alice, "Page late", "late", true, tag);
		T_EQ(library_scripts_list(&svc, &alice_v, &f, &o, NULL), PSS_OK);
		all = ids(o);
		T_STREQ(all, second);
		json_object_put(o);
		/* a cursor of another sort is refused */
		f.sort = SCRIPT_SORT_TITLE;
		T_EQ(library_scripts_list(&svc, &alice_v, &f, &o, NULL), PSS_EINVAL);
		f.cursor = "!!!";
		T_EQ(library_scripts_list(&svc, &alice_v, &f, &o, NULL), PSS_EINVAL);
		free(cur);
		free(first);
		free(second);
		free(all);
		all = walk(&anon_v, tag, SCRIPT_SORT_UPDATED, false, 4, &pages);
		T_EQ(pages, 4);	/* 16 public rows, 4 a page, the last page knows it is last */
		free(all);
	}
}

static void
test_title_match_ranks_above_content_match_with_snippets(void)
{
	char word[40], body[200], title[80];
	int64_t in_content, in_title;
	char *cursor;
	struct script_filter f;
	struct json_object *o, *a;

	snprintf(word, sizeof(word), "quokka%s", run);
	snprintf(body, sizeof(body), "# first some words\nWrite-Host '%s lives here'\n# and more words after", word);
	in_content = mk(bob, "Unrelated title", body, true, NULL);
	snprintf(title, sizeof(title), "The %s script", word);
	in_title = mk(bob, title, "Get-Date", true, NULL);
	library_filter_init(&f, true);
	f.query = word;
	T_EQ(library_scripts_search(&svc, &anon_v, &f, &o, NULL), PSS_OK);
	T_EQ(jint(o, "total"), 2);
	json_object_object_get_ex(o, "scripts", &a);
	T_EQ(jint(json_object_array_get_idx(a, 0), "id"), in_title);
	T_EQ(jint(json_object_array_get_idx(a, 1), "id"), in_content);
	T_CONTAINS(jstr(json_object_array_get_idx(a, 1), "snippet"), "<mark>");
	T_CONTAINS(jstr(json_object_array_get_idx(a, 1), "snippet"), word);
	T_STREQ(jstr(o, "mode"), "keyword");
	T_STREQ(jstr(o, "sort"), "rank");
	json_object_put(o);
	/* ranked pages follow each other through the cursor */
	f.limit = 1;
	T_EQ(library_scripts_search(&svc, &anon_v, &f, &o, NULL), PSS_OK);
	json_object_object_get_ex(o, "nextCursor", &a);
	cursor = xstrdup(json_object_get_string(a));
	json_object_put(o);
	f.cursor = cursor;
	T_EQ(library_scripts_search(&svc, &anon_v, &f, &o, NULL), PSS_OK);
	json_object_object_get_ex(o, "scripts", &a);
	T_EQ(json_object_array_length(a), 1);
	T_EQ(jint(json_object_array_get_idx(a, 0), "id"), in_content);
	T_ASSERT(json_object_object_get_ex(o, "nextCursor", &a) && a == NULL);
	json_object_put(o);
	free(cursor);
	f.cursor = NULL;
	f.limit = 20;
	f.page = 5;	/* past the end: no rows, the total still counted */
	T_EQ(library_scripts_search(&svc, &anon_v, &f, &o, NULL), PSS_OK);
	T_EQ(jint(o, "total"), 2);
	json_object_object_get_ex(o, "scripts", &a);
	T_EQ(json_object_array_length(a), 0);
	json_object_put(o);
	f.page = 1;
	/* English stemming on titles: "scripts" finds "script" */
	snprintf(body, sizeof(body), "%s scripts", word);
	f.query = body;
	T_EQ(library_scripts_search(&svc, &anon_v, &f, &o, NULL), PSS_OK);
	T_EQ(jint(o, "total"), 1);
	json_object_put(o);
	f.query = "";
	T_EQ(library_scripts_search(&svc, &anon_v, &f, &o, NULL), PSS_EINVAL);
	f.query = "x";
	f.sort = SCRIPT_SORT__MAX;
	T_EQ(library_scripts_search(&svc, &anon_v, &f, &o, NULL), PSS_EINVAL);
	T_EQ(library_sort_parse("title; DROP TABLE scripts"), SCRIPT_SORT__MAX);
}

/* Hybrid's keyword side at scale (db_scripts_search_any): the candidates come from the
 * rarer words, by the column's statistics, within the budget; a script with only two common
 * words is then not found, and every script with the rare word still is. */
static void
test_search_any_finds_candidates_by_the_rarer_words(void)
{
	char rare[40], common[40], other[40], body[200];
	const char *words[3] = { rare, common, other };
	const double idf[3] = { 3, 1, 1 };
	int64_t with_rare[5], got[100];
	double score[100];
	struct script_filter f;
	struct db_res *r = NULL;
	int n = 0, all = 0, found = 0;

	snprintf(rare, sizeof(rare), "zqrare%s", run);
	snprintf(common, sizeof(common), "zqcommon%s", run);
	snprintf(other, sizeof(other), "zqother%s", run);
	for (int i = 0; i < 5; i++) {
		snprintf(body, sizeof(body), "Write-Output '%s %s'", rare, common);
		with_rare[i] = mk(alice, "A rare one", body, true, NULL);
	}
	for (int i = 0; i < 40; i++) {
		snprintf(body, sizeof(body), "Write-Output '%s %s'", common, other);
		mk(alice, "A common one", body, true, NULL);
	}
	T_EQ(db_exec(db, &r, "ANALYZE scripts", 0, NULL), PSS_OK);	/* the statistics */
	db_res_free(r);
	library_filter_init(&f, true);
	/* every word within the budget: all 45 scripts with two of the words */
	T_EQ(db_scripts_search_any(db, &anon_v, &f, words, idf, 3, 8, 1000000, 100, got, score,
	    &n, &all), PSS_OK);
	T_EQ(n, 45);
	/* a budget of 10: only the rare word finds candidates (the two others are in 45 and 40
	 * scripts by the statistics): its five scripts, best first */
	T_EQ(db_scripts_search_any(db, &anon_v, &f, words, idf, 3, 8, 10, 100, got, score, &n, &all),
	    PSS_OK);
	T_EQ(n, 5);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < 5; j++)
			found += got[i] == with_rare[j];
	T_EQ(found, 5);
	T_ASSERT(n > 0 && score[0] >= 4);	/* idf 3 + 1 and its ts_rank */
	/* the two common words alone, each over the budget: the scripts with both of them */
	T_EQ(db_scripts_search_any(db, &anon_v, &f, words + 1, idf + 1, 2, 8, 10, 100, got, score,
	    &n, &all), PSS_OK);
	T_EQ(n, 40);
	T_EQ(all, 40);
}

static void
test_injection_strings_are_data(void)
{
	const char *evil = "'; DROP TABLE scripts; --";
	char tag[48];
	int64_t id;
	struct script_filter f;
	struct json_object *o;
	const char *pre = "%";

	snprintf(tag, sizeof(tag), "x' OR '1'='1 %s", run);
	id = mk(alice, evil, "Robert'); DELETE FROM users;--", true, tag);

	T_ASSERT(id > 0);
	T_EQ(library_script_get(&svc, &anon_v, id, &o), PSS_OK);
	T_STREQ(jstr(o, "title"), evil);
	json_object_put(o);
	library_filter_init(&f, false);
	f.tag = tag;
	T_EQ(library_scripts_list(&svc, &anon_v, &f, &o, NULL), PSS_OK);
	T_EQ(jint(o, "total"), 1);
	json_object_put(o);
	f.tag = NULL;
	f.query = "'; DROP TABLE scripts; -- \" OR 1=1 \\";
	T_EQ(library_scripts_search(&svc, &anon_v, &f, &o, NULL), PSS_OK);
	json_object_put(o);
	/* LIKE metacharacters in an autocomplete prefix are data */
	T_EQ(library_tags_list(&svc, &anon_v, pre, 100, &o), PSS_OK);
	{
		struct json_object *t;

		json_object_object_get_ex(o, "tags", &t);
		T_EQ(json_object_array_length(t), 0);
	}
	json_object_put(o);
	T_ASSERT(sql_int("SELECT count(*) FROM scripts") > 10);
	T_ASSERT(sql_int("SELECT count(*) FROM users") >= 3);
}

static void
test_categories_and_tags(void)
{
	struct svc_err err = { 0 };
	int64_t cid, other, tid, s;
	char name[48], upper[48];
	struct json_object *o, *t;
	bool created;
	struct script_update u = { 0 };

	snprintf(name, sizeof(name), "Quantum %s", run);
	snprintf(upper, sizeof(upper), "  QUANTUM %s ", run);
	T_EQ(library_category_create(&svc, name, "q", &cid, &err), PSS_OK);
	T_EQ(library_category_create(&svc, upper, NULL, &other, &err), PSS_ECONFLICT);
	T_STREQ(err.field, "name");
	s = mk(alice, "categorised", "c", false, "autocomplete-me");
	u.id = s;
	u.is_public = -1;
	u.has_category = true;
	u.category_id = cid;
	T_EQ(library_script_update(&svc, &alice_v, &u, &err), PSS_OK);
	T_EQ(library_category_get(&svc, &anon_v, cid, &o), PSS_OK);
	T_EQ(jint(o, "scriptCount"), 0);	/* private: not counted for others */
	json_object_put(o);
	T_EQ(library_category_get(&svc, &alice_v, cid, &o), PSS_OK);
	T_EQ(jint(o, "scriptCount"), 1);
	json_object_put(o);
	T_EQ(library_categories_list(&svc, &anon_v, &o), PSS_OK);
	json_object_object_get_ex(o, "categories", &t);
	T_ASSERT(json_object_array_length(t) >= 11);
	json_object_put(o);
	u.category_id = 424242;
	T_EQ(library_script_update(&svc, &alice_v, &u, &err), PSS_EINVAL);
	T_STREQ(err.field, "categoryId");
	T_EQ(library_category_delete(&svc, cid), PSS_OK);
	T_EQ(library_script_get(&svc, &alice_v, s, &o), PSS_OK);
	T_ASSERT(json_object_object_get_ex(o, "category", &t) && t == NULL);
	json_object_put(o);
	T_EQ(library_category_delete(&svc, cid), PSS_ENOTFOUND);
	/* tags: trimmed, lower-cased, counted, autocompleted */
	T_EQ(library_tag_create(&svc, &alice_v, "  AutoComplete-Me ", &o, &created, &err), PSS_OK);
	T_ASSERT(!created);
	tid = jint(o, "id");
	T_EQ(jint(o, "count"), 1);
	json_object_put(o);
	T_EQ(library_tags_list(&svc, &alice_v, "AUTOcomp", 10, &o), PSS_OK);
	json_object_object_get_ex(o, "tags", &t);
	T_EQ(json_object_array_length(t), 1);
	T_STREQ(jstr(json_object_array_get_idx(t, 0), "name"), "autocomplete-me");
	T_EQ(jint(json_object_array_get_idx(t, 0), "count"), 1);
	json_object_put(o);
	/* issue 12 item 6: the tag is in use only on alice's private script: for everyone but
	 * alice and an admin it is absent (list, get, and create answers "created") */
	T_EQ(library_tag_get(&svc, &anon_v, tid, &o), PSS_ENOTFOUND);
	T_EQ(library_tag_get(&svc, &bob_v, tid, &o), PSS_ENOTFOUND);
	T_EQ(library_tag_get(&svc, &admin_v, tid, &o), PSS_OK);
	T_EQ(jint(o, "count"), 1);
	json_object_put(o);
	T_EQ(library_tags_list(&svc, &bob_v, "autocomp", 10, &o), PSS_OK);
	json_object_object_get_ex(o, "tags", &t);
	T_EQ(json_object_array_length(t), 0);
	json_object_put(o);
	T_EQ(library_tags_list(&svc, &anon_v, "", 100, &o), PSS_OK);
	T_ASSERT(strstr(json_object_to_json_string(o), "autocomplete-me") == NULL);
	json_object_put(o);
	T_EQ(library_tags_list(&svc, &admin_v, "autocomp", 10, &o), PSS_OK);
	json_object_object_get_ex(o, "tags", &t);
	T_EQ(json_object_array_length(t), 1);
	json_object_put(o);
	T_EQ(library_tag_create(&svc, &bob_v, "autocomplete-me", &o, &created, &err), PSS_OK);
	T_ASSERT(created);
	T_EQ(jint(o, "id"), tid);
	T_EQ(jint(o, "count"), 0);
	json_object_put(o);
	{
		const char *eleven[11] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k" };
		struct script_new sn = { .user_id = alice, .title = "t", .content = "tags!", .content_len = 5,
			.tags = eleven, .ntags = 11 };
		int64_t id;

		T_EQ(library_script_create(&svc, &sn, &id, &err), PSS_EINVAL);
		T_STREQ(err.field, "tags");
	}
	T_EQ(library_tag_delete(&svc, tid), PSS_OK);
	T_EQ(library_tag_delete(&svc, tid), PSS_ENOTFOUND);
}

/* cached: whether key holds a value in c. */
static bool
cached(struct cache *c, const char *key)
{
	size_t len;
	char *v = cache_get(c, key, &len);

	free(v);
	return v != NULL;
}

/* The operations that write drop the entries they make stale themselves (issue 11): no
 * caller invalidates. */
static void
test_writes_drop_the_cache_entries_they_make_stale(void)
{
	struct cache *cache = cache_open(&conf, db);
	struct svc cs = { &conf, db, cache };
	struct script_update u = { .is_public = -1 };
	struct svc_err err = { 0 };
	char key[48];
	int64_t id = mk(alice, "cached then changed", "Get-Date", true, NULL), cid, nv;

	T_ASSERT(id > 0);
	snprintf(key, sizeof(key), "script:%lld", (long long)id);
	cache_set(cache, key, "{}", 2, CACHE_TTL_SCRIPT);
	cache_set(cache, "scripts:1:20:anon:x", "{}", 2, CACHE_TTL_SCRIPTS);
	T_ASSERT(cached(cache, key) && cached(cache, "scripts:1:20:anon:x"));
	u.id = id;
	u.title = "cached then renamed";
	T_EQ(library_script_update(&cs, &alice_v, &u, &err), PSS_OK);
	T_ASSERT(!cached(cache, key));
	T_ASSERT(!cached(cache, "scripts:1:20:anon:x"));

	cache_set(cache, "categories:all", "{}", 2, CACHE_TTL_CATEGORIES);
	T_EQ(library_category_create(&cs, run, NULL, &cid, &err), PSS_OK);
	T_ASSERT(!cached(cache, "categories:all"));

	cache_set(cache, key, "{}", 2, CACHE_TTL_SCRIPT);
	T_EQ(library_version_revert(&cs, &alice_v, id, 1, &nv, &err), PSS_OK);
	T_ASSERT(!cached(cache, key));

	cache_set(cache, key, "{}", 2, CACHE_TTL_SCRIPT);
	T_EQ(library_script_delete(&cs, &alice_v, id), PSS_OK);
	T_ASSERT(!cached(cache, key));
	T_EQ(library_category_delete(&cs, cid), PSS_OK);
	cache_close(cache);
}

static void
test_create_refuses_bad_input_before_any_query(void)
{
	struct svc_err err = { 0 };
	struct script_new sn = { .user_id = alice, .title = "  ", .content = "ok", .content_len = 2 };
	int64_t id;

	T_EQ(library_script_create(&svc, &sn, &id, &err), PSS_EINVAL);
	T_STREQ(err.field, "title");
	sn.title = "t";
	sn.content = "a\0b";
	sn.content_len = 3;
	T_EQ(library_script_create(&svc, &sn, &id, &err), PSS_EINVAL);
	T_STREQ(err.field, "content");
	sn.user_id = 0;
	T_EQ(library_script_create(&svc, &sn, &id, &err), PSS_EAUTH);
}

int
main(void)
{
	it_db_setup("test-library-db", &conf, &db);
	svc = (struct svc){ &conf, db, NULL };
	rand_hex(run, 8);
	alice = mk_user("alice", "user");
	bob = mk_user("bob", "user");
	admin_id = mk_user("admin", "admin");
	alice_v = (struct viewer){ alice, false };
	bob_v = (struct viewer){ bob, false };
	admin_v = (struct viewer){ admin_id, true };
	T_RUN(test_visibility_matrix_on_list_get_and_search);
	T_RUN(test_get_has_user_category_tags_and_null_analysis);
	T_RUN(test_analysis_summary_full_analysis_and_score_filter);
	T_RUN(test_same_content_twice_is_a_conflict_naming_the_first);
	T_RUN(test_two_racing_creates_one_wins_the_other_names_it);
	T_RUN(test_content_change_writes_a_version_and_enqueues_analysis);
	T_RUN(test_compare_gives_hunks_and_unified_text);
	T_RUN(test_revert_writes_n_plus_one_with_old_content);
	T_RUN(test_update_to_another_scripts_content_is_a_conflict);
	T_RUN(test_bulk_delete_is_all_or_nothing);
	T_RUN(test_bulk_update_tags_visibility_and_tag_limit);
	T_RUN(test_execution_counters_under_concurrent_records);
	T_RUN(test_uploads_batch_is_processed_and_reports_progress);
	T_RUN(test_keyset_pagination_is_stable_across_pages);
	T_RUN(test_title_match_ranks_above_content_match_with_snippets);
	T_RUN(test_search_any_finds_candidates_by_the_rarer_words);
	T_RUN(test_injection_strings_are_data);
	T_RUN(test_categories_and_tags);
	T_RUN(test_create_refuses_bad_input_before_any_query);
	T_RUN(test_writes_drop_the_cache_entries_they_make_stale);
	db_close(db);
	conf_free(&conf);
	return t_done();
}
