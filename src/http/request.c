/* request.c: FastCGI parameters and body to a validated struct request (pure, fuzzable) */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "http/request.h"

const char *const http_methods[HTTP_METHOD__MAX] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
};

enum http_method
http_method_parse(const char *s)
{
	for (size_t i = 0; i < HTTP_METHOD__MAX; i++)
		if (strcmp(s, http_methods[i]) == 0)
			return (enum http_method)i;
	return HTTP_METHOD__MAX;
}

/* The parameters a request is read from, found in one pass over the list (the first of a
 * name wins): a scan of the whole list for each name was a fifth of a cached read. */
struct params {
	const char	*remote_addr, *https, *request_id, *method, *uri, *document_uri;
	const char	*content_type, *content_length;
	size_t		 nheaders;	/* HTTP_* */
};

/* the value of e when it is "key=value" (klen: key's length), else NULL */
static const char *
param_value(const char *e, const char *key, size_t klen)
{
	return strncmp(e, key, klen) == 0 && e[klen] == '=' ? e + klen + 1 : NULL;
}

#define PARAM(e, lit, field) do {						\
	const char *v_;								\
	if ((field) == NULL && (v_ = param_value((e), (lit), sizeof(lit) - 1)) != NULL) \
		(field) = v_;							\
} while (0)

static void
params_read(const char *const *envp, struct params *p)
{
	memset(p, 0, sizeof(*p));
	for (const char *const *ep = envp; ep != NULL && *ep != NULL; ep++) {
		const char *e = *ep;

		/* the first byte picks the few names to compare */
		switch (e[0]) {
		case 'H':
			if (strncmp(e, "HTTP_", 5) == 0)
				p->nheaders++;
			else
				PARAM(e, "HTTPS", p->https);
			break;
		case 'R':
			PARAM(e, "REQUEST_METHOD", p->method);
			PARAM(e, "REQUEST_URI", p->uri);
			PARAM(e, "REQUEST_ID", p->request_id);
			PARAM(e, "REMOTE_ADDR", p->remote_addr);
			break;
		case 'D':
			PARAM(e, "DOCUMENT_URI", p->document_uri);
			break;
		case 'C':
			PARAM(e, "CONTENT_TYPE", p->content_type);
			PARAM(e, "CONTENT_LENGTH", p->content_length);
			break;
		default:
			break;
		}
	}
}

/* Percent-decode a path ('+' stays '+'); NULL on a bad escape, NUL, control byte or bad UTF-8. */
static char *
path_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return NULL;
			if ((hi = hex_digit((unsigned char)s[i + 1])) < 0 ||
			    (lo = hex_digit((unsigned char)s[i + 2])) < 0)
				return NULL;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return NULL;
		*o++ = (char)c;
	}
	*o = '\0';
	if (!utf8_valid(out, (size_t)(o - out)))
		return NULL;
	return out;
}

/* "HTTP_CONTENT_TYPE" -> "content-type" */
static char *
header_name(struct arena *a, const char *env, size_t n)
{
	char *out = arena_alloc(a, n + 1);

	for (size_t i = 0; i < n; i++)
		out[i] = env[i] == '_' ? '-' : (char)tolower((unsigned char)env[i]);
	return out;
}

enum http_reject
http_request_parse(struct arena *a, const char *const *envp, const struct http_limits *lim,
    struct request *r)
{
	const char *v, *q, *uri, *ct;
	size_t nh = 0, cap, ulen;
	struct params p;

	memset(r, 0, sizeof(*r));
	r->arena = a;
	params_read(envp, &p);
	r->remote_addr = p.remote_addr != NULL ? p.remote_addr : "";
	r->https = p.https != NULL && strcasecmp(p.https, "on") == 0;
	r->content_length = p.content_length;
	if ((v = p.request_id) != NULL && *v != '\0' && strlen(v) <= 64 &&
	    strspn(v, "0123456789abcdefABCDEF-") == strlen(v))
		r->request_id = v;
	else {
		char *id = arena_alloc(a, 33);

		rand_hex(id, 16);
		r->request_id = id;
	}

