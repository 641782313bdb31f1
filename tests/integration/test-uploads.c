/* test-uploads.c: /api/scripts/upload, /upload/async and the upload status endpoints through
 * nginx: multipart edge cases, extensions, encodings, limits, duplicates (also racing), a
 * batch processed by psscript-worker (also when the worker is killed midway), visibility */
#include "config.h"

#include <sys/wait.h>

#include "itest-auth.h"

#define BND "pssBoundary7MA4YWxkTrZu0gW"

/* One part of a multipart body. */
struct part {
	const char	*name;
	const char	*filename;	/* NULL: a plain field */
	const char	*data;
	size_t		 len;		/* 0: strlen(data) */
};

/* mp_body: the multipart body of parts with boundary BND and line end nl. */
static void
mp_body(struct buf *b, const char *nl, const struct part *p, size_t n)
{
	buf_reset(b);
	for (size_t i = 0; i < n; i++) {
		buf_printf(b, "--" BND "%sContent-Disposition: form-data; name=\"%s\"", nl, p[i].name);
		if (p[i].filename != NULL)
			buf_printf(b, "; filename=\"%s\"%sContent-Type: application/octet-stream", p[i].filename, nl);
		buf_printf(b, "%s%s", nl, nl);
		buf_append(b, p[i].data, p[i].len ? p[i].len : strlen(p[i].data));
		buf_puts(b, nl);
	}
	buf_printf(b, "--" BND "--%s", nl);
}

/* post_raw: POST path as token with the body and a full Content-Type. */
static int
post_raw(struct it_resp *r, const char *path, const char *token, const char *ctype,
    const char *body, size_t len)
{
	char auth[160];
	const char *h[2] = { auth, NULL };

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	return it_request(r, "POST", path, body, len, ctype, h);
}

/* upload: the parts to path (CRLF, the usual Content-Type); returns the status. */
static long
upload(struct it_resp *r, const char *path, const char *token, const struct part *p, size_t n)
{
	struct buf b = BUF_INIT;
	int rc;

	mp_body(&b, "\r\n", p, n);
	rc = post_raw(r, path, token, "multipart/form-data; boundary=" BND, b.data, b.len);
	buf_free(&b);
	return rc == 0 ? r->status : -1;
}

/* A content no other test (or run) uploads. */
static const char *
fresh(const char *what)
{
	static char s[128];
	static int seq;

	snprintf(s, sizeof(s), "Write-Output \"%s %d %d %lld\"\n", what, (int)getpid(), ++seq,
	    (long long)time_wall_ms());
	return s;
}

static struct acct alice, bob, admin;

static void
test_accounts(void)
{
	T_EQ(acct_register(&alice, "upa"), 0);
	T_EQ(acct_register(&bob, "upb"), 0);
	T_EQ(acct_admin(&admin, "upadm"), 0);
}

static void
test_sync_upload_creates_a_script_with_version_tags_and_analysis_job(void)
{
	struct it_resp r;
	char content[256], sql[512];
	struct part p[] = {
		{ "title", NULL, "Disk report", 0 }, { "description", NULL, "Free space per drive", 0 },
		{ "category_id", NULL, "1", 0 }, { "tags", NULL, " Disk, REPORT ,,storage", 0 },
		{ "is_public", NULL, "true", 0 }, { "script_file", "disk.ps1", content, 0 },
	};

	snprintf(content, sizeof(content), "%s", fresh("disk"));
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, PSS_ARRAY_LEN(p)), 201);
	T_STREQ(it_str(&r, "success"), "true");
	T_STREQ(it_str(&r, "script.title"), "Disk report");
	T_STREQ(it_str(&r, "script.description"), "Free space per drive");
	T_STREQ(it_str(&r, "script.content"), content);
	T_STREQ(it_str(&r, "script.isPublic"), "true");
	T_STREQ(it_str(&r, "script.category.id"), "1");
	T_STREQ(it_str(&r, "script.version"), "1");
	T_CONTAINS(it_str(&r, "script.tags"), "\"disk\"");
	T_CONTAINS(it_str(&r, "script.tags"), "\"report\"");
	T_CONTAINS(it_str(&r, "script.tags"), "\"storage\"");
	snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM script_versions WHERE script_id = %s) || ':' ||"
	    " (SELECT count(*) FROM jobs WHERE type = 'analysis.run' AND payload->>'scriptId' = '%s')",
	    it_str(&r, "script.id"), it_str(&r, "script.id"));
	T_STREQ(it_psql(sql), "1:1");
	it_resp_free(&r);
}

