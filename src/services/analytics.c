/* analytics.c: the analytics parts over the caller's visible scripts, their cache keys and
 * cached reads (docs/analytics.md) */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "core/core.h"
#include "services/analytics.h"
#include "services/library.h"

const char *const analytics_parts[ANALYTICS__MAX] = {
	"security", "usage", "categories", "summary",
};

#define RULE_SCRIPTS_MAX 100

enum pss_err
analytics_filter_parse(const char *days, const char *category_id, struct analytics_filter *f,
    struct svc_err *err)
{
	int64_t v;

	f->days = ANALYTICS_DAYS_DEFAULT;
	f->category_id = 0;
	if (days != NULL) {
		if (parse_int64(days, ANALYTICS_DAYS_MIN, ANALYTICS_DAYS_MAX, &v) != 0)
			return svc_fail(err, PSS_EINVAL, "days", "must be a whole number of days from 7 to 365");
		f->days = (int)v;
	}
	if (category_id != NULL && *category_id != '\0') {	/* empty: the form's "every category" */
		if (parse_int64(category_id, 1, INT32_MAX, &v) != 0)
			return svc_fail(err, PSS_EINVAL, "categoryId", "must be a category id (a positive whole number)");
		f->category_id = v;
	}
	return PSS_OK;
}

bool
analytics_param_known(const char *name)
{
	return strcmp(name, "days") == 0 || strcmp(name, "categoryId") == 0;
}

/* key_put: appends s to the key (n bytes, at used), cut to fit; returns the new length */
static size_t
key_put(char *key, size_t n, size_t at, const char *s)
{
	size_t l = strlen(s);

	if (l > n - 1 - at)
		l = n - 1 - at;
	memcpy(key + at, s, l);
	key[at + l] = '\0';
	return at + l;
}

void
analytics_cache_key(char *key, size_t n, enum analytics_part part, const struct viewer *vw,
    const struct analytics_filter *f)
{
	bool mine = !vw->admin || part == ANALYTICS_USAGE || part == ANALYTICS_SUMMARY;
	char num[FMT_INT_MAX];
	size_t at = 0;

	/* usage's userScripts counts the viewer's own scripts: an administrator's usage (and
	 * the summary holding it) is theirs alone, the other parts are shared by every admin.
	 * Without snprintf: every cached read of the analytics builds its key. */
	if (n == 0)
		return;
	key[0] = '\0';
	at = key_put(key, n, at, "analytics:");
	at = key_put(key, n, at, analytics_parts[part]);
	if (!mine)
		at = key_put(key, n, at, ":all");
	else {
		at = key_put(key, n, at, vw->admin ? ":a" : ":u");
		fmt_i64(num, vw->user_id);
		at = key_put(key, n, at, num);
	}
	if (part == ANALYTICS_USAGE || part == ANALYTICS_SUMMARY) {
		at = key_put(key, n, at, ":d");
		fmt_i64(num, f->days);
		at = key_put(key, n, at, num);
	}
	at = key_put(key, n, at, part == ANALYTICS_USAGE || part == ANALYTICS_SUMMARY ? ".c" : ":c");
	fmt_i64(num, f->category_id);
	(void)key_put(key, n, at, num);
}

void
analytics_page_key(char *key, size_t n, const struct viewer *vw, const struct analytics_filter *f)
{
	char k[96];

	analytics_cache_key(k, sizeof(k), ANALYTICS_SUMMARY, vw, f);
	snprintf(key, n, "analytics:page:%s", k + strlen("analytics:summary:"));
}

char *
analytics_text_get(const struct svc *s, const char *key, size_t *len)
{
	return s->cache != NULL ? cache_get_hot(s->cache, key, len) : NULL;
}

void
analytics_text_put(const struct svc *s, const char *key, const char *text, size_t len)
{
	if (s->cache != NULL && len <= LIBRARY_CACHE_MAX_VALUE)
		cache_set(s->cache, key, text, len, ANALYTICS_TTL);
}

static int64_t
member_int(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ? json_object_get_int64(v) : 0;
}

