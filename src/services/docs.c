/* docs.c: the documentation's operations: what a document may be, the extraction of the
 * commands its code shows, the upsert by URL with a content hash, the checked search and
 * reads, deletes, and the cache entries a write makes stale */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/catalog.h"
#include "analyzer/ps_lex.h"
#include "core/core.h"
#include "core/text.h"
#include "db/analysis.h"
#include "services/docs.h"
#include "services/library.h"

const char *const docs_upsert_names[DOCS_UPSERT__MAX] = { "inserted", "updated", "unchanged" };

/* Bumped when the extraction or the names change, so a re-import rewrites every row. */
#define DOCS_HASH_VERSION "docs-1"

/* ---- the names a document's code uses ---- */

/* A list of names, once each ignoring case, at most DOCS_EXTRACT_MAX. */
static void
names_add(struct json_object *arr, const char *s, size_t n)
{
	size_t len = json_object_array_length(arr);

	if (n == 0 || n > 200 || len >= DOCS_EXTRACT_MAX || !utf8_valid(s, n))
		return;
	for (size_t i = 0; i < len; i++) {
		struct json_object *x = json_object_array_get_idx(arr, i);

		if ((size_t)json_object_get_string_len(x) == n &&
		    strncasecmp(json_object_get_string(x), s, n) == 0)
			return;
	}
	json_object_array_add(arr, json_object_new_string_len(s, (int)n));
}

/* module_arg: the module a token names (a bare word or a quoted string), or 0. */
static size_t
module_arg(const struct ps_tokens *t, const struct ps_token *k, const char **s)
{
	*s = t->src + k->start;
	if (k->kind == PS_TOK_GENERIC)
		return k->end - k->start;
	if ((k->kind == PS_TOK_STRING_SQ || k->kind == PS_TOK_STRING_DQ) && k->end - k->start >= 2) {
		(*s)++;
		return k->end - k->start - 2;
	}
	return 0;
}

static bool
module_command(const char *name)
{
	static const char *const cmds[] = { "Import-Module", "Install-Module", "Update-Module",
		"Remove-Module", "Find-Module", "Save-Module", "Uninstall-Module" };

	for (size_t i = 0; i < PSS_ARRAY_LEN(cmds); i++)
		if (strcasecmp(name, cmds[i]) == 0)
			return true;
	return false;
}

static void
extract_code(const char *src, size_t len, struct json_object *cmds, struct json_object *fns,
    struct json_object *mods)
{
	struct ps_tokens t;

	ps_tokenize(src, len, &t);
	for (size_t i = 0; i < t.n; i++) {
		const struct ps_token *k = &t.v[i];
		const char *s = src + k->start;
		size_t n = k->end - k->start;

		if (k->kind == PS_TOK_FUNCTION_NAME && !(k->flags & PS_TOKF_BACKTICK))
			names_add(fns, s, n);
		if (k->kind != PS_TOK_COMMAND || (k->flags & PS_TOKF_BACKTICK) || n == 0)
			continue;
		const struct ps_cmdlet_info *ci = ps_catalog_resolve(s, n, NULL);

		if (ci != NULL) {
			names_add(cmds, ci->name, strlen(ci->name));
			names_add(mods, ci->module, strlen(ci->module));
			if (!module_command(ci->name))
				continue;
			/* the module named: the first argument, or the one after -Name */
			for (size_t j = i + 1; j < t.n && t.v[j].kind != PS_TOK_NEWLINE &&
			    t.v[j].kind != PS_TOK_SEMICOLON && t.v[j].kind != PS_TOK_OPERATOR; j++) {
				const char *m;
				size_t mn;

				if (t.v[j].kind == PS_TOK_PARAMETER) {
					if (t.v[j].end - t.v[j].start == 5 &&
					    strncasecmp(src + t.v[j].start, "-Name", 5) == 0)
						continue;
					j++;	/* another parameter's argument */
					continue;
				}
				if ((mn = module_arg(&t, &t.v[j], &m)) > 0 && memchr(m, '$', mn) == NULL)
					names_add(mods, m, mn);
				break;
			}
		} else if (memchr(s, '-', n) != NULL && strcspn(s, "\\/.:$") >= n)
			names_add(cmds, s, n);	/* a Verb-Noun the catalog does not know */
	}
	ps_tokens_free(&t);
}

/* code_language: the fence's info string is PowerShell (or empty). */
static bool
code_language(const char *s, size_t n)
{
	static const char *const langs[] = { "powershell", "pwsh", "ps", "ps1", "posh" };
	size_t w = 0;

	while (w < n && !isspace((unsigned char)s[w]) && s[w] != '{')
		w++;
	if (w == 0)
		return true;
	for (size_t i = 0; i < PSS_ARRAY_LEN(langs); i++)
		if (strlen(langs[i]) == w && strncasecmp(s, langs[i], w) == 0)
			return true;
	return false;
}