static void
test_sync_upload_title_from_file_name_tags_as_json_and_no_analysis(void)
{
	struct it_resp r;
	char sql[256];
	struct part p[] = {
		{ "tags", NULL, "[\"one\", \"Two\"]", 0 }, { "analyze_with_ai", NULL, "false", 0 },
		{ "script_file", "Get-Things.psm1", fresh("json tags"), 0 },
	};

	T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, PSS_ARRAY_LEN(p)), 201);
	T_STREQ(it_str(&r, "script.title"), "Get-Things");
	T_STREQ(it_str(&r, "script.isPublic"), "false");
	T_CONTAINS(it_str(&r, "script.tags"), "\"two\"");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE type = 'analysis.run' AND"
	    " payload->>'scriptId' = '%s'", it_str(&r, "script.id"));
	T_STREQ(it_psql(sql), "0");
	it_resp_free(&r);
	p[0].data = "[\"one\", 2]";
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, PSS_ARRAY_LEN(p)), 400);
	T_STREQ(it_str(&r, "details.0.field"), "tags");
	it_resp_free(&r);
}

/* A hand-written body with its Content-Type: the status. */
static long
raw_status(const char *ctype, const char *body, size_t len, struct it_resp *r)
{
	return post_raw(r, "/api/scripts/upload", alice.token, ctype, body, len) == 0 ? r->status : -1;
}

static void
test_quoted_and_unquoted_boundaries(void)
{
	struct it_resp r;
	char body[512];
	int n;

	n = snprintf(body, sizeof(body), "--a b:c'd\r\nContent-Disposition: form-data; name=\"script_file\";"
	    " filename=\"q.ps1\"\r\n\r\n%s\r\n--a b:c'd--\r\n", fresh("quoted"));
	T_EQ(raw_status("multipart/form-data; boundary=\"a b:c'd\"", body, (size_t)n, &r), 201);
	it_resp_free(&r);
	n = snprintf(body, sizeof(body), "--xyz123\r\nContent-Disposition: form-data; name=script_file;"
	    " filename=u.ps1\r\n\r\n%s\r\n--xyz123--", fresh("unquoted"));
	T_EQ(raw_status("Multipart/Form-Data;boundary=xyz123", body, (size_t)n, &r), 201);
	T_STREQ(it_str(&r, "script.title"), "u");
	it_resp_free(&r);
}

static void
test_crlf_edge_cases(void)
{
	struct it_resp r;
	struct buf b = BUF_INIT;
	char content[200];
	struct part p[] = { { "script_file", "lf.ps1", NULL, 0 } };

	/* bare LF line ends throughout */
	p[0].data = fresh("bare lf");
	mp_body(&b, "\n", p, 1);
	T_EQ(raw_status("multipart/form-data; boundary=" BND, b.data, b.len, &r), 201);
	it_resp_free(&r);
	/* a preamble, transport padding after the delimiter and an epilogue */
	buf_reset(&b);
	buf_printf(&b, "This is the preamble.\r\n--" BND "  \r\nContent-Disposition: form-data;"
	    " name=\"script_file\"; filename=\"pre.ps1\"\r\n\r\n%s\r\n--" BND "--\r\nepilogue\r\n",
	    fresh("preamble"));
	T_EQ(raw_status("multipart/form-data; boundary=" BND, b.data, b.len, &r), 201);
	it_resp_free(&r);
	/* content with CRLF inside and a trailing CRLF: kept byte for byte */
	snprintf(content, sizeof(content), "Get-Date\r\n\r\n--" BND "x\r\n%s\r\n", fresh("crlf"));
	p[0].filename = "crlf.ps1";
	p[0].data = content;
	mp_body(&b, "\r\n", p, 1);
	T_EQ(raw_status("multipart/form-data; boundary=" BND, b.data, b.len, &r), 201);
	T_STREQ(it_str(&r, "script.content"), content);
	it_resp_free(&r);
	buf_free(&b);
}

static void
test_file_names_lose_path_parts_and_keep_unicode(void)
{
	static const struct { const char *sent, *title; } cases[] = {
		{ "C:\\\\x\\\\y.ps1", "y" },	/* escaped backslashes */
		{ "C:\\x\\win.ps1", "win" },	/* as old browsers send them */
		{ "../a/b.ps1", "b" },
		{ "\xc3\x9c" "berpr\xc3\xbc" "fung-\xe6\x97\xa5\xe6\x9c\xac.ps1", "\xc3\x9c" "berpr\xc3\xbc" "fung-\xe6\x97\xa5\xe6\x9c\xac" },
	};
	struct it_resp r;
	char body[1024];
	int n;

	for (size_t i = 0; i < PSS_ARRAY_LEN(cases); i++) {
		n = snprintf(body, sizeof(body), "--" BND "\r\nContent-Disposition: form-data;"
		    " name=\"script_file\"; filename=\"%s\"\r\n\r\n%s\r\n--" BND "--\r\n",
		    cases[i].sent, fresh("names"));
		T_EQ(raw_status("multipart/form-data; boundary=" BND, body, (size_t)n, &r), 201);
		T_STREQ(it_str(&r, "script.title"), cases[i].title);
		it_resp_free(&r);
	}
	/* RFC 5987 filename* wins over filename */
	n = snprintf(body, sizeof(body), "--" BND "\r\nContent-Disposition: form-data; name=\"script_file\";"
	    " filename=\"fallback.ps1\"; filename*=UTF-8''%%E2%%82%%AC-euro.ps1\r\n\r\n%s\r\n--" BND "--\r\n",
	    fresh("5987"));
	T_EQ(raw_status("multipart/form-data; boundary=" BND, body, (size_t)n, &r), 201);
	T_STREQ(it_str(&r, "script.title"), "\xe2\x82\xac-euro");
	it_resp_free(&r);
}

