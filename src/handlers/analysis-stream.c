/* analysis-stream.c: GET /api/scripts/:id/analysis-stream, the original React frontend's
 * analysis stream (issue 19 item 7, docs/compat.md "The analysis stream"): Server-Sent Events
 * over the state of the script's analysis job, for a bounded time.
 *
 * The original backend proxied a model's multi-agent run and held the connection for as long
 * as it took (10 to 90 s). Here a stream holds a FastCGI worker, one of a small pool, while it
 * is open, so it is bounded: it polls the job's state (PostgreSQL, or the cached answer once
 * the analysis is done) with short sleeps for at most STREAM_MS, then sends "retry:" and ends;
 * EventSource reconnects by itself and the next stream carries on from the current state. A
 * built-in analysis is done within a second of being queued, so most streams end on their
 * final event well inside the bound. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/library.h"
#include "handlers/sse.h"

#define SCRIPT_NOT_FOUND "Script not found."
#define STREAM_MS	4000	/* the longest a stream holds its worker */
#define STREAM_RETRY_MS	1000	/* the reconnection delay it asks for when it ends early */
#define POLL_FIRST_MS	50	/* the first wait between two reads of the state, doubled */
#define POLL_MAX_MS	250	/* up to this */
/* The id of a stream's final event. EventSource reconnects after any end, and sends the last
 * id it saw as Last-Event-ID: a reconnection after a final event gets 204, which tells
 * EventSource to stop (the stream is over; a new EventSource starts a new one). */
#define STREAM_END_ID	"end"

static const char *
state_status(struct json_object *state)
{
	struct json_object *m;

	return json_object_object_get_ex(state, "status", &m) ? json_object_get_string(m) : "none";
}

/* Whether this request may start an analysis: a signed-in viewer (the service checks owner
 * or admin) whose request is not a cross-site one. A GET that starts work is what the
 * original page does (its "Run AI Analysis" button only opens this stream), so a cookie
 * request must come from this site's own pages by Fetch Metadata; a browser that sends none
 * sends no SameSite=Lax cookie on another site's subresource request either. */
static bool
may_start(const struct http_ctx *c)
{
	const char *site = http_header(c->req, "sec-fetch-site");

	return c->user != NULL && (!c->via_cookie || site == NULL || strcmp(site, "same-origin") == 0);
}

/* one event of the original client's form: {type, message, script_id, data}, unnamed so that
 * its onmessage gets it; data is taken */
static int
event(struct sse *s, const char *id, const char *type, const char *message, int64_t script,
    struct json_object *data)
{
	struct json_object *o = json_object_new_object();
	char sid[24];

	snprintf(sid, sizeof(sid), "%lld", (long long)script);
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "message", json_object_new_string(message));
	json_object_object_add(o, "script_id", json_object_new_string(sid));
	if (s->c->req->request_id != NULL)
		json_object_object_add(data, "request_id", json_object_new_string(s->c->req->request_id));
	json_object_object_add(data, "script_id", json_object_new_string(sid));
	json_object_object_add(o, "data", data);
	return sse_event_id(s, NULL, id, o);
}

static struct json_object *
state_data(struct json_object *state)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "stage", json_object_new_string(state_status(state)));
	json_object_object_add(d, "analysisState", json_object_get(state));
	return d;
}

/* the final event for a state that is not pending (done, failed, none): 1 when it sent one */
static int
final_event(struct sse *s, int64_t id, struct json_object *an, struct json_object *state)
{
	const char *st = state_status(state);
	struct json_object *d, *m;

	if (strcmp(st, "done") == 0 && an != NULL) {
		d = state_data(state);
		json_object_object_add(d, "analysis", json_object_get(an));
		(void)event(s, STREAM_END_ID, "completed", "Analysis complete", id, d);
		return 1;
	}
	if (strcmp(st, "failed") == 0) {
		(void)event(s, STREAM_END_ID, "error", json_object_object_get_ex(state, "error", &m) ?
		    json_object_get_string(m) : "The analysis failed.", id, state_data(state));
		return 1;
	}
	if (strcmp(st, "queued") != 0 && strcmp(st, "running") != 0) {
		(void)event(s, STREAM_END_ID, "error", "The script has no analysis yet.", id,
		    state_data(state));
		return 1;
	}
	return 0;
}

void
h_scripts_analysis_stream(struct http_ctx *c)
{
	struct viewer v = req_viewer(c);
	struct json_object *an = NULL, *state = NULL;
	struct sse s = { c, false, false };
	const char *last = http_header(c->req, "last-event-id");
	int64_t id = req_path_id(c, "id", "id"), t0 = time_mono_ms(), wait = POLL_FIRST_MS;
	char shown[16] = "";
	enum pss_err e;
	bool queued;

	if (id == 0)
		return;
	if (last != NULL && strcmp(last, STREAM_END_ID) == 0) {
		c->resp->status = 204;	/* the stream ended: EventSource stops here */
		return;
	}
	if ((e = library_analysis_get(&c->app->svc, &v, id, &an, &state, NULL)) != PSS_OK) {
		error_from_svc(c, e, NULL, SCRIPT_NOT_FOUND);
		return;
	}
	/* a new stream (not a reconnection) of an owner asks for an analysis when there is none
	 * or the last one failed; a script that is not theirs is only watched */
	if (last == NULL && may_start(c) && (strcmp(state_status(state), "none") == 0 ||
	    strcmp(state_status(state), "failed") == 0)) {
		e = library_analysis_queue(&c->app->svc, &v, id, &queued, NULL);
		if (e != PSS_OK && e != PSS_EFORBIDDEN) {
			error_from_svc(c, e, NULL, SCRIPT_NOT_FOUND);
			goto out;
		}
		if (e == PSS_OK) {
			json_object_put(an);
			json_object_put(state);
			if ((e = library_analysis_get(&c->app->svc, &v, id, &an, &state, NULL)) != PSS_OK) {
				error_from_svc(c, e, NULL, SCRIPT_NOT_FOUND);
				goto out;
			}
		}
	}
	if (event(&s, NULL, "connected", "Stream started", id, state_data(state)) != 0)
		goto out;
	for (;;) {
		if (final_event(&s, id, an, state))
			break;
		if (strcmp(shown, state_status(state)) != 0) {	/* queued, running */
			snprintf(shown, sizeof(shown), "%s", state_status(state));
			if (event(&s, NULL, "stage_change", strcmp(shown, "queued") == 0 ?
			    "Analysis queued" : "Analysis running", id, state_data(state)) != 0)
				break;
		}
		if (time_mono_ms() - t0 + wait > STREAM_MS) {
			/* still pending: EventSource comes back after the delay */
			(void)sse_retry(&s, STREAM_RETRY_MS);
			break;
		}
		time_sleep_ms(wait);
		wait = wait * 2 > POLL_MAX_MS ? POLL_MAX_MS : wait * 2;
		json_object_put(an);
		json_object_put(state);
		an = state = NULL;
		if ((e = library_analysis_get(&c->app->svc, &v, id, &an, &state, NULL)) != PSS_OK) {
			/* deleted meanwhile (the end), or the database is away (come back later) */
			if (e == PSS_ENOTFOUND)
				(void)event(&s, STREAM_END_ID, "error", SCRIPT_NOT_FOUND, id,
				    json_object_new_object());
			else
				(void)sse_retry(&s, STREAM_RETRY_MS);
			break;
		}
	}
out:
	json_object_put(an);
	json_object_put(state);
}
