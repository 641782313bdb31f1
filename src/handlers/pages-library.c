/* pages-library.c: the script library's pages that compose several views (list with its
 * filter form, script, versions and diff, forms with a category select, uploads); the
 * other library pages reuse the API handlers directly (routes.c) */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cache/cache.h"
#include "handlers/library.h"
#include "handlers/pages.h"
#include "handlers/uploads.h"
#include "http/parse.h"
#include "render/analysisview.h"
#include "render/diffview.h"
#include "render/escape.h"
#include "render/highlight.h"

#define UPLOAD_MAX_PARTS 80	/* as the async upload's parser: 50 files and the fields */

/* The sort choices of the list page (search adds rank). */
static const struct {
	const char *value, *label;
} sorts[] = {
	{ "updatedAt", "Last changed" }, { "createdAt", "Created" }, { "title", "Title" },
	{ "executionCount", "Times run" }, { "securityScore", "Security score" },
};

/* A member of o as a whole number, or def. */
static int64_t
int_member(struct json_object *o, const char *name, int64_t def)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, name, &v) && v != NULL ?
	    json_object_get_int64(v) : def;
}

/* true when the viewer may change the script object (its owner or an administrator). */
static bool
can_edit(const struct http_ctx *c, struct json_object *script)
{
	return c->user != NULL && (c->user->role == ROLE_ADMIN ||
	    int_member(script, "userId", 0) == c->user->id);
}

/* {categories: [{id, name, ..., selected}]}: the categories for a select, the one with the
 * id selected marked. NULL after the builder answered an error. */
static struct json_object *
category_choices(struct http_ctx *c, int64_t selected)
{
	struct json_object *view, *arr;

	if (view_categories_list(c, &view) != 0)
		return NULL;
	if (json_object_object_get_ex(view, "categories", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *cat = json_object_array_get_idx(arr, i);

			json_object_object_add(cat, "selected",
			    json_object_new_boolean(int_member(cat, "id", 0) == selected));
		}
	return view;
}

/* The submitted value of a form field (urlencoded or a multipart text field), or NULL. */
static const char *
form_value(struct http_ctx *c, const char *name)
{
	struct json_object *f, *v;
	const char *csrf, *bad, *out = NULL;

	if (!page_is_form(c->req) || form_decode(c->req->arena, c->req, NULL, true, &f, &csrf, &bad) != PSS_OK)
		return NULL;
	if (json_object_object_get_ex(f, name, &v))
		out = arena_strdup(c->req->arena, json_object_get_string(v));
	json_object_put(f);
	return out;
}

/* The categories of a form's select in c->page_extra, for the page and for the form shown
 * again after an error (the value sent stays selected). false after answering an error. */
static bool
form_categories(struct http_ctx *c, const char *field, int64_t selected)
{
	const char *sent = form_value(c, field);
	int64_t id;

	if (sent != NULL)
		selected = parse_int64(sent, 1, INT32_MAX, &id) == 0 ? id : 0;
	c->page_extra = category_choices(c, selected);
	return c->page_extra != NULL;
}

/* The page's view is done: render it (json_reply) and drop page_extra. */
static void
page_done(struct http_ctx *c, struct json_object *view)
{
	json_reply(c, 200, view);
	json_object_put(c->page_extra);
	c->page_extra = NULL;
}

/* Runs the API handler h with page_extra set, then drops it. */
static void
run_with_extra(struct http_ctx *c, void (*h)(struct http_ctx *))
{
	h(c);
	json_object_put(c->page_extra);
	c->page_extra = NULL;
}

/*
 * A textarea sends every line break as CRLF (HTML's form encoding), so a script shown and
 * sent back unchanged would become a new version with every line changed. The urlencoded
 * body's %0D%0A pairs become %0A: pasted and edited text is stored with LF line breaks,
 * unless the script already has CRLF ones (an uploaded Windows file keeps them).
 */
static void
textarea_lf(struct http_ctx *c)
{
	struct request *r = c->req;
	char *out, *o;

	if (r->body == NULL || r->content_type == NULL ||
	    strcmp(r->content_type, "application/x-www-form-urlencoded") != 0)
		return;
	o = out = arena_alloc(r->arena, r->body_len + 1);
	for (size_t i = 0; i < r->body_len; ) {
		if (i + 6 <= r->body_len && strncasecmp(r->body + i, "%0D%0A", 6) == 0) {
			memcpy(o, "%0A", 3);
			o += 3;
			i += 6;
		} else
			*o++ = r->body[i++];
	}
	*o = '\0';
	r->body = out;
	r->body_len = (size_t)(o - out);
}

/* The link of a tag's list: /scripts?tag=<name percent-encoded> (a template escapes for
 * HTML, not for a URL). */
static struct json_object *
tag_href(const char *name)
{
	struct buf b = BUF_INIT;
	struct json_object *s;

	buf_puts(&b, "/scripts?tag=");
	esc_url_arg(&b, name, strlen(name));
	s = json_object_new_string(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* tagLinks: [{name, href}] beside the tags of a script object. */
static void
tag_links(struct json_object *script)
{
	struct json_object *tags, *links = json_object_new_array();

	if (json_object_object_get_ex(script, "tags", &tags))
		for (size_t i = 0; i < json_object_array_length(tags); i++) {
			const char *n = json_object_get_string(json_object_array_get_idx(tags, i));
			struct json_object *l = json_object_new_object();

			json_object_object_add(l, "name", json_object_new_string(n));
			json_object_object_add(l, "href", tag_href(n));
			json_object_array_add(links, l);
		}
	json_object_object_add(script, "tagLinks", links);
}

/* tagLinks and the score badges (av_score_badges) for every script of a list view. */
static void
list_tag_links(struct json_object *view)
{
	struct json_object *arr;

	if (json_object_object_get_ex(view, "scripts", &arr)) {
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			tag_links(json_object_array_get_idx(arr, i));
		av_score_badges(arr);
	}
}

/* GET /categories/:id: the category's scripts (the API's view) with tag links. */
void
h_page_category(struct http_ctx *c)
{
	struct json_object *view;

	if (view_category_scripts(c, &view) != 0)
		return;
	list_tag_links(view);
	json_reply(c, 200, view);
}

/* GET /tags/:id: the tag's scripts (the API's view) with tag links and the filter link. */
void
h_page_tag(struct http_ctx *c)
{
	struct json_object *view, *tag, *name;

	if (view_tag_get(c, &view) != 0)
		return;
	list_tag_links(view);
	if (json_object_object_get_ex(view, "tag", &tag) && json_object_object_get_ex(tag, "name", &name))
		json_object_object_add(tag, "href", tag_href(json_object_get_string(name)));
	json_reply(c, 200, view);
}

/* ---- the list ---- */

/* The search modes for the form's select, the one asked for (or hybrid, the page's default)
 * selected. */
static struct json_object *
mode_choices(const char *mode)
{
	static const struct { const char *value, *label; } modes[] = {
		{ "hybrid", "Words and meaning" }, { "keyword", "Words only" },
		{ "semantic", "Meaning only" },
	};
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < PSS_ARRAY_LEN(modes); i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "value", json_object_new_string(modes[i].value));
		json_object_object_add(o, "label", json_object_new_string(modes[i].label));
		json_object_object_add(o, "selected", json_object_new_boolean(mode != NULL && *mode != '\0' ?
		    strcmp(mode, modes[i].value) == 0 : i == 0));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The filter form's state: the query's values and, for the selects, which option is on. */
static struct json_object *
filter_state(struct http_ctx *c, bool search)
{
	static const char *const names[] = { "q", "categoryId", "tag", "sort", "order", "limit" };
	static const char *const mins[] = { "9", "7", "5", "3" };
	const char *min = http_query(c->req, "minSecurityScore");
	struct json_object *mo = json_object_new_array();
	struct json_object *f = json_object_new_object(), *opts = json_object_new_array();
	const char *v, *sort = http_query(c->req, "sort");
	const char *pub = http_query(c->req, "isPublic"), *order = http_query(c->req, "order");

	for (size_t i = 0; i < PSS_ARRAY_LEN(names); i++)
		if ((v = http_query(c->req, names[i])) != NULL)
			json_object_object_add(f, names[i], json_object_new_string(v));
	json_object_object_add(f, "mine", json_object_new_boolean((v = http_query(c->req, "mine")) != NULL &&
	    (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)));
	json_object_object_add(f, "public", json_object_new_boolean(pub != NULL &&
	    (strcmp(pub, "true") == 0 || strcmp(pub, "1") == 0)));
	json_object_object_add(f, "private", json_object_new_boolean(pub != NULL &&
	    (strcmp(pub, "false") == 0 || strcmp(pub, "0") == 0)));
	json_object_object_add(f, "asc", json_object_new_boolean(order != NULL && strcasecmp(order, "asc") == 0));
	json_object_object_add(f, "search", json_object_new_boolean(search));
	json_object_object_add(f, "modes", mode_choices(http_query(c->req, "mode")));
	if (search) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "value", json_object_new_string("rank"));
		json_object_object_add(o, "label", json_object_new_string("Best match"));
		json_object_object_add(o, "selected", json_object_new_boolean(sort == NULL || *sort == '\0' ||
		    strcmp(sort, "rank") == 0));
		json_object_array_add(opts, o);
	}
	for (size_t i = 0; i < PSS_ARRAY_LEN(sorts); i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "value", json_object_new_string(sorts[i].value));
		json_object_object_add(o, "label", json_object_new_string(sorts[i].label));
		json_object_object_add(o, "selected", json_object_new_boolean(sort != NULL &&
		    strcmp(sort, sorts[i].value) == 0));
		json_object_array_add(opts, o);
	}
	json_object_object_add(f, "sorts", opts);
	for (size_t i = 0; i < PSS_ARRAY_LEN(mins); i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "value", json_object_new_string(mins[i]));
		json_object_object_add(o, "selected", json_object_new_boolean(min != NULL &&
		    strcmp(min, mins[i]) == 0));
		json_object_array_add(mo, o);
	}
	json_object_object_add(f, "minSecurityScores", mo);
	return f;
}