static void
test_malformed_bodies_are_400_and_wrong_types_415(void)
{
	struct it_resp r;
	struct buf b = BUF_INIT;
	struct part p[] = { { "script_file", "t.ps1", "Get-Date # truncated test\n", 0 } };

	mp_body(&b, "\r\n", p, 1);
	/* truncated: the close delimiter (and some content) is missing */
	T_EQ(raw_status("multipart/form-data; boundary=" BND, b.data, b.len - 20, &r), 400);
	T_STREQ(it_str(&r, "error"), "validation_error");
	T_CONTAINS(it_str(&r, "message"), "truncated");
	it_resp_free(&r);
	/* the boundary is not the body's */
	T_EQ(raw_status("multipart/form-data; boundary=other", b.data, b.len, &r), 400);
	it_resp_free(&r);
	T_EQ(raw_status("multipart/form-data", b.data, b.len, &r), 400);
	T_CONTAINS(it_str(&r, "message"), "boundary");
	it_resp_free(&r);
	T_EQ(raw_status("application/json", "{\"content\":\"x\"}", 15, &r), 415);
	T_STREQ(it_str(&r, "error"), "unsupported_media_type");
	it_resp_free(&r);
	T_EQ(raw_status("text/plain", "Get-Date", 8, &r), 415);
	it_resp_free(&r);
	T_EQ(post_raw(&r, "/api/scripts/upload/async", alice.token, "application/x-www-form-urlencoded",
	    "a=b", 3), 0);
	T_EQ(r.status, 415);
	it_resp_free(&r);
	/* a part without Content-Disposition */
	T_EQ(raw_status("multipart/form-data; boundary=" BND, "--" BND "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" BND "--\r\n",
	    strlen("--" BND "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" BND "--\r\n"), &r), 400);
	it_resp_free(&r);
	/* no file */
	p[0].filename = NULL;
	mp_body(&b, "\r\n", p, 1);
	T_EQ(raw_status("multipart/form-data; boundary=" BND, b.data, b.len, &r), 400);
	T_STREQ(it_str(&r, "details.0.field"), "script_file");
	it_resp_free(&r);
	buf_free(&b);
}

/* Issue 12 item 10: a second file part is 400 (before, the first was stored and the second
 * dropped unseen); a file of white space alone is 400 naming script_file. */
static void
test_one_file_a_sync_upload_and_not_blank(void)
{
	struct it_resp r;
	struct part two[] = { { "script_file", "a.ps1", fresh("two a"), 0 },
		{ "script_file", "b.ps1", fresh("two b"), 0 } };
	struct part mixed[] = { { "script_file", "a.ps1", fresh("mixed a"), 0 },
		{ "file", "b.ps1", fresh("mixed b"), 0 } };
	struct part blank[] = { { "script_file", "blank.ps1", " \r\n\t\n", 0 } };

	T_EQ(upload(&r, "/api/scripts/upload", alice.token, two, 2), 400);
	T_STREQ(it_str(&r, "details.0.field"), "script_file");
	T_CONTAINS(it_str(&r, "details.0.message"), "One file a request");
	it_resp_free(&r);
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, mixed, 2), 400);
	it_resp_free(&r);
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, blank, 1), 400);
	T_STREQ(it_str(&r, "details.0.field"), "script_file");
	T_CONTAINS(it_str(&r, "details.0.message"), "white space");
	it_resp_free(&r);
	/* one file still works */
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, two, 1), 201);
	it_resp_free(&r);
}

