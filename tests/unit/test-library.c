/* test-library.c: the library's pure helpers: cache keys by visibility scope, visibility of a
 * cached script object, sort names, the title and tag rules, the analysis state, ad-hoc
 * analysis (no database) and the analyzer's settings */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "core/text.h"
#include "services/library-int.h"
#include "t.h"

static void
test_cache_key_names_page_limit_and_scope(void)
{
	struct viewer anon = { 0, false }, u7 = { 7, false }, adm = { 1, true };
	struct script_filter f;
	char *a, *b, *c;

	library_filter_init(&f, false);
	f.page = 3;
	f.limit = 50;
	a = library_list_cache_key(&anon, &f, false);
	b = library_list_cache_key(&u7, &f, false);
	c = library_list_cache_key(&adm, &f, false);
	T_ASSERT(strncmp(a, "scripts:3:50:anon:", 18) == 0);
	T_ASSERT(strncmp(b, "scripts:3:50:u7:", 16) == 0);
	T_ASSERT(strncmp(c, "scripts:3:50:admin:", 19) == 0);
	T_EQ(strlen(a), 18 + 32);
	free(a);
	free(b);
	/* public scripts only: one entry for everyone */
	f.is_public = 1;
	a = library_list_cache_key(&anon, &f, false);
	b = library_list_cache_key(&u7, &f, false);
	T_STREQ(a, b);
	free(a);
	free(b);
	free(c);
}

static void
test_cache_key_changes_with_every_filter(void)
{
	struct viewer v = { 7, false };
	struct script_filter f;
	char *keys[10];
	int n = 0, same = 0;

	library_filter_init(&f, false);
	keys[n++] = library_list_cache_key(&v, &f, false);
	keys[n++] = library_list_cache_key(&v, &f, true);
	f.tag = "a";
	keys[n++] = library_list_cache_key(&v, &f, false);
	f.tag = NULL;
	f.query = "a";	/* the same text in another field is another key */
	keys[n++] = library_list_cache_key(&v, &f, false);
	f.query = NULL;
	f.asc = true;
	keys[n++] = library_list_cache_key(&v, &f, false);
	f.sort = SCRIPT_SORT_TITLE;
	keys[n++] = library_list_cache_key(&v, &f, false);
	f.mine = true;
	keys[n++] = library_list_cache_key(&v, &f, false);
	f.is_public = 1;
	keys[n++] = library_list_cache_key(&v, &f, false);
	f.has_min_security = true;
	f.min_security = 5;
	keys[n++] = library_list_cache_key(&v, &f, false);
	f.cursor = "abc";
	keys[n++] = library_list_cache_key(&v, &f, false);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			same += strcmp(keys[i], keys[j]) == 0;
	T_EQ(same, 0);
	for (int i = 0; i < n; i++)
		free(keys[i]);
}

static void
test_cached_script_visibility(void)
{
	struct json_object *pub = json_tokener_parse("{\"id\": 1, \"userId\": 7, \"isPublic\": true}");
	struct json_object *priv = json_tokener_parse("{\"id\": 2, \"userId\": 7, \"isPublic\": false}");
	struct viewer anon = { 0, false }, owner = { 7, false }, other = { 8, false }, adm = { 1, true };

	T_ASSERT(library_script_visible(&anon, pub));
	T_ASSERT(!library_script_visible(&anon, priv));
	T_ASSERT(library_script_visible(&owner, priv));
	T_ASSERT(!library_script_visible(&other, priv));
	T_ASSERT(library_script_visible(&adm, priv));
	json_object_put(pub);
	json_object_put(priv);
}

