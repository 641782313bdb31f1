/* docs_import.c: the import of a folder laid out like MicrosoftDocs/PowerShell-Docs
 * (reference/<version>/<Module>/<Cmdlet>.md, <Module>/About/about_*.md): the page parser (front
 * matter, synopsis, parameters) and the walk that stores one document per page and version
 * through docs_store */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "analyzer/catalog.h"
#include "core/core.h"
#include "services/docs.h"

#define PAGE_MAX (4 * 1024 * 1024)	/* bytes of one page file */
#define LIST_MAX 500			/* aliases or parameters of one page */
#define FILES_MAX 100000		/* pages of one import */

void
docs_page_free(struct docs_page *p)
{
	free(p->title);
	free(p->module);
	free(p->online_url);
	free(p->date);
	free(p->synopsis);
	free(p->body);
	for (size_t i = 0; i < p->naliases; i++)
		free(p->aliases[i]);
	free(p->aliases);
	for (size_t i = 0; i < p->nparams; i++)
		free(p->params[i]);
	free(p->params);
	memset(p, 0, sizeof(*p));
}

static void
list_add(char ***v, size_t *n, const char *s, size_t len)
{
	if (len == 0 || *n >= LIST_MAX)
		return;
	for (size_t i = 0; i < *n; i++)
		if (strlen((*v)[i]) == len && strncasecmp((*v)[i], s, len) == 0)
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrndup(s, len);
}

/* trimmed: s[0..n) without surrounding blanks and quotes. */
static const char *
trimmed(const char *s, size_t *n)
{
	while (*n > 0 && (isspace((unsigned char)*s) || *s == '\'' || *s == '"'))
		s++, (*n)--;
	while (*n > 0 && (isspace((unsigned char)s[*n - 1]) || s[*n - 1] == '\'' || s[*n - 1] == '"'))
		(*n)--;
	return s;
}

/* date_iso: MM/DD/YYYY (ms.date) or YYYY-MM-DD as YYYY-MM-DD, else NULL. */
static char *
date_iso(const char *s, size_t n)
{
	unsigned m, d, y;
	char tail;
	char buf[32], out[16];

	if (n == 0 || n >= sizeof(buf))
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sscanf(buf, "%u/%u/%u%c", &m, &d, &y, &tail) != 3 &&
	    sscanf(buf, "%u-%u-%u%c", &y, &m, &d, &tail) != 3)
		return NULL;
	if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1990 || y > 2999)
		return NULL;
	snprintf(out, sizeof(out), "%04u-%02u-%02u", y, m, d);
	return xstrdup(out);
}

/* heading_is: line (n bytes) is "#"*level + " " + name, ignoring case. */
static bool
heading_is(const char *line, size_t n, int level, const char *name)
{
	size_t k = strlen(name);

	for (int i = 0; i < level; i++)
		if ((size_t)i >= n || line[i] != '#')
			return false;
	if ((size_t)level >= n || line[level] != ' ')
		return false;
	line += level + 1;
	n -= (size_t)level + 1;
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		n--;
	return n == k && strncasecmp(line, name, k) == 0;
}