static void
test_extensions_encodings_and_control_bytes(void)
{
	static const char utf16[] = "\xff\xfeW\0r\0i\0t\0e\0-\0O\0u\0t\0p\0u\0t\0 \0\xac\x20\0\0";
	struct it_resp r;
	char lone[300];
	struct part p[] = { { "script_file", "x.exe", "Get-Date # exe\n", 0 } };

	T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, 1), 400);
	T_STREQ(it_str(&r, "details.0.field"), "script_file");
	T_CONTAINS(it_str(&r, "details.0.message"), ".ps1");
	it_resp_free(&r);
	/* every accepted extension, any case */
	static const char *const ok[] = { "a.PS1", "b.psm1", "c.psd1", "d.ps1xml", "e.TXT" };
	for (size_t i = 0; i < PSS_ARRAY_LEN(ok); i++) {
		p[0].filename = ok[i];
		p[0].data = fresh("ext");
		T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, 1), 201);
		it_resp_free(&r);
	}
	/* UTF-16 LE with a BOM: stored as UTF-8 (a unique tail keeps it new) */
	snprintf(lone, sizeof(lone), "%d", (int)getpid());
	{
		char buf[128];
		size_t n = sizeof(utf16) - 3;	/* without the "\0\0" NUL character */

		memcpy(buf, utf16, n);
		for (size_t i = 0; lone[i]; i++) {
			buf[n++] = lone[i];
			buf[n++] = '\0';
		}
		p[0].filename = "wide.ps1";
		p[0].data = buf;
		p[0].len = n;
		T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, 1), 201);
		snprintf(buf, sizeof(buf), "Write-Output \xe2\x82\xac%.20s", lone);
		T_STREQ(it_str(&r, "script.content"), buf);
		it_resp_free(&r);
	}
	/* a UTF-8 BOM is dropped */
	p[0].filename = "bom.ps1";
	snprintf(lone, sizeof(lone), "\xef\xbb\xbf%s", fresh("bom"));
	p[0].data = lone;
	p[0].len = 0;
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, 1), 201);
	T_STREQ(it_str(&r, "script.content"), lone + 3);
	it_resp_free(&r);
	/* NUL, a control byte, invalid UTF-8, empty */
	static const struct { const char *data; size_t len; } bad[] = {
		{ "Get-Date\0x\n", 11 }, { "Get-Date\x01\n", 10 }, { "Get-Date \xc3\x28\n", 12 }, { "", 0 },
	};
	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "--" BND "\r\nContent-Disposition: form-data; name=\"script_file\";"
		    " filename=\"bad.ps1\"\r\n\r\n");
		buf_append(&b, bad[i].data, bad[i].len);
		buf_puts(&b, "\r\n--" BND "--\r\n");
		T_EQ(raw_status("multipart/form-data; boundary=" BND, b.data, b.len, &r), 400);
		T_STREQ(it_str(&r, "details.0.field"), "script_file");
		it_resp_free(&r);
		buf_free(&b);
	}
}

static void
test_duplicate_is_409_with_existing_id(void)
{
	struct it_resp r;
	char content[256], id[32];
	struct part p[] = { { "script_file", "dup.ps1", content, 0 }, { "is_public", NULL, "true", 0 } };

	snprintf(content, sizeof(content), "%s", fresh("dup"));
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, 2), 201);
	snprintf(id, sizeof(id), "%s", it_str(&r, "script.id") ? it_str(&r, "script.id") : "?");
	it_resp_free(&r);
	/* someone else, the same bytes as a public script */
	T_EQ(upload(&r, "/api/scripts/upload", bob.token, p, 1), 409);
	T_STREQ(it_str(&r, "error"), "duplicate_file");
	T_STREQ(it_str(&r, "existingScriptId"), id);
	it_resp_free(&r);
	/* the same bytes as alice's private script: absent for bob, whose copy is stored
	 * (issue 12 item 5: before, 409 naming alice's private script); alice's own is a 409 */
	snprintf(content, sizeof(content), "%s", fresh("dup private"));
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, 1), 201);
	snprintf(id, sizeof(id), "%s", it_str(&r, "script.id") ? it_str(&r, "script.id") : "?");
	it_resp_free(&r);
	T_EQ(upload(&r, "/api/scripts/upload", bob.token, p, 1), 201);
	T_ASSERT(it_str(&r, "existingScriptId") == NULL);
	it_resp_free(&r);
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, 1), 409);
	T_STREQ(it_str(&r, "existingScriptId"), id);
	it_resp_free(&r);
}

static void
test_over_the_size_cap_is_413(void)
{
	struct it_resp r;
	size_t n = 10 * 1024 * 1024 + 1;
	char *big = xmalloc(n);
	struct part p[] = { { "script_file", "big.ps1", big, n } };
	const char *before = it_psql("SELECT count(*) FROM uploads");
	char count[32];

	snprintf(count, sizeof(count), "%s", before ? before : "?");
	memset(big, '#', n);
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, p, 1), 413);
	T_STREQ(it_str(&r, "error"), "payload_too_large");
	it_resp_free(&r);
	p[0].name = "files";
	T_EQ(upload(&r, "/api/scripts/upload/async", alice.token, p, 1), 413);
	T_STREQ(it_str(&r, "error"), "payload_too_large");
	it_resp_free(&r);
	T_STREQ(it_psql("SELECT count(*) FROM uploads"), count);
	free(big);
}

