/* chat_retrieve.c: the chat's retrieval: the cmdlet catalog ranked for a question (names,
 * aliases, the plain words of the approved verbs, nouns, synopses, the built-in embedding),
 * the shipped reference's pages (syntax and examples), the asker's similar scripts, one
 * script's analysis, and the extractive answer composed of them (docs/chat.md) */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/embed.h"
#include "db/documentation.h"
#include "services/chat-int.h"
#include "services/docs.h"
#include "services/library.h"

#define SYNOPSIS_WORDS 48

static const char *const stop_words[] = {
	"a", "about", "all", "an", "and", "any", "are", "as", "at", "be", "by", "can", "could",
	"do", "does", "for", "from", "get", "give", "how", "i", "in", "into", "is", "it", "its",
	"me", "my", "of", "on", "one", "or", "powershell", "please", "script", "should", "so",
	"some", "that", "the", "their", "them", "then", "there", "these", "this", "to", "use",
	"using", "want", "way", "what", "when", "where", "which", "who", "why", "will", "with",
	"would", "you", "your", "cmdlet", "command", "pwsh",
};

/* The plain words for PowerShell's approved verbs (the synonyms its guidance tells
 * cmdlet authors to use the verb for), and the plain words for common nouns. */
static const struct { const char *word, *verbs; } verb_words[] = {
	{ "list", "get" }, { "show", "get" }, { "find", "get" }, { "display", "get" },
	{ "read", "get" }, { "retrieve", "get" }, { "see", "get" }, { "view", "get" },
	{ "look", "get" }, { "get", "get" }, { "fetch", "get,invoke" }, { "query", "get" },
	{ "delete", "remove" }, { "remove", "remove" }, { "erase", "remove" }, { "drop", "remove" },
	{ "create", "new" }, { "make", "new" }, { "new", "new" }, { "generate", "new" },
	{ "add", "add" }, { "append", "add" }, { "change", "set" }, { "set", "set" },
	{ "modify", "set" }, { "assign", "set" }, { "update", "set,update" }, { "write", "set,out,write" },
	{ "save", "out,export,set" }, { "print", "write" }, { "output", "write,out" },
	{ "start", "start" }, { "launch", "start" }, { "begin", "start" }, { "open", "start" },
	{ "run", "start,invoke" }, { "execute", "invoke" }, { "call", "invoke" }, { "invoke", "invoke" },
	{ "stop", "stop" }, { "kill", "stop" }, { "end", "stop" }, { "terminate", "stop" },
	{ "halt", "stop" }, { "restart", "restart" }, { "reboot", "restart" },
	{ "copy", "copy" }, { "duplicate", "copy" }, { "move", "move" }, { "rename", "rename" },
	{ "test", "test" }, { "check", "test" }, { "verify", "test" }, { "exists", "test" },
	{ "exist", "test" }, { "ping", "test" }, { "reachable", "test" },
	{ "export", "export" }, { "import", "import" }, { "load", "import" },
	{ "convert", "convertto,convertfrom" }, { "parse", "convertfrom" },
	{ "sort", "sort" }, { "order", "sort" }, { "select", "select" }, { "pick", "select" },
	{ "first", "select" }, { "last", "select" }, { "count", "measure" }, { "measure", "measure" },
	{ "sum", "measure" }, { "average", "measure" }, { "group", "group" }, { "compare", "compare" },
	{ "diff", "compare" }, { "wait", "wait" }, { "pause", "start" }, { "sleep", "start" },
	{ "filter", "where" }, { "search", "select" }, { "download", "invoke" },
	{ "clear", "clear" }, { "empty", "clear" }, { "join", "join" }, { "combine", "join" },
	{ "split", "split" }, { "format", "format" }, { "compress", "compress" },
	{ "zip", "compress" }, { "unzip", "expand" }, { "extract", "expand" }, { "expand", "expand" },
	{ "encrypt", "protect" }, { "decrypt", "unprotect" }, { "sign", "set" },
	{ "schedule", "register,new" }, { "register", "register" }, { "enable", "enable" },
	{ "disable", "disable" }, { "connect", "enter,new" }, { "remote", "invoke,enter" },
	{ "send", "send" }, { "email", "send" }, { "mail", "send" }, { "trace", "trace" },
	{ "resolve", "resolve" }, { "lookup", "resolve" }, { "hash", "get" }, { "repeat", "foreach" },
	{ "loop", "foreach" }, { "each", "foreach" }, { "every", "foreach" }, { "tee", "tee" },
	{ "prompt", "read" }, { "ask", "read" }, { "input", "read" }, { "unique", "get,select,sort" },
	{ "duplicates", "get,select,sort" },
};

