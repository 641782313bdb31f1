/* itest-html.h: what the page suites share: a visitor with its cookies (session, CSRF,
 * flash), forms sent as a browser does, and the page check (well-formed for xmllint, title,
 * landmarks, no inline script or style, a label for every input). Header only. */
#ifndef PSS_ITEST_HTML_H
#define PSS_ITEST_HTML_H

#include <ctype.h>
#include <stdbool.h>

#include "itest-auth.h"

#define FORM "application/x-www-form-urlencoded"


/* A visitor of the pages: the cookies it holds. */
struct visitor {
	char	 session[80];	/* __Host-pss_session */
	char	 csrf[80];	/* the token its forms carry (session or double-submit) */
	char	 anon[80];	/* __Host-pss_csrf */
	char	 flash[400];	/* __Host-pss_flash */
};

/* The value of the Set-Cookie of name in r ("" when cleared), or NULL when not set. */
static const char * __attribute__((unused))
set_cookie(const struct it_resp *r, const char *name)
{
	static char val[400];
	size_t n = strlen(name);

	for (const char *p = r->headers; p != NULL && *p; ) {
		if (strncmp(p, "set-cookie:", 11) == 0) {
			const char *v = p + 11;

			while (*v == ' ')
				v++;
			if (strncmp(v, name, n) == 0 && v[n] == '=') {
				snprintf(val, sizeof(val), "%.*s", (int)strcspn(v + n + 1, ";\r\n"), v + n + 1);
				return val;
			}
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

/* Keeps the cookies a response set, as a browser would. */
static void __attribute__((unused))
take_cookies(struct visitor *v, const struct it_resp *r)
{
	const char *c;

	if ((c = set_cookie(r, "__Host-pss_session")) != NULL)
		snprintf(v->session, sizeof(v->session), "%s", c);
	if ((c = set_cookie(r, "__Host-pss_csrf")) != NULL)
		snprintf(v->anon, sizeof(v->anon), "%s", c);
	if ((c = set_cookie(r, "__Host-pss_flash")) != NULL)
		snprintf(v->flash, sizeof(v->flash), "%s", c);
}

/* The value="..." of the first hidden csrf_token field of a page, or "". */
static void __attribute__((unused))
take_csrf(struct visitor *v, const char *body)
{
	const char *p = body != NULL ? strstr(body, "name=\"csrf_token\" value=\"") : NULL;

	v->csrf[0] = '\0';
	if (p != NULL) {
		p += strlen("name=\"csrf_token\" value=\"");
		snprintf(v->csrf, sizeof(v->csrf), "%.*s", (int)strcspn(p, "\""), p);
	}
}

/* METHOD path as the visitor (cookies sent, new ones kept) with one more header line (NULL:
 * none); form may be NULL. */
static long __attribute__((unused))
visit_with(struct visitor *v, struct it_resp *r, const char *method, const char *path, const char *form,
    const char *header)
{
	char cookie[1024];
	const char *h[3] = { cookie, header, NULL };

	snprintf(cookie, sizeof(cookie), "Cookie: x=1%s%s%s%s%s%s", *v->session ? "; __Host-pss_session=" : "",
	    v->session, *v->anon ? "; __Host-pss_csrf=" : "", v->anon, *v->flash ? "; __Host-pss_flash=" : "",
	    v->flash);
	if (it_request(r, method, path, form, form ? strlen(form) : 0, form ? FORM : NULL, h) != 0)
		return -1;
	take_cookies(v, r);
	if (r->body != NULL && strstr(r->body, "csrf_token") != NULL)
		take_csrf(v, r->body);
	return r->status;
}

/* METHOD path as the visitor (cookies sent, new ones kept); form may be NULL. */
static long __attribute__((unused))
visit(struct visitor *v, struct it_resp *r, const char *method, const char *path, const char *form)
{
	return visit_with(v, r, method, path, form, NULL);
}

/* POST path as the visitor with a multipart/form-data body (cookies sent, new ones kept):
 * the status, or -1. */
static long __attribute__((unused))
visit_multipart(struct visitor *v, struct it_resp *r, const char *path, const struct buf *body,
    const char *boundary)
{
	char cookie[1024], ct[128];
	const char *h[2] = { cookie, NULL };

	snprintf(cookie, sizeof(cookie), "Cookie: x=1%s%s%s%s", *v->session ? "; __Host-pss_session=" : "",
	    v->session, *v->anon ? "; __Host-pss_csrf=" : "", v->anon);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", boundary);
	if (it_request(r, "POST", path, body->data, body->len, ct, h) != 0)
		return -1;
	take_cookies(v, r);
	return r->status;
}

/* A form body: "a=1&b=2" with each value percent-encoded; the visitor's token first. */
static const char * __attribute__((unused))
form_of(const struct visitor *v, const char *const *pairs)
{
	static struct buf b;
	static const char hex[] = "0123456789ABCDEF";

	buf_reset(&b);
	buf_printf(&b, "csrf_token=%s", v->csrf);
	for (size_t i = 0; pairs[i] != NULL; i += 2) {
		buf_printf(&b, "&%s=", pairs[i]);
		for (const unsigned char *p = (const unsigned char *)pairs[i + 1]; *p; p++)
			if (isalnum(*p) || strchr("-._~", *p))
				buf_putc(&b, (char)*p);
			else
				buf_printf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
	return buf_cstr(&b);
}

/* The visitor signed in through the login form. */
static long __attribute__((unused))
page_login(struct visitor *v, const char *login, const char *pw)
{
	struct it_resp r;
	long st;

	memset(v, 0, sizeof(*v));
	visit(v, &r, "GET", "/login", NULL);
	it_resp_free(&r);
	st = visit(v, &r, "POST", "/login", form_of(v, (const char *[]){ "login", login, "password", pw, NULL }));
	it_resp_free(&r);
	if (st == 303) {
		/* the next page carries the session's token */
		visit(v, &r, "GET", "/account/password", NULL);
		it_resp_free(&r);
		v->flash[0] = '\0';
	}
	return st;
}

/* Well-formed (xmllint), a title, the landmarks, no inline script, style or handler, a label
 * for every visible input. */
static bool __attribute__((unused))
well_formed(const struct it_resp *r, const char *what)
{
	char file[64];
	FILE *f;
	bool html = r->body != NULL && it_header(r, "content-type") != NULL &&
	    strstr(it_header(r, "content-type"), "text/html") != NULL;

	T_ASSERTF(html, "%s: content type %s", what, it_header(r, "content-type"));
	if (!html)
		return false;
	snprintf(file, sizeof(file), "/tmp/pss-test-html.%d.html", (int)getpid());
	if ((f = fopen(file, "w")) != NULL) {
		fputs(r->body, f);
		fclose(f);
	}
	T_ASSERTF(it_run("xmllint --noout --nonet %s 2>&1 | head -5", file) == 0 &&
	    it_run("xmllint --noout --nonet %s 2>/dev/null", file) == 0, "%s: not well-formed", what);
	return true;
}

static void __attribute__((unused))
check_page(const struct it_resp *r, const char *what)
{
	const char *b = r->body, *p;

	if (!well_formed(r, what))
		return;
	T_ASSERTF(strncmp(b, "<!DOCTYPE html>", 15) == 0, "%s: no doctype", what);
	T_ASSERTF(strstr(b, "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">") != NULL, "%s: lang", what);
	T_ASSERTF((p = strstr(b, "<title>")) != NULL && strstr(p, " · PSScript</title>") != NULL, "%s: title", what);
	T_ASSERTF(strstr(b, "<header") && strstr(b, "<nav") && strstr(b, "<main id=\"main\"") &&
	    strstr(b, "<footer") && strstr(b, "href=\"#main\""), "%s: landmarks or skip link", what);
	T_ASSERTF(strstr(b, " style=") == NULL && strstr(b, "<style") == NULL, "%s: inline style", what);
	for (p = b; (p = strstr(p, "<script")) != NULL; p++)
		T_ASSERTF(strncmp(p, "<script src=\"/static/", 21) == 0, "%s: inline script %.60s", what, p);
	/* an event handler attribute inside a tag (text such as a finding quoting
	 * "<img src=x onerror=...>" is escaped, so outside every tag) */
	{
		bool in_tag = false;

		for (p = b; *p; p++) {
			if (*p == '<' || *p == '>')
				in_tag = *p == '<';
			else if (in_tag && strncmp(p, " on", 3) == 0)
				T_ASSERTF(!(islower((unsigned char)p[3]) && strcspn(p + 3, "=\" >") < 20 &&
				    p[3 + strcspn(p + 3, "=\" >")] == '='), "%s: event handler attribute %.40s", what, p);
		}
	}
	for (p = b; (p = strstr(p, "<input ")) != NULL; p++) {
		char id[80], lab[100];
		const char *q = strstr(p, " id=\"");

		if (strncmp(p, "<input type=\"hidden\"", 20) == 0)
			continue;
		T_ASSERTF(q != NULL && q < strchr(p, '>'), "%s: input without id %.60s", what, p);
		if (q == NULL)
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)strcspn(q + 5, "\""), q + 5);
		snprintf(lab, sizeof(lab), "<label for=\"%s\">", id);
		T_ASSERTF(strstr(b, lab) != NULL, "%s: no label for %s", what, id);
	}
	/* every time is shown in UTC for people, with a valid HTML datetime (no microseconds) */
	for (p = b; (p = strstr(p, "<time")) != NULL; p++) {
		int y, mo, d, h, mi, sec, d2, y2, h2, mi2, n = 0;
		char mon[4];

		T_ASSERTF(sscanf(p, "<time datetime=\"%4d-%2d-%2dT%2d:%2d:%2dZ\">%2d %3[A-Za-z] %4d, "
		    "%2d:%2d UTC</time>%n", &y, &mo, &d, &h, &mi, &sec, &d2, mon, &y2, &h2, &mi2, &n) == 11 &&
		    n > 0 && d == d2 && y == y2 && h == h2 && mi == mi2, "%s: time %.90s", what, p);
	}
}

/* html_check_done: removes the file well_formed wrote (at the end of a suite). */
static void __attribute__((unused))
html_check_done(void)
{
	char file[64];

	snprintf(file, sizeof(file), "/tmp/pss-test-html.%d.html", (int)getpid());
	unlink(file);
}

#endif