static void
test_needs_a_user_and_the_csrf_token_with_a_cookie(void)
{
	struct it_resp r;
	struct buf b = BUF_INIT;
	char cookie[160], content[256];
	const char *h[2] = { cookie, NULL };
	struct part p[] = { { "script_file", "c.ps1", content, 0 }, { "csrf_token", NULL, alice.csrf, 0 } };

	snprintf(content, sizeof(content), "%s", fresh("csrf"));
	mp_body(&b, "\r\n", p, 1);
	T_EQ(it_request(&r, "POST", "/api/scripts/upload", b.data, b.len,
	    "multipart/form-data; boundary=" BND, NULL), 0);
	T_EQ(r.status, 401);
	it_resp_free(&r);
	snprintf(cookie, sizeof(cookie), "Cookie: __Host-pss_session=%s", alice.token);
	T_EQ(it_request(&r, "POST", "/api/scripts/upload", b.data, b.len,
	    "multipart/form-data; boundary=" BND, h), 0);
	T_EQ(r.status, 403);
	T_STREQ(it_str(&r, "error"), "csrf_failed");
	it_resp_free(&r);
	/* the token as a form field of the multipart body */
	mp_body(&b, "\r\n", p, 2);
	T_EQ(it_request(&r, "POST", "/api/scripts/upload", b.data, b.len,
	    "multipart/form-data; boundary=" BND, h), 0);
	T_EQ(r.status, 201);
	it_resp_free(&r);
	buf_free(&b);
}

/* wait_batch: polls the batch as token until done == total; returns the last answer's
 * status (the response stays in r). */
static long
wait_batch(struct it_resp *r, const char *batch, const char *token, int seconds)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/scripts/upload/batch/%s", batch);
	for (int i = 0; i < seconds * 5; i++) {
		const char *done, *total;

		if (it_json(r, "GET", path, token, NULL) != 0)
			return -1;
		done = it_str(r, "done");
		total = it_str(r, "total");
		if (r->status != 200 || (done && total && strcmp(done, total) == 0))
			return r->status;
		it_resp_free(r);
		usleep(200000);
	}
	return it_json(r, "GET", path, token, NULL) == 0 ? r->status : -1;
}

/* The upload object of the batch answer for filename. */
static struct json_object *
upload_named(const struct it_resp *r, const char *filename)
{
	struct json_object *list, *u, *v;

	if (r->json == NULL || !json_object_object_get_ex(r->json, "uploads", &list))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		u = json_object_array_get_idx(list, i);
		if (json_object_object_get_ex(u, "filename", &v) && strcmp(json_object_get_string(v), filename) == 0)
			return u;
	}
	return NULL;
}

static const char *
member(struct json_object *o, const char *name)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, name, &v) && v != NULL ?
	    json_object_get_string(v) : NULL;
}