/* name: the rule's title and documentation, and the page of its scripts */
static void
name_issues(struct json_object *security)
{
	struct json_object *arr, *it, *id;
	char url[160];

	if (!json_object_object_get_ex(security, "commonIssues", &arr))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const struct ps_rule_info *rule;
		const char *rid;

		it = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(it, "ruleId", &id))
			continue;
		rid = json_object_get_string(id);
		rule = ps_rule_find(rid);
		json_object_object_add(it, "name", json_object_new_string(
		    rule != NULL && rule->title != NULL ? rule->title : rid));
		json_object_object_add(it, "docsUrl", rule != NULL && rule->docs_url != NULL ?
		    json_object_new_string(rule->docs_url) : NULL);
		snprintf(url, sizeof(url), "/analytics/rules/%s", rid);	/* ids are [A-Za-z0-9_.-] */
		json_object_object_add(it, "url", json_object_new_string(url));
	}
}

/* The percentage change from prev to cur, one decimal; null without a previous period. */
static struct json_object *
change(int64_t cur, int64_t prev)
{
	if (prev <= 0)
		return NULL;
	return json_object_new_double(round((double)(cur - prev) * 1000.0 / (double)prev) / 10.0);
}

static void
usage_changes(struct json_object *u)
{
	json_object_object_add(u, "scriptsChange", change(member_int(u, "scriptsLastPeriod"),
	    member_int(u, "scriptsPreviousPeriod")));
	json_object_object_add(u, "analysesChange", change(member_int(u, "analysesLastPeriod"),
	    member_int(u, "analysesPreviousPeriod")));
}

static void
category_percentages(struct json_object *c)
{
	struct json_object *arr;
	int64_t total = member_int(c, "totalScripts");

	if (!json_object_object_get_ex(c, "categories", &arr))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *it = json_object_array_get_idx(arr, i);
		int64_t n = member_int(it, "count");

		json_object_object_add(it, "percentage", json_object_new_double(total > 0 ?
		    round((double)n * 1000.0 / (double)total) / 10.0 : 0.0));
	}
}

/* The original frontend's dashboard reads each bucket as a percentage of the analysed
 * scripts, and those as totalScripts (docs/compat.md). */
static void
security_percentages(struct json_object *sec)
{
	static const char *const buckets[][2] = {
		{ "highSecurityCount", "highSecurityPercentage" },
		{ "mediumSecurityCount", "mediumSecurityPercentage" },
		{ "lowSecurityCount", "lowSecurityPercentage" },
	};
	int64_t total = member_int(sec, "totalScriptsAnalyzed");

	for (size_t i = 0; i < PSS_ARRAY_LEN(buckets); i++)
		json_object_object_add(sec, buckets[i][1], json_object_new_double(total > 0 ?
		    round((double)member_int(sec, buckets[i][0]) * 1000.0 / (double)total) / 10.0 : 0.0));
	json_object_object_add(sec, "totalScripts", json_object_new_int64(total));
}

/* The finishing touches of a part the database computed. */
static void
finish_part(enum analytics_part part, struct json_object *o)
{
	if (part == ANALYTICS_SECURITY) {
		name_issues(o);
		security_percentages(o);
	} else if (part == ANALYTICS_USAGE)
		usage_changes(o);
	else
		category_percentages(o);
}

static void
add_scope(struct json_object *o, const struct viewer *vw, const struct analytics_filter *f)
{
	struct json_object *scope = json_object_new_object(), *fl = json_object_new_object();

	json_object_object_add(scope, "kind", json_object_new_string(vw->admin ? "all" : "visible"));
	json_object_object_add(scope, "description", json_object_new_string(vw->admin ?
	    "Every script, public and private (you are an administrator)." :
	    "Public scripts and your own; other users' private scripts are not counted."));
	json_object_object_add(o, "scope", scope);
	json_object_object_add(fl, "days", json_object_new_int(f->days));
	json_object_object_add(fl, "categoryId", f->category_id > 0 ?
	    json_object_new_int64(f->category_id) : NULL);
	json_object_object_add(o, "filters", fl);
}

/* build_parts: the parts in want (bits 1 << part) into out, from one statement, each
 * finished and with its scope and filters. */