void
docs_extract(const char *content, size_t len, struct json_object **commands,
    struct json_object **functions, struct json_object **modules)
{
	struct buf code = BUF_INIT;
	const char *p = content, *end = content + len;
	char fence = 0;
	size_t fence_len = 0;
	bool take = false;

	*commands = json_object_new_array();
	*functions = json_object_new_array();
	*modules = json_object_new_array();
	while (content != NULL && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q = p;
		size_t ind = 0, run = 0;

		if (eol == NULL)
			eol = end;
		while (q < eol && *q == ' ' && ind < 4)
			q++, ind++;
		if (ind < 4 && q < eol && (*q == '`' || *q == '~'))
			while (q + run < eol && q[run] == *q)
				run++;
		if (fence == 0 && run >= 3) {
			fence = *q;
			fence_len = run;
			take = code_language(q + run, (size_t)(eol - q - run));
		} else if (fence != 0 && run >= fence_len && *q == fence) {
			fence = 0;
			if (take)
				buf_putc(&code, '\n');
		} else if (fence != 0 && take && code.len + (size_t)(eol - p) + 1 <= DOCS_CODE_MAX) {
			buf_append(&code, p, (size_t)(eol - p));
			buf_putc(&code, '\n');
		}
		p = eol + 1;
	}
	if (code.len > 0)
		extract_code(code.data, code.len, *commands, *functions, *modules);
	buf_free(&code);
}

static void
lower_add(struct json_object *arr, const char *s, size_t n)
{
	char buf[201];

	if (n == 0 || n > 200)
		return;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	names_add(arr, buf, n);
}

struct json_object *
docs_names(const char *title, struct json_object *metadata)
{
	struct json_object *arr = json_object_new_array(), *al;
	size_t n;
	const char *t = text_trim(title != NULL ? title : "", &n);

	if (n > 0 && n <= 200 && strcspn(t, " \t\r\n") >= n) {
		const struct ps_cmdlet_info *ci = ps_catalog_find(t, n);

		lower_add(arr, t, n);
		if (ci != NULL && *ci->aliases != '\0') {
			const char *a = ci->aliases;

			while (*a != '\0') {
				size_t w = strcspn(a, ",");

				lower_add(arr, a, w);
				a += w + (a[w] == ',');
			}
		}
	}
	if (metadata != NULL && json_object_object_get_ex(metadata, "aliases", &al) &&
	    json_object_is_type(al, json_type_array))
		for (size_t i = 0; i < json_object_array_length(al) && i < 50; i++) {
			struct json_object *x = json_object_array_get_idx(al, i);

			if (json_object_is_type(x, json_type_string))
				lower_add(arr, json_object_get_string(x), (size_t)json_object_get_string_len(x));
		}
	return arr;
}

/* ---- what a document may be ---- */

static size_t
utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* text_ok: NULL or at most max bytes (chars: characters) of valid UTF-8. */
static bool
text_ok(const char *s, size_t max, bool chars)
{
	size_t n;

	if (s == NULL)
		return true;
	n = strlen(s);
	if (!utf8_valid(s, n))
		return false;
	return (chars ? utf8_chars(s, n) : n) <= max;
}

/* name_ok: a one-line name of 1..max characters (source, category, tag). */
static bool
name_ok(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && utf8_valid(s, n) && text_no_controls(s, n) && utf8_chars(s, n) <= max;
}

static bool
url_ok(const char *u)
{
	static const char *const schemes[] = { "http://", "https://", "file://" };
	size_t n = u != NULL ? strlen(u) : 0;

	if (n == 0 || n > DOCS_URL_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
			return false;
	for (size_t i = 0; i < PSS_ARRAY_LEN(schemes); i++) {
		size_t k = strlen(schemes[i]);

		if (n > k && strncasecmp(u, schemes[i], k) == 0)
			return utf8_valid(u, n);
	}
	return false;
}

static bool
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* date_ok: YYYY-MM-DD, optionally THH:MM[:SS[.fff]] and Z or ±HH:MM. */
static bool
date_ok(const char *s)
{
	size_t n = strlen(s), i = 10;

	if (n < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2) || (s[5] - '0') * 10 + s[6] - '0' > 12 || s[5] + s[6] == '0' + '0' ||
	    (s[8] - '0') * 10 + s[9] - '0' > 31 || s[8] + s[9] == '0' + '0')
		return false;
	if (i == n)
		return true;
	if ((s[i] != 'T' && s[i] != ' ') || n < i + 6 || !digits(s + i + 1, 2) || s[i + 3] != ':' ||
	    !digits(s + i + 4, 2))
		return false;
	i += 6;
	if (i + 3 <= n && s[i] == ':' && digits(s + i + 1, 2)) {
		i += 3;
		if (i < n && s[i] == '.') {
			size_t f = ++i;

			while (i < n && isdigit((unsigned char)s[i]))
				i++;
			if (i == f || i - f > 9)
				return false;
		}
	}
	if (i == n || (s[i] == 'Z' && i + 1 == n))
		return true;
	return (s[i] == '+' || s[i] == '-') && n == i + 6 && digits(s + i + 1, 2) && s[i + 3] == ':' &&
	    digits(s + i + 4, 2);
}