static void
test_async_batch_ends_completed_duplicate_or_failed_with_reasons(void)
{
	struct it_resp r, s;
	char batch[64], existing[32], dupc[256], path[160], good[256], sql[512];
	struct part p[] = {
		{ "is_public", NULL, "true", 0 }, { "tags", NULL, "batch", 0 },
		{ "files", "good.ps1", good, 0 }, { "files", "again.ps1", dupc, 0 },
		{ "files", "virus.exe", "Get-Date # exe in a batch\n", 0 },
		{ "files", "nul.ps1", "Get-Date\0x\n", 11 },
		{ "files", "", "", 0 },	/* an empty file input: skipped */
		{ "files", "sub\\dir\\wide.txt", "\xff\xfeG\0e\0t\0-\0H\0o\0s\0t\0", 18 },
	};
	struct part first[] = { { "script_file", "orig.ps1", dupc, 0 } };

	snprintf(good, sizeof(good), "%s", fresh("async good"));
	snprintf(dupc, sizeof(dupc), "%s", fresh("async dup"));
	T_EQ(upload(&r, "/api/scripts/upload", alice.token, first, 1), 201);
	snprintf(existing, sizeof(existing), "%s", it_str(&r, "script.id") ? it_str(&r, "script.id") : "?");
	it_resp_free(&r);
	(void)it_psql("DELETE FROM scripts WHERE content = E'Get-Host'");
	T_EQ(upload(&r, "/api/scripts/upload/async", alice.token, p, PSS_ARRAY_LEN(p)), 202);
	T_STREQ(it_str(&r, "success"), "true");
	T_ASSERT(it_str(&r, "batchId") != NULL && strlen(it_str(&r, "batchId")) == 36);
	T_STREQ(it_str(&r, "uploads.0.status"), "queued");
	T_STREQ(it_str(&r, "uploads.4.filename"), "wide.txt");
	T_ASSERT(r.json != NULL && json_object_array_length(json_object_object_get(r.json, "uploads")) == 5);
	snprintf(batch, sizeof(batch), "%s", it_str(&r, "batchId") ? it_str(&r, "batchId") : "");
	it_resp_free(&r);
	T_EQ(wait_batch(&r, batch, alice.token, 30), 200);
	T_STREQ(it_str(&r, "total"), "5");
	T_STREQ(it_str(&r, "done"), "5");
	T_STREQ(it_str(&r, "failed"), "2");
	T_STREQ(member(upload_named(&r, "good.ps1"), "status"), "completed");
	T_ASSERT(member(upload_named(&r, "good.ps1"), "scriptId") != NULL);
	T_STREQ(member(upload_named(&r, "again.ps1"), "status"), "duplicate");
	T_STREQ(member(upload_named(&r, "again.ps1"), "existingScriptId"), existing);
	T_STREQ(member(upload_named(&r, "virus.exe"), "status"), "failed");
	T_CONTAINS(member(upload_named(&r, "virus.exe"), "error"), ".ps1");
	T_STREQ(member(upload_named(&r, "nul.ps1"), "status"), "failed");
	T_ASSERT(member(upload_named(&r, "nul.ps1"), "error") != NULL);
	T_STREQ(member(upload_named(&r, "wide.txt"), "status"), "completed");
	/* the single upload's status, and the script it made */
	snprintf(path, sizeof(path), "/api/scripts/upload/status/%s",
	    member(upload_named(&r, "good.ps1"), "uploadId"));
	T_EQ(it_json(&s, "GET", path, alice.token, NULL), 0);
	T_EQ(s.status, 200);
	T_STREQ(it_str(&s, "status"), "completed");
	T_STREQ(it_str(&s, "filename"), "good.ps1");
	T_STREQ(it_str(&s, "batchId"), batch);
	T_STREQ(it_str(&s, "scriptId"), member(upload_named(&r, "good.ps1"), "scriptId"));
	it_resp_free(&s);
	snprintf(sql, sizeof(sql), "SELECT is_public || ':' || title || ':' || (SELECT string_agg(t.name, ',')"
	    " FROM script_tags st JOIN tags t ON t.id = st.tag_id WHERE st.script_id = s.id) FROM scripts s WHERE id = %s",
	    member(upload_named(&r, "good.ps1"), "scriptId"));
	T_STREQ(it_psql(sql), "true:good:batch");
	it_resp_free(&r);
}

static void
test_async_limits(void)
{
	struct it_resp r;
	struct part p[52];
	char names[51][16];

	for (int i = 0; i < 51; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d.ps1", i);
		p[i] = (struct part){ "files", names[i], "Get-Date # limits\n", 0 };
	}
	T_EQ(upload(&r, "/api/scripts/upload/async", alice.token, p, 51), 400);
	T_STREQ(it_str(&r, "details.0.field"), "files");
	it_resp_free(&r);
	T_EQ(upload(&r, "/api/scripts/upload/async", alice.token, p, 0), 400);
	it_resp_free(&r);
	p[0] = (struct part){ "category_id", NULL, "999999", 0 };
	p[1] = (struct part){ "files", "x.ps1", "Get-Date # no such category\n", 0 };
	T_EQ(upload(&r, "/api/scripts/upload/async", alice.token, p, 2), 400);
	T_STREQ(it_str(&r, "details.0.field"), "category_id");
	it_resp_free(&r);
	p[0] = (struct part){ "is_public", NULL, "perhaps", 0 };
	T_EQ(upload(&r, "/api/scripts/upload/async", alice.token, p, 2), 400);
	T_STREQ(it_str(&r, "details.0.field"), "is_public");
	it_resp_free(&r);
}

