/* page.c: the worker's template set and asset manifest, the members derived for templates
 * (readable times, counts of one), and forms decoded into JSON */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>

#include "render/page.h"

#define FORM_MAX_PAIRS 1000
#define ASSET_MAX_BYTES (8u << 20)
#define ASSET_MAX_DEPTH 4
#define DERIVE_MAX_DEPTH 8
#define DERIVE_MAX_NAME 64

/* One per process: the pages of a worker share them. */
static struct {
	struct mus_set	*set;
	struct json_object *assets;
	char		*static_dir;
	bool		 dev;
} pg;

static bool
asset_ext(const char *name)
{
	static const char *const exts[] = { ".css", ".js", ".svg", ".png", ".ico", ".woff2" };
	size_t n = strlen(name);

	for (size_t i = 0; i < PSS_ARRAY_LEN(exts); i++) {
		size_t e = strlen(exts[i]);

		if (n > e && strcmp(name + n - e, exts[i]) == 0)
			return true;
	}
	return false;
}

/* Adds the file rel (under dir) to the manifest: key and hashed URL. */
static void
asset_add(struct json_object *m, const char *path, const char *rel)
{
	struct buf b = BUF_INIT, key = BUF_INIT, url = BUF_INIT;
	char hex[65];
	const char *dot = strrchr(rel, '.');
	enum pss_err e;

	/* a name that changes with every byte, or none (a name from part of the file would
	 * keep browsers on an old copy) */
	if ((e = file_read(path, &b, ASSET_MAX_BYTES)) != PSS_OK) {
		log_warn("static asset %s left out: %s", path,
		    e == PSS_ETOOBIG ? "larger than 8 MB" : strerror(errno));
		buf_free(&b);
		return;
	}
	sha256_hex(b.data, b.len, hex);
	for (const char *p = rel; *p; p++)
		buf_putc(&key, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') ? *p : '_');
	buf_puts(&url, "/static/");
	buf_append(&url, rel, (size_t)(dot - rel));
	buf_printf(&url, ".%.12s%s", hex, dot);
	json_object_object_add(m, buf_cstr(&key), json_object_new_string(buf_cstr(&url)));
	buf_free(&b);
	buf_free(&key);
	buf_free(&url);
}

static void
assets_walk(struct json_object *m, const char *dir, const char *rel, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > ASSET_MAX_DEPTH || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *path, *r;

		if (de->d_name[0] == '.')
			continue;
		path = xmalloc(strlen(dir) + strlen(de->d_name) + 2);
		r = xmalloc(strlen(rel) + strlen(de->d_name) + 2);
		sprintf(path, "%s/%s", dir, de->d_name);
		sprintf(r, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				assets_walk(m, path, r, depth + 1);
			else if (S_ISREG(st.st_mode) && asset_ext(de->d_name))
				asset_add(m, path, r);
		}
		free(path);
		free(r);
	}
	closedir(d);
}

static void
assets_load(void)
{
	json_object_put(pg.assets);
	pg.assets = json_object_new_object();
	assets_walk(pg.assets, pg.static_dir, "", 0);
}

enum pss_err
page_setup(const char *data_dir, bool dev, struct mus_error *err)
{
	char *tdir;
	enum pss_err e;

	if (pg.set != NULL)
		return PSS_OK;
	tdir = xmalloc(strlen(data_dir) + sizeof("/templates"));
	sprintf(tdir, "%s/templates", data_dir);
	e = mus_set_load(tdir, dev ? MUS_DEV : 0, &pg.set, err);
	free(tdir);
	if (e != PSS_OK)
		return e;
	pg.dev = dev;
	free(pg.static_dir);
	pg.static_dir = xmalloc(strlen(data_dir) + sizeof("/static"));
	sprintf(pg.static_dir, "%s/static", data_dir);
	assets_load();
	return PSS_OK;
}

/* Reads n decimal digits at *p (advancing it) into *v; false when one is not a digit. */
static bool
digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

bool
page_parse_time(const char *s, time_t *t)
{
	struct tm tm;
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 0;
	const char *p = s;

	if (s == NULL || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' ') || (p++, !digits(&p, 2, &h)) ||
	    *p++ != ':' || !digits(&p, 2, &mi))
		return false;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &sec))
			return false;
		if (*p == '.' || *p == ',') {
			if (p[1] < '0' || p[1] > '9')
				return false;
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
		}
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, &oh))
			return false;
		if (*p == ':')
			p++;
		if (*p != '\0' && !digits(&p, 2, &om))
			return false;
	} else
		return false;	/* no zone: not a moment in time */
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;	/* a leap second reads as the one before */
	*t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	return true;
}

