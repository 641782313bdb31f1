/* sse.c: writing Server-Sent Events (sse.h) */
#include "config.h"

#include <stdio.h>

#include "handlers/sse.h"

/* the head with the first write */
static int
sse_put(struct sse *s, const char *p, size_t n)
{
	if (!s->started) {
		s->c->resp->status = 200;
		s->c->resp->content_type = "text/event-stream; charset=utf-8";
		if (http_stream_start(s->c->resp, s->c->req) != 0)
			s->gone = true;
		s->started = true;
	}
	if (s->gone || http_stream_put(s->c->resp, p, n) != 0) {
		s->gone = true;
		return -1;
	}
	return 0;
}

int
sse_event_id(struct sse *s, const char *name, const char *id, struct json_object *o)
{
	struct buf b = BUF_INIT;
	int rc;

	if (id != NULL)
		buf_printf(&b, "id: %s\n", id);
	if (name != NULL)
		buf_printf(&b, "event: %s\n", name);
	buf_printf(&b, "data: %s\n\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	rc = sse_put(s, b.data, b.len);
	buf_free(&b);
	json_object_put(o);
	return rc;
}

int
sse_event(struct sse *s, const char *name, struct json_object *o)
{
	return sse_event_id(s, name, NULL, o);
}

int
sse_retry(struct sse *s, int ms)
{
	char line[40];
	int n = snprintf(line, sizeof(line), "retry: %d\n\n", ms);

	return sse_put(s, line, (size_t)n);
}