static void
test_sort_names_are_a_whitelist(void)
{
	T_EQ(library_sort_parse(NULL), SCRIPT_SORT_UPDATED);
	T_EQ(library_sort_parse("executionCount"), SCRIPT_SORT_EXECUTIONS);
	T_EQ(library_sort_parse("security-score"), SCRIPT_SORT__MAX);
	T_EQ(library_sort_parse("title DESC"), SCRIPT_SORT__MAX);
	T_EQ(library_sort_parse("Updated"), SCRIPT_SORT__MAX);
	T_EQ(library_sort_parse("codeQualityScore"), SCRIPT_SORT_QUALITY);
	T_STREQ(db_script_sorts[SCRIPT_SORT_SECURITY], "securityScore");
	T_EQ(library_exec_status_parse("cancelled"), EXEC_CANCELLED);
	T_ASSERT(text_uuid_valid("0b7c4a8e-1f2d-4c3b-9a8e-7f6d5c4b3a21"));
	T_ASSERT(!text_uuid_valid("0b7c4a8e-1f2d-4c3b-9a8e-7f6d5c4b3a2"));
	T_ASSERT(!text_uuid_valid("0b7c4a8e'1f2d-4c3b-9a8e-7f6d5c4b3a21"));
}

/* The names the original frontend sends (docs/compat.md) map onto API.md's sorts. */
static void
test_sort_aliases_of_the_original_frontend(void)
{
	static const struct { const char *name; enum script_sort want; } rows[] = {
		{ "updated", SCRIPT_SORT_UPDATED }, { "updated_at", SCRIPT_SORT_UPDATED },
		{ "created", SCRIPT_SORT_CREATED }, { "created_at", SCRIPT_SORT_CREATED },
		{ "name", SCRIPT_SORT_TITLE }, { "views", SCRIPT_SORT_EXECUTIONS },
		{ "executions", SCRIPT_SORT_EXECUTIONS }, { "execution_count", SCRIPT_SORT_EXECUTIONS },
		{ "security_score", SCRIPT_SORT_SECURITY }, { "quality", SCRIPT_SORT_QUALITY },
		{ "quality_score", SCRIPT_SORT_QUALITY }, { "code_quality_score", SCRIPT_SORT_QUALITY },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(rows); i++)
		T_ASSERTF(library_sort_parse(rows[i].name) == rows[i].want, "sort %s", rows[i].name);
	/* an alias never reaches the search-only rank */
	T_EQ(library_sort_parse("relevance"), SCRIPT_SORT__MAX);
}

/* The rules live in the services layer and name the field with a phrase (error_from_svc
 * prints "field: phrase."). */
static void
test_title_and_tag_rules_name_the_field(void)
{
	const char *many[11] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k" };
	const char *ok[2] = { "  Net ", "ad" }, *bad[1] = { "   " };
	struct svc_err err = { 0 };
	char *t;

	t = library_title_check("  Backup  ", &err);
	T_STREQ(t, "Backup");
	free(t);
	T_ASSERT(library_title_check(" \t ", &err) == NULL);
	T_STREQ(err.field, "title");
	T_ASSERT(err.phrase);
	T_ASSERT(library_title_check("a\x01b", &err) == NULL);
	T_STREQ(err.message, "the title contains a control character");
	t = library_tags_check(ok, 2, "tags", &err);
	T_STREQ(t, "[\"Net\",\"ad\"]");
	free(t);
	memset(&err, 0, sizeof(err));
	T_ASSERT(library_tags_check(many, 11, "addTags", &err) == NULL);
	T_STREQ(err.field, "addTags");
	T_ASSERT(library_tags_check(bad, 1, "tags", &err) == NULL);
	T_STREQ(err.message, "a tag is 1 to 50 bytes of text");
}

/* Issue 12 item 10: tags count once as stored (trimmed, any case), and bidirectional
 * controls are refused in titles and tags. */
static void
test_tags_deduplicated_and_bidi_refused(void)
{
	const char *eleven[12] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", " A ", "J" };
	const char *bidi[1] = { "ok\xe2\x80\xae" "evil" };
	struct svc_err err = { 0 };
	char *t;

	t = library_tags_check(eleven, 12, "tags", &err);
	T_STREQ(t, "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]");
	free(t);
	eleven[11] = "k";
	T_ASSERT(library_tags_check(eleven, 12, "tags", &err) == NULL);
	T_STREQ(err.message, "at most 10 tags");
	T_ASSERT(library_tags_check(bidi, 1, "tags", &err) == NULL);
	T_STREQ(err.field, "tags");
	T_STREQ(err.message, "a tag contains a bidirectional control character");
	T_ASSERT(library_title_check("invoice\xe2\x81\xa6.ps1", &err) == NULL);
	T_STREQ(err.field, "title");
	T_STREQ(err.message, "the title contains a bidirectional control character");
	t = library_title_check("caf\xc3\xa9", &err);	/* other non-ASCII is fine */
	T_STREQ(t, "caf\xc3\xa9");
	free(t);
}