static bool
type_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > DOCS_TYPE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* hash_field: a field into the hash's input, length first so no two inputs collide. */
static void
hash_field(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_puts(b, "-\n");
		return;
	}
	buf_printf(b, "%zu:", strlen(s));
	buf_puts(b, s);
	buf_putc(b, '\n');
}

enum pss_err
docs_store(const struct svc *s, const struct doc_in *in, int64_t *id, enum docs_upsert_result *res,
    struct svc_err *err)
{
	struct json_object *tags = NULL, *meta = NULL, *cmds, *fns, *mods, *names;
	struct db_doc_row row;
	struct buf h = BUF_INIT;
	enum db_doc_upsert r;
	char hash[65], *title;
	const char *t;
	size_t n;
	enum pss_err e;

	*id = 0;
	*res = DOCS_UPSERT__MAX;
	if (!url_ok(in->url))
		return svc_fail(err, PSS_EINVAL, "url", "an http, https or file URL of at most 2048 bytes is required");
	t = text_trim(in->title != NULL ? in->title : "", &n);
	if (n == 0 || !utf8_valid(t, n) || utf8_chars(t, n) > DOCS_TITLE_MAX || !text_no_controls(t, n))
		return svc_fail(err, PSS_EINVAL, "title", "a title of 1 to 500 characters is required");
	if (!text_ok(in->content, DOCS_CONTENT_MAX, false))
		return svc_fail(err, PSS_EINVAL, "content", "at most 4 MB of UTF-8 text");
	if (!text_ok(in->summary, DOCS_SUMMARY_MAX, false))
		return svc_fail(err, PSS_EINVAL, "summary", "at most 10,000 bytes of UTF-8 text");
	if (in->source != NULL && !name_ok(in->source, DOCS_SOURCE_MAX))
		return svc_fail(err, PSS_EINVAL, "source", "a name of 1 to 100 characters");
	if (in->content_type != NULL && !type_ok(in->content_type))
		return svc_fail(err, PSS_EINVAL, "contentType", "1 to 50 lower-case letters, digits, - or _");
	if (in->category != NULL && !name_ok(in->category, DOCS_CATEGORY_MAX))
		return svc_fail(err, PSS_EINVAL, "category", "a name of 1 to 100 characters");
	if (in->ntags > DOCS_TAGS_MAX)
		return svc_fail(err, PSS_EINVAL, "tags", "at most 50 tags");
	if (in->last_updated != NULL && !date_ok(in->last_updated))
		return svc_fail(err, PSS_EINVAL, "lastUpdated", "an ISO 8601 date or date and time");
	if (in->metadata != NULL) {
		if (strlen(in->metadata) > DOCS_METADATA_MAX || !utf8_valid(in->metadata, strlen(in->metadata)) ||
		    (meta = json_tokener_parse(in->metadata)) == NULL ||
		    !json_object_is_type(meta, json_type_object)) {
			json_object_put(meta);
			return svc_fail(err, PSS_EINVAL, "metadata", "a JSON object of at most 256 KB");
		}
	} else
		meta = json_object_new_object();
	tags = json_object_new_array();
	for (size_t i = 0; i < in->ntags; i++) {
		size_t tn;
		const char *tt = text_trim(in->tags[i] != NULL ? in->tags[i] : "", &tn);

		if (tn == 0 || tn > DOCS_TAG_MAX || !utf8_valid(tt, tn) || !text_no_controls(tt, tn)) {
			json_object_put(tags);
			json_object_put(meta);
			return svc_fail(err, PSS_EINVAL, "tags", "each tag 1 to 100 bytes of text");
		}
		names_add(tags, tt, tn);
	}
	title = xstrndup(t, n);
	docs_extract(in->content, in->content != NULL ? strlen(in->content) : 0, &cmds, &fns, &mods);
	names = docs_names(title, meta);