static const struct { const char *word, *nouns; } noun_words[] = {
	{ "file", "item,childitem,content" }, { "files", "childitem,item" },
	{ "folder", "childitem,item,location" }, { "folders", "childitem" },
	{ "directory", "childitem,item,location" }, { "directories", "childitem" },
	{ "dir", "childitem" }, { "contents", "content" }, { "text", "content,string" },
	{ "lines", "content" }, { "line", "content,host" }, { "tail", "content" },
	{ "variable", "variable,childitem" }, { "environment", "childitem,item" },
	{ "process", "process" }, { "processes", "process" }, { "program", "process" },
	{ "service", "service" }, { "services", "service" }, { "computer", "computer,computerinfo" },
	{ "machine", "computer" }, { "date", "date" }, { "time", "date" }, { "today", "date" },
	{ "web", "webrequest,restmethod" }, { "url", "webrequest" }, { "http", "webrequest,restmethod" },
	{ "api", "restmethod" }, { "rest", "restmethod" }, { "page", "webrequest" },
	{ "json", "json" }, { "csv", "csv" }, { "xml", "xml" }, { "html", "html" },
	{ "current", "location" }, { "location", "location" }, { "path", "path,location" },
	{ "network", "connection,netipaddress" }, { "port", "connection" }, { "host", "connection,host" },
	{ "screen", "host" }, { "console", "host" }, { "user", "localuser,credential" },
	{ "password", "credential,securestring" }, { "credential", "credential" },
	{ "event", "eventlog,winevent" }, { "events", "winevent,eventlog" }, { "log", "winevent,eventlog" },
	{ "registry", "itemproperty,item" }, { "key", "item,itemproperty" }, { "property", "itemproperty,member" },
	{ "properties", "member,itemproperty" }, { "members", "member" }, { "methods", "member" },
	{ "object", "object" }, { "objects", "object" }, { "module", "module" }, { "modules", "module" },
	{ "job", "job" }, { "jobs", "job" }, { "background", "job,threadjob" }, { "history", "history" },
	{ "alias", "alias" }, { "aliases", "alias" }, { "help", "help" }, { "archive", "archive" },
	{ "zip", "archive" }, { "seconds", "sleep" }, { "sleep", "sleep" }, { "pause", "sleep" },
	{ "random", "random" }, { "number", "random" }, { "clipboard", "clipboard" },
	{ "hash", "filehash" }, { "checksum", "filehash" }, { "size", "childitem,object" },
	{ "table", "table" }, { "string", "string" }, { "pattern", "string" },
	{ "regex", "string" }, { "grep", "string" }, { "certificate", "certificate" },
	{ "session", "pssession" }, { "acl", "acl" }, { "permissions", "acl" }, { "permission", "acl" },
	{ "drive", "psdrive" }, { "drives", "psdrive,volume" }, { "disk", "psdrive,volume" },
	{ "uptime", "uptime" }, { "command", "command" }, { "commands", "command" },
	{ "each", "object" }, { "every", "object" }, { "items", "item,childitem,object" },
	{ "content", "content" }, { "culture", "culture" }, { "timezone", "timezone" },
};

static bool
is_stop(const char *w)
{
	for (size_t i = 0; i < PSS_ARRAY_LEN(stop_words); i++)
		if (strcmp(w, stop_words[i]) == 0)
			return true;
	return false;
}