static void
test_racing_duplicate_uploads_make_one_script(void)
{
	for (int round = 0; round < 4; round++) {
		char content[256], sql[512];
		int go[2], res[2][2];
		pid_t pid[2];
		long st[2];
		long long ids[2] = { 0, 0 };
		/* public, so a copy would be visible to both users */
		struct part p[] = { { "script_file", "race.ps1", content, 0 }, { "is_public", NULL, "true", 0 } };

		snprintf(content, sizeof(content), "%s", fresh("race"));
		T_EQ(pipe(go), 0);
		for (int k = 0; k < 2; k++) {
			T_EQ(pipe(res[k]), 0);
			if ((pid[k] = fork()) == 0) {
				struct it_resp r;
				char c, line[64];
				long s;

				close(go[1]);
				it_init();	/* a connection of its own, not the parent's */
				(void)!read(go[0], &c, 1);	/* both start together */
				s = upload(&r, "/api/scripts/upload", k ? bob.token : alice.token, p, 2);
				snprintf(line, sizeof(line), "%ld %s", s, s == 201 ? it_str(&r, "script.id") :
				    s == 409 ? it_str(&r, "existingScriptId") : "0");
				(void)!write(res[k][1], line, strlen(line) + 1);
				_exit(0);
			}
			close(res[k][1]);
		}
		close(go[0]);
		close(go[1]);	/* EOF releases both */
		for (int k = 0; k < 2; k++) {
			char line[64] = "";

			(void)!read(res[k][0], line, sizeof(line) - 1);
			close(res[k][0]);
			waitpid(pid[k], NULL, 0);
			if (sscanf(line, "%ld %lld", &st[k], &ids[k]) != 2) {
				printf("#   round %d, upload %d answered \"%s\"\n", round, k, line);
				st[k] = -1;
			}
		}
		T_ASSERTF((st[0] == 201 && st[1] == 409) || (st[0] == 409 && st[1] == 201),
		    "round %d: statuses %ld and %ld", round, st[0], st[1]);
		T_EQ(ids[0], ids[1]);	/* the loser names the winner */
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM scripts WHERE id = %lld", ids[0]);
		T_STREQ(it_psql(sql), "1");
	}
}

static void
test_racing_duplicates_in_two_batches_with_two_workers(void)
{
	struct it_resp r;
	char content[256], b1[64], b2[64], log[512], sql[256];
	struct part p[] = { { "files", "r1.ps1", content, 0 }, { "is_public", NULL, "true", 0 } };
	const char *s1, *s2;

	/* a second worker, so both batches are processed at once */
	snprintf(log, sizeof(log), "%s/log/worker-uploads2.log", getenv("PSS_TEST_STATE"));
	T_EQ(it_run("\"$PSS_BIN/psscript-worker\" >'%s' 2>&1 & echo $! >'%s.pid'", log, log), 0);
	for (int round = 0; round < 3; round++) {
		snprintf(content, sizeof(content), "%s", fresh("race batch"));
		T_EQ(upload(&r, "/api/scripts/upload/async", alice.token, p, 2), 202);
		snprintf(b1, sizeof(b1), "%s", it_str(&r, "batchId") ? it_str(&r, "batchId") : "");
		it_resp_free(&r);
		T_EQ(upload(&r, "/api/scripts/upload/async", bob.token, p, 2), 202);
		snprintf(b2, sizeof(b2), "%s", it_str(&r, "batchId") ? it_str(&r, "batchId") : "");
		it_resp_free(&r);
		T_EQ(wait_batch(&r, b1, alice.token, 30), 200);
		s1 = member(upload_named(&r, "r1.ps1"), "status");
		snprintf(sql, sizeof(sql), "%s", s1 ? s1 : "?");
		it_resp_free(&r);
		T_EQ(wait_batch(&r, b2, bob.token, 30), 200);
		s2 = member(upload_named(&r, "r1.ps1"), "status");
		T_ASSERTF(s2 != NULL && ((strcmp(sql, "completed") == 0 && strcmp(s2, "duplicate") == 0) ||
		    (strcmp(sql, "duplicate") == 0 && strcmp(s2, "completed") == 0)),
		    "round %d: %s and %s", round, sql, s2 ? s2 : "?");
		it_resp_free(&r);
		snprintf(sql, sizeof(sql), "SELECT count(DISTINCT coalesce(script_id, existing_script_id))"
		    " FROM uploads WHERE batch_id IN ('%s', '%s')", b1, b2);
		T_STREQ(it_psql(sql), "1");
	}
	T_EQ(it_run("kill $(cat '%s.pid')", log), 0);
}