/*
 * GET /scripts: the list (or, with q, the keyword search) with the filter form's state and
 * the categories of its select. {scripts, total, page, totalPages, nextCursor, [query],
 * filter, categories}
 */
void
h_page_scripts(struct http_ctx *c)
{
	const char *q = http_query(c->req, "q");
	bool search = q != NULL && *q != '\0';
	struct json_object *view, *cats, *arr;
	int64_t cat = 0;

	if ((search ? view_scripts_search(c, &view) : view_scripts_list(c, &view)) != 0)
		return;
	(void)req_query_int(c, "categoryId", 1, INT32_MAX, &cat);	/* parsed already */
	if ((cats = category_choices(c, cat)) == NULL) {
		json_object_put(view);
		return;
	}
	if (json_object_object_get_ex(cats, "categories", &arr))
		json_object_object_add(view, "categories", json_object_get(arr));
	json_object_put(cats);
	list_tag_links(view);
	json_object_object_add(view, "filter", filter_state(c, search));
	json_reply(c, 200, view);
}

/* ---- one script ---- */

/*
 * The versions list of the script :id for a page, cached as scripts:versions:{id}. Call it
 * only after the script itself was read for this viewer (view_script_*: 404 when they
 * may not see it), since the entry is shared by every viewer. Every write that changes a
 * script's versions (update, revert, delete, upload, a user renamed) invalidates scripts:*
 * (the library's operations, CACHE_LIB_LISTS), which takes this entry too; like the lists it
 * lives at most CACHE_TTL_SCRIPTS. The list diffs every version against the one before, so
 * uncached it is the page's dearest part. 0, or -1 after the builder answered.
 */
static int
versions_cached(struct http_ctx *c, int64_t id, struct json_object **out)
{
	char key[64];
	int ttl = library_versions_key(key, sizeof(key), id);

	if ((*out = view_cache_get(c, key)) != NULL)
		return 0;
	if (view_versions_list(c, out) != 0)
		return -1;
	view_cache_put(c, key, *out, ttl);
	return 0;
}

/* The filter of the findings from the query (kind, severity), for the page at base, and the
 * source's window asked for (from: a line number, 1 when absent; lines=all: every line;
 * add_analysis fits from to the script); false after answering 400 for a value that names
 * nothing. A from past the end is not an error (the script may have got shorter since the
 * link was made): add_analysis shows the last window. */