void
chat_words(struct chat_ctx *x, const char *q, size_t len)
{
	size_t i = 0;

	x->nwords = 0;
	while (i < len && x->nwords < CHAT_WORDS_MAX) {
		size_t n = 0;
		char w[CHAT_WORD_MAX];

		while (i < len && !isalnum((unsigned char)q[i]))
			i++;
		while (i < len && (isalnum((unsigned char)q[i]) || q[i] == '-' || q[i] == '_')) {
			if (n < sizeof(w) - 1)
				w[n++] = (char)tolower((unsigned char)q[i]);
			i++;
		}
		while (n > 0 && w[n - 1] == '-')
			n--;
		if (n == 0)
			continue;
		w[n] = '\0';
		if (is_stop(w))
			continue;
		bool dup = false;
		for (size_t k = 0; k < x->nwords; k++)
			dup = dup || strcmp(x->words[k], w) == 0;
		if (dup)
			continue;
		memcpy(x->words[x->nwords], w, n + 1);
		x->wverb[x->nwords] = x->wnoun[x->nwords] = -1;
		for (size_t k = 0; k < PSS_ARRAY_LEN(verb_words) && x->wverb[x->nwords] < 0; k++)
			if (strcmp(w, verb_words[k].word) == 0)
				x->wverb[x->nwords] = (int)k;
		for (size_t k = 0; k < PSS_ARRAY_LEN(noun_words) && x->wnoun[x->nwords] < 0; k++)
			if (strcmp(w, noun_words[k].word) == 0)
				x->wnoun[x->nwords] = (int)k;
		x->nwords++;
	}
}

/* whether list (comma-separated, lower case) holds the n bytes of s, ignoring case */
static bool
in_list(const char *list, const char *s, size_t n)
{
	while (*list != '\0') {
		const char *e = strchr(list, ',');
		size_t m = e != NULL ? (size_t)(e - list) : strlen(list);

		if (m == n && strncasecmp(list, s, n) == 0)
			return true;
		if (e == NULL)
			break;
		list = e + 1;
	}
	return false;
}

/* a word equal to w, or w with or without a plural s */
static bool
word_eq(const char *a, size_t an, const char *w)
{
	size_t wn = strlen(w);

	if (an == wn)
		return strncasecmp(a, w, an) == 0;
	if (an == wn + 1 && tolower((unsigned char)a[wn]) == 's')
		return strncasecmp(a, w, wn) == 0;
	if (wn == an + 1 && w[an] == 's')
		return strncasecmp(a, w, an) == 0;
	return false;
}

/* The catalog's built-in embedding of each cmdlet (name and synopsis), made once. */
static struct {
	bool	 tried;
	float	*vecs;
	int	 dims;
} cat_vecs;

static void
catalog_vectors(const struct svc *s)
{
	char why[256];
	const struct library_embedder *em;
	struct buf b = BUF_INIT;

	if (cat_vecs.tried)
		return;
	cat_vecs.tried = true;
	if ((em = library_embedder(s, why, sizeof(why))) == NULL || em->dims <= 0 ||
	    em->dims > PS_EMBED_MAX_DIM)
		return;
	cat_vecs.dims = em->dims;
	cat_vecs.vecs = xcalloc(ps_catalog_ncmdlets, (size_t)em->dims * sizeof(float));
	for (size_t i = 0; i < ps_catalog_ncmdlets; i++) {
		const struct ps_cmdlet_info *ci = &ps_catalog_cmdlets[i];

		buf_reset(&b);
		buf_printf(&b, "%s\n%s\n", ci->name, ci->synopsis);
		(void)library_embed_text(s, b.data, b.len, false, cat_vecs.vecs + i * (size_t)em->dims,
		    why, sizeof(why));
	}
	buf_free(&b);
}