	memset(&row, 0, sizeof(row));
	row.url = in->url;
	row.title = title;
	row.content = in->content;
	row.summary = in->summary;
	row.source = in->source;
	row.content_type = in->content_type;
	row.category = in->category;
	row.tags = json_object_to_json_string_ext(tags, JSON_C_TO_STRING_PLAIN);
	row.commands = json_object_to_json_string_ext(cmds, JSON_C_TO_STRING_PLAIN);
	row.functions = json_object_to_json_string_ext(fns, JSON_C_TO_STRING_PLAIN);
	row.modules = json_object_to_json_string_ext(mods, JSON_C_TO_STRING_PLAIN);
	row.metadata = json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN);
	row.last_updated = in->last_updated;
	row.names = json_object_to_json_string_ext(names, JSON_C_TO_STRING_PLAIN);
	/* the hash covers what the writer gave; what is derived from it follows DOCS_HASH_VERSION */
	buf_puts(&h, DOCS_HASH_VERSION "\n");
	hash_field(&h, row.url);
	hash_field(&h, row.title);
	hash_field(&h, row.content);
	hash_field(&h, row.summary);
	hash_field(&h, row.source);
	hash_field(&h, row.content_type);
	hash_field(&h, row.category);
	hash_field(&h, row.tags);
	hash_field(&h, row.metadata);
	hash_field(&h, row.last_updated);
	sha256_hex(h.data, h.len, hash);
	row.hash = hash;
	buf_free(&h);

	e = db_doc_upsert(s->db, &row, id, &r);
	if (e == PSS_EINVAL)
		svc_fail(err, e, NULL, NULL);
	if (e == PSS_OK)
		*res = r == DB_DOC_INSERTED ? DOCS_INSERTED : r == DB_DOC_UPDATED ? DOCS_UPDATED :
		    DOCS_UNCHANGED;
	json_object_put(tags);
	json_object_put(meta);
	json_object_put(cmds);
	json_object_put(fns);
	json_object_put(mods);
	json_object_put(names);
	free(title);
	return e;
}

void
docs_changed(const struct svc *s, int64_t id)
{
	char key[40];

	if (s->cache == NULL)
		return;
	if (id > 0) {
		snprintf(key, sizeof(key), "doc:%lld", (long long)id);
		cache_invalidate(s->cache, key);
	} else
		cache_invalidate(s->cache, "doc:*");
	cache_invalidate(s->cache, "docs:*");
}

enum pss_err
docs_upsert(const struct svc *s, const struct doc_in *in, int64_t *id, enum docs_upsert_result *res,
    struct svc_err *err)
{
	enum pss_err e = docs_store(s, in, id, res, err);

	if (e == PSS_OK && *res != DOCS_UNCHANGED)
		docs_changed(s, *id);
	return e;
}

/* ---- reads ---- */

static enum pss_err
page_check(int64_t *limit, int64_t offset, struct svc_err *err)
{
	if (*limit == 0)
		*limit = DOCS_LIMIT_DEFAULT;
	if (*limit < 1 || *limit > DOCS_LIMIT_MAX)
		return svc_fail(err, PSS_EINVAL, "limit", "limit must be between 1 and 100");
	if (offset < 0 || offset > DOCS_OFFSET_MAX)
		return svc_fail(err, PSS_EINVAL, "offset", "offset must be between 0 and 10000");
	return PSS_OK;
}

enum pss_err
docs_recent(const struct svc *s, int64_t limit, int64_t offset, struct json_object **out,
    struct svc_err *err)
{
	enum pss_err e;

	*out = NULL;
	if ((e = page_check(&limit, offset, err)) != PSS_OK)
		return e;
	return db_doc_recent(s->db, limit, offset, out);
}

enum pss_err
docs_get(const struct svc *s, int64_t id, struct json_object **out)
{
	return db_doc_get(s->db, id, out);
}

enum pss_err
docs_sources(const struct svc *s, struct json_object **out)
{
	return db_doc_sources(s->db, out);
}

enum pss_err
docs_tags(const struct svc *s, int64_t limit, struct json_object **out, struct svc_err *err)
{
	*out = NULL;
	if (limit == 0)
		limit = 50;
	if (limit < 1 || limit > 500)
		return svc_fail(err, PSS_EINVAL, "limit", "limit must be between 1 and 500");
	return db_doc_tags(s->db, limit, out);
}

enum pss_err
docs_stats(const struct svc *s, struct json_object **out)
{
	return db_doc_stats(s->db, out);
}

enum pss_err
docs_related(const struct svc *s, int64_t id, struct json_object **out)
{
	return db_doc_related(s->db, id, 8, out);
}

/* lower_copy: name lower-cased into buf (n < size), or false when it is no name. */
static bool
lower_copy(const char *name, char *buf, size_t size)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n >= size || !utf8_valid(name, n) || !text_no_controls(name, n))
		return false;
	for (size_t i = 0; i <= n; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	return true;
}

enum pss_err
docs_find_command(const struct svc *s, const char *name, int64_t *id)
{
	const struct ps_cmdlet_info *ci;
	char low[201];
	enum pss_err e;

	*id = 0;
	if (!lower_copy(name, low, sizeof(low)))
		return PSS_ENOTFOUND;
	if ((e = db_doc_by_name(s->db, low, id)) != PSS_ENOTFOUND)
		return e;
	if ((ci = ps_catalog_resolve(name, strlen(name), NULL)) == NULL ||
	    !lower_copy(ci->name, low, sizeof(low)))
		return PSS_ENOTFOUND;
	return db_doc_by_name(s->db, low, id);
}