static bool
findings_filter(struct http_ctx *c, const char *base, struct av_filter *f)
{
	const char *from = http_query(c->req, "from"), *lines = http_query(c->req, "lines");

	f->kind = av_kind_parse(http_query(c->req, "kind"));
	f->sev = av_sev_parse(http_query(c->req, "severity"));
	f->base = base;
	f->from = 1;
	f->all = false;
	if (from != NULL && *from != '\0') {
		size_t n = strspn(from, "0123456789");

		if (from[n] != '\0' || (f->from = n > 9 ? UINT_MAX : (unsigned)strtoul(from, NULL, 10)) == 0) {
			field_error(c, "from", "from must be a line number: 1 or more.");
			return false;
		}
	}
	if (lines != NULL && *lines != '\0') {
		if (strcmp(lines, "all") != 0) {
			field_error(c, "lines", "lines must be all (the whole script) or left out.");
			return false;
		}
		f->all = true;
	}
	if (f->kind < 0) {
		field_error(c, "kind", "kind must be security, practice, performance or risk.");
		return false;
	}
	if (f->sev < 0) {
		field_error(c, "severity", "severity must be error, warning or information.");
		return false;
	}
	return true;
}

/*
 * A worker's copies of the fragments it last served (add_analysis), kept as the JSON strings
 * the page's view takes (shared by reference: no copy of their bytes a view). A fragment's key
 * names everything its bytes depend on (script, filter, window, the content's and the
 * analysis's stamp, the markup's version), so the bytes under a key never change: a copy
 * needs no invalidation, and saves the read from Redis and two copies of 100 KB or more for
 * the bench's page. Only fragments that parsed or were rendered here are kept; eight of them,
 * each at most FRAG_MEMO_MAX bytes.
 */
#define FRAG_MEMO_SLOTS 8
#define FRAG_MEMO_MAX (1u << 20)
struct frag {
	struct json_object *html, *rows;	/* strings; html NULL: no analysis section */
	unsigned long long nshown, lines, total;
	int		 trunc;
};
static struct frag_memo {
	char		 key[160];
	struct frag	 f;
} frag_memo[FRAG_MEMO_SLOTS];
static unsigned frag_memo_next;

static void
frag_free(struct frag *f)
{
	json_object_put(f->html);
	json_object_put(f->rows);
	memset(f, 0, sizeof(*f));
}

/* frag_memo_get: true with *f (its own references) when a copy is kept under key */
static bool
frag_memo_get(const char *key, struct frag *f)
{
	for (size_t i = 0; i < FRAG_MEMO_SLOTS; i++)
		if (frag_memo[i].f.rows != NULL && strcmp(frag_memo[i].key, key) == 0) {
			*f = frag_memo[i].f;
			json_object_get(f->html);
			json_object_get(f->rows);
			return true;
		}
	return false;
}

/* frag_memo_put: keeps a reference to f under key, in place of the oldest copy; false when
 * it is too large to keep. */
static bool
frag_memo_put(const char *key, const struct frag *f)
{
	struct frag_memo *m = &frag_memo[frag_memo_next % FRAG_MEMO_SLOTS];
	size_t n = (f->html != NULL ? (size_t)json_object_get_string_len(f->html) : 0) +
	    (size_t)json_object_get_string_len(f->rows);

	if (n > FRAG_MEMO_MAX || strlen(key) >= sizeof(m->key))
		return false;
	frag_memo_next++;
	frag_free(&m->f);
	snprintf(m->key, sizeof(m->key), "%s", key);
	m->f = *f;
	json_object_get(m->f.html);
	json_object_get(m->f.rows);
	return true;
}

/* frag_parse: the cached value's parts (header "#av <shown> <lines> <totalLines> <truncated>
 * <html bytes>\n", the analysis HTML, the rows) into *f; false when it does not parse. */
static bool
frag_parse(const char *v, size_t len, struct frag *f)
{
	const char *nl = memchr(v, '\n', len < 128 ? len : 128);
	unsigned long long hlen;
	char head[128];
	size_t used;

	if (nl == NULL)
		return false;
	/* the header line by itself: sscanf on the whole value would measure all of it */
	memcpy(head, v, (size_t)(nl - v));
	head[nl - v] = '\0';
	used = (size_t)(nl - v) + 1;
	if (sscanf(head, "#av %llu %llu %llu %d %llu", &f->nshown, &f->lines, &f->total, &f->trunc,
	    &hlen) != 5 || hlen > len - used)
		return false;
	f->html = hlen > 0 ? json_object_new_string_len(v + used, (int)hlen) : NULL;
	f->rows = json_object_new_string_len(v + used + hlen, (int)(len - used - hlen));
	return true;
}

/*
 * The analysis of the partials (templates/analysis/) in view: analysisHtml (the analysis
 * rendered by analysis/report from av_view: scores, findings grouped and filtered,
 * commands, ...; analysis/view writes it), analysisView {shown} (absent when there is no
 * analysis), and the highlighted source with the flagged lines marked (sourceRows, safe
 * HTML, and source: {lines, totalLines, truncated}). The script page and /analyze share
 * it; a version's page has no analysis (analysis and f NULL): the plain highlighted rows.
 * With id (the script page) the fragment is cached per content, analysis and filter
 * (library_analysis_view_key) and window of lines: a hit skips the highlighting, the marks and
 * the rendering. On a page with filter links (the script page) a script longer than
 * AV_WINDOW lines shows the window filter->from holds (clamped to the last one; every line
 * with filter->all), with source.pager (av_pager); the links to lines elsewhere name their
 * window (docs/pages.md, "The source in windows").
 * The cached value: "#av <shown> <lines> <totalLines> <truncated> <html bytes>\n", the
 * analysis HTML, then the rows. known: the content's line count and the fragment's stamp
 * when the caller has them (the script memo), else NULL (a pass over the content each).
 */
struct src_known {
	size_t		 nlines;	/* av_count_lines */
	uint64_t	 stamp;		/* library_analysis_stamp */
};