/* The search bounds (issue 12 item 2): words counted as PostgreSQL splits them at least,
 * "or" an operator, negations alone refused, each bound with its own phrase. */
static void
test_search_bounds(void)
{
	char many[1024], big[300];
	size_t k = 0;

	for (int i = 0; i < 490; i++) {
		many[k++] = (char)('a' + i % 26);
		many[k++] = ' ';
	}
	many[k - 1] = '\0';
	T_ASSERT(library_search_check("Get-Process") == NULL);
	T_ASSERT(library_search_check("a b c d e f g h") == NULL);
	T_ASSERT(library_search_check("a or b or c or d or e or f or g or h") == NULL);
	T_ASSERT(library_search_check("\"a b c d\" e f -g -h") == NULL);
	T_ASSERT(library_search_check("get -a -b -c -d -e -f -g") == NULL);
	T_ASSERT(library_search_check("\"or\" -a") == NULL);	/* a quoted or is a word */
	T_ASSERT(library_search_check("!!!") == NULL);	/* no word: matches nothing */
	T_STREQ(library_search_check(many), "a search text of 1 to 256 bytes is required");
	T_STREQ(library_search_check(""), "a search text of 1 to 256 bytes is required");
	T_STREQ(library_search_check(NULL), "a search text of 1 to 256 bytes is required");
	T_STREQ(library_search_check("a\xff"), "a search text of 1 to 256 bytes is required");
	T_STREQ(library_search_check("a b c d e f g h i"), "a search has at most 8 words");
	T_STREQ(library_search_check("a-b-c-d-e-f-g-h-i"), "a search has at most 8 words");
	T_STREQ(library_search_check("\"a b c d e f g h i\""), "a search has at most 8 words");
	T_STREQ(library_search_check("a or b or c or d or e or f or g or h or i"),
	    "a search has at most 8 words");
	T_STREQ(library_search_check("\xc3\xa9t\xc3\xa9 b c d e f g h i"), "a search has at most 8 words");
	T_STREQ(library_search_check("-a -b -c"), "a search needs a word that is not negated");
	T_STREQ(library_search_check("-get-process"), "a search needs a word that is not negated");
	memset(big, 'x', 65);
	big[65] = '\0';
	T_STREQ(library_search_check(big), "a search word has at most 64 characters");
	big[64] = '\0';
	T_ASSERT(library_search_check(big) == NULL);
}


/* state: library_analysis_state of job (JSON text or NULL) and has_analysis, its status
 * and member (NULL: the status) as a string (static), or "(null)". */
static const char *
state(const char *job, bool has, const char *member)
{
	static char out[128];
	struct json_object *j = job != NULL ? json_tokener_parse(job) : NULL, *st, *m;

	st = library_analysis_state(j, has);
	snprintf(out, sizeof(out), "%s", json_object_object_get_ex(st, member ? member : "status", &m) ?
	    json_object_get_string(m) : "(null)");
	json_object_put(st);
	json_object_put(j);
	return out;
}