/* The score of one cmdlet for the question's words (see docs/chat.md "Ranking"). */
static double
cmdlet_score(const struct chat_ctx *x, const struct ps_cmdlet_info *ci, const float *qv)
{
	const char *dash = strchr(ci->name, '-');
	char verb[32] = "", parts[8][32];
	size_t nparts = 0, vn;
	double s = 0;
	bool verb_hit = false;

	if (dash == NULL || (vn = (size_t)(dash - ci->name)) >= sizeof(verb))
		return 0;
	for (size_t i = 0; i < vn; i++)
		verb[i] = (char)tolower((unsigned char)ci->name[i]);
	verb[vn] = '\0';
	/* the noun's parts at each capital: ChildItem -> child, item, and the whole noun */
	for (const char *p = dash + 1; *p != '\0' && nparts < 7;) {
		size_t n = 0;

		do {
			if (n < 31)
				parts[nparts][n++] = (char)tolower((unsigned char)*p);
			p++;
		} while (*p != '\0' && !isupper((unsigned char)*p));
		parts[nparts++][n] = '\0';
	}
	snprintf(parts[nparts], 32, "%s", dash + 1);
	for (char *p = parts[nparts]; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	nparts++;

	for (size_t i = 0; i < x->nwords; i++) {
		const char *w = x->words[i];
		size_t wn = strlen(w);
		bool verb_word = false;

		if (x->wverb[i] >= 0) {
			verb_word = true;
			if (in_list(verb_words[x->wverb[i]].verbs, verb, vn))
				verb_hit = true;
		}
		if (strcmp(w, verb) == 0)
			verb_hit = true;
		/* a word read as a verb ("list files") is not also the noun (Format-List) */
		for (size_t k = 0; k < nparts && !verb_word; k++)
			if (word_eq(w, wn, parts[k]))
				s += k == nparts - 1 ? 2.5 : 1.5;
		if (x->wnoun[i] >= 0 &&
		    in_list(noun_words[x->wnoun[i]].nouns, parts[nparts - 1], strlen(parts[nparts - 1])))
			s += 2.0;
		/* the synopsis's words */
		const char *sy = ci->synopsis;
		for (int nw = 0; *sy != '\0' && nw < SYNOPSIS_WORDS; nw++) {
			size_t n = 0;

			while (*sy != '\0' && !isalnum((unsigned char)*sy))
				sy++;
			while (isalnum((unsigned char)sy[n]))
				n++;
			if (n >= 3 && word_eq(sy, n, w)) {
				s += 0.75;
				break;
			}
			sy += n;
		}
	}
	if (verb_hit)
		s += 2.5;
	if (qv != NULL && cat_vecs.vecs != NULL) {
		float c = ps_embed_cosine(qv, cat_vecs.vecs + (size_t)(ci - ps_catalog_cmdlets) *
		    (size_t)cat_vecs.dims, (size_t)cat_vecs.dims);
		s += 4.0 * (c > 0 ? c : 0);
	}
	if (s > 0 && strncmp(ci->module, "Microsoft.PowerShell.", 21) == 0)
		s += 0.5;	/* the everyday modules before the rare ones */
	if (s > 0 && (ci->avail & PS_AVAIL_76) != 0)
		s += 0.25;
	return s;
}

static void
cand_insert(struct chat_ctx *x, const struct ps_cmdlet_info *ci, double score, bool named)
{
	size_t i;

	for (i = 0; i < x->ncands; i++)
		if (x->cands[i].ci == ci) {
			if (score <= x->cands[i].score)
				return;
			memmove(&x->cands[i], &x->cands[i + 1], (x->ncands - i - 1) * sizeof(x->cands[0]));
			x->ncands--;
			break;
		}
	for (i = x->ncands; i > 0 && x->cands[i - 1].score < score; i--)
		;
	if (i >= CHAT_CANDS)
		return;
	if (x->ncands == CHAT_CANDS)
		x->ncands--;
	memmove(&x->cands[i + 1], &x->cands[i], (x->ncands - i) * sizeof(x->cands[0]));
	x->cands[i] = (struct chat_cand){ ci, score, named };
	x->ncands++;
}

/* rank the catalog: the cmdlets (or aliases) the question names first, then by score */
static void
rank_catalog(struct chat_ctx *x, const char *q, size_t len)
{
	float *qv = NULL;
	char why[256];

	for (size_t i = 0; i < x->nwords; i++) {
		const struct ps_cmdlet_info *ci = ps_catalog_resolve(x->words[i], strlen(x->words[i]), NULL);

		/* an alias that is also a plain word (ls, cd, sort) names a cmdlet only with a dash
		 * or when it is not a word this ranking reads otherwise */
		if (ci != NULL && (strchr(x->words[i], '-') != NULL || strlen(x->words[i]) <= 4))
			cand_insert(x, ci, 100.0 - (double)i, true);
	}
	catalog_vectors(x->svc);
	if (cat_vecs.vecs != NULL) {
		qv = xcalloc((size_t)cat_vecs.dims, sizeof(float));
		if (library_embed_text(x->svc, q, len, true, qv, why, sizeof(why)) != PSS_OK) {
			free(qv);
			qv = NULL;
		}
	}
	for (size_t i = 0; i < ps_catalog_ncmdlets; i++) {
		double s = cmdlet_score(x, &ps_catalog_cmdlets[i], qv);

		if (s >= 3.0)
			cand_insert(x, &ps_catalog_cmdlets[i], s, false);
	}
	free(qv);
}

int
chat_passage_add(struct chat_ctx *x, enum chat_source_type type, int64_t id, const char *title,
    const char *text)
{
	char url[64];

	for (size_t i = 0; i < x->np; i++)
		if (x->p[i].type == type && x->p[i].id == id)
			return (int)i;
	if (x->np == CHAT_SOURCES_MAX)
		return -1;
	snprintf(url, sizeof(url), type == CHAT_SOURCE_DOC ? "/docs/%lld" : "/scripts/%lld", (long long)id);
	x->p[x->np] = (struct chat_passage){ type, id, xstrdup(title != NULL ? title : ""), xstrdup(url),
	    xstrdup(text != NULL ? text : "") };
	return (int)x->np++;
}

void
chat_ctx_free(struct chat_ctx *x)
{
	for (size_t i = 0; i < x->np; i++) {
		free(x->p[i].title);
		free(x->p[i].url);
		free(x->p[i].text);
	}
	x->np = 0;
	buf_free(&x->md);
}

/* ---- the reference page's parts ---- */

/* the body of the section "## name" (up to the next "## "), or NULL */
static const char *
section(const char *md, const char *name, size_t *n)
{
	size_t nl = strlen(name);
	const char *p = md, *e;

	while ((p = strstr(p, "## ")) != NULL) {
		if ((p == md || p[-1] == '\n') && strncmp(p + 3, name, nl) == 0 &&
		    (p[3 + nl] == '\n' || p[3 + nl] == '\r')) {
			p += 3 + nl;
			for (e = p; (e = strstr(e, "\n## ")) != NULL && e[4] == '#'; e++)
				;
			*n = e != NULL ? (size_t)(e - p) : strlen(p);
			return p;
		}
		p += 3;
	}
	return NULL;
}

/* the first fenced code block in s[0..n): its body */
static const char *
code_block(const char *s, size_t n, size_t *bn, bool want_ps)
{
	const char *p = s, *end = s + n;

	while (p < end && (p = memmem(p, (size_t)(end - p), "```", 3)) != NULL) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *close;
		bool ps;

		if (nl == NULL)
			return NULL;
		ps = nl - p == 3 || strncasecmp(p + 3, "powershell", 10) == 0 || strncasecmp(p + 3, "ps", 2) == 0;
		if ((close = memmem(nl + 1, (size_t)(end - nl - 1), "```", 3)) == NULL)
			return NULL;
		if (!want_ps || ps) {
			*bn = (size_t)(close - nl - 1);
			return nl + 1;
		}
		p = close + 3;
	}
	return NULL;
}