enum pss_err
docs_versions(const struct svc *s, struct json_object *doc, struct json_object **out)
{
	struct json_object *meta, *vers, *cur, *url, *arr = json_object_new_array();
	const char *u, *view;

	*out = json_object_new_object();
	json_object_object_add(*out, "versions", arr);
	if (!json_object_object_get_ex(doc, "metadata", &meta) ||
	    !json_object_object_get_ex(meta, "versions", &vers) || !json_object_is_type(vers, json_type_array) ||
	    !json_object_object_get_ex(meta, "version", &cur) || !json_object_object_get_ex(doc, "url", &url) ||
	    (view = strstr(u = json_object_get_string(url), "?view=powershell-")) == NULL)
		return PSS_OK;
	for (size_t i = 0; i < json_object_array_length(vers) && i < 20; i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(vers, i));
		struct json_object *o = json_object_new_object();
		struct buf b = BUF_INIT;
		int64_t id = 0;
		enum pss_err e;

		if (v == NULL || strlen(v) > 20) {
			json_object_put(o);
			continue;
		}
		buf_append(&b, u, (size_t)(view - u));
		buf_printf(&b, "?view=powershell-%s", v);
		e = db_doc_id_by_url(s->db, b.data, &id);
		buf_free(&b);
		if (e != PSS_OK && e != PSS_ENOTFOUND) {
			json_object_put(o);
			json_object_put(*out);
			*out = NULL;
			return e;
		}
		json_object_object_add(o, "version", json_object_new_string(v));
		json_object_object_add(o, "id", json_object_new_int64(id));
		json_object_object_add(o, "current", json_object_new_boolean(strcmp(v,
		    json_object_get_string(cur)) == 0));
		json_object_array_add(arr, o);
	}
	return PSS_OK;
}

enum pss_err
docs_scripts_using(const struct svc *s, const struct viewer *v, const char *command, int64_t limit,
    struct json_object **out)
{
	const struct ps_cmdlet_info *ci;

	*out = NULL;
	if (command == NULL || (ci = ps_catalog_resolve(command, strlen(command), NULL)) == NULL)
		return PSS_ENOTFOUND;
	if (limit < 1 || limit > DOCS_LIMIT_MAX)
		limit = 10;
	return db_analysis_scripts_using(s->db, v, ci->name, limit, out);
}

/* ---- search ---- */

/* filter_json: the values as a JSON array text (caller frees), NULL when none; false when
 * one is no filter value. */
static bool
filter_json(const char *const *v, size_t n, char **out)
{
	struct json_object *a;

	*out = NULL;
	if (n == 0)
		return true;
	if (n > DOCS_FILTER_MAX)
		return false;
	a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		if (!name_ok(v[i], DOCS_TAG_MAX)) {
			json_object_put(a);
			return false;
		}
		json_object_array_add(a, json_object_new_string(v[i]));
	}
	*out = xstrdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
	json_object_put(a);
	return true;
}

/* ---- snippets ---- */

#define MARK_ON "<mark>"
#define MARK_OFF "</mark>"

/* noise: the length of Markdown markup at s that a snippet drops (0: none): a fence with
 * its language word, a code span's backticks, a heading line of one or two words, a
 * heading's #s, a link's brackets and address, bold and emphasis runs, a
 * table's pipes, a rule, a list bullet or a quote at the start of a line. */
static size_t
noise(const char *s, const char *end, bool line_start)
{
	size_t n = 0;
	char ch = *s;

	if (line_start && ch == '#') {	/* a heading of one or two words (SYNOPSIS): the line */
		while (s + n < end && s[n] == '#')
			n++;
		if (s + n < end && s[n] == ' ') {
			const char *eol = memchr(s + n, '\n', (size_t)(end - s - (ptrdiff_t)n));
			size_t len = eol != NULL ? (size_t)(eol - s) : (size_t)(end - s), spaces = 0;

			for (size_t i = n + 1; i < len; i++)
				spaces += s[i] == ' ' || s[i] == '\t';
			if (spaces <= 1)
				return len;
		}
		n = 0;
	}
	if (ch == '[' || (ch == ']' && s + 1 < end && s[1] == '(')) {	/* a link: its text */
		const char *p = s + 1, *stop = end - s > 400 ? s + 400 : end;

		if (ch == '[') {	/* [text](: the bracket goes */
			while (p < stop && *p != ']' && *p != '[' && *p != '\n')
				p++;
			return p + 1 < end && *p == ']' && p[1] == '(' ? 1 : 0;
		}
		for (p = s + 2; p < stop && *p != ')' && *p != ' ' && *p != '\n'; p++)
			;
		return p < stop && *p == ')' ? (size_t)(p + 1 - s) : 0;	/* ](address) goes */
	}
	if (ch == '`' || ch == '|' || ((ch == '*' || ch == '_' || ch == '-' || ch == '=' || ch == '#') &&
	    s + 1 < end && s[1] == ch)) {
		while (s + n < end && s[n] == ch)
			n++;
		if (ch == '-' && n == 2)
			return 0;	/* "--" is an en dash, or a -- argument */
		if (ch == '`' && n >= 3)	/* a fence's language */
			while (s + n < end && isalnum((unsigned char)s[n]))
				n++;
		return n;
	}
	if (line_start && (ch == '#' || ch == '>' || ch == '*' || ch == '-' || ch == '+') &&
	    s + 1 < end && s[1] == ' ')
		return 1;
	return 0;
}