	/* Headers first: they are needed to answer even a rejected request well. */
	if ((cap = p.nheaders) > lim->max_headers)
		return HTTP_REJECT_TOO_MANY_HEADERS;
	r->headers = arena_alloc(a, (cap ? cap : 1) * sizeof(*r->headers));
	for (const char *const *e = envp; nh < cap && e != NULL && *e != NULL; e++) {
		const char *eq;

		if (strncmp(*e, "HTTP_", 5) != 0 || (eq = strchr(*e, '=')) == NULL)
			continue;
		r->headers[nh].name = header_name(a, *e + 5, (size_t)(eq - *e - 5));
		r->headers[nh].value = eq + 1;
		nh++;
	}
	r->nheaders = nh;

	if ((v = p.method) == NULL || (r->method = http_method_parse(v)) == HTTP_METHOD__MAX)
		return HTTP_REJECT_BAD_METHOD;

	if ((uri = p.uri) == NULL)
		uri = p.document_uri != NULL ? p.document_uri : "/";
	if (*uri != '/' || (ulen = strnlen(uri, 8193)) > 8192)
		return HTTP_REJECT_BAD_PATH;
	q = memchr(uri, '?', ulen);
	r->raw_path = arena_strndup(a, uri, q ? (size_t)(q - uri) : ulen);
	if ((r->path = path_decode(a, uri, q ? (size_t)(q - uri) : ulen)) == NULL)
		return HTTP_REJECT_BAD_PATH;
	r->raw_query = q ? q + 1 : "";
	/* nginx's fallback for an answer file that was gone (http_answer_file): its location is
	 * internal, so a request for that path itself is a client's, never a fallback */
	r->answer_fallback = p.document_uri != NULL &&
	    strncmp(p.document_uri, HTTP_ANSWER_FILES_URI, sizeof(HTTP_ANSWER_FILES_URI) - 1) == 0 &&
	    strncmp(r->path, HTTP_ANSWER_FILES_URI, sizeof(HTTP_ANSWER_FILES_URI) - 1) != 0;
	if (r->answer_fallback)
		r->answer_name = p.document_uri + sizeof(HTTP_ANSWER_FILES_URI) - 1;
	if (urlenc_parse(a, r->raw_query, q ? ulen - (size_t)(q - uri) - 1 : 0, 256, &r->query) != PSS_OK)
		return HTTP_REJECT_BAD_QUERY;
	if ((v = http_header(r, "cookie")) != NULL)
		(void)cookie_parse(a, v, strlen(v), 64, &r->cookies);

	if ((ct = p.content_type) != NULL && *ct != '\0') {
		size_t n = strcspn(ct, ";");
		char *mt = arena_strndup(a, ct, n);

		while (n > 0 && isspace((unsigned char)mt[n - 1]))
			mt[--n] = '\0';
		for (char *c = mt; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		r->content_type = mt;
		r->content_type_full = ct;
	}
	return HTTP_REJECT_NONE;
}

/* http_body_limit: the body cap for this request's content type and path. */
size_t
http_body_limit(const struct request *r, const struct http_limits *lim)
{
	if (r->content_type != NULL && strcmp(r->content_type, "multipart/form-data") == 0)
		return lim->max_upload;
	for (const char *const *p = lim->large_paths; p != NULL && *p != NULL && r->path != NULL; p++)
		if (strcmp(*p, r->path) == 0)
			return lim->max_large > lim->max_body ? lim->max_large : lim->max_body;
	return lim->max_body;
}

const char *
http_header(const struct request *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

const char *
http_query(const struct request *r, const char *key)
{
	return kv_get(&r->query, key);
}

const char *
http_cookie(const struct request *r, const char *name)
{
	return kv_get(&r->cookies, name);
}

const char *
http_param(const struct request *r, const char *name)
{
	for (size_t i = 0; i < r->nparams; i++)
		if (strcmp(r->param_names[i], name) == 0)
			return r->param_values[i];
	return NULL;
}