static void
add_analysis(struct http_ctx *c, struct json_object *view, int64_t id,
    struct json_object *analysis, const char *text, size_t len, const struct av_filter *filter,
    const struct src_known *known)
{
	struct av_filter win = filter != NULL ? *filter : (struct av_filter){ AV_KIND__MAX, AV_SEV__MAX,
	    NULL, 0, false }, *f = filter != NULL ? &win : NULL;
	struct json_object *pager = NULL;
	size_t nlines;
	struct hl_lines hl;
	struct av_marks marks = { NULL, 0 };
	struct buf rows = BUF_INIT, html = BUF_INIT;
	struct json_object *s = json_object_new_object(), *av = NULL, *ctx, *shown = NULL;
	char key[160], *got;
	size_t gotlen = 0;
	struct frag fr = { NULL, NULL, 0, 0, 0, 0 };
	bool have = false, kept = false;	/* kept: fr's strings are the memo's */
	void (*piece)(struct http_ctx *, struct json_object *);

	if (win.base != NULL) {	/* the window: only a script longer than one has them */
		nlines = known != NULL ? known->nlines : av_count_lines(text, len);
		if (nlines <= AV_WINDOW || win.all) {
			win.from = 0;
			win.all = nlines > AV_WINDOW;
		} else
			win.from = av_window_of(win.from < nlines ? win.from : (unsigned)nlines);
		pager = av_pager(&win, nlines);
	}
	key[0] = '\0';
	if (id > 0 && analysis != NULL) {
		size_t kl;

		library_analysis_view_key(key, sizeof(key), id, known != NULL ? known->stamp :
		    library_analysis_stamp(text, len, analysis), f->kind, f->sev);
		kl = strlen(key);
		if ((size_t)snprintf(key + kl, sizeof(key) - kl, ":" AV_MARKUP_VERSION ":w%u", win.from) >=
		    sizeof(key) - kl)
			key[0] = '\0';	/* not cached */
		if (key[0] != '\0' && !(have = kept = frag_memo_get(key, &fr)) &&
		    (got = library_analysis_view_get(&c->app->svc, key, &gotlen)) != NULL) {
			if ((have = frag_parse(got, gotlen, &fr)))
				kept = frag_memo_put(key, &fr);
			free(got);
		}
	}
	if (!have) {
		if (analysis != NULL && (av = av_view(analysis, f, &marks)) != NULL) {
			struct mus_error err = { 0 };

			json_object_object_get_ex(av, "shown", &shown);
			fr.nshown = shown != NULL ? (unsigned long long)json_object_get_int64(shown) : 0;
			ctx = json_object_new_object();
			json_object_object_add(ctx, "analysisView", av);
			if (page_setup(c->app->conf->data_dir, conf_is_dev(c->app->conf), &err) != PSS_OK ||
			    page_render("analysis/report", ctx, NULL, &html, &err) != PSS_OK) {
				log_error("analysis/report: %s", err.msg);
				buf_reset(&html);
				key[0] = '\0';	/* not kept */
			}
			json_object_put(ctx);
			/* the section is shown (an empty one when its rendering failed) */
			fr.html = json_object_new_string_len(html.data != NULL ? html.data : "",
			    (int)html.len);
		}
		hl_render(text, len, &hl);
		av_rows_window(&rows, &hl, &marks, win.from, win.from > 0 ? AV_WINDOW : 0);
		fr.lines = hl.n;
		fr.total = hl.total_lines;
		fr.trunc = hl.truncated;
		fr.rows = json_object_new_string_len(rows.data != NULL ? rows.data : "", (int)rows.len);
		av_marks_free(&marks);
		hl_lines_free(&hl);
		if (key[0] != '\0' && av != NULL) {
			struct buf v = BUF_INIT;

			buf_printf(&v, "#av %llu %llu %llu %d %llu\n", fr.nshown, fr.lines, fr.total,
			    fr.trunc, (unsigned long long)html.len);
			buf_append(&v, html.data, html.len);
			buf_append(&v, rows.data, rows.len);
			library_analysis_view_put(&c->app->svc, key, v.data, v.len);
			buf_free(&v);
			kept = frag_memo_put(key, &fr);
		}
	}
	/* the memo's strings are the same for every viewer of this fragment; else they were made
	 * now from the content (/analyze: the request's own), with no secret */
	piece = kept ? page_shared : page_piece;
	if (analysis != NULL && fr.html != NULL) {
		struct json_object *marker = json_object_new_object();

		json_object_object_add(marker, "shown", json_object_new_int64((int64_t)fr.nshown));
		json_object_object_add(view, "analysisView", marker);
		json_object_object_add(view, "analysisHtml", json_object_get(fr.html));
		piece(c, fr.html);
	}
	json_object_object_add(view, "sourceRows", json_object_get(fr.rows));
	piece(c, fr.rows);
	json_object_object_add(s, "lines", json_object_new_int64((int64_t)fr.lines));
	json_object_object_add(s, "totalLines", json_object_new_int64((int64_t)fr.total));
	json_object_object_add(s, "truncated", json_object_new_boolean(fr.trunc));
	if (pager != NULL)
		json_object_object_add(s, "pager", pager);
	json_object_object_add(view, "source", s);
	frag_free(&fr);
	buf_free(&rows);
	buf_free(&html);
}

/*
 * The page's "similar scripts" (library_similar, 5 of them) as view.similar, each with its
 * similarity in whole percent; nothing when they cannot be had (the page stands without).
 * Cached as scripts:similar:{id}:{viewer} (the answer depends on what the viewer may see:
 * the user id, and "a" for an administrator, so a changed role is another key): uncached,
 * library_similar checks the script's visibility again (with its vector, one statement)
 * and searches the vectors, which was half of the page's worker instructions and 6 ms of
 * PostgreSQL's CPU a view in bench/analysis-page.sh (when it read the whole script). Every library
 * write drops scripts:* (CACHE_LIB_LISTS: titles, categories, visibility, deletions); a
 * script embedded since shows up within CACHE_TTL_SCRIPTS. An answer for a script not yet
 * embedded (method "...:none" with an embedder configured) is not kept, so its own list
 * appears as soon as its vector does.
 */
