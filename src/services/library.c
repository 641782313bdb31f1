/* library.c: the rules the library's operations share: who may change a script, what a
 * title, description, commit message, content and tag list may be, which job follows */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "core/text.h"
#include "db/jobs.h"
#include "services/library-int.h"

enum pss_err
library_access(struct db *db, const struct viewer *v, int64_t id, bool want_write, bool lock)
{
	bool owner;
	enum pss_err e;

	if ((e = db_script_access(db, v, id, lock, &owner)) != PSS_OK)
		return e;
	return want_write && !owner ? PSS_EFORBIDDEN : PSS_OK;
}

enum pss_err
library_category_check(struct db *db, int64_t id, struct svc_err *err)
{
	bool found;
	enum pss_err e;

	if (id == 0)
		return PSS_OK;
	if (id < 0 || id > INT32_MAX)
		return svc_fail(err, PSS_EINVAL, "categoryId", "no such category");
	if ((e = db_category_exists(db, id, &found)) != PSS_OK)
		return e;
	return found ? PSS_OK : svc_fail(err, PSS_EINVAL, "categoryId", "no such category");
}

enum pss_err
library_tags_apply(struct db *db, int64_t script_id, const char *tags_json, bool replace,
    struct svc_err *err)
{
	int64_t count;
	enum pss_err e;

	if ((e = db_tags_set(db, script_id, tags_json, replace, &count)) != PSS_OK)
		return e;
	return count > LIBRARY_MAX_TAGS ? svc_fail(err, PSS_EINVAL, "tags", "at most 10 tags a script") :
	    PSS_OK;
}

/* A job of type with payload {"scriptId": N}. */
static enum pss_err
enqueue_script_job(struct db *db, const char *type, int64_t script_id)
{
	char payload[64];

	snprintf(payload, sizeof(payload), "{\"scriptId\": %lld}", (long long)script_id);
	return jobs_enqueue(db, type, payload, LIBRARY_JOB_ATTEMPTS, NULL);
}

enum pss_err
library_enqueue_analysis(struct db *db, int64_t script_id)
{
	return enqueue_script_job(db, LIBRARY_JOB_ANALYSIS, script_id);
}

enum pss_err
library_enqueue_embedding(struct db *db, int64_t script_id)
{
	return enqueue_script_job(db, LIBRARY_JOB_EMBEDDING, script_id);
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

char *
library_title_check(const char *title, struct svc_err *err)
{
	const char *t;
	char *dup;
	size_t n;

	if (title == NULL || !utf8_valid(title, strlen(title))) {
		svc_fail(err, PSS_EINVAL, "title", "a title is required");
		return NULL;
	}
	t = text_trim(title, &n);
	dup = xstrndup(t, n);
	if (dup[0] == '\0' || utf8_chars(dup) > LIBRARY_TITLE_MAX_LEN) {
		free(dup);
		svc_fail(err, PSS_EINVAL, "title", "a title of 1 to 255 characters is required");
		return NULL;
	}
	if (!text_no_controls(dup, strlen(dup))) {
		free(dup);
		svc_fail(err, PSS_EINVAL, "title", "the title contains a control character");
		return NULL;
	}
	if (text_bidi_control(dup, strlen(dup)) != NULL) {
		free(dup);
		svc_fail(err, PSS_EINVAL, "title", "the title contains a bidirectional control character");
		return NULL;
	}
	return dup;
}

bool
library_description_ok(const char *d, struct svc_err *err)
{
	if (d != NULL && (strlen(d) > 100000 || !utf8_valid(d, strlen(d)))) {
		svc_fail(err, PSS_EINVAL, "description", "a description of at most 100,000 bytes of text");
		return false;
	}
	return true;
}

bool
library_message_ok(const char *m, struct svc_err *err)
{
	if (m != NULL && (strlen(m) > 10000 || !utf8_valid(m, strlen(m)))) {
		svc_fail(err, PSS_EINVAL, "commitMessage", "at most 10,000 bytes of text");
		return false;
	}
	return true;
}

enum pss_err
library_content_check(const char *content, size_t len, char **text, size_t *outlen,
    struct svc_err *err)
{
	enum text_err te;

	*text = NULL;
	if (content == NULL)
		return svc_fail(err, PSS_EINVAL, "content", "content is required");
	if (len > LIBRARY_CONTENT_MAX)
		return svc_fail(err, PSS_ETOOBIG, "content", "the content is larger than 10 MB");
	if ((te = text_normalize(content, len, text, outlen, NULL)) != TEXT_OK)
		return svc_fail(err, PSS_EINVAL, "content", text_errors[te]);
	return PSS_OK;
}

char *
library_tags_check(const char *const *tags, size_t n, const char *field, struct svc_err *err)
{
	struct json_object *a;
	const char *seen[LIBRARY_MAX_TAGS];
	size_t seen_len[LIBRARY_MAX_TAGS], distinct = 0;
	char *out;

	a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		size_t len, j;
		const char *t = tags[i] != NULL ? text_trim(tags[i], &len) : NULL;

		if (t == NULL || len == 0 || len > LIBRARY_TAG_MAX_LEN || !utf8_valid(t, len) ||
		    !text_no_controls(t, len)) {
			json_object_put(a);
			svc_fail(err, PSS_EINVAL, field, "a tag is 1 to 50 bytes of text");
			return NULL;
		}
		if (text_bidi_control(t, len) != NULL) {
			json_object_put(a);
			svc_fail(err, PSS_EINVAL, field, "a tag contains a bidirectional control character");
			return NULL;
		}
		/* the same tag twice (as stored: trimmed, lower case) counts once */
		for (j = 0; j < distinct; j++)
			if (seen_len[j] == len && strncasecmp(seen[j], t, len) == 0)
				break;
		if (j < distinct)
			continue;
		if (distinct == LIBRARY_MAX_TAGS) {
			json_object_put(a);
			svc_fail(err, PSS_EINVAL, field, "at most 10 tags");
			return NULL;
		}
		seen[distinct] = t;
		seen_len[distinct++] = len;
		json_object_array_add(a, json_object_new_string_len(t, (int)len));
	}
	out = xstrdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
	json_object_put(a);
	return out;
}
