/* pages-docs.c: the documentation's pages: /docs (search with filters, or the recent
 * documents), a document (its Markdown rendered, its versions, related documents, the
 * library's scripts that use the cmdlet), /docs/cmdlet/:name (a redirect by command name or
 * alias) and /admin/docs (sources with counts, delete) */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "handlers/library.h"
#include "handlers/pages.h"
#include "render/escape.h"
#include "render/markdown.h"
#include "services/docs.h"

#define RELATED_MAX 8
#define SCRIPTS_USING_MAX 10
static const char *const content_types[] = { "cmdlet", "about", "article" };
static const struct { const char *value, *label; } sorts[] = {
	{ "relevance", "Relevance" }, { "date", "Date" }, { "title", "Title" },
};

static const char *
str_member(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static int64_t
int_of(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ? json_object_get_int64(v) : 0;
}

/* choices: [{value, label, selected}] of values, selected when in the comma list sel. */
static struct json_object *
choices(const char *const *values, const char *const *labels, size_t n, const char *sel)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		size_t k = strlen(values[i]);
		const char *p = sel;
		bool on = false;

		while (p != NULL && *p != '\0' && !on) {
			size_t w = strcspn(p, ",");

			on = w == k && strncmp(p, values[i], k) == 0;
			p += w + (p[w] == ',');
		}
		json_object_object_add(o, "value", json_object_new_string(values[i]));
		json_object_object_add(o, "label", json_object_new_string(labels[i]));
		json_object_object_add(o, "selected", json_object_new_boolean(on));
		json_object_array_add(a, o);
	}
	return a;
}

/* page_href: /docs with this request's search parameters and another offset. */
static struct json_object *
page_href(struct http_ctx *c, int64_t offset)
{
	static const char *const keep[] = { "query", "q", "sources", "tags", "contentTypes", "sortBy", "limit" };
	struct buf b = BUF_INIT;
	struct json_object *o;

	buf_printf(&b, "/docs?offset=%lld", (long long)offset);
	for (size_t i = 0; i < PSS_ARRAY_LEN(keep); i++) {
		const char *v = http_query(c->req, keep[i]);

		if (v == NULL || *v == '\0')
			continue;
		buf_printf(&b, "&%s=", keep[i]);
		esc_url_arg(&b, v, strlen(v));
	}
	o = json_object_new_string_len(buf_cstr(&b), (int)b.len);
	buf_free(&b);
	return o;
}

/* GET /docs: {documents, total, limit, offset, filter: {query, search, types, sources,
 * sorts}, prevOffset, nextOffset}. */
void
h_page_docs(struct http_ctx *c)
{
	const char *q = http_query(c->req, "query"), *sel;
	struct json_object *view, *src, *arr, *filter;
	const char *names[DOCS_FILTER_MAX], *vals[3], *labs[3];
	size_t nn = 0;
	int64_t total, limit, offset;
	bool search;

	if (q == NULL)
		q = http_query(c->req, "q");
	search = q != NULL && *q != '\0';
	if ((search ? view_docs_search(c, &view) : view_docs_recent(c, &view)) != 0)
		return;
	if (view_docs_sources(c, &src) != 0) {
		json_object_put(view);
		return;
	}
	filter = json_object_new_object();
	json_object_object_add(filter, "query", json_object_new_string(search ? q : ""));
	json_object_object_add(filter, "search", json_object_new_boolean(search));
	for (size_t i = 0; i < PSS_ARRAY_LEN(content_types); i++)
		vals[i] = labs[i] = content_types[i];
	json_object_object_add(filter, "types", choices(vals, labs, 3,
	    http_query(c->req, "contentTypes")));
	if (json_object_object_get_ex(src, "sources", &arr))
		for (size_t i = 0; i < json_object_array_length(arr) && nn < DOCS_FILTER_MAX; i++) {
			const char *s = str_member(json_object_array_get_idx(arr, i), "source");

			if (s != NULL)
				names[nn++] = s;
		}
	json_object_object_add(filter, "sources", choices(names, names, nn, http_query(c->req, "sources")));
	for (size_t i = 0; i < PSS_ARRAY_LEN(sorts); i++) {
		vals[i] = sorts[i].value;
		labs[i] = sorts[i].label;
	}
	sel = http_query(c->req, "sortBy");
	json_object_object_add(filter, "sorts", choices(vals, labs, 3, sel != NULL ? sel : "relevance"));
	json_object_put(src);
	json_object_object_add(view, "filter", filter);
	total = int_of(view, "total");
	limit = int_of(view, "limit");
	offset = int_of(view, "offset");
	if (offset > 0 || (offset + limit < total && offset + limit <= DOCS_OFFSET_MAX)) {
		struct json_object *pg = json_object_new_object();

		if (offset > 0)
			json_object_object_add(pg, "prevHref", page_href(c, offset > limit ? offset - limit : 0));
		if (offset + limit < total && offset + limit <= DOCS_OFFSET_MAX)
			json_object_object_add(pg, "nextHref", page_href(c, offset + limit));
		json_object_object_add(view, "pager", pg);
	}
	json_reply(c, 200, view);
}