/* markup: the bytes noise may drop from (letters and digits are never looked at). */
static const bool markup[256] = {
	['`'] = true, ['|'] = true, ['*'] = true, ['_'] = true, ['-'] = true, ['='] = true,
	['#'] = true, ['['] = true, [']'] = true, ['>'] = true, ['+'] = true,
};

/* tidy: docs_snippet; marks false: "<mark>" in hl is text like any other. */
static char *
tidy(const char *hl, size_t max, bool marks)
{
	struct buf b = BUF_INIT;
	const char *s = hl != NULL ? hl : "", *end = s + strlen(s);
	size_t visible = 0, cut = 0;
	bool open = false, open_at_cut = false, line_start = true, space = false, cut_short = false;

	/* the output is never longer than the input, but for a closing mark and the "…": room
	 * for all of it once, then bytes written in place (a call a byte was half the cost) */
	buf_grow(&b, (size_t)(end - s) + 16);
	while (s < end) {
		size_t n;

		if (marks && open && (size_t)(end - s) >= strlen(MARK_OFF) && memcmp(s, MARK_OFF, strlen(MARK_OFF)) == 0) {
			memcpy(b.data + b.len, MARK_OFF, strlen(MARK_OFF));
			b.len += strlen(MARK_OFF);
			open = false;
			s += strlen(MARK_OFF);
			continue;
		}
		if (isspace((unsigned char)*s)) {
			if (*s == '\n')
				line_start = true;
			space = true;
			s++;
			continue;
		}
		if (markup[(unsigned char)*s] && (n = noise(s, end, line_start)) > 0) {
			line_start = false;
			space = space || *s == '|';	/* (a table's cells stay apart) */
			s += n;
			continue;
		}
		line_start = false;
		if (space && b.len > 0 && (*s & 0xC0) != 0x80) {
			if (visible + 1 > max) {
				cut = b.len;
				open_at_cut = open;
				cut_short = true;
				break;
			}
			cut = b.len;	/* a word boundary: the text may end here */
			open_at_cut = open;
			b.data[b.len++] = ' ';
			visible++;
		}
		space = false;
		if (visible >= max && (*s & 0xC0) != 0x80) {
			cut_short = true;	/* (at a character's first byte) */
			break;
		}
		if (marks && !open && (size_t)(end - s) >= strlen(MARK_ON) && memcmp(s, MARK_ON, strlen(MARK_ON)) == 0) {
			memcpy(b.data + b.len, MARK_ON, strlen(MARK_ON));
			b.len += strlen(MARK_ON);
			open = true;
			s += strlen(MARK_ON);
			continue;
		}
		b.data[b.len++] = *s++;
		visible++;
	}
	b.data[b.len] = '\0';
	if (cut_short) {
		/* at the last word boundary, unless it leaves less than half */
		if (cut * 2 >= max) {
			b.len = cut;
			open = open_at_cut;
		}
		if (open)
			buf_puts(&b, MARK_OFF);
		buf_puts(&b, "\u2026");
	} else if (open)
		buf_puts(&b, MARK_OFF);
	return buf_detach(&b);
}

char *
docs_snippet(const char *hl, size_t max)
{
	return tidy(hl, max, true);
}

#define TERMS_MAX 32
#define TERM_MAX 64

/* lower_run: no capital in s (a suffix; FilePath is not a form of file). */
static bool
lower_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* term_of: the index of the query term (an English lexeme: a stem) that the word w is a form
 * of, or -1: the word itself, the stem and at most 4 more letters (process: processes,
 * processing), or a stem ending in i for a word with y there (polici: policy). ASCII letters
 * compared without case. */
