/* versions.c: /api/scripts/:id/versions: list, one version, compare, revert */
#include "config.h"

#include <stdio.h>

#include "handlers/library.h"

#define SCRIPT_NOT_FOUND "Script not found."
#define VERSION_NOT_FOUND "Script or version not found."

int
view_versions_list(struct http_ctx *c, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id");
	struct viewer v = req_viewer(c);
	enum pss_err e;

	*out = NULL;
	if (id == 0)
		return -1;
	if ((e = library_versions_list(&c->app->svc, &v, id, out)) != PSS_OK) {
		error_from_svc(c, e, NULL, SCRIPT_NOT_FOUND);
		return -1;
	}
	return 0;
}

int
view_version_get(struct http_ctx *c, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id"), n;
	struct viewer v = req_viewer(c);
	enum pss_err e;

	*out = NULL;
	if (id == 0 || (n = req_path_id(c, "n", "version")) == 0)
		return -1;
	if ((e = library_version_get(&c->app->svc, &v, id, n, out)) != PSS_OK) {
		error_from_svc(c, e, NULL, VERSION_NOT_FOUND);
		return -1;
	}
	return 0;
}

int
view_versions_compare(struct http_ctx *c, struct json_object **out)
{
	int64_t id = req_path_id(c, "id", "id"), from = 0, to = 0;
	struct viewer v = req_viewer(c);
	int rf, rt;
	enum pss_err e;

	*out = NULL;
	if (id == 0 || (rf = req_query_int(c, "from", 1, INT32_MAX, &from)) < 0 ||
	    (rt = req_query_int(c, "to", 1, INT32_MAX, &to)) < 0)
		return -1;
	if (rf == 0 || rt == 0) {
		field_error(c, rf == 0 ? "from" : "to", "from and to, two version numbers, are required.");
		return -1;
	}
	if ((e = library_versions_compare(&c->app->svc, &v, id, from, to, out)) != PSS_OK) {
		error_from_svc(c, e, NULL, VERSION_NOT_FOUND);
		return -1;
	}
	return 0;
}

void
h_versions_list(struct http_ctx *c)
{
	reply_view(c, view_versions_list, NULL);
}

void
h_versions_get(struct http_ctx *c)
{
	reply_view(c, view_version_get, "version");
}

void
h_versions_compare(struct http_ctx *c)
{
	reply_view(c, view_versions_compare, NULL);
}

/* POST /:id/revert/:n: {success, message, scriptId, version} (the new version's number). */
void
h_versions_revert(struct http_ctx *c)
{
	int64_t id = req_path_id(c, "id", "id"), n, nv = 0;
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	struct json_object *o;
	char msg[96];
	enum pss_err e;

	if (id == 0 || (n = req_path_id(c, "n", "version")) == 0)
		return;
	if ((e = library_version_revert(&c->app->svc, &v, id, n, &nv, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, VERSION_NOT_FOUND);
		return;
	}
	snprintf(msg, sizeof(msg), "Reverted to version %lld.", (long long)n);
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	json_object_object_add(o, "scriptId", json_object_new_int64(id));
	json_object_object_add(o, "version", json_object_new_int64(nv));
	reply_success(c, 200, NULL, o);
}