void
docs_page_parse(const char *src, size_t len, struct docs_page *p)
{
	struct buf body = BUF_INIT, syn = BUF_INIT;
	const char *s = src, *end = src + len;
	char last_key[32] = "";
	enum { NONE, SYNOPSIS, PARAMS } section = NONE;
	bool in_fm = false, syn_done = false, fence = false;

	memset(p, 0, sizeof(*p));
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	for (size_t lineno = 0; s < end; lineno++) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		size_t n;

		if (eol == NULL)
			eol = end;
		n = (size_t)(eol - s);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (lineno == 0 && n == 3 && memcmp(s, "---", 3) == 0) {
			in_fm = true;
		} else if (in_fm && n == 3 && memcmp(s, "---", 3) == 0) {
			in_fm = false;
		} else if (in_fm) {
			const char *colon = memchr(s, ':', n);
			size_t vn;
			const char *v;

			if (n > 2 && (s[0] == ' ' || s[0] == '-')) {
				/* a list item of the last key */
				size_t k = 0;

				while (k < n && (s[k] == ' ' || s[k] == '-'))
					k++;
				vn = n - k;
				v = trimmed(s + k, &vn);
				if (strcasecmp(last_key, "aliases") == 0 && vn < 100)
					list_add(&p->aliases, &p->naliases, v, vn);
			} else if (colon != NULL && (size_t)(colon - s) < sizeof(last_key)) {
				size_t kn = (size_t)(colon - s);

				memcpy(last_key, s, kn);
				last_key[kn] = '\0';
				vn = n - kn - 1;
				v = trimmed(colon + 1, &vn);
				if (vn == 0 || vn > 2048)
					;
				else if (strcasecmp(last_key, "title") == 0)
					p->title = xstrndup(v, vn);
				else if (strcasecmp(last_key, "Module Name") == 0)
					p->module = xstrndup(v, vn);
				else if (strcasecmp(last_key, "online version") == 0)
					p->online_url = xstrndup(v, vn);
				else if (strcasecmp(last_key, "ms.date") == 0)
					p->date = date_iso(v, vn);
				else if (strcasecmp(last_key, "description") == 0 && syn.len == 0 && vn < 10000)
					buf_append(&syn, v, vn);
			}
		} else {
			buf_append(&body, s, n);
			buf_putc(&body, '\n');
			if (n >= 3 && (memcmp(s, "```", 3) == 0 || memcmp(s, "~~~", 3) == 0))
				fence = !fence;
			if (fence)
				;
			else if (n > 0 && s[0] == '#') {
				if (heading_is(s, n, 2, "SYNOPSIS") || heading_is(s, n, 2, "Short description")) {
					section = SYNOPSIS;
					buf_reset(&syn);
				} else if (heading_is(s, n, 2, "PARAMETERS"))
					section = PARAMS;
				else if (n > 5 && memcmp(s, "### -", 5) == 0 && section == PARAMS) {
					size_t k = 5;

					while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_'))
						k++;
					list_add(&p->params, &p->nparams, s + 5, k - 5);
				} else if (n > 2 && s[0] == '#' && s[1] == ' ' && p->title == NULL) {
					size_t vn = n - 2;
					const char *v = trimmed(s + 2, &vn);

					p->title = xstrndup(v, vn);
				} else if (n > 2 && s[1] == '#' && s[2] == ' ') {
					if (section == SYNOPSIS)
						syn_done = true;
					section = NONE;
				}
			} else if (section == SYNOPSIS && !syn_done) {
				if (n == 0 && syn.len > 0)
					syn_done = true;
				else if (n > 0 && syn.len < 10000) {
					if (syn.len > 0)
						buf_putc(&syn, ' ');
					buf_append(&syn, s, n);
				}
			}
		}
		s = eol + 1;
	}
	p->body = buf_detach(&body);
	if (syn.len > 0) {
		size_t vn = syn.len;
		const char *v = trimmed(syn.data, &vn);

		p->synopsis = xstrndup(v, vn < 10000 ? vn : 10000);
	}
	buf_free(&syn);
}

/* ---- the walk ---- */

/* read_page: the file's bytes (caller frees), PSS_ETOOBIG over max, PSS_EIO with errno. */
static enum pss_err
read_page(const char *path, size_t max, char **out, size_t *len)
{
	struct buf b = BUF_INIT;
	enum pss_err e = file_read(path, &b, max);

	*out = NULL;
	*len = 0;
	if (e != PSS_OK) {
		int saved = errno;

		buf_free(&b);
		errno = saved;
		return e;
	}
	*len = b.len;
	*out = buf_detach(&b);
	return PSS_OK;
}

struct page_file {
	char		*path;
	char		*version;	/* "7.6" */
	char		*module;	/* the folder */
	char		*name;		/* the file name without .md */
	char		*rel;		/* <version>/<module>/[About/]<name>.md */
	const char	*type;		/* cmdlet, about, article */
	bool		 in_about;	/* under <Module>/About/ */
};

struct walk {
	struct page_file *v;
	size_t		 n;
};

static bool
is_version(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && *s != '.')
			return false;
	return true;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *
join(const char *a, const char *b)
{
	struct buf x = BUF_INIT;

	buf_printf(&x, "%s/%s", a, b);
	return buf_detach(&x);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* entries: the names in dir (no dot files), sorted; NULL when it cannot be read. */
static char **
entries(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL && *n < FILES_MAX) {
		if (e->d_name[0] == '.')
			continue;
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), by_name);
	return v;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