static int
term_of(const char *w, size_t wl, char terms[][TERM_MAX + 1], size_t nterms)
{
	for (size_t i = 0; i < nterms; i++) {
		size_t tl = strlen(terms[i]), k = 0;

		if (wl < tl - (terms[i][tl - 1] == 'i'))
			continue;
		while (k < tl && k < wl && tolower((unsigned char)w[k]) == terms[i][k])
			k++;
		if (k == tl && (wl == tl || (tl >= 3 && wl - tl <= 4 && lower_run(w + tl, wl - tl))))
			return (int)i;
		if (k == tl - 1 && k < wl && tl >= 3 && terms[i][k] == 'i' && tolower((unsigned char)w[k]) == 'y' &&
		    wl - tl <= 3)
			return (int)i;
	}
	return -1;
}

struct word {
	size_t	 at, len;
	int	 term;
};

char *
docs_snippet_build(const char *text, const char *terms_text, size_t max)
{
	char terms[TERMS_MAX][TERM_MAX + 1];
	size_t nterms = 0, nw = 0, start = 0, best = 0, visible = 0, len;
	struct word *w;
	struct buf b = BUF_INIT;
	char *clean;
	const char *t = terms_text != NULL ? terms_text : "";
	int bestn = 0;
	bool cut = false;

	while (*t != '\0' && nterms < TERMS_MAX) {	/* the terms: space-separated lexemes */
		size_t n = strcspn(t, " ");

		if (n > 0 && n <= TERM_MAX) {
			for (size_t k = 0; k < n; k++)
				terms[nterms][k] = (char)tolower((unsigned char)t[k]);
			terms[nterms++][n] = '\0';
		}
		t += n + (t[n] == ' ');
	}
	clean = tidy(text, SIZE_MAX / 2, false);	/* one line, the markup dropped */
	len = strlen(clean);
	w = xcalloc(len / 2 + 1, sizeof(*w));
	for (size_t i = 0; i < len;) {	/* the words: runs of letters and digits (and UTF-8) */
		size_t j = i;

		while (j < len && (isalnum((unsigned char)clean[j]) || (unsigned char)clean[j] >= 0x80))
			j++;
		if (j == i) {
			i++;
			continue;
		}
		w[nw].at = i;
		w[nw].len = j - i;
		w[nw].term = term_of(clean + i, j - i, terms, nterms);
		nw++;
		i = j;
	}
	/* the window: from the matched word after which the most distinct terms fit in max bytes
	 * (the first such), from the start when that word ends within max */
	for (size_t i = 0; i < nw; i++) {
		uint32_t seen = 0;
		int n = 0;

		if (w[i].term < 0)
			continue;
		for (size_t j = i; j < nw && w[j].at + w[j].len - w[i].at <= max; j++)
			if (w[j].term >= 0 && !(seen & (1u << w[j].term))) {
				seen |= 1u << w[j].term;
				n++;
			}
		if (n > bestn) {
			bestn = n;
			best = i;
		}
	}
	if (bestn > 0 && w[best].at + w[best].len > max) {
		/* a few words of context before it */
		start = best;
		while (start > 0 && w[best].at - w[start - 1].at <= max / 6)
			start--;
		buf_puts(&b, "\u2026 ");
	}
	for (size_t i = start < nw ? w[start].at : 0, k = start; i < len;) {
		if (k < nw && i == w[k].at) {
			if (visible + w[k].len > max) {
				if (visible == 0)	/* one word longer than max: its start */
					buf_append(&b, clean + i, utf8_cut(clean + i, w[k].len, max));
				cut = true;
				break;
			}
			if (w[k].term >= 0)
				buf_puts(&b, MARK_ON);
			buf_append(&b, clean + i, w[k].len);
			if (w[k].term >= 0)
				buf_puts(&b, MARK_OFF);
			visible += w[k].len;
			i += w[k].len;
			k++;
			continue;
		}
		if (visible + 1 > max) {
			cut = true;
			break;
		}
		buf_putc(&b, clean[i++]);
		visible++;
	}
	if (cut) {
		while (b.len > 0 && b.data[b.len - 1] == ' ')
			b.len--;
		buf_puts(&b, "\u2026");
	}
	free(w);
	free(clean);
	return buf_detach(&b);
}

/* exact_names: the query when one word, and each word the catalog knows with its cmdlet. */
static struct json_object *
exact_names(const char *q)
{
	struct json_object *arr = json_object_new_array();
	size_t n;
	const char *t = text_trim(q, &n), *end = t + n;

	if (n > 0 && strcspn(t, " \t\r\n") >= n && strchr(t, '"') == NULL)
		lower_add(arr, t, n);
	while (t < end) {
		size_t w;
		const struct ps_cmdlet_info *ci;
		const struct ps_alias_info *al = NULL;

		while (t < end && isspace((unsigned char)*t))
			t++;
		w = 0;
		while (t + w < end && !isspace((unsigned char)t[w]))
			w++;
		if (w > 0 && (ci = ps_catalog_resolve(t, w, &al)) != NULL) {
			if (al != NULL)
				lower_add(arr, t, w);
			lower_add(arr, ci->name, strlen(ci->name));
		}
		t += w;
	}
	return arr;
}