static void
test_analysis_state_from_the_newest_job(void)
{
	T_STREQ(state(NULL, false, NULL), "none");
	T_STREQ(state(NULL, true, NULL), "done");
	T_STREQ(state("{\"status\": \"done\", \"afterAnalysis\": false}", true, NULL), "done");
	T_STREQ(state("{\"status\": \"queued\", \"attempts\": 0, \"createdAt\": \"t0\"}", true, NULL),
	    "queued");
	T_STREQ(state("{\"status\": \"queued\", \"attempts\": 0, \"createdAt\": \"t0\"}", false,
	    "queuedAt"), "t0");
	T_STREQ(state("{\"status\": \"queued\", \"attempts\": 0, \"lastError\": \"x\"}", false, "error"),
	    "(null)");
	/* a retry carries the last attempt's reason */
	T_STREQ(state("{\"status\": \"queued\", \"attempts\": 2, \"lastError\": \"timeout\"}", false,
	    "error"), "timeout");
	T_STREQ(state("{\"status\": \"running\", \"lockedAt\": \"t1\"}", true, "startedAt"), "t1");
	T_STREQ(state("{\"status\": \"failed\", \"afterAnalysis\": true, \"lastError\": \"boom\"}",
	    false, NULL), "failed");
	T_STREQ(state("{\"status\": \"failed\", \"afterAnalysis\": true, \"lastError\": \"boom\"}",
	    true, "error"), "boom");
	/* a failure older than the stored analysis (analysed again since): done */
	T_STREQ(state("{\"status\": \"failed\", \"afterAnalysis\": false, \"lastError\": \"boom\"}",
	    true, NULL), "done");
}

static void
test_pending_states_are_queued_and_running(void)
{
	static const char *const cases[][2] = {
		{ "queued", "1" }, { "running", "1" }, { "done", "0" }, { "failed", "0" }, { "none", "0" },
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(cases); i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "status", json_object_new_string(cases[i][0]));
		T_EQ(library_analysis_pending(o), cases[i][1][0] == '1');
		json_object_put(o);
	}
	T_ASSERT(!library_analysis_pending(NULL));
}

/* count: how many findings of list in analysis a carry ruleId rule. */
static int
count(struct json_object *a, const char *list, const char *rule)
{
	struct json_object *l, *r;
	int n = 0;

	if (a == NULL || !json_object_object_get_ex(a, list, &l))
		return -1;
	for (size_t i = 0; i < json_object_array_length(l); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(l, i), "ruleId", &r) &&
		    strcmp(json_object_get_string(r), rule) == 0)
			n++;
	return n;
}

static void
test_adhoc_checks_its_input(void)
{
	struct svc s = { NULL, NULL, NULL };
	struct svc_err err;
	struct json_object *a;
	char *big = malloc(LIBRARY_ADHOC_MAX + 1);
	const char *ok = "Invoke-Expression $args[0]\n";

	memset(&err, 0, sizeof(err));
	T_EQ(library_analysis_adhoc(&s, "", 0, NULL, &a, &err), PSS_EINVAL);
	T_STREQ(err.field, "content");
	T_ASSERT(a == NULL);
	T_EQ(library_analysis_adhoc(&s, NULL, 0, NULL, &a, &err), PSS_EINVAL);
	T_EQ(library_analysis_adhoc(&s, " \r\n\t", 4, NULL, &a, &err), PSS_EINVAL);
	T_EQ(library_analysis_adhoc(&s, "a\xff", 2, NULL, &a, &err), PSS_EINVAL);
	T_STREQ(err.field, "content");
	T_EQ(library_analysis_adhoc(&s, ok, strlen(ok), "x.txt", &a, &err), PSS_EINVAL);
	T_STREQ(err.field, "fileName");
	T_EQ(library_analysis_adhoc(&s, ok, strlen(ok), "../x.ps1\n", &a, &err), PSS_EINVAL);
	memset(big, '#', LIBRARY_ADHOC_MAX + 1);
	T_EQ(library_analysis_adhoc(&s, big, LIBRARY_ADHOC_MAX + 1, NULL, &a, &err), PSS_ETOOBIG);
	T_STREQ(err.field, "content");
	free(big);
	T_EQ(library_analysis_adhoc(&s, ok, strlen(ok), "X.PSD1", &a, &err), PSS_OK);
	T_EQ(count(a, "securityIssues", "PSAvoidUsingInvokeExpression"), 1);
	T_ASSERT(a != NULL && !json_object_object_get_ex(a, "id", NULL) &&
	    !json_object_object_get_ex(a, "scriptId", NULL));
	json_object_put(a);
}