static enum pss_err
build_parts(const struct svc *s, const struct viewer *vw, unsigned want,
    const struct analytics_filter *f, struct json_object *out[ANALYTICS_SUMMARY])
{
	enum pss_err e;

	if ((e = db_analytics_parts(s->db, vw, f, want, out)) != PSS_OK)
		return e;
	for (int i = 0; i < ANALYTICS_SUMMARY; i++)
		if (out[i] != NULL) {
			finish_part((enum analytics_part)i, out[i]);
			add_scope(out[i], vw, f);
		}
	return PSS_OK;
}

enum pss_err
analytics_build(const struct svc *s, const struct viewer *vw, enum analytics_part part,
    const struct analytics_filter *f, struct json_object **out)
{
	struct json_object *p[ANALYTICS_SUMMARY] = { NULL }, *fresh[ANALYTICS_SUMMARY], *o;
	char key[96];
	unsigned miss = 0;
	enum pss_err e;

	*out = NULL;
	if ((unsigned)part >= ANALYTICS__MAX)
		return PSS_EINVAL;
	if (vw->user_id <= 0 && !vw->admin)
		return PSS_EAUTH;
	if (part != ANALYTICS_SUMMARY) {
		if ((e = build_parts(s, vw, 1u << part, f, fresh)) == PSS_OK)
			*out = fresh[part];
		return e;
	}
	/* each part from its own entry (a new period recomputes the usage only), the missing
	 * ones together in one statement */
	for (int i = 0; i < ANALYTICS_SUMMARY; i++) {
		analytics_cache_key(key, sizeof(key), (enum analytics_part)i, vw, f);
		if ((p[i] = library_cache_get(s, key)) == NULL)
			miss |= 1u << i;
	}
	if (miss != 0 && (e = build_parts(s, vw, miss, f, fresh)) != PSS_OK) {
		for (int i = 0; i < ANALYTICS_SUMMARY; i++)
			json_object_put(p[i]);
		return e;
	}
	o = json_object_new_object();
	for (int i = 0; i < ANALYTICS_SUMMARY; i++) {
		if (miss & (1u << i)) {
			analytics_cache_key(key, sizeof(key), (enum analytics_part)i, vw, f);
			library_cache_put(s, key, fresh[i], ANALYTICS_TTL);
			p[i] = fresh[i];
		}
		json_object_object_del(p[i], "scope");
		json_object_object_del(p[i], "filters");
		json_object_object_add(o, analytics_parts[i], p[i]);
	}
	add_scope(o, vw, f);
	*out = o;
	return PSS_OK;
}

/* analytics_get: analytics_build through the cache. */
enum pss_err
analytics_get(const struct svc *s, const struct viewer *vw, enum analytics_part part,
    const struct analytics_filter *f, struct json_object **out)
{
	char key[96];
	enum pss_err e;

	analytics_cache_key(key, sizeof(key), part, vw, f);
	if ((*out = library_cache_get(s, key)) != NULL)
		return PSS_OK;
	if ((e = analytics_build(s, vw, part, f, out)) == PSS_OK)
		library_cache_put(s, key, *out, ANALYTICS_TTL);
	return e;
}

static bool
rule_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 100)
		return false;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

enum pss_err
analytics_rule(const struct svc *s, const struct viewer *vw, const char *rule_id,
    struct json_object **out)
{
	const struct ps_rule_info *rule;
	enum pss_err e;

	*out = NULL;
	if (rule_id == NULL || !rule_id_valid(rule_id))
		return PSS_EINVAL;
	if ((rule = ps_rule_find(rule_id)) != NULL)
		rule_id = rule->id;	/* the id as the analyzer writes it */
	if ((e = db_analytics_rule_scripts(s->db, vw, rule_id, RULE_SCRIPTS_MAX, out)) != PSS_OK)
		return e;
	json_object_object_add(*out, "ruleId", json_object_new_string(rule_id));
	json_object_object_add(*out, "name", json_object_new_string(
	    rule != NULL && rule->title != NULL ? rule->title : rule_id));
	json_object_object_add(*out, "docsUrl", rule != NULL && rule->docs_url != NULL ?
	    json_object_new_string(rule->docs_url) : NULL);
	json_object_object_add(*out, "severity", rule != NULL ?
	    json_object_new_string(ps_severity_names[rule->severity]) : NULL);
	return PSS_OK;
}