static enum pss_err
search_check(const struct docs_search_in *in, enum doc_sort *sort, int64_t *limit, char **src,
    char **tags, char **types, struct svc_err *err)
{
	const char *why;
	enum pss_err e;

	*src = *tags = *types = NULL;
	if ((why = library_search_check(in->query)) != NULL)
		return svc_fail(err, PSS_EINVAL, "query", why);
	*limit = in->limit;
	if ((e = page_check(limit, in->offset, err)) != PSS_OK)
		return e;
	*sort = DOC_SORT__MAX;
	if (in->sort == NULL || *in->sort == '\0')
		*sort = DOC_SORT_RELEVANCE;
	for (int i = 0; i < DOC_SORT__MAX && *sort == DOC_SORT__MAX; i++)
		if (strcmp(in->sort, db_doc_sorts[i]) == 0)
			*sort = (enum doc_sort)i;
	if (*sort == DOC_SORT__MAX)
		return svc_fail(err, PSS_EINVAL, "sortBy", "relevance, date or title");
	if (!filter_json(in->sources, in->nsources, src))
		return svc_fail(err, PSS_EINVAL, "sources", "at most 20 names of 1 to 100 characters");
	if (!filter_json(in->tags, in->ntags, tags))
		return svc_fail(err, PSS_EINVAL, "tags", "at most 20 tags of 1 to 100 characters");
	if (!filter_json(in->types, in->ntypes, types))
		return svc_fail(err, PSS_EINVAL, "contentTypes", "at most 20 content types");
	return PSS_OK;
}

enum pss_err
docs_search(const struct svc *s, const struct docs_search_in *in, struct json_object **out,
    struct svc_err *err)
{
	struct doc_query q;
	struct json_object *names;
	char *src, *tags, *types;
	enum pss_err e;

	*out = NULL;
	memset(&q, 0, sizeof(q));
	if ((e = search_check(in, &q.sort, &q.limit, &src, &tags, &types, err)) != PSS_OK)
		goto out;
	names = exact_names(in->query);
	q.query = in->query;
	q.names = json_object_to_json_string_ext(names, JSON_C_TO_STRING_PLAIN);
	q.sources = src;
	q.tags = tags;
	q.types = types;
	q.offset = in->offset;
	e = db_doc_search(s->db, &q, out);
	if (e == PSS_OK) {
		struct json_object *arr, *sn;

		struct json_object *terms = NULL;

		(void)json_object_object_get_ex(*out, "terms", &terms);
		if (json_object_object_get_ex(*out, "documents", &arr))
			for (size_t i = 0; i < json_object_array_length(arr); i++) {
				struct json_object *d = json_object_array_get_idx(arr, i);
				char *t;

				if (!json_object_object_get_ex(d, "snippetText", &sn))
					continue;
				t = docs_snippet_build(json_object_get_string(sn),
				    json_object_get_string(terms), DOCS_SNIPPET_MAX);
				json_object_object_del(d, "snippetText");
				json_object_object_add(d, "snippet", json_object_new_string(t));
				free(t);
			}
		json_object_object_del(*out, "terms");
		json_object_object_add(*out, "query", json_object_new_string(in->query));
	}
	json_object_put(names);
out:
	free(src);
	free(tags);
	free(types);
	return e;
}

char *
docs_search_key(const struct docs_search_in *in)
{
	struct buf b = BUF_INIT;
	char hex[65];

	hash_field(&b, in->query);
	hash_field(&b, in->sort);
	buf_printf(&b, "%lld/%lld\n", (long long)in->limit, (long long)in->offset);
	for (size_t i = 0; i < in->nsources; i++)
		hash_field(&b, in->sources[i]);
	buf_puts(&b, "|\n");
	for (size_t i = 0; i < in->ntags; i++)
		hash_field(&b, in->tags[i]);
	buf_puts(&b, "|\n");
	for (size_t i = 0; i < in->ntypes; i++)
		hash_field(&b, in->types[i]);
	sha256_hex(b.data, b.len, hex);
	buf_reset(&b);
	buf_printf(&b, "docs:search:%.32s", hex);
	return buf_detach(&b);
}

/* ---- deletes ---- */

enum pss_err
docs_delete(const struct svc *s, int64_t id)
{
	enum pss_err e = db_doc_delete(s->db, id);

	if (e == PSS_OK)
		docs_changed(s, id);
	return e;
}

enum pss_err
docs_delete_source(const struct svc *s, const char *source, int64_t *n, struct svc_err *err)
{
	enum pss_err e;

	*n = 0;
	if (!name_ok(source, DOCS_SOURCE_MAX))
		return svc_fail(err, PSS_EINVAL, "source", "a source name is required");
	if ((e = db_doc_delete_source(s->db, source, n)) == PSS_OK && *n > 0)
		docs_changed(s, 0);
	return e;
}