add_pages(struct walk *w, const char *dir, const char *version, const char *module, bool about)
{
	size_t n;
	char **v = entries(dir, &n);

	for (size_t i = 0; i < n && w->n < FILES_MAX; i++) {
		size_t len = strlen(v[i]);
		char *path = join(dir, v[i]);
		struct page_file *f;

		if (!about && strcasecmp(v[i], "About") == 0 && is_dir(path)) {
			add_pages(w, path, version, module, true);
			free(path);
			continue;
		}
		if (len <= 3 || strcasecmp(v[i] + len - 3, ".md") != 0 || is_dir(path)) {
			free(path);
			continue;
		}
		w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
		f = &w->v[w->n++];
		f->path = path;
		f->version = xstrdup(version);
		f->module = xstrdup(module);
		f->name = xstrndup(v[i], len - 3);
		f->in_about = about;
		{
			struct buf r = BUF_INIT;

			buf_printf(&r, "%s/%s/%s%s", version, module, about ? "About/" : "", v[i]);
			f->rel = buf_detach(&r);
		}
		if (strncasecmp(f->name, "about_", 6) == 0)
			f->type = "about";
		else if (about)
			f->type = "article";	/* About/About.md: the topics' index */
		else if (strcasecmp(f->name, module) == 0 || strchr(f->name, '-') == NULL)
			f->type = "article";
		else
			f->type = "cmdlet";
	}
	free_list(v, n);
}

/* versions_of: the versions (ascending) in which a page of the same type, module and name
 * exists, as a JSON array. */
static struct json_object *
versions_of(const struct walk *w, const struct page_file *f)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].type == f->type && strcasecmp(w->v[i].name, f->name) == 0 &&
		    strcasecmp(w->v[i].module, f->module) == 0)
			json_object_array_add(a, json_object_new_string(w->v[i].version));
	return a;
}

static void
lower_append(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		buf_putc(b, (char)tolower((unsigned char)*s));
}

/* canonical_url: the page's learn.microsoft.com address with ?view=powershell-<version>:
 * the front matter's online version without its query, else built from module and name. */
static char *
canonical_url(const struct docs_page *p, const struct page_file *f)
{
	struct buf u = BUF_INIT;
	const char *o = p->online_url;

	if (o != NULL && strncasecmp(o, "https://learn.microsoft.com/", 28) == 0 &&
	    strcspn(o, " \t\"<>") == strlen(o)) {
		size_t k = strcspn(o, "?#");

		buf_append(&u, o, k);
	} else {
		buf_puts(&u, "https://learn.microsoft.com/powershell/module/");
		lower_append(&u, f->module);
		buf_putc(&u, '/');
		if (f->in_about)
			buf_puts(&u, "about/");
		if (strcmp(f->type, "article") != 0 || strcasecmp(f->name, f->module) != 0)
			lower_append(&u, f->name);
	}
	buf_printf(&u, "?view=powershell-%s", f->version);
	return buf_detach(&u);
}

static enum pss_err
import_one(const struct svc *s, const struct walk *w, const struct page_file *f, const char *source,
    enum docs_upsert_result *res, char **why)
{
	struct docs_page p;
	struct doc_in in;
	struct svc_err err = { 0 };
	struct json_object *meta, *arr;
	const struct ps_cmdlet_info *ci;
	const char *tags[3];
	char tag_version[48], *text = NULL, *url;
	size_t len;
	int64_t id;
	enum pss_err e;

	*why = NULL;
	if ((e = read_page(f->path, PAGE_MAX, &text, &len)) != PSS_OK) {
		*why = xstrdup(e == PSS_ETOOBIG ? "larger than 4 MB" : strerror(errno));
		return e;
	}
	if (!utf8_valid(text, len) || memchr(text, '\0', len) != NULL) {
		free(text);
		*why = xstrdup("not UTF-8 text");
		return PSS_EINVAL;
	}
	docs_page_parse(text, len, &p);
	free(text);
	url = canonical_url(&p, f);
	meta = json_object_new_object();
	json_object_object_add(meta, "version", json_object_new_string(f->version));
	json_object_object_add(meta, "versions", versions_of(w, f));
	json_object_object_add(meta, "module", json_object_new_string(p.module != NULL ? p.module : f->module));
	json_object_object_add(meta, "file", json_object_new_string(f->rel));
	arr = json_object_new_array();
	for (size_t i = 0; i < p.naliases; i++)
		json_object_array_add(arr, json_object_new_string(p.aliases[i]));
	if (p.naliases == 0 && strcmp(f->type, "cmdlet") == 0 &&
	    (ci = ps_catalog_find(f->name, strlen(f->name))) != NULL && *ci->aliases != '\0') {
		const char *a = ci->aliases;

		while (*a != '\0') {
			size_t k = strcspn(a, ",");

			json_object_array_add(arr, json_object_new_string_len(a, (int)k));
			a += k + (a[k] == ',');
		}
	}
	json_object_object_add(meta, "aliases", arr);
	arr = json_object_new_array();
	for (size_t i = 0; i < p.nparams; i++)
		json_object_array_add(arr, json_object_new_string(p.params[i]));
	json_object_object_add(meta, "parameters", arr);

