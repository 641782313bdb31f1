/* itest.c: HTTP client helpers for the integration tests */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <zlib.h>

#include "core/core.h"
#include "itest.h"

static const char *base_url;
static const char *ca;
static CURL *curl;
static int http11;

void
it_init(void)
{
	base_url = getenv("PSS_TEST_URL");
	ca = getenv("PSS_TEST_CA");
	if (base_url == NULL || ca == NULL) {
		printf("Bail out! PSS_TEST_URL/PSS_TEST_CA unset: run through tests/run-integration.sh\n");
		exit(1);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;
	char *colon = memchr(p, ':', len);

	for (size_t i = 0; i < len; i++)
		buf_putc(b, colon != NULL && p + i < colon ? (char)tolower((unsigned char)p[i]) : p[i]);
	return len;
}

int
it_request(struct it_resp *r, const char *method, const char *path, const char *body,
    size_t len, const char *ctype, const char *const *headers)
{
	struct buf b = BUF_INIT, h = BUF_INIT;
	struct curl_slist *hl = NULL;
	char url[32768], ct[256];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", strncmp(path, "http", 4) == 0 ? "" : base_url, path);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);	/* 127.0.0.1 vs CN=localhost */
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
	if (http11)
		curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	if (body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (ctype != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		hl = curl_slist_append(hl, ct);
	}
	for (; headers != NULL && *headers != NULL; headers++)
		hl = curl_slist_append(hl, *headers);
	if (hl != NULL)
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(curl);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		printf("#   curl %s %s: %s\n", method, url, curl_easy_strerror(rc));
		buf_free(&b);
		buf_free(&h);
		return -1;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	r->len = b.len;
	r->body = buf_detach(&b);
	r->headers = buf_detach(&h);
	r->json = json_tokener_parse(r->body);
	return 0;
}

int
it_get(struct it_resp *r, const char *path)
{
	return it_request(r, "GET", path, NULL, 0, NULL, NULL);
}

void
it_http11(int on)
{
	http11 = on;
}

void
it_resp_free(struct it_resp *r)
{
	free(r->body);
	free(r->headers);
	json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}

const char *
it_header(const struct it_resp *r, const char *name)
{
	static char val[1024];
	size_t n = strlen(name);

	for (const char *p = r->headers; p != NULL && *p; ) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ')
				v++;
			snprintf(val, sizeof(val), "%.*s", (int)strcspn(v, "\r\n"), v);
			return val;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

int
it_header_count(const struct it_resp *r, const char *name)
{
	size_t n = strlen(name);
	int count = 0;

	for (const char *p = r->headers; p != NULL && *p; ) {
		if (strncmp(p, name, n) == 0 && p[n] == ':')
			count++;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return count;
}

const char *
it_security_headers_wrong(const struct it_resp *r)
{
	static const char *const names[] = { "strict-transport-security",
		"content-security-policy", "x-content-type-options", "x-frame-options",
		"referrer-policy", "x-request-id" };
	const char *id;

	for (size_t i = 0; i < PSS_ARRAY_LEN(names); i++)
		if (it_header_count(r, names[i]) != 1)
			return names[i];
	if (strcmp(it_header(r, "x-content-type-options"), "nosniff") != 0)
		return "x-content-type-options";
	if (strcmp(it_header(r, "x-frame-options"), "DENY") != 0)
		return "x-frame-options";
	if (strstr(it_header(r, "content-security-policy"), "frame-ancestors 'none'") == NULL)
		return "content-security-policy";
	if (r->json != NULL && (id = it_str(r, "requestId")) != NULL &&
	    strcmp(id, it_header(r, "x-request-id")) != 0)
		return "x-request-id";
	return NULL;
}

const char *
it_str(const struct it_resp *r, const char *path)
{
	struct json_object *o = r->json, *v;
	char key[128];

	while (o != NULL && *path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (json_object_is_type(o, json_type_array) && key[0] >= '0' && key[0] <= '9')
			v = json_object_array_get_idx(o, (size_t)strtoul(key, NULL, 10));
		else if (!json_object_object_get_ex(o, key, &v))
			return NULL;
		o = v;
		path += n + (path[n] == '.');
	}
	return o ? json_object_get_string(o) : NULL;
}

int
it_run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int
it_harness(const char *what)
{
	return it_run("\"$PSS_HARNESS\" ctl \"$PSS_TEST_STATE\" %s >/dev/null 2>&1", what);
}

const char *
it_psql(const char *sql)
{
	static char out[4096];
	struct buf cmd = BUF_INIT;
	FILE *p;
	size_t n;

	/* single-quote the statement for the shell: ' becomes '\'' */
	buf_puts(&cmd, "psql -qtAX -v ON_ERROR_STOP=1 -c '");
	for (const char *s = sql; *s; s++)
		if (*s == '\'')
			buf_puts(&cmd, "'\\''");
		else
			buf_putc(&cmd, *s);
	buf_puts(&cmd, "' 2>/dev/null");
	p = popen(buf_cstr(&cmd), "r");
	buf_free(&cmd);
	if (p == NULL)
		return NULL;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	if (pclose(p) != 0)
		return NULL;
	out[strcspn(out, "\n")] = '\0';
	return out;
}

const char *
it_poll_sql(const char *sql, const char *want, int seconds)
{
	static char last[512];
	const char *v;

	for (int i = 0; i < seconds * 10; i++) {
		v = it_psql(sql);
		snprintf(last, sizeof(last), "%s", v ? v : "(error)");
		if (strcmp(last, want) == 0)
			break;
		usleep(100000);
	}
	return last;
}

int
it_log_has(const char *path, const char *needle, int seconds)
{
	FILE *f;

	for (int i = 0; i < seconds * 10; i++) {
		char line[1024];

		if ((f = fopen(path, "r")) != NULL) {
			while (fgets(line, sizeof(line), f) != NULL)
				if (strstr(line, needle) != NULL) {
					fclose(f);
					return 1;
				}
			fclose(f);
		}
		usleep(100000);
	}
	return 0;
}

const char *
it_job_wait(long id, const char *want, int seconds)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT status FROM jobs WHERE id = %ld", id);
	return it_poll_sql(sql, want, seconds);
}

const char *
it_psqlf(const char *fmt, ...)
{
	struct buf sql = BUF_INIT;
	const char *v;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&sql, fmt, ap);	/* any length: the analytics' checks are 10 KB statements */
	va_end(ap);
	v = it_psql(buf_cstr(&sql));
	buf_free(&sql);
	return v;
}

long long
it_script_new(const char *token, const char *title, const char *content, bool pub)
{
	struct json_object *o = json_object_new_object();
	struct it_resp r;
	char auth[160];
	const char *h[2] = { auth, NULL }, *v, *body;
	long long id = 0;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "content", json_object_new_string(content));
	json_object_object_add(o, "isPublic", json_object_new_boolean(pub));
	json_object_object_add(o, "analyze", json_object_new_boolean(false));
	body = json_object_to_json_string(o);
	if (it_request(&r, "POST", "/api/scripts", body, strlen(body), "application/json", h) != 0)
		memset(&r, 0, sizeof(r));
	if (r.status == 201 && (v = it_str(&r, "script.id")) != NULL)
		id = strtoll(v, NULL, 10);
	else
		printf("# creating the script %s: %ld %.200s\n", title, r.status,
		    r.body != NULL ? r.body : "");
	json_object_put(o);
	it_resp_free(&r);
	return id;
}

const char *
it_script_path(long long id, const char *tail)
{
	static char b[4][160];
	static int k;

	k = (k + 1) % 4;
	snprintf(b[k], sizeof(b[k]), "/api/scripts/%lld%s", id, tail);
	return b[k];
}

char *
it_get_gzip(const char *path, const char *token, size_t *len, bool *gzipped)
{
	char auth[160];
	const char *h[3] = { "Accept-Encoding: gzip", NULL, NULL };
	struct it_resp r;
	const char *ce;
	char *out = NULL;

	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[1] = auth;
	}
	if (it_request(&r, "GET", path, NULL, 0, NULL, h) != 0)
		return NULL;
	*gzipped = (ce = it_header(&r, "content-encoding")) != NULL;
	if (r.status != 200 || (ce != NULL && strcmp(ce, "gzip") != 0))
		printf("#   %s: %ld, %s\n", path, r.status, ce != NULL ? ce : "identity");
	else if (ce != NULL) {
		if ((out = it_gunzip(&r, len)) == NULL)
			printf("#   %s: the gzip body does not decode\n", path);
	} else if ((out = malloc(r.len + 1)) != NULL) {
		memcpy(out, r.body, r.len);
		out[r.len] = '\0';
		*len = r.len;
	}
	it_resp_free(&r);
	return out;
}

long long
it_metric(const char *counter)
{
	struct it_resp r;
	const char *p;
	char name[128];
	long long n = -1;

	snprintf(name, sizeof(name), "\n%s ", counter);
	if (it_get(&r, "/metrics") == 0 && r.status == 200 && r.body != NULL &&
	    (p = strstr(r.body, name)) != NULL)
		n = strtoll(p + strlen(name), NULL, 10);
	it_resp_free(&r);
	return n;
}

char *
it_gunzip(const struct it_resp *r, size_t *len)
{
	z_stream z = { 0 };
	size_t cap = 1 << 22;
	char *out = malloc(cap);

	if (out == NULL || inflateInit2(&z, 15 + 16) != Z_OK) {
		free(out);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)r->body;
	z.avail_in = (uInt)r->len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap - 1;
	if (inflate(&z, Z_FINISH) != Z_STREAM_END || z.avail_in != 0) {
		free(out);
		out = NULL;
	} else {
		*len = z.total_out;
		out[*len] = '\0';
	}
	inflateEnd(&z);
	return out;
}

long long
it_hot_hits(void)
{
	return it_metric("psscript_cache_hot_hits_total");
}
