/* sse.h: Server-Sent Events answers: the event writer every streaming handler shares (the
 * chat's answer, the original frontend's analysis stream), and the stream handler */
#ifndef PSS_HANDLERS_SSE_H
#define PSS_HANDLERS_SSE_H

#include "handlers/app.h"

/* One answer as text/event-stream: the head goes with the first write (200, no
 * Content-Length, X-Accel-Buffering: no, so nginx passes every event on at once). gone: a
 * write failed (the reader left); every later write is then -1 without trying. */
struct sse {
	struct http_ctx	*c;
	bool		 started;
	bool		 gone;
};

/* sse_event: one event, "event: name\n" (left out when name is NULL: the client's onmessage
 * gets it), "data: json\n\n" (JSON has no raw newline); takes o. 0, or -1 when the reader has
 * gone. */
int	 sse_event(struct sse *, const char *name, struct json_object *o);
/* sse_event_id: sse_event with "id: id\n" first (id NULL: none); EventSource sends the last
 * id it saw as Last-Event-ID when it reconnects. */
int	 sse_event_id(struct sse *, const char *name, const char *id, struct json_object *o);
/* sse_retry: "retry: ms\n\n": how long EventSource waits before it reconnects. */
int	 sse_retry(struct sse *, int ms);

/* GET /api/scripts/:id/analysis-stream: the original frontend's analysis stream over the
 * analysis job's state (analysis-stream.c, docs/compat.md). */
void	 h_scripts_analysis_stream(struct http_ctx *);

#endif