/* how many of the question's words the n bytes of s hold (as words) */
static int
overlap(const struct chat_ctx *x, const char *s, size_t n)
{
	int hits = 0;

	for (size_t i = 0; i < x->nwords; i++) {
		size_t wn = strlen(x->words[i]);

		for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), x->words[i], wn)) != NULL; p++)
			if ((p == s || !isalnum((unsigned char)p[-1])) &&
			    (p + wn == s + n || !isalnum((unsigned char)p[wn]))) {
				hits++;
				break;
			}
	}
	return hits;
}

/* lower-cased copy of n bytes */
static void
lower_into(char *dst, size_t dsz, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < dsz; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

/* the syntax line of content that fits the question best (the most of its words among a
 * parameter set's parameters), else the first */
static void
put_syntax(struct chat_ctx *x, const char *content)
{
	size_t n, bn, best_n = 0;
	const char *s = section(content, "SYNTAX", &n), *b, *best = NULL;
	int best_hits = -1;
	char low[4096];

	while (s != NULL && (b = code_block(s, n, &bn, false)) != NULL) {
		int hits;

		lower_into(low, sizeof(low), b, bn);
		hits = overlap(x, low, strlen(low));
		if (hits > best_hits) {
			best_hits = hits;
			best = b;
			best_n = bn;
		}
		n -= (size_t)(b + bn + 3 - s);
		s = b + bn + 3;
	}
	if (best == NULL)
		return;
	while (best_n > 0 && (best[best_n - 1] == '\n' || best[best_n - 1] == ' '))
		best_n--;
	buf_puts(&x->md, "\n**Syntax:**\n\n```powershell\n");
	buf_append(&x->md, best, best_n > 1500 ? 1500 : best_n);
	buf_puts(&x->md, "\n```\n");
}

/* the example of content whose heading and text share the most words with the question */
static void
put_example(struct chat_ctx *x, const char *content)
{
	size_t n, bn;
	const char *s = section(content, "EXAMPLES", &n), *p, *best = NULL, *best_h = NULL;
	size_t best_n = 0, best_hn = 0;
	int best_hits = -1;
	char low[4096];

	if (s == NULL)
		return;
	for (p = s; p != NULL && p < s + n;) {
		const char *h = memmem(p, (size_t)(s + n - p), "### ", 4), *next, *b, *eol;
		size_t hn, en;
		int hits;

		if (h == NULL)
			break;
		eol = memchr(h, '\n', (size_t)(s + n - h));
		hn = eol != NULL ? (size_t)(eol - h - 4) : 0;
		next = eol != NULL ? memmem(eol, (size_t)(s + n - eol), "\n### ", 5) : NULL;
		en = (size_t)((next != NULL ? next : s + n) - h);
		if ((b = code_block(h, en, &bn, true)) != NULL) {
			lower_into(low, sizeof(low), h, en);
			hits = overlap(x, low, strlen(low));
			if (hits > best_hits) {
				best_hits = hits;
				best = b;
				best_n = bn;
				best_h = h + 4;
				best_hn = hn;
			}
		}
		p = next != NULL ? next + 1 : NULL;
	}
	if (best == NULL)
		return;
	buf_printf(&x->md, "\n**Example** (%.*s):\n\n```powershell\n", (int)(best_hn > 200 ? 200 : best_hn),
	    best_h);
	buf_append(&x->md, best, best_n > 2000 ? 2000 : best_n);
	if (best_n > 0 && best[best_n - 1] != '\n')
		buf_putc(&x->md, '\n');
	buf_puts(&x->md, "```\n");
}

/* the document of a cmdlet: its id, title and content (caller puts *doc), or PSS_ENOTFOUND */
static enum pss_err
cmdlet_doc(struct chat_ctx *x, const char *name, int64_t *id, struct json_object **doc)
{
	char low[128];
	enum pss_err e;

	*doc = NULL;
	lower_into(low, sizeof(low), name, strlen(name));
	if ((e = db_doc_by_name(x->svc->db, low, id)) != PSS_OK)
		return e;
	return db_doc_get(x->svc->db, *id, doc);
}

static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
}