static void
similar_scripts(struct http_ctx *c, struct json_object *view)
{
	struct viewer v = req_viewer(c);
	struct json_object *script, *sim = NULL, *arr, *m;
	const char *method;
	char key[96];
	int64_t id;

	if (!json_object_object_get_ex(view, "script", &script))
		return;
	id = int_member(script, "id", 0);
	snprintf(key, sizeof(key), "scripts:similar:%lld:%lld%s", (long long)id,
	    (long long)v.user_id, v.admin ? "a" : "");
	if ((sim = view_cache_get(c, key)) != NULL) {
		json_object_object_add(view, "similar", sim);
		return;
	}
	if (library_similar(&c->app->svc, &v, id, 5, 0.2, &sim, NULL) != PSS_OK)
		return;
	if (json_object_object_get_ex(sim, "similarScripts", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *it = json_object_array_get_idx(arr, i), *s;

			if (json_object_object_get_ex(it, "similarity", &s))
				json_object_object_add(it, "similarityPercent",
				    json_object_new_int((int)(json_object_get_double(s) * 100 + 0.5)));
		}
	method = json_object_object_get_ex(sim, "method", &m) ? json_object_get_string(m) : "";
	if (strlen(method) < 5 || strcmp(method + strlen(method) - 5, ":none") != 0)
		view_cache_put(c, key, sim, CACHE_TTL_SCRIPTS);
	json_object_object_add(view, "similar", sim);
}

/*
 * GET /scripts/:id[?kind&severity]: {script (without content and analysis), canEdit,
 * versions, totalVersions, executions (owner or admin), analysisView, analysisPending,
 * sourceRows, source, similar}. The script is the shared cached object (view_script_get,
 * which carries the full analysis and its state); the analysis section and the marked rows
 * are a cached fragment (add_analysis), the similar scripts a cached list. While a
 * re-analysis is queued or running the page refreshes itself.
 */
/*
 * A worker's memo of the script objects its pages parsed. The shared script:{id} entry
 * carries the content and the whole analysis (some 250 KB of JSON for the bench's
 * 1,000-line script), and parsing it was two thirds of the page's instructions, although
 * on a fragment hit (add_analysis) the page needs only the head, the content's hash and the
 * analysis's stamp. So each worker keeps, for a few scripts, the entry's exact text and its
 * parsed parts: a page whose entry still has those bytes (memcmp) takes a copy of the head
 * and borrows the rest; while nothing was invalidated since the entry was last read (its
 * cache_mark, as the hot sessions'), the page does not read it again. Anything else (another text, a miss, a script this viewer may
 * not see) goes the ordinary way. Exact bytes, so never stale: a write drops the entry, the
 * next page reads a new text and replaces the memo.
 */
#define SCRIPT_MEMO_SLOTS 8
#define SCRIPT_MEMO_MAX (4u << 20)	/* larger entries are parsed on each view */
#define SCRIPT_MEMO_MS 60000	/* a fresh mark skips the read for at most this long */
static struct script_memo {
	int64_t		 id;
	char		*text;
	size_t		 len;
	struct json_object *head;	/* the script without content and analysis */
	struct json_object *content, *analysis;	/* NULL when absent */
	struct src_known known;	/* of content and analysis: a pass over 40 KB or more saved */
	struct cache_mark mark;	/* when text was last seen in Redis */
	int64_t		 read_ms;	/* then, on the monotonic clock */
} memo[SCRIPT_MEMO_SLOTS];

static void
memo_clear(struct script_memo *m)
{
	free(m->text);
	json_object_put(m->head);
	json_object_put(m->content);
	json_object_put(m->analysis);
	memset(m, 0, sizeof(*m));
}

/* script_memo: the memo of the script :id for this viewer (1), or 0 (the caller reads the
 * script the ordinary way, which answers every error). */
static int
script_memo(struct http_ctx *c, int64_t id, struct script_memo **out)
{
	struct viewer v = req_viewer(c);
	struct library_cached e;
	struct script_memo *m = &memo[(uint64_t)id % SCRIPT_MEMO_SLOTS];
	struct json_object *o, *x;
	struct cache *cache = c->app->svc.cache;
	struct cache_mark mark;
	char key[48];

	if (cache != NULL && m->id == id && m->text != NULL &&
	    time_mono_ms() - m->read_ms < SCRIPT_MEMO_MS && cache_mark_fresh(cache, m->mark)) {
		/* nothing invalidated since the text was read: it is still Redis's */
		if (!library_script_visible(&v, m->head))
			return 0;
		*out = m;
		return 1;
	}
	mark = cache != NULL ? cache_mark(cache) : (struct cache_mark){ 0, 0 };
	library_script_key(key, sizeof(key), id);
	if (library_cache_text(&c->app->svc, key, &v, &e) != 1)
		return 0;
	if (m->id == id && m->len == e.len && memcmp(m->text, e.json, e.len) == 0) {
		library_cached_free(&e);
		m->mark = mark;
		m->read_ms = time_mono_ms();
		*out = m;
		return 1;
	}
	if (e.len > SCRIPT_MEMO_MAX || (o = json_tokener_parse(e.json)) == NULL ||
	    !json_object_is_type(o, json_type_object) || !library_script_visible(&v, o)) {
		if (e.len <= SCRIPT_MEMO_MAX)
			json_object_put(o);
		library_cached_free(&e);
		return 0;
	}
	memo_clear(m);
	m->id = id;
	m->text = xmalloc(e.len);
	memcpy(m->text, e.json, e.len);
	m->len = e.len;
	m->content = json_object_object_get_ex(o, "content", &x) ? json_object_get(x) : NULL;
	m->analysis = json_object_object_get_ex(o, "analysis", &x) ? json_object_get(x) : NULL;
	json_object_object_del(o, "content");
	json_object_object_del(o, "analysis");
	m->head = o;
	{
		const char *t = m->content != NULL ? json_object_get_string(m->content) : "";
		size_t tl = m->content != NULL ? (size_t)json_object_get_string_len(m->content) : 0;

		m->known.nlines = av_count_lines(t, tl);
		m->known.stamp = library_analysis_stamp(t, tl, m->analysis);
	}
	m->mark = mark;
	m->read_ms = time_mono_ms();
	library_cached_free(&e);
	*out = m;
	return 1;
}

void
h_page_script(struct http_ctx *c)
{
	struct json_object *view = json_object_new_object(), *script, *versions, *ex, *v, *content;
	struct json_object *analysis, *state, *status;
	struct script_memo *m = NULL;
	struct av_filter f;
	char base[40];
	bool edit;
	int64_t pid = req_path_id(c, "id", "id");

	if (pid == 0) {
		json_object_put(view);
		return;
	}
	script = NULL;
	if (script_memo(c, pid, &m) == 1 && json_object_deep_copy(m->head, &script, NULL) != 0)
		m = NULL;
	if (m == NULL && view_script_get(c, &script) != 0) {
		json_object_put(view);
		return;
	}
	snprintf(base, sizeof(base), "/scripts/%lld", (long long)int_member(script, "id", 0));
	edit = can_edit(c, script);
	if (!findings_filter(c, base, &f) ||
	    versions_cached(c, int_member(script, "id", 0), &versions) != 0 ||
	    (edit && view_executions_list(c, &ex) != 0)) {
		json_object_put(script);
		json_object_put(view);
		return;
	}
	if (m != NULL) {
		content = json_object_get(m->content);
		analysis = json_object_get(m->analysis);
	} else {
		content = json_object_object_get_ex(script, "content", &content) ?
		    json_object_get(content) : NULL;
		analysis = json_object_object_get_ex(script, "analysis", &analysis) ?
		    json_object_get(analysis) : NULL;
	}
	json_object_object_del(script, "content");
	json_object_object_del(script, "analysis");
	add_analysis(c, view, int_member(script, "id", 0), analysis,
	    content != NULL ? json_object_get_string(content) : "",
	    content != NULL ? (size_t)json_object_get_string_len(content) : 0, &f,
	    m != NULL ? &m->known : NULL);
	json_object_put(analysis);
	json_object_put(content);
	if (json_object_object_get_ex(script, "analysisState", &state) &&
	    json_object_object_get_ex(state, "status", &status)) {
		const char *st = json_object_get_string(status);

		json_object_object_add(view, "analysisPending", json_object_new_boolean(
		    strcmp(st, "queued") == 0 || strcmp(st, "running") == 0));
	}
	tag_links(script);
	json_object_object_add(view, "script", script);
	json_object_object_add(view, "canEdit", json_object_new_boolean(edit));
	if (json_object_object_get_ex(versions, "versions", &v))
		json_object_object_add(view, "versions", json_object_get(v));
	json_object_object_add(view, "totalVersions", json_object_new_int64(int_member(versions,
	    "totalVersions", 0)));
	json_object_put(versions);
	if (edit) {
		if (json_object_object_get_ex(ex, "executions", &v))
			json_object_object_add(view, "executions", json_object_get(v));
		json_object_put(ex);
	}
	similar_scripts(c, view);
	json_reply(c, 200, view);
}

/* POST /scripts/:id/analyze: the owner or an administrator queues a new analysis
 * (library_analysis_queue; one queued job at most), then the script page shows its
 * progress. */
void
h_page_script_analyze(struct http_ctx *c)
{
	struct viewer v = req_viewer(c);
	struct svc_err err = { 0 };
	int64_t id = req_path_id(c, "id", "id");
	enum pss_err e;

	if (id == 0)
		return;
	if ((e = library_analysis_queue(&c->app->svc, &v, id, NULL, &err)) != PSS_OK) {
		error_from_svc(c, e, &err, "Script not found.");
		return;
	}
	json_reply(c, 200, json_object_new_object());
}

/* ---- /analyze: analysis without storing ---- */

/* GET /analyze: the form (and, signed in, nothing more: the save form comes with a result). */
void
h_page_analyze_form(struct http_ctx *c)
{
	json_reply(c, 200, json_object_new_object());
}

/*
 * POST /analyze (multipart: the textarea content, or a file in "file"; a urlencoded form
 * works too): library_analysis_adhoc's analysis of the text, nothing stored, shown with
 * the script page's partials (not filterable: the answer to a POST has no address). Signed
 * in, the page adds the new-script form with the text (form.content, form.title) and the
 * categories, which posts to /scripts. Empty, over 1 MB or not UTF-8 text: the form again
 * with the service's message (400, 413).
 */
void
h_page_analyze(struct http_ctx *c)
{
	const struct request *r = c->req;
	struct json_object *body, *view, *analysis, *form, *content, *v;
	struct svc_err err = { 0 };
	struct av_filter f = { AV_KIND__MAX, AV_SEV__MAX, NULL, 0, false };
	const char *text = "", *filename = NULL, *boundary;
	struct mpartlist parts = { 0 };
	size_t len = 0;
	enum pss_err e;

	if ((body = page_form_body(c)) == NULL)
		return;
	if (json_object_object_get_ex(body, "content", &v) && json_object_is_type(v, json_type_string)) {
		text = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
	}
	if (r->content_type != NULL && strcmp(r->content_type, "multipart/form-data") == 0 &&
	    multipart_boundary(r->arena, r->content_type_full, &boundary) == PSS_OK &&
	    multipart_parse(r->arena, boundary, r->body, r->body_len, 8, &parts) == PSS_OK) {
		const struct mpart *p = multipart_get(&parts, "file");

		if (p != NULL && p->filename != NULL && p->filename[0] != '\0') {
			text = p->data;
			len = p->len;
			filename = p->filename;
		}
	}
	if ((e = library_analysis_adhoc(&c->app->svc, text, len, filename, &analysis, &err)) != PSS_OK) {
		json_object_put(body);
		if (e == PSS_EINVAL && err.field != NULL && strcmp(err.field, "fileName") == 0)
			field_error(c, "file", "Choose a .ps1, .psm1 or .psd1 file.");
		else
			error_from_svc(c, e, &err, NULL);
		return;
	}
	view = json_object_new_object();
	add_analysis(c, view, 0, analysis, text, len, &f, NULL);
	json_object_put(analysis);
	form = json_object_new_object();
	content = json_object_new_string_len(text, (int)len);
	json_object_object_add(form, "content", content);
	json_object_object_add(form, "title", json_object_new_string(filename != NULL ? filename : ""));
	json_object_object_add(view, "form", form);
	json_object_object_add(view, "fileName", filename != NULL ? json_object_new_string(filename) : NULL);
	json_object_put(body);
	if (c->user != NULL) {
		struct json_object *cats = category_choices(c, 0), *arr;

		if (cats == NULL) {
			json_object_put(view);
			return;
		}
		if (json_object_object_get_ex(cats, "categories", &arr))
			json_object_object_add(view, "categories", json_object_get(arr));
		json_object_put(cats);
	}
	/* the posted text, echoed (escaped) in the form and, signed in, in the save form: the
	 * request's own text, no secret, so a piece of its own as the analysis is */
	page_piece(c, content);
	page_piece(c, content);
	json_reply(c, 200, view);
}

/* GET /scripts/:id/versions/:n: {version (without content), script, canEdit, sourceRows,
 * source}. */
void
h_page_version(struct http_ctx *c)
{
	struct json_object *view = json_object_new_object(), *script, *version, *content;

	if (view_script_get(c, &script) != 0) {
		json_object_put(view);
		return;
	}
	if (view_version_get(c, &version) != 0) {
		json_object_put(script);
		json_object_put(view);
		return;
	}
	json_object_object_del(script, "content");
	content = json_object_object_get_ex(version, "content", &content) ? json_object_get(content) : NULL;
	json_object_object_del(version, "content");
	add_analysis(c, view, 0, NULL, content != NULL ? json_object_get_string(content) : "",
	    content != NULL ? (size_t)json_object_get_string_len(content) : 0, NULL, NULL);
	json_object_put(content);
	json_object_object_add(view, "canEdit", json_object_new_boolean(can_edit(c, script)));
	json_object_object_add(view, "isCurrent", json_object_new_boolean(int_member(version, "version", 0) ==
	    int_member(script, "version", -1)));
	json_object_object_add(view, "script", script);
	json_object_object_add(view, "version", version);
	json_reply(c, 200, view);
}

/* Marks the entry of arr whose "version" is n with name: true. */
static void
mark_version(struct json_object *arr, int64_t n, const char *name)
{
	for (size_t i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		json_object_object_add(o, name, json_object_new_boolean(int_member(o, "version", 0) == n));
	}
}

/*
 * GET /scripts/:id/versions[?from&to&view]: the versions and, with two versions, the diff
 * between from and to (default: the last two) as split or unified rows (diffview.h).
 * {scriptId, scriptTitle, currentVersion, totalVersions, versions, canEdit, compare:
 * {fromVersion, toVersion, linesAdded, linesRemoved, coarse, hunks, truncated, split,
 * unified}}
 */
void
h_page_versions(struct http_ctx *c)
{
	struct json_object *view, *script, *cmp, *arr = NULL, *cv = json_object_new_object();
	struct viewer vw = req_viewer(c);
	enum dv_mode mode = dv_mode_parse(http_query(c->req, "view"));
	int64_t from = 0, to = 0, cur, id;
	int rf, rt;
	bool trunc = false;
	enum pss_err e;

	if (mode == DV__MAX) {
		json_object_put(cv);
		field_error(c, "view", "view must be split or unified.");
		return;
	}
	if ((rf = req_query_int(c, "from", 1, INT32_MAX, &from)) < 0 ||
	    (rt = req_query_int(c, "to", 1, INT32_MAX, &to)) < 0 ||
	    (id = req_path_id(c, "id", "id")) == 0 || view_script_by_id(c, id, &script) != 0) {
		json_object_put(cv);
		return;
	}
	if (versions_cached(c, id, &view) != 0) {
		json_object_put(script);
		json_object_put(cv);
		return;
	}
	json_object_object_add(view, "canEdit", json_object_new_boolean(can_edit(c, script)));
	json_object_put(script);
	cur = int_member(view, "currentVersion", 1);
	if (rf == 0)
		from = cur > 1 ? cur - 1 : 1;
	if (rt == 0)
		to = cur;
	json_object_object_get_ex(view, "versions", &arr);
	mark_version(arr, cur, "isCurrent");
	if (json_object_array_length(arr) < 2) {
		json_object_put(cv);
		json_reply(c, 200, view);
		return;
	}
	if ((e = library_versions_compare(&c->app->svc, &vw, id, from, to, &cmp)) != PSS_OK) {
		json_object_put(view);
		json_object_put(cv);
		error_from_svc(c, e, NULL, "Script or version not found.");
		return;
	}
	json_object_object_foreach(cmp, k, val) {
		if (strcmp(k, "hunks") != 0 && strcmp(k, "unified") != 0)
			json_object_object_add(cv, k, json_object_get(val));
	}
	json_object_object_add(cv, "hunks", dv_hunks_max(cmp, mode, DV_MAX_ROWS, &trunc));
	json_object_object_add(cv, "truncated", json_object_new_boolean(trunc));
	json_object_object_add(cv, mode == DV_UNIFIED ? "unified" : "split", json_object_new_boolean(1));
	json_object_put(cmp);
	json_object_object_add(view, "compare", cv);
	mark_version(arr, from, "isFrom");
	/* the "to" select needs its own copies of the flags */
	{
		struct json_object *tos = json_object_new_array();

		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *o = json_object_array_get_idx(arr, i), *t = json_object_new_object();

			json_object_object_add(t, "version", json_object_new_int64(int_member(o, "version", 0)));
			json_object_object_add(t, "selected", json_object_new_boolean(int_member(o, "version", 0) == to));
			json_object_array_add(tos, t);
		}
		json_object_object_add(view, "toChoices", tos);
	}
	json_reply(c, 200, view);
}