/* The readable and the HTML forms of a time: "25 Nov 2026, 05:41 UTC", "2026-11-25T05:41:52Z". */
static void
time_texts(time_t t, char *text, size_t ntext, char *iso, size_t niso)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	    "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(text, ntext, "%d %s %d, %02d:%02d UTC", tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
	snprintf(iso, niso, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool
ends_with(const char *s, size_t n, const char *end)
{
	size_t e = strlen(end);

	return n > e && memcmp(s + n - e, end, e) == 0;
}

/* Members holding one of a few values, which templates choose by (see page_derive). */
static bool
is_enum_name(const char *k)
{
	return strcmp(k, "role") == 0 || strcmp(k, "status") == 0 || strcmp(k, "visibility") == 0;
}

/* The members derived from one member k = v of an object, added to add (see page_derive). */
static void
derive_member(struct json_object *add, const char *k, struct json_object *v)
{
	char key[DERIVE_MAX_NAME + 8], text[96], iso[96];
	size_t n = strlen(k);
	time_t t;

	if (n > DERIVE_MAX_NAME)
		return;
	if (json_object_is_type(v, json_type_string) && is_enum_name(k)) {
		struct json_object *is = json_object_new_object();

		json_object_object_add(is, json_object_get_string(v), json_object_new_boolean(1));
		snprintf(key, sizeof(key), "%sIs", k);
		json_object_object_add(add, key, is);
	} else if (json_object_is_type(v, json_type_string) && (ends_with(k, n, "At") ||
	    ends_with(k, n, "Until")) && page_parse_time(json_object_get_string(v), &t)) {
		time_texts(t, text, sizeof(text), iso, sizeof(iso));
		snprintf(key, sizeof(key), "%sText", k);
		json_object_object_add(add, key, json_object_new_string(text));
		snprintf(key, sizeof(key), "%sIso", k);
		json_object_object_add(add, key, json_object_new_string(iso));
	} else if (json_object_is_type(v, json_type_int) &&
	    (json_object_get_int64(v) == 0 || json_object_get_int64(v) == 1)) {
		snprintf(key, sizeof(key), "%s%s", k, json_object_get_int64(v) == 0 ? "IsZero" : "IsOne");
		json_object_object_add(add, key, json_object_new_boolean(1));
	}
}

static void
derive(struct json_object *o, int depth)
{
	struct json_object *add;

	if (depth > DERIVE_MAX_DEPTH || o == NULL)
		return;
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			derive(json_object_array_get_idx(o, i), depth + 1);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	add = json_object_new_object();	/* o is not changed while it is walked */
	json_object_object_foreach(o, k, v) {
		if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
			derive(v, depth + 1);
		else
			derive_member(add, k, v);
	}
	json_object_object_foreach(add, k2, v2)
		if (!json_object_object_get_ex(o, k2, NULL))
			json_object_object_add(o, k2, json_object_get(v2));
	json_object_put(add);
}

void
page_derive(struct json_object *ctx)
{
	derive(ctx, 0);
}

enum pss_err
page_render(const char *name, struct json_object *ctx, struct mus_spans *spans, struct buf *out,
    struct mus_error *err)
{
	page_derive(ctx);
	if (pg.set == NULL) {
		snprintf(err->msg, sizeof(err->msg), "the templates are not loaded");
		err->line = err->col = 0;
		return PSS_EINTERNAL;
	}
	return mus_set_render_spans(pg.set, name, ctx, spans, out, err);
}

struct json_object *
page_assets(void)
{
	if (pg.assets == NULL)
		return json_object_new_object();
	if (pg.dev)
		assets_load();
	return json_object_get(pg.assets);
}

bool
page_is_form(const struct request *req)
{
	return req->content_type != NULL &&
	    (strcmp(req->content_type, "application/x-www-form-urlencoded") == 0 ||
	    strcmp(req->content_type, "multipart/form-data") == 0);
}

static enum pss_err
form_pairs(struct arena *a, const struct request *req, struct kvlist *kv)
{
	const char *boundary;
	struct mpartlist parts;

	memset(kv, 0, sizeof(*kv));
	if (strcmp(req->content_type, "application/x-www-form-urlencoded") == 0)
		return urlenc_parse(a, req->body, req->body_len, FORM_MAX_PAIRS, kv);
	if (multipart_boundary(a, req->content_type_full, &boundary) != PSS_OK ||
	    multipart_parse(a, boundary, req->body, req->body_len, FORM_MAX_PAIRS, &parts) != PSS_OK)
		return PSS_EINVAL;
	return multipart_fields(a, &parts, kv);
}

/* Appends the comma-separated items of v, trimmed, to arr (empty items are skipped). */
static void
list_add(struct json_object *arr, const char *v)
{
	while (*v) {
		const char *e = strchr(v, ','), *s = v, *t;

		if (e == NULL)
			e = v + strlen(v);
		t = e;
		while (s < t && (*s == ' ' || *s == '\t'))
			s++;
		while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if (t > s)
			json_object_array_add(arr, json_object_new_string_len(s, (int)(t - s)));
		v = *e ? e + 1 : e;
	}
}

static enum pss_err
field_add(struct json_object *o, const struct kvlist *kv, const struct form_field *f, bool echo)
{
	const char *v = kv_get(kv, f->name);
	int64_t n;

	switch (f->type) {
	case FORM_SECRET:
		if (echo)
			break;
		/* FALLTHROUGH */
	case FORM_STRING:
		if (v != NULL)
			json_object_object_add(o, f->name, json_object_new_string(v));
		break;
	case FORM_OPTIONAL:
		if (v != NULL && *v != '\0')
			json_object_object_add(o, f->name, json_object_new_string(v));
		break;
	case FORM_INT:
		if (v == NULL || *v == '\0')
			break;
		if (echo)
			json_object_object_add(o, f->name, json_object_new_string(v));
		else if (parse_int64(v, INT64_MIN, INT64_MAX, &n) != 0)
			return PSS_EINVAL;
		else
			json_object_object_add(o, f->name, json_object_new_int64(n));
		break;
	case FORM_BOOL:
		json_object_object_add(o, f->name, json_object_new_boolean(v != NULL && *v != '\0' &&
		    strcmp(v, "0") != 0 && strcmp(v, "false") != 0));
		break;
	case FORM_LIST: {
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < kv->n; i++)
			if (strcmp(kv->items[i].key, f->name) == 0)
				list_add(arr, kv->items[i].val);
		if (echo) {
			/* shown back as the text the user typed */
			struct buf b = BUF_INIT;

			for (size_t i = 0; i < json_object_array_length(arr); i++)
				buf_printf(&b, "%s%s", i ? ", " : "",
				    json_object_get_string(json_object_array_get_idx(arr, i)));
			json_object_object_add(o, f->name, json_object_new_string(buf_cstr(&b)));
			buf_free(&b);
			json_object_put(arr);
		} else
			json_object_object_add(o, f->name, arr);
		break;
	}
	}
	return PSS_OK;
}