/* ANALYZER_SETTINGS reaches the web worker's analyses too (here: PSAvoidLongLines, off by
 * default, on with a 20-character maximum). */
static void
test_adhoc_uses_the_analyzer_settings(void)
{
	char path[] = "/tmp/pss-settings-XXXXXX";
	const char *line = "Write-Output 'a line of more than twenty characters'\n";
	struct conf c;
	struct svc s = { &c, NULL, NULL };
	struct json_object *a;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	T_ASSERT(f != NULL);
	if (f == NULL)
		return;
	fputs("@{ Rules = @{ PSAvoidLongLines = @{ Enable = $true; MaximumLineLength = 20 } } }\n", f);
	fclose(f);
	memset(&c, 0, sizeof(c));
	c.analyzer_settings = path;
	T_EQ(library_analysis_adhoc(&s, line, strlen(line), NULL, &a, NULL), PSS_OK);
	T_EQ(count(a, "bestPracticeViolations", "PSAvoidLongLines"), 1);
	T_ASSERT(library_analyzer_opts(&s) != NULL);
	json_object_put(a);
	unlink(path);
}

/* The page fragment's key moves with the content, the analysis (its updatedAt, id, version)
 * and the filter, and with nothing else. */
static void
test_analysis_view_key_follows_content_analysis_and_filter(void)
{
	struct json_object *a = json_tokener_parse("{\"id\": 7, \"updatedAt\": \"2026-12-03T10:00:00.1+00:00\","
	    " \"analysisVersion\": \"1.4\", \"provider\": \"builtin\", \"purpose\": \"x\"}");
	struct json_object *b = json_tokener_parse("{\"id\": 7, \"updatedAt\": \"2026-12-03T10:00:00.2+00:00\","
	    " \"analysisVersion\": \"1.4\", \"provider\": \"builtin\", \"purpose\": \"y\"}");
	char k1[160], k2[160];

	T_EQ(library_analysis_view_key(k1, sizeof(k1), 5, library_analysis_stamp("Get-Date\n", 9, a), 4, 3),
	    CACHE_TTL_ANALYSIS);
	T_ASSERT(strncmp(k1, "analysis:5:view:", 16) == 0);
	library_analysis_view_key(k2, sizeof(k2), 5, library_analysis_stamp("Get-Date\n", 9, a), 4, 3);
	T_STREQ(k1, k2);
	library_analysis_view_key(k2, sizeof(k2), 5, library_analysis_stamp("Get-Date \n", 10, a), 4, 3);
	T_ASSERT(strcmp(k1, k2) != 0);
	library_analysis_view_key(k2, sizeof(k2), 5, library_analysis_stamp("Get-Date\n", 9, b), 4, 3);
	T_ASSERT(strcmp(k1, k2) != 0);
	library_analysis_view_key(k2, sizeof(k2), 5, library_analysis_stamp("Get-Date\n", 9, a), 0, 3);
	T_ASSERT(strcmp(k1, k2) != 0);
	library_analysis_view_key(k2, sizeof(k2), 6, library_analysis_stamp("Get-Date\n", 9, a), 4, 3);
	T_ASSERT(strcmp(k1, k2) != 0);
	json_object_put(a);
	json_object_put(b);
}

int
main(void)
{
	T_RUN(test_cache_key_names_page_limit_and_scope);
	T_RUN(test_cache_key_changes_with_every_filter);
	T_RUN(test_cached_script_visibility);
	T_RUN(test_sort_names_are_a_whitelist);
	T_RUN(test_sort_aliases_of_the_original_frontend);
	T_RUN(test_title_and_tag_rules_name_the_field);
	T_RUN(test_search_bounds);
	T_RUN(test_tags_deduplicated_and_bidi_refused);
	T_RUN(test_analysis_state_from_the_newest_job);
	T_RUN(test_pending_states_are_queued_and_running);
	T_RUN(test_adhoc_checks_its_input);
	T_RUN(test_adhoc_uses_the_analyzer_settings);
	T_RUN(test_analysis_view_key_follows_content_analysis_and_filter);
	return t_done();
}