static void
test_worker_killed_mid_batch_every_file_still_ends(void)
{
	struct it_resp r;
	struct part p[50];
	static char names[50][24], contents[50][256 * 1024];
	char batch[64], sql[512];
	int killed_at = -1;

	/* 50 files of 256 KB (two duplicates of others, one bad extension) */
	for (int i = 0; i < 50; i++) {
		const char *f = fresh("kill");
		size_t fl = strlen(f);

		snprintf(names[i], sizeof(names[i]), i == 7 ? "k%d.dll" : "k%d.ps1", i);
		for (size_t k = 0; k + fl < sizeof(contents[i]); k += fl)
			memcpy(contents[i] + k, f, fl);
		contents[i][sizeof(contents[i]) - 1] = '\0';
		p[i] = (struct part){ "files", names[i], contents[i], 0 };
	}
	p[20].data = contents[3];
	p[40].data = contents[30];
	T_EQ(upload(&r, "/api/scripts/upload/async", alice.token, p, 50), 202);
	snprintf(batch, sizeof(batch), "%s", it_str(&r, "batchId") ? it_str(&r, "batchId") : "");
	it_resp_free(&r);
	/* kill the worker once a few are done, while the rest wait or run */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM uploads WHERE batch_id = '%s' AND status"
	    " NOT IN ('queued', 'processing')", batch);
	for (int i = 0; i < 300 && killed_at < 0; i++) {
		const char *v = it_psql(sql);

		if (v != NULL && atoi(v) >= 3)
			killed_at = atoi(v);
		else
			usleep(20000);
	}
	T_EQ(it_harness("worker-kill"), 0);
	printf("#   worker killed with %d of 50 finished\n", killed_at);
	T_ASSERT(killed_at >= 3 && killed_at < 50);
	T_EQ(it_harness("worker-start"), 0);
	T_EQ(wait_batch(&r, batch, alice.token, 90), 200);
	T_STREQ(it_str(&r, "done"), "50");
	T_STREQ(it_str(&r, "failed"), "1");
	T_STREQ(member(upload_named(&r, "k7.dll"), "status"), "failed");
	it_resp_free(&r);
	/* which of two equal files came first depends on the retry: one of each pair */
	snprintf(sql, sizeof(sql), "SELECT string_agg(status, ',' ORDER BY status) FROM uploads WHERE"
	    " batch_id = '%s' AND filename IN ('k3.ps1', 'k20.ps1', 'k30.ps1', 'k40.ps1')", batch);
	T_STREQ(it_psql(sql), "completed,completed,duplicate,duplicate");
	/* every finished upload says what it became; each content is stored once */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM uploads WHERE batch_id = '%s' AND NOT ("
	    "(status = 'completed' AND script_id IS NOT NULL) OR (status = 'duplicate' AND"
	    " existing_script_id IS NOT NULL) OR (status = 'failed' AND error <> ''))", batch);
	T_STREQ(it_psql(sql), "0");
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT script_id) || ':' || count(script_id) FROM uploads"
	    " WHERE batch_id = '%s'", batch);
	T_STREQ(it_psql(sql), "47:47");
}

static void
test_status_is_the_owners_only(void)
{
	struct it_resp r;
	char batch[64], up[64], path[160];
	struct part p[] = { { "files", "mine.ps1", fresh("mine"), 0 } };

	T_EQ(upload(&r, "/api/scripts/upload/async", alice.token, p, 1), 202);
	snprintf(batch, sizeof(batch), "%s", it_str(&r, "batchId") ? it_str(&r, "batchId") : "");
	snprintf(up, sizeof(up), "%s", it_str(&r, "uploads.0.uploadId") ? it_str(&r, "uploads.0.uploadId") : "");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/scripts/upload/status/%s", up);
	T_EQ(status_of("GET", path, alice.token, NULL), 200);
	T_EQ(status_of("GET", path, bob.token, NULL), 404);
	T_EQ(status_of("GET", path, admin.token, NULL), 200);
	T_EQ(status_of("GET", path, NULL, NULL), 401);
	snprintf(path, sizeof(path), "/api/scripts/upload/batch/%s", batch);
	T_EQ(status_of("GET", path, alice.token, NULL), 200);
	T_EQ(status_of("GET", path, bob.token, NULL), 404);
	T_EQ(status_of("GET", path, admin.token, NULL), 200);
	T_EQ(status_of("GET", "/api/scripts/upload/status/not-a-uuid", alice.token, NULL), 404);
	T_EQ(status_of("GET", "/api/scripts/upload/batch/00000000-0000-0000-0000-000000000000",
	    alice.token, NULL), 404);
	T_EQ(wait_batch(&r, batch, alice.token, 30), 200);
	it_resp_free(&r);
}

int
main(void)
{
	it_init();
	T_RUN(test_accounts);
	T_RUN(test_sync_upload_creates_a_script_with_version_tags_and_analysis_job);
	T_RUN(test_sync_upload_title_from_file_name_tags_as_json_and_no_analysis);
	T_RUN(test_one_file_a_sync_upload_and_not_blank);
	T_RUN(test_quoted_and_unquoted_boundaries);
	T_RUN(test_crlf_edge_cases);
	T_RUN(test_file_names_lose_path_parts_and_keep_unicode);
	T_RUN(test_malformed_bodies_are_400_and_wrong_types_415);
	T_RUN(test_extensions_encodings_and_control_bytes);
	T_RUN(test_duplicate_is_409_with_existing_id);
	T_RUN(test_over_the_size_cap_is_413);
	T_RUN(test_needs_a_user_and_the_csrf_token_with_a_cookie);
	T_RUN(test_async_batch_ends_completed_duplicate_or_failed_with_reasons);
	T_RUN(test_async_limits);
	T_RUN(test_racing_duplicate_uploads_make_one_script);
	T_RUN(test_racing_duplicates_in_two_batches_with_two_workers);
	T_RUN(test_status_is_the_owners_only);
	T_RUN(test_worker_killed_mid_batch_every_file_still_ends);
	return t_done();
}