/* ---- forms ---- */

/* A confirmation page (delete, revert) of the script :id: the API handler h's view when the
 * viewer may change the script, else 403 (404 when they may not see it), as its POST would
 * answer. */
static void
owner_only(struct http_ctx *c, void (*h)(struct http_ctx *))
{
	struct json_object *script;
	bool edit;

	if (view_script_get(c, &script) != 0)
		return;
	edit = can_edit(c, script);
	json_object_put(script);
	if (!edit)
		error_reply(c, 403, "forbidden", "Only the owner or an administrator may do this.", NULL);
	else
		h(c);
}

/* GET /scripts/:id/delete: h_scripts_get's {script} for the owner or an administrator. */
void
h_page_script_delete(struct http_ctx *c)
{
	owner_only(c, h_scripts_get);
}

/* GET /scripts/:id/revert/:n: h_versions_get's {version} for the owner or an administrator. */
void
h_page_script_revert(struct http_ctx *c)
{
	owner_only(c, h_versions_get);
}

/* GET /scripts/new: the paste and upload forms ({categories}; ?categoryId= preselects). */
void
h_page_script_new(struct http_ctx *c)
{
	int64_t cat = 0;
	struct json_object *view;

	if (req_query_int(c, "categoryId", 1, INT32_MAX, &cat) < 0 || (view = category_choices(c, cat)) == NULL)
		return;
	json_reply(c, 200, view);
}