enum pss_err
form_decode(struct arena *a, const struct request *req, const struct form_field *fields,
    bool echo, struct json_object **out, const char **csrf, const char **bad)
{
	struct kvlist kv;
	struct json_object *o;

	*out = NULL;
	*bad = NULL;
	*csrf = NULL;
	if (!page_is_form(req) || form_pairs(a, req, &kv) != PSS_OK)
		return PSS_EINVAL;
	*csrf = kv_get(&kv, "csrf_token");
	o = json_object_new_object();
	if (fields == NULL) {
		for (size_t i = 0; i < kv.n; i++)
			if (strcmp(kv.items[i].key, "csrf_token") != 0 &&
			    !json_object_object_get_ex(o, kv.items[i].key, NULL))
				json_object_object_add(o, kv.items[i].key,
				    json_object_new_string(kv.items[i].val));
	} else
		for (const struct form_field *f = fields; f->name != NULL; f++)
			if (field_add(o, &kv, f, echo) != PSS_OK) {
				*bad = f->name;
				json_object_put(o);
				return PSS_EINVAL;
			}
	*out = o;
	return PSS_OK;
}

bool
page_local_path(const char *s)
{
	size_t n;

	if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return false;
	for (n = 0; s[n]; n++)
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e || s[n] == '\\' || n > 512)
			return false;
	return true;
}