/* doc_link: the reference's relative links: a page (Name.md, ../Module/About/about_X.md)
 * goes to /docs/cmdlet/Name, a site path to learn.microsoft.com; anything else stays. */
static bool
doc_link(void *arg, const char *url, size_t n, struct buf *out)
{
	size_t end = 0, start;

	(void)arg;
	if (n > 0 && url[0] == '/') {
		buf_puts(out, "https://learn.microsoft.com");
		buf_append(out, url, n);
		return true;
	}
	while (end < n && url[end] != '#' && url[end] != '?')
		end++;
	if (end < 4 || strncmp(url + end - 3, ".md", 3) != 0)
		return false;
	end -= 3;
	start = end;
	while (start > 0 && url[start - 1] != '/')
		start--;
	if (start == end)
		return false;
	for (size_t i = start; i < end; i++)
		if (!isalnum((unsigned char)url[i]) && url[i] != '-' && url[i] != '_' && url[i] != '.')
			return false;
	buf_puts(out, "/docs/cmdlet/");
	buf_append(out, url + start, end - start);
	return true;
}

/* GET /docs/:id: {document (without content), html, versions, related, scripts}. */
void
h_page_doc(struct http_ctx *c)
{
	struct json_object *view = json_object_new_object(), *doc, *content, *o = NULL, *arr, *rendered;
	struct viewer v = req_viewer(c);
	struct md_opts mo = { .heading_offset = 1, .link = doc_link };
	struct buf html = BUF_INIT;
	const char *type, *title;
	enum pss_err e;

	if (view_doc_get(c, &doc) != 0) {
		json_object_put(view);
		return;
	}
	if (json_object_object_get_ex(doc, "content", &content) && json_object_is_type(content, json_type_string))
		md_render(&html, json_object_get_string(content), (size_t)json_object_get_string_len(content), &mo);
	json_object_object_del(doc, "content");
	rendered = json_object_new_string_len(buf_cstr(&html), (int)html.len);
	json_object_object_add(view, "html", rendered);
	buf_free(&html);
	if ((e = docs_versions(&c->app->svc, doc, &o)) != PSS_OK)
		goto fail;
	if (json_object_object_get_ex(o, "versions", &arr))
		json_object_object_add(view, "versions", json_object_get(arr));
	json_object_put(o);
	o = NULL;
	if ((e = docs_related(&c->app->svc, int_of(doc, "id"), &o)) != PSS_OK)
		goto fail;
	if (json_object_object_get_ex(o, "documents", &arr))
		json_object_object_add(view, "related", json_object_get(arr));
	json_object_put(o);
	o = NULL;
	type = str_member(doc, "contentType");
	title = str_member(doc, "title");
	if (type != NULL && strcmp(type, "cmdlet") == 0 && title != NULL &&
	    docs_scripts_using(&c->app->svc, &v, title, SCRIPTS_USING_MAX, &o) == PSS_OK &&
	    json_object_object_get_ex(o, "scripts", &arr)) {
		json_object_object_add(view, "scripts", json_object_get(arr));
		json_object_object_add(view, "isCmdlet", json_object_new_boolean(1));
	}
	json_object_put(o);
	json_object_object_add(view, "document", doc);
	/* the document's text rendered, the same for every viewer: compressed alone for a client
	 * that asks (registered once nothing can fail: the view holds it until it is sent) */
	page_piece(c, rendered);
	json_reply(c, 200, view);
	return;
fail:
	json_object_put(o);
	json_object_put(doc);
	json_object_put(view);
	error_from_svc(c, e, NULL, "Document not found.");
}

/* GET /docs/cmdlet/:name: 302 to the document of that cmdlet, alias or about topic. */
void
h_page_doc_cmdlet(struct http_ctx *c)
{
	const char *name = http_param(c->req, "name");
	char loc[48];
	int64_t id;
	enum pss_err e;

	if ((e = docs_find_command(&c->app->svc, name, &id)) != PSS_OK) {
		error_from_svc(c, e, NULL, "No document describes that command.");
		return;
	}
	snprintf(loc, sizeof(loc), "/docs/%lld", (long long)id);
	resp_header(c->resp, "Location", loc);
	buf_reset(&c->resp->body);
	c->resp->status = 302;
	c->resp->content_type = "text/html; charset=utf-8";
}

/* GET /admin/docs: {sources, stats, documents (the most recent)}. */
void
h_page_admin_docs(struct http_ctx *c)
{
	struct json_object *view, *src, *stats, *arr;

	if (view_docs_recent(c, &view) != 0)
		return;
	if (view_docs_sources(c, &src) != 0) {
		json_object_put(view);
		return;
	}
	if (view_docs_stats(c, &stats) != 0) {
		json_object_put(src);
		json_object_put(view);
		return;
	}
	if (json_object_object_get_ex(src, "sources", &arr))
		json_object_object_add(view, "sources", json_object_get(arr));
	json_object_object_add(view, "stats", stats);
	json_object_put(src);
	json_reply(c, 200, view);
}
