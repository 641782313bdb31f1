/* test-docs-db.c: the documentation's service and data layer against the harness's
 * PostgreSQL: upsert by URL (inserted, updated, unchanged by hash), the extraction every
 * writer gets, the checks naming a field, the search (exact names and aliases first,
 * filters, snippets), related documents, deletes */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "db/db.h"
#include "itest.h"
#include "services/docs.h"
#include "t.h"

static struct conf conf;
static struct db *db;
static struct svc svc;
static char run[17];		/* makes this run's URLs and source unique */
static char source[64];

static char *
url(const char *name)
{
	static char buf[8][256];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "https://docs.example.test/%s/%s", run, name);
	return buf[i];
}

static int64_t
put(const char *name, const char *title, const char *content, const char *type,
    const char *meta, enum docs_upsert_result *res)
{
	struct doc_in in = { .url = url(name), .title = title, .content = content,
		.summary = "A summary.", .source = source, .content_type = type,
		.category = "Test.Module", .metadata = meta };
	struct svc_err err = { 0 };
	int64_t id = 0;
	enum docs_upsert_result r;

	if (docs_upsert(&svc, &in, &id, res != NULL ? res : &r, &err) != PSS_OK)
		printf("# upsert %s failed: %s %s\n", name, err.field ? err.field : "",
		    err.message ? err.message : "");
	return id;
}

static const char *
str_of(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static void
test_upsert_inserts_updates_and_leaves_unchanged_rows_alone(void)
{
	enum docs_upsert_result r;
	struct db_res *x;
	int64_t id1, id2, id3;
	char before[64] = "", after[64] = "", sid[24];

	id1 = put("upsert", "Upsert-Thing", "first body", "cmdlet", NULL, &r);
	T_ASSERT(id1 > 0);
	T_EQ(r, DOCS_INSERTED);
	snprintf(sid, sizeof(sid), "%lld", (long long)id1);
	if (db_exec(db, &x, "SELECT updated_at::text FROM documentation WHERE id = $1", 1,
	    (const char *[]){ sid }) == PSS_OK) {
		snprintf(before, sizeof(before), "%s", db_res_get(x, 0, 0));
		db_res_free(x);
	}
	id2 = put("upsert", "Upsert-Thing", "first body", "cmdlet", NULL, &r);
	T_EQ(id2, id1);
	T_EQ(r, DOCS_UNCHANGED);
	if (db_exec(db, &x, "SELECT updated_at::text FROM documentation WHERE id = $1", 1,
	    (const char *[]){ sid }) == PSS_OK) {
		snprintf(after, sizeof(after), "%s", db_res_get(x, 0, 0));
		db_res_free(x);
	}
	T_STREQ(after, before);
	id3 = put("upsert", "Upsert-Thing", "second body", "cmdlet", NULL, &r);
	T_EQ(id3, id1);
	T_EQ(r, DOCS_UPDATED);
}

static void
test_upsert_extracts_commands_functions_and_modules(void)
{
	struct json_object *d = NULL, *a;
	const char *body = "Intro text Get-Nothing here.\n\n```powershell\n"
	    "Import-Module -Name SqlServer\nfunction Invoke-Local { gci C:\\ | Select-Object Name }\n"
	    "ls | % { $_ }\n```\n\n```output\nGet-Ignored\n```\n";
	int64_t id = put("extract", "Extracting page", body, "article", NULL, NULL);

	T_EQ(docs_get(&svc, id, &d), PSS_OK);
	T_ASSERT(json_object_object_get_ex(d, "extractedCommands", &a));
	T_CONTAINS(json_object_to_json_string(a), "\"Get-ChildItem\"");
	T_CONTAINS(json_object_to_json_string(a), "\"Select-Object\"");
	T_CONTAINS(json_object_to_json_string(a), "\"ForEach-Object\"");
	T_CONTAINS(json_object_to_json_string(a), "\"Import-Module\"");
	T_ASSERT(strstr(json_object_to_json_string(a), "Get-Ignored") == NULL);
	T_ASSERT(strstr(json_object_to_json_string(a), "Get-Nothing") == NULL);
	T_ASSERT(json_object_object_get_ex(d, "extractedFunctions", &a));
	T_STREQ(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN), "[\"Invoke-Local\"]");
	T_ASSERT(json_object_object_get_ex(d, "extractedModules", &a));
	T_CONTAINS(json_object_to_json_string(a), "\"SqlServer\"");
	T_CONTAINS(json_object_to_json_string(a), "\"Microsoft.PowerShell.Management\"");
	T_STREQ(str_of(d, "content"), body);
	json_object_put(d);
}