/* the passage text of a cmdlet document: synopsis, syntax and the start of the examples */
static char *
doc_passage(const struct ps_cmdlet_info *ci, const char *content)
{
	struct buf b = BUF_INIT;
	size_t n;
	const char *s;

	buf_printf(&b, "%s (module %s): %s\n", ci->name, ci->module, ci->synopsis);
	if ((s = section(content, "SYNTAX", &n)) != NULL)
		buf_append(&b, s, n > 600 ? 600 : n);
	if ((s = section(content, "EXAMPLES", &n)) != NULL)
		buf_append(&b, s, n > 700 ? 700 : n);
	if (b.len > CHAT_PASSAGE_MAX)
		b.len = CHAT_PASSAGE_MAX, b.data[b.len] = '\0';
	return buf_detach(&b);
}

/* a related cmdlet's page as a passage of its name, module and synopsis (its id only is
 * read: the whole page is read for the best cmdlet alone); *k its index or -1 */
static enum pss_err
related_doc(struct chat_ctx *x, const struct ps_cmdlet_info *ci, int *k)
{
	char low[128], text[1024];
	int64_t id;
	enum pss_err e;

	*k = -1;
	lower_into(low, sizeof(low), ci->name, strlen(ci->name));
	if ((e = db_doc_by_name(x->svc->db, low, &id)) != PSS_OK)
		return e;
	snprintf(text, sizeof(text), "%s (module %s): %s", ci->name, ci->module, ci->synopsis);
	*k = chat_passage_add(x, CHAT_SOURCE_DOC, id, ci->name, text);
	return PSS_OK;
}