/* POST /scripts (the paste form): h_scripts_create, with the categories for the form shown
 * again and the textarea's line breaks as LF. */
void
h_page_script_create(struct http_ctx *c)
{
	if (!form_categories(c, "categoryId", 0))
		return;
	textarea_lf(c);
	run_with_extra(c, h_scripts_create);
}

/* The tags of a script object as the text of the tags field ("a, b"). */
static struct json_object *
tags_text(struct json_object *script)
{
	struct json_object *tags;
	struct buf b = BUF_INIT;
	struct json_object *s;

	if (json_object_object_get_ex(script, "tags", &tags))
		for (size_t i = 0; i < json_object_array_length(tags); i++)
			buf_printf(&b, "%s%s", i ? ", " : "",
			    json_object_get_string(json_object_array_get_idx(tags, i)));
	s = json_object_new_string(b.data != NULL ? buf_cstr(&b) : "");
	buf_free(&b);
	return s;
}

/* The edit form's script in c->page_extra ({script with tagsText}) and its categories; the
 * script must be the viewer's to change (else 403). 0, or -1 after answering. */
static int
edit_extra(struct http_ctx *c, struct json_object **script_out)
{
	struct json_object *script, *cats, *arr;

	if (view_script_get(c, &script) != 0)
		return -1;
	if (!can_edit(c, script)) {
		json_object_put(script);
		error_reply(c, 403, "forbidden", "Only the owner or an administrator may do this.", NULL);
		return -1;
	}
	if (!form_categories(c, "categoryId", int_member(script, "categoryId", 0))) {
		json_object_put(script);
		return -1;
	}
	json_object_object_add(script, "tagsText", tags_text(script));
	cats = c->page_extra;
	c->page_extra = json_object_new_object();
	if (json_object_object_get_ex(cats, "categories", &arr))
		json_object_object_add(c->page_extra, "categories", json_object_get(arr));
	json_object_put(cats);
	json_object_object_add(c->page_extra, "script", json_object_get(script));
	*script_out = script;
	return 0;
}

