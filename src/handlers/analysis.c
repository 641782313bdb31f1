/* analysis.c: a script's analysis over the API: read it (with its state), analyse now or
 * queue, analyse posted text without storing it, and export it as a file */
#include "config.h"

#include <string.h>

#include "handlers/library.h"

#define SCRIPT_NOT_FOUND "Script not found."

/* GET /api/scripts/:id/analysis: {success, analysis, analysisState}; while there is none,
 * 404 analysis_not_found with details {analysisState} (queued, running, failed with its
 * error, or none), so a client knows whether to wait. A cached answer is its stored bytes
 * after "success" (reply_cached: no parsing, no query); asked as the original frontend asks
 * (axios's Accept) the analysis's members also come at the top level (docs/compat.md). */
void
h_scripts_analysis(struct http_ctx *c)
{
	struct viewer v = req_viewer(c);
	struct json_object *an, *state, *o, *details;
	int64_t id = req_path_id(c, "id", "id");
	bool flat = req_asks_as_axios(c);
	char key[48];
	enum pss_err e;
	int hit;

	if (id == 0)
		return;
	library_analysis_key(key, sizeof(key), id);
	if (!flat && (hit = reply_cached(c, key, NULL, &v)) != 0) {
		if (hit == -1)
			error_from_svc(c, PSS_ENOTFOUND, NULL, SCRIPT_NOT_FOUND);
		return;
	}
	if (flat) {	/* req_asks_as_axios: never a page */
		buf_reset(&c->resp->body);
		if ((hit = library_analysis_flat_cached(&c->app->svc, &v, id, &c->resp->body)) == 1) {
			c->resp->status = 200;
			c->resp->content_type = "application/json; charset=utf-8";
			return;
		}
		buf_reset(&c->resp->body);
		if (hit == -1) {
			error_from_svc(c, PSS_ENOTFOUND, NULL, SCRIPT_NOT_FOUND);
			return;
		}
	}
	if ((e = library_analysis_get(&c->app->svc, &v, id, &an, &state, NULL)) != PSS_OK) {
		error_from_svc(c, e, NULL, SCRIPT_NOT_FOUND);
		return;
	}
	if (an == NULL) {
		details = json_object_new_object();
		json_object_object_add(details, "analysisState", state);
		error_reply(c, 404, "analysis_not_found", "The script has no analysis yet.", details);
		return;
	}
	o = flat ? library_analysis_answer(an, state) : library_analysis_entry(an, state);
	json_object_put(an);
	json_object_put(state);
	reply_success(c, 200, NULL, o);
}

/* POST /api/scripts/:id/analyze (owner or admin): analyse now and store: {success,
 * analysis}. With ?async=true the analysis is queued instead (one queued job at most):
 * 202 {success, queued, analysisState}. */
void
h_scripts_analyze(struct http_ctx *c)
{
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	struct json_object *an, *state, *o;
	const char *async = http_query(c->req, "async");
	int64_t id = req_path_id(c, "id", "id");
	bool queued;
	enum pss_err e;

	if (id == 0)
		return;
	if (async != NULL && strcmp(async, "true") != 0 && strcmp(async, "false") != 0) {
		field_error(c, "async", "async: true or false.");
		return;
	}
	if (async != NULL && strcmp(async, "true") == 0) {
		if ((e = library_analysis_queue(&c->app->svc, &v, id, &queued, &err)) != PSS_OK ||
		    (e = library_analysis_get(&c->app->svc, &v, id, &an, &state, &err)) != PSS_OK) {
			error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
			return;
		}
		json_object_put(an);
		o = json_object_new_object();
		json_object_object_add(o, "queued", json_object_new_boolean(queued));
		json_object_object_add(o, "analysisState", state);
		reply_success(c, 202, NULL, o);
		return;
	}
	if ((e = library_analysis_now(&c->app->svc, &v, id,
	    library_analyzer_opts(&c->app->svc), &an, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		return;
	}
	reply_success(c, 200, "analysis", an);
}

/* POST /api/scripts/analyze (public): {content, fileName?} analysed, nothing stored:
 * {success, analysis}, the analysis written as text straight into the body (no json-c tree:
 * library_analysis_adhoc_write; the route has no page). */
void
h_scripts_analyze_adhoc(struct http_ctx *c)
{
	static const char head[] = "{\"success\":true,\"analysis\":";
	struct svc_err err = { 0 };
	struct json_object *b;
	struct buf *body = &c->resp->body;
	const char *content, *name = NULL;
	size_t len;
	enum pss_err e;

	if ((b = json_body(c)) == NULL)
		return;
	if (req_body_str(c, b, "content", NULL, (size_t)-1, true, &content, &len) < 0 ||
	    req_body_str(c, b, "fileName", "filename", 1024, false, &name, NULL) < 0)
		goto out;
	buf_reset(body);
	buf_append(body, head, sizeof(head) - 1);
	if ((e = library_analysis_adhoc_write(&c->app->svc, content, len, name, body, &err)) != PSS_OK) {
		buf_reset(body);
		error_from_svc(c, e, &err, NULL);
		goto out;
	}
	buf_putc(body, '}');
	c->resp->status = 200;
	c->resp->content_type = "application/json; charset=utf-8";
	/* the script's analysis and nothing else: no secret next to the text it quotes */
	http_gzip_uncached(c->resp, c->req);
out:
	json_object_put(b);
}

/* GET /api/scripts/:id/export-analysis?format=json|sarif|html|md (json when absent): the
 * analysis as an attachment named after the script. The one other handler that writes its
 * body itself (as /download). */
void
h_scripts_export_analysis(struct http_ctx *c)
{
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	struct analysis_export x;
	const char *fmt = http_query(c->req, "format");
	enum analysis_format f = fmt == NULL ? ANALYSIS_FORMAT_JSON : library_analysis_format_parse(fmt);
	int64_t id = req_path_id(c, "id", "id");
	enum pss_err e;

	if (id == 0)
		return;
	if (f == ANALYSIS_FORMAT__MAX) {
		field_error(c, "format", "format: one of json, sarif, html, md.");
		return;
	}
	if ((e = library_analysis_export(&c->app->svc, &v, id, f, &x, &err)) != PSS_OK) {
		if (e == PSS_ENOTFOUND && err.field != NULL && strcmp(err.field, "analysis") == 0)
			error_reply(c, 404, "analysis_not_found", "The script has no analysis yet.", NULL);
		else
			error_from_svc(c, e, &err, SCRIPT_NOT_FOUND);
		return;
	}
	c->resp->status = 200;
	c->resp->content_type = x.content_type;
	resp_header(c->resp, "Content-Disposition", x.disposition);
	resp_header(c->resp, "Cache-Control", "private, no-store");
	if (f == ANALYSIS_FORMAT_HTML)	/* opened in place: its own styles, nothing else */
		resp_header(c->resp, "Content-Security-Policy",
		    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none';"
		    " frame-ancestors 'none'; sandbox");
	buf_reset(&c->resp->body);
	resp_body(c->resp, x.body.data, x.body.len);
	library_analysis_export_free(&x);
	/* the script's analysis (and its text in the reports), nothing of the viewer's */
	http_gzip_uncached(c->resp, c->req);
}