static void
test_bad_input_names_the_field(void)
{
	static const struct { struct doc_in in; const char *field; } cases[] = {
		{ { .url = NULL, .title = "t" }, "url" },
		{ { .url = "ftp://x.test/a", .title = "t" }, "url" },
		{ { .url = "javascript:alert(1)", .title = "t" }, "url" },
		{ { .url = "https://x.test/a b", .title = "t" }, "url" },
		{ { .url = "https://x.test/a", .title = "   " }, "title" },
		{ { .url = "https://x.test/a", .title = "t", .content_type = "Cmd Let" }, "contentType" },
		{ { .url = "https://x.test/a", .title = "t", .metadata = "[1]" }, "metadata" },
		{ { .url = "https://x.test/a", .title = "t", .metadata = "{" }, "metadata" },
		{ { .url = "https://x.test/a", .title = "t", .last_updated = "12/09/2022" }, "lastUpdated" },
		{ { .url = "https://x.test/a", .title = "t", .last_updated = "2022-13-01" }, "lastUpdated" },
		{ { .url = "https://x.test/a", .title = "t", .content = "\xff\xfe" }, "content" },
		{ { .url = "https://x.test/a", .title = "t", .source = "" }, "source" },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(cases); i++) {
		struct svc_err err = { 0 };
		int64_t id;
		enum docs_upsert_result r;

		T_EQ(docs_upsert(&svc, &cases[i].in, &id, &r, &err), PSS_EINVAL);
		T_STREQ(err.field, cases[i].field);
	}
}

/* first_title: the title of the first document a search answers. */
static char *
search_first(const char *q, const char *type, int64_t *total)
{
	const char *srcs[1] = { source }, *types[1] = { type };
	struct docs_search_in in = { .query = q, .sources = srcs, .nsources = 1, .types = types,
		.ntypes = type != NULL };
	struct json_object *o = NULL, *a;
	struct svc_err err = { 0 };
	char *t = NULL;
	enum pss_err e;

	*total = -1;
	if ((e = docs_search(&svc, &in, &o, &err)) != PSS_OK) {
		printf("# search %s failed (%d): %s\n", q, (int)e, err.field ? err.field : "?");
		return NULL;
	}
	*total = json_object_get_int64(json_object_object_get(o, "total"));
	if (json_object_object_get_ex(o, "documents", &a) && json_object_array_length(a) > 0) {
		struct json_object *d = json_object_array_get_idx(a, 0);

		t = xstrdup(str_of(d, "title"));
		if (strstr(str_of(d, "snippet"), "<mark>") == NULL && strcmp(q, "gci") != 0)
			printf("# no highlight in %s\n", str_of(d, "snippet"));
	}
	json_object_put(o);
	return t;
}