/* the asker's visible scripts nearest the question (the built-in embedding; none without) */
static void
similar_scripts(struct chat_ctx *x)
{
	struct script_filter f;
	struct json_object *o = NULL, *arr;
	struct svc_err err = { 0 };
	struct buf q = BUF_INIT;
	size_t listed = 0;

	for (size_t i = 0; i < x->nwords && i < LIBRARY_SEARCH_MAX_WORDS; i++)
		buf_printf(&q, "%s%s", i > 0 ? " " : "", x->words[i]);
	if (q.len == 0 || library_search_check(buf_cstr(&q)) != NULL) {
		buf_free(&q);
		return;
	}
	library_filter_init(&f, true);
	f.query = buf_cstr(&q);
	f.mode = SEARCH_SEMANTIC;
	f.limit = 3;
	if (library_scripts_search_mode(x->svc, &x->v, &f, &o, &err) == PSS_OK &&
	    json_object_object_get_ex(o, "scripts", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *s = json_object_array_get_idx(arr, i), *v;
			double score = json_object_object_get_ex(s, "score", &v) ? json_object_get_double(v) : 0;
			int64_t id = json_object_object_get_ex(s, "id", &v) ? json_object_get_int64(v) : 0;
			int k;

			if (score < 0.35 || id <= 0)
				continue;
			if ((k = chat_passage_add(x, CHAT_SOURCE_SCRIPT, id, jstr(s, "title"),
			    jstr(s, "description"))) < 0)
				break;
			if (listed++ == 0)
				buf_puts(&x->md, "\n**Scripts in the library that do something similar:**\n\n");
			buf_printf(&x->md, "- [%s](%s) [%d]\n", x->p[k].title, x->p[k].url, k + 1);
		}
	json_object_put(o);
	buf_free(&q);
}

enum pss_err
chat_retrieve(struct chat_ctx *x, const char *q, size_t len)
{
	struct json_object *doc = NULL;
	const struct ps_cmdlet_info *best;
	int64_t id;
	enum pss_err e;
	int k;

	chat_words(x, q, len);
	rank_catalog(x, q, len);
	if (x->ncands == 0) {
		x->nothing = true;
		buf_puts(&x->md, "I found no cmdlet or page of the PowerShell reference that fits this "
		    "question, so I cannot answer it from what the platform knows. Try naming what you "
		    "want to do with which thing (for example \"stop a process by name\"), or a cmdlet.\n");
		similar_scripts(x);
		return PSS_OK;
	}
	best = x->cands[0].ci;
	e = cmdlet_doc(x, best->name, &id, &doc);
	if (e != PSS_OK && e != PSS_ENOTFOUND)
		return e;
	if (e == PSS_OK) {
		char *t = doc_passage(best, jstr(doc, "content"));

		k = chat_passage_add(x, CHAT_SOURCE_DOC, id, jstr(doc, "title"), t);
		free(t);
		buf_printf(&x->md, "Use **%s** [%d]: %s\n", best->name, k + 1, best->synopsis);
		put_syntax(x, jstr(doc, "content"));
		put_example(x, jstr(doc, "content"));
	} else
		buf_printf(&x->md, "Use **%s**: %s (module %s; its reference page is not imported "
		    "here)\n", best->name, best->synopsis, best->module);
	json_object_put(doc);
	if (x->ncands > 1) {
		buf_puts(&x->md, "\n**Related cmdlets:**\n\n");
		for (size_t i = 1; i < x->ncands; i++) {
			const struct ps_cmdlet_info *ci = x->cands[i].ci;

			if (related_doc(x, ci, &k) == PSS_OK && k >= 0)
				buf_printf(&x->md, "- **%s** [%d]: %s\n", ci->name, k + 1, ci->synopsis);
			else
				buf_printf(&x->md, "- **%s**: %s\n", ci->name, ci->synopsis);
		}
	}
	similar_scripts(x);
	return PSS_OK;
}

/* the booleans of an object that are true, as a list of their names */
static void
put_touches(struct buf *b, struct json_object *touches)
{
	size_t n = 0;

	if (!json_object_is_type(touches, json_type_object))
		return;
	json_object_object_foreach(touches, key, val)
		if (json_object_get_boolean(val))
			buf_printf(b, "%s%s", n++ == 0 ? "\n**What it touches:** " : ", ", key);
	if (n > 0)
		buf_puts(b, ".\n");
}

static void
put_findings(struct buf *b, struct json_object *analysis, size_t *left)
{
	static const char *const lists[] = {
		"securityIssues", "potentialRisks", "bestPracticeViolations", "performanceInsights",
	};
	struct json_object *arr;
	size_t shown = 0, total = 0;

	for (size_t l = 0; l < PSS_ARRAY_LEN(lists); l++)
		if (json_object_object_get_ex(analysis, lists[l], &arr) &&
		    json_object_is_type(arr, json_type_array))
			for (size_t i = 0; i < json_object_array_length(arr); i++) {
				struct json_object *f = json_object_array_get_idx(arr, i), *v;
				int line = json_object_object_get_ex(f, "line", &v) ? json_object_get_int(v) : 0;

				total++;
				if (*left == 0)
					continue;
				(*left)--;
				if (shown++ == 0)
					buf_puts(b, "\n**Findings and how to fix them:**\n\n");
				buf_printf(b, "- line %d, %s (%s): %s", line, jstr(f, "ruleId"), jstr(f, "severity"),
				    jstr(f, "message"));
				if (*jstr(f, "suggestion") != '\0')
					buf_printf(b, " Fix: %s", jstr(f, "suggestion"));
				buf_putc(b, '\n');
			}
	if (total == 0)
		buf_puts(b, "\nThe analyzer found nothing to fix.\n");
	else if (total > shown)
		buf_printf(b, "- … and %zu more (see the script's analysis)\n", total - shown);
}

enum pss_err
chat_retrieve_script(struct chat_ctx *x, int64_t id, const char *q, size_t len)
{
	struct json_object *s = NULL, *a, *v, *cmds;
	enum pss_err e;
	const char *content;
	size_t left = 12, cl;
	int k;
	struct buf t = BUF_INIT;

	chat_words(x, q, len);
	if ((e = library_script_get(x->svc, &x->v, id, &s)) != PSS_OK)
		return e;
	content = jstr(s, "content");
	cl = strlen(content);
	buf_printf(&t, "Script \"%s\"\n```powershell\n%.*s\n```\n", jstr(s, "title"),
	    (int)(cl > 6000 ? 6000 : cl), content);
	k = chat_passage_add(x, CHAT_SOURCE_SCRIPT, id, jstr(s, "title"), t.data);
	buf_free(&t);
	buf_printf(&x->md, "About the script **%s** [%d]:\n", x->p[k].title, k + 1);
	if (!json_object_object_get_ex(s, "analysis", &a) || !json_object_is_type(a, json_type_object)) {
		buf_puts(&x->md, "\nIt has no analysis yet, so I cannot say what it does beyond its "
		    "source. Run its analysis (the script's page or POST /api/scripts/:id/analyze) and ask "
		    "again.\n");
		json_object_put(s);
		return PSS_OK;
	}
	if (*jstr(a, "purpose") != '\0')
		buf_printf(&x->md, "\n**Purpose:** %s\n", jstr(a, "purpose"));
	if (json_object_object_get_ex(a, "executionSummary", &v))
		put_touches(&x->md, json_object_object_get_ex(v, "touches", &v) ? v : NULL);
	buf_puts(&x->md, "\n**Scores (0-10):** ");
	buf_printf(&x->md, "security %s, code quality %s, risk %s (higher is worse).\n",
	    json_object_object_get_ex(a, "securityScore", &v) ? json_object_get_string(v) : "?",
	    json_object_object_get_ex(a, "codeQualityScore", &v) ? json_object_get_string(v) : "?",
	    json_object_object_get_ex(a, "riskScore", &v) ? json_object_get_string(v) : "?");
	put_findings(&x->md, a, &left);
	/* the cmdlets it uses, with their reference pages */
	if (json_object_object_get_ex(a, "commandDetails", &cmds) &&
	    json_object_is_type(cmds, json_type_array)) {
		size_t shown = 0;

		for (size_t i = 0; i < json_object_array_length(cmds) && shown < 5; i++) {
			struct json_object *c = json_object_array_get_idx(cmds, i);
			const struct ps_cmdlet_info *ci;
			const char *name = jstr(c, "name");

			if (strcmp(jstr(c, "type"), "cmdlet") != 0 ||
			    (ci = ps_catalog_find(name, strlen(name))) == NULL)
				continue;
			if (shown++ == 0)
				buf_puts(&x->md, "\n**Cmdlets it uses:**\n\n");
			if (related_doc(x, ci, &k) == PSS_OK && k >= 0)
				buf_printf(&x->md, "- **%s** [%d]: %s\n", ci->name, k + 1, ci->synopsis);
			else
				buf_printf(&x->md, "- **%s**: %s\n", ci->name, ci->synopsis);
		}
	}
	json_object_put(s);
	return PSS_OK;
}