	snprintf(tag_version, sizeof(tag_version), "powershell-%s", f->version);
	tags[0] = tag_version;
	tags[1] = f->type;
	tags[2] = p.module != NULL ? p.module : f->module;
	memset(&in, 0, sizeof(in));
	in.url = url;
	in.title = p.title != NULL ? p.title : f->name;
	in.content = p.body;
	in.summary = p.synopsis;
	in.source = source;
	in.content_type = f->type;
	in.category = tags[2];
	in.tags = tags;
	in.ntags = 3;
	in.metadata = json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN);
	in.last_updated = p.date;
	e = docs_store(s, &in, &id, res, &err);
	if (e == PSS_EINVAL) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s: %s", err.field != NULL ? err.field : "document",
		    err.message != NULL ? err.message : "not valid");
		*why = buf_detach(&b);
	}
	json_object_put(meta);
	free(url);
	docs_page_free(&p);
	return e;
}

static void
walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].path);
		free(w->v[i].version);
		free(w->v[i].module);
		free(w->v[i].name);
		free(w->v[i].rel);
	}
	free(w->v);
}

enum pss_err
docs_import_dir(const struct svc *s, const char *dir, const char *source,
    void (*progress)(void *, const struct docs_import_counts *), void *arg,
    struct docs_import_counts *c, char *why, size_t whysz)
{
	struct walk w = { NULL, 0 };
	char **vers, *root = NULL, *ref;
	size_t nv;
	enum pss_err e = PSS_OK;
	bool any = false;

	memset(c, 0, sizeof(*c));
	*why = '\0';
	if (!is_dir(dir)) {
		snprintf(why, whysz, "%s: not a folder", dir);
		return PSS_ENOTFOUND;
	}
	ref = join(dir, "reference");
	root = is_dir(ref) ? ref : xstrdup(dir);
	if (root != ref)
		free(ref);
	vers = entries(root, &nv);
	for (size_t i = 0; i < nv; i++) {
		char *vdir = join(root, vers[i]);
		size_t nm;
		char **mods;

		if (!is_version(vers[i]) || !is_dir(vdir)) {
			free(vdir);
			continue;
		}
		any = true;
		mods = entries(vdir, &nm);
		for (size_t j = 0; j < nm; j++) {
			char *mdir = join(vdir, mods[j]);

			if (is_dir(mdir))
				add_pages(&w, mdir, vers[i], mods[j], false);
			free(mdir);
		}
		free_list(mods, nm);
		free(vdir);
	}
	free_list(vers, nv);
	if (!any) {
		snprintf(why, whysz, "%s: no version folders (5.1, 7.6, ...) here or under reference/", dir);
		e = PSS_ENOTFOUND;
		goto out;
	}
	c->total = w.n;
	for (size_t i = 0; i < w.n; i++) {
		enum docs_upsert_result r;
		char *reason = NULL;

		e = import_one(s, &w, &w.v[i], source, &r, &reason);
		if (e == PSS_OK)
			c->n[r]++;
		else if (e == PSS_EUNAVAIL || e == PSS_EINTERNAL) {
			snprintf(why, whysz, "%s: the database failed", w.v[i].path);
			free(reason);
			break;
		} else {
			c->failed++;
			log_warn("docs import: %s: %s", w.v[i].path, reason != NULL ? reason : "failed");
			if (c->first_failure[0] == '\0')
				snprintf(c->first_failure, sizeof(c->first_failure), "%s: %s", w.v[i].path,
				    reason != NULL ? reason : "failed");
			e = PSS_OK;
		}
		free(reason);
		c->done = i + 1;
		if (progress != NULL)
			progress(arg, c);
	}
	if (c->n[DOCS_INSERTED] + c->n[DOCS_UPDATED] > 0)
		docs_changed(s, 0);
out:
	walk_free(&w);
	free(root);
	return e;
}