static void
test_search_ranks_exact_names_and_aliases_first(void)
{
	int64_t total;
	char *t;

	put("gci", "Get-ChildItem", "Gets the items in a location. Get-Item gets one. childitem"
	    " childitem childitem.", "cmdlet", "{\"aliases\": [\"gci\", \"ls\", \"dir\"]}", NULL);
	put("gi", "Get-Item", "Gets the item at the location. Get-ChildItem Get-ChildItem Get-ChildItem"
	    " lists the children.", "cmdlet", NULL, NULL);
	put("about", "about_Locations", "Describes how Get-ChildItem and locations work.", "about",
	    NULL, NULL);
	t = search_first("Get-ChildItem", NULL, &total);
	T_STREQ(t, "Get-ChildItem");
	T_ASSERT(total >= 3);
	free(t);
	t = search_first("gci", NULL, &total);
	T_STREQ(t, "Get-ChildItem");
	free(t);
	t = search_first("Get-Item", NULL, &total);
	T_STREQ(t, "Get-Item");
	free(t);
	t = search_first("childitem", "about", &total);
	T_STREQ(t, "about_Locations");
	T_EQ(total, 1);
	free(t);
	t = search_first("about_locations", NULL, &total);
	T_STREQ(t, "about_Locations");
	free(t);
}

static void
test_search_checks_its_input(void)
{
	static const struct { struct docs_search_in in; const char *field; } cases[] = {
		{ { .query = "" }, "query" },
		{ { .query = "a b c d e f g h i" }, "query" },
		{ { .query = "-x" }, "query" },
		{ { .query = "x", .limit = 101 }, "limit" },
		{ { .query = "x", .offset = -1 }, "offset" },
		{ { .query = "x", .sort = "rank" }, "sortBy" },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(cases); i++) {
		struct json_object *o = NULL;
		struct svc_err err = { 0 };

		T_EQ(docs_search(&svc, &cases[i].in, &o, &err), PSS_EINVAL);
		T_STREQ(err.field, cases[i].field);
		T_ASSERT(o == NULL);
	}
}

static void
test_find_command_resolves_aliases_and_delete_source_removes_all(void)
{
	char title[64], alias[64], meta[128];
	int64_t id = 0, doc, n = 0;
	struct svc_err err = { 0 };
	struct json_object *o = NULL;

	/* names of this run's own, so documents already stored cannot answer */
	snprintf(title, sizeof(title), "Get-Probe%s", run);
	snprintf(alias, sizeof(alias), "gpr%s", run);
	snprintf(meta, sizeof(meta), "{\"aliases\": [\"%s\"]}", alias);
	doc = put("probe", title, "Probes. Get-ChildItem", "cmdlet", meta, NULL);
	T_ASSERT(doc > 0);
	for (char *p = title; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	T_EQ(docs_find_command(&svc, title, &id), PSS_OK);
	T_EQ(id, doc);
	T_EQ(docs_find_command(&svc, alias, &id), PSS_OK);
	T_EQ(id, doc);
	T_EQ(docs_find_command(&svc, "no-such-command-here", &id), PSS_ENOTFOUND);
	T_EQ(docs_related(&svc, doc, &o), PSS_OK);
	T_CONTAINS(json_object_to_json_string(o), "Get-ChildItem");
	json_object_put(o);
	T_EQ(docs_delete_source(&svc, source, &n, &err), PSS_OK);
	T_ASSERT(n >= 5);
	T_EQ(docs_get(&svc, doc, &o), PSS_ENOTFOUND);
	T_EQ(docs_delete(&svc, doc), PSS_ENOTFOUND);
}

int
main(void)
{
	it_db_setup("test-docs-db", &conf, &db);
	svc = (struct svc){ &conf, db, NULL };
	rand_hex(run, 8);
	snprintf(source, sizeof(source), "Test %s", run);
	T_RUN(test_upsert_inserts_updates_and_leaves_unchanged_rows_alone);
	T_RUN(test_upsert_extracts_commands_functions_and_modules);
	T_RUN(test_bad_input_names_the_field);
	T_RUN(test_search_ranks_exact_names_and_aliases_first);
	T_RUN(test_search_checks_its_input);
	T_RUN(test_find_command_resolves_aliases_and_delete_source_removes_all);
	db_close(db);
	return t_done();
}