/* GET /scripts/:id/edit: {script (with content and tagsText), categories}. */
void
h_page_script_edit(struct http_ctx *c)
{
	struct json_object *script;

	if (edit_extra(c, &script) != 0)
		return;
	json_object_put(script);
	page_done(c, json_object_new_object());
}

/* POST /scripts/:id/edit: h_scripts_update (a new version when the content changed), with
 * the form's script and categories for an error. */
void
h_page_script_update(struct http_ctx *c)
{
	struct json_object *script, *content;

	if (edit_extra(c, &script) != 0)
		return;
	if (!json_object_object_get_ex(script, "content", &content) ||
	    strstr(json_object_get_string(content), "\r\n") == NULL)
		textarea_lf(c);
	json_object_put(script);
	run_with_extra(c, h_scripts_update);
}

/* ---- uploads ---- */

/* The upload form with several files: the asynchronous upload, then the batch's page. */
static const struct page_route batch_page = {
	"scripts/new", "New script", "/scripts/uploads/:batchId",
	"The files were received; they are being stored.", NULL, 0,
};

/*
 * POST /scripts/upload: the upload form without JavaScript (with it, upload.js posts to
 * /api/scripts/upload/async and follows the batch itself). One file: the synchronous upload
 * and the new script's page; several: the asynchronous upload and /scripts/uploads/:batchId,
 * which refreshes itself until every file is done. The categories come along for the form
 * shown again after an error.
 */
void
h_page_script_upload(struct http_ctx *c)
{
	const struct request *r = c->req;
	struct mpartlist parts = { 0 };
	const char *boundary;
	size_t files = 0;

	if (r->content_type != NULL && strcmp(r->content_type, "multipart/form-data") == 0 &&
	    multipart_boundary(r->arena, r->content_type_full, &boundary) == PSS_OK &&
	    multipart_parse(r->arena, boundary, r->body, r->body_len, UPLOAD_MAX_PARTS, &parts) == PSS_OK)
		for (size_t i = 0; i < parts.n; i++)
			if (parts.items[i].filename != NULL && parts.items[i].filename[0] != '\0' &&
			    strcmp(parts.items[i].name, "files") == 0)
				files++;
	if (!form_categories(c, "category_id", 0))
		return;
	if (parts.n == 0) {
		run_with_extra(c, h_uploads_sync);	/* not multipart, or malformed: its answer */
		return;
	}
	if (files == 0) {
		field_error(c, "files", "Choose at least one file to upload.");
		json_object_put(c->page_extra);
		c->page_extra = NULL;
		return;
	}
	if (files > 1) {
		const struct route *saved = c->route;
		struct route batch = *saved;

		batch.page = &batch_page;
		c->route = &batch;
		run_with_extra(c, h_uploads_async);
		c->route = saved;
	} else
		run_with_extra(c, h_uploads_sync);
}

/*
 * GET /scripts/uploads/:batchId: the batch's progress ({batchId, uploads, total, done,
 * failed, running, percent}); the page refreshes itself while running.
 */
void
h_page_upload_batch(struct http_ctx *c)
{
	struct viewer v = req_viewer(c);
	struct json_object *o;
	int64_t total, done;
	enum pss_err e = library_upload_batch(&c->app->svc, &v, http_param(c->req, "batchId"), &o);

	if (e != PSS_OK) {
		error_from_svc(c, e, NULL, "No such upload batch.");
		return;
	}
	total = int_member(o, "total", 0);
	done = int_member(o, "done", 0);
	json_object_object_add(o, "running", json_object_new_boolean(done < total));
	json_object_object_add(o, "percent", json_object_new_int64(total > 0 ? done * 100 / total : 100));
	json_reply(c, 200, o);
}

/* ---- administration ---- */

/* POST /admin/categories: h_categories_create, with the list for the page shown again. */
void
h_page_category_create(struct http_ctx *c)
{
	if ((c->page_extra = category_choices(c, 0)) == NULL)
		return;
	run_with_extra(c, h_categories_create);
}

/* POST /admin/categories/:id: h_categories_update, with the category for the form shown
 * again. */
void
h_page_category_update(struct http_ctx *c)
{
	struct json_object *cat;

	if (view_category_get(c, &cat) != 0)
		return;
	c->page_extra = json_object_new_object();
	json_object_object_add(c->page_extra, "category", cat);
	run_with_extra(c, h_categories_update);
}
