/* reads.c: the library's cached reads: the entries' keys, time to live and format, and who
 * may be shown a shared one (the writes drop them: scripts.c, taxonomy.c, ...) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "services/library-int.h"

/* A cached value is a header line, "#1 p<isPublic 0|1> u<userId>\n" (the script's visibility
 * as library_script_visible reads it; p0 u0 for objects that are not a script), then the
 * JSON text exactly as json_reply writes it: a hit is answered with these bytes, not parsed
 * and written again. A value without the header (an older worker's) is still read. */
#define VALUE_TAG "#1 "

/* entry_get: 0 with *v, -1 on a miss (or a value that is not ours). */
static int
entry_get(struct cache *cache, const char *key, struct library_cached *v)
{
	size_t len;
	const char *nl, *d;
	char *end;
	long long uid;

	memset(v, 0, sizeof(*v));
	/* the hot copy lent, not copied: the answer copies it once, into the body */
	if (cache == NULL || (d = cache_get_hot_ref(cache, key, &len, &v->raw)) == NULL)
		return -1;
	v->json = d;
	v->len = len;
	if (strncmp(d, VALUE_TAG, strlen(VALUE_TAG)) != 0)
		return 0;
	if ((nl = memchr(d, '\n', len)) == NULL || (d[4] != '0' && d[4] != '1') ||
	    d[3] != 'p' || d[5] != ' ' || d[6] != 'u' ||
	    (uid = strtoll(d + 7, &end, 10), end != nl)) {
		library_cached_free(v);
		return -1;
	}
	v->header = true;
	v->pub = d[4] == '1';
	v->uid = uid;
	v->json = nl + 1;
	v->len = len - (size_t)(v->json - d);
	return 0;
}

int
library_cache_text(const struct svc *s, const char *key, const struct viewer *vw,
    struct library_cached *v)
{
	if (entry_get(s->cache, key, v) != 0)
		return 0;
	if (!v->header || v->len < 2 || v->json[0] != '{' || v->json[v->len - 1] != '}') {
		library_cached_free(v);
		return 0;	/* not ours to copy: the parsing path decides */
	}
	if (vw != NULL && !vw->admin && !v->pub && !(vw->user_id > 0 && v->uid == vw->user_id)) {
		library_cached_free(v);
		return -1;
	}
	return 1;
}

void
library_cached_free(struct library_cached *v)
{
	free(v->raw);
	memset(v, 0, sizeof(*v));
}

struct json_object *
library_cache_get(const struct svc *s, const char *key)
{
	struct json_object *o;
	struct library_cached v;

	if (entry_get(s->cache, key, &v) != 0)
		return NULL;
	o = json_tokener_parse(v.json);
	free(v.raw);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

void
library_cache_put_text(const struct svc *s, const char *key, struct json_object *o,
    const char *text, size_t len, int ttl_s)
{
	struct json_object *pub, *uid, *state;
	struct buf b = BUF_INIT;

	if (s->cache == NULL || len > LIBRARY_CACHE_MAX_VALUE)
		return;
	/* a script whose analysis is queued or running changes without a write */
	if (json_object_object_get_ex(o, "analysisState", &state) && library_analysis_pending(state))
		return;
	buf_printf(&b, VALUE_TAG "p%d u%lld\n",
	    json_object_object_get_ex(o, "isPublic", &pub) && json_object_get_boolean(pub),
	    json_object_object_get_ex(o, "userId", &uid) && json_object_is_type(uid, json_type_int) ?
	    (long long)json_object_get_int64(uid) : 0LL);
	buf_append(&b, text, len);
	cache_set(s->cache, key, b.data, b.len, ttl_s);
	buf_free(&b);
}

const char *
library_cache_json(struct json_object *o, size_t *len)
{
	return json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, len);
}

void
library_cache_put(const struct svc *s, const char *key, struct json_object *o, int ttl_s)
{
	size_t len;
	const char *text;

	if (s->cache == NULL)
		return;
	text = library_cache_json(o, &len);
	library_cache_put_text(s, key, o, text, len, ttl_s);
}

int
library_script_key(char *key, size_t n, int64_t id)
{
	snprintf(key, n, "script:%lld", (long long)id);
	return CACHE_TTL_SCRIPT;
}

int
library_versions_key(char *key, size_t n, int64_t id)
{
	snprintf(key, n, "scripts:versions:%lld", (long long)id);
	return CACHE_TTL_SCRIPTS;
}

int
library_categories_key(char *key, size_t n, const struct viewer *v)
{
	if (v->admin) {
		snprintf(key, n, "categories:all:admin");
		return CACHE_TTL_CATEGORIES;
	}
	if (v->user_id > 0) {
		snprintf(key, n, "categories:all:u%lld", (long long)v->user_id);
		return CACHE_TTL_SCRIPTS;
	}
	snprintf(key, n, "categories:all");
	return CACHE_TTL_CATEGORIES;
}
