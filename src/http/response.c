/* response.c: building a response: status, headers, body */
#include "config.h"

#include <string.h>

#include "http/http.h"

static const struct {
	int	 code;
	const char *text;
} statuses[] = {
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
	{ 301, "Moved Permanently" }, { 302, "Found" }, { 303, "See Other" },
	{ 304, "Not Modified" }, { 307, "Temporary Redirect" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 409, "Conflict" },
	{ 413, "Payload Too Large" }, { 415, "Unsupported Media Type" },
	{ 423, "Locked" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

const char *
http_status_text(int status)
{
	for (size_t i = 0; i < PSS_ARRAY_LEN(statuses); i++)
		if (statuses[i].code == status)
			return statuses[i].text;
	return "Unknown";
}

void
resp_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	buf_init(&r->headers);
	buf_init(&r->body);
}

void
resp_reset(struct response *r)
{
	r->status = 200;
	r->content_type = NULL;
	r->head_only = false;
	r->streamed = false;
	r->stream_failed = false;
	buf_reset(&r->headers);
	buf_reset(&r->body);
}

void
resp_free(struct response *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
}

void
resp_header(struct response *r, const char *name, const char *value)
{
	const unsigned char *v = (const unsigned char *)value, *p;

	buf_puts(&r->headers, name);
	buf_append(&r->headers, ": ", 2);
	for (p = v; *p; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			continue;
		/* a control byte: the clean run before it, then skip it */
		buf_append(&r->headers, v, (size_t)(p - v));
		v = p + 1;
	}
	buf_append(&r->headers, v, (size_t)(p - v));
	buf_append(&r->headers, "\r\n", 2);
}

void
resp_body(struct response *r, const char *p, size_t n)
{
	buf_append(&r->body, p, n);
}
