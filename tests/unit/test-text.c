/* test-text.c: script text rules: BOMs, UTF-16 conversion, UTF-8, NUL and control bytes, names */
#include "config.h"

#include "core/core.h"
#include "core/text.h"
#include "t.h"

static enum text_err
norm(const char *in, size_t len, const char *want, size_t *where)
{
	char *out;
	size_t outlen;
	enum text_err e = text_normalize(in, len, &out, &outlen, where);

	if (e == TEXT_OK) {
		T_EQ(outlen, strlen(want));
		T_STREQ(out, want);
		free(out);
	} else
		T_ASSERT(out == NULL);
	return e;
}

static void
test_plain_utf8_passes_unchanged(void)
{
	T_EQ(norm("Write-Host 'h\xc3\xa9'\r\n\tx\n", 21, "Write-Host 'h\xc3\xa9'\r\n\tx\n", NULL), TEXT_OK);
}

static void
test_utf8_bom_is_dropped(void)
{
	T_EQ(norm("\xef\xbb\xbfGet-Date\n", 12, "Get-Date\n", NULL), TEXT_OK);
}

static void
test_utf16le_and_be_are_converted(void)
{
	/* "é€😀\n" in UTF-16 LE and BE, with their BOMs */
	static const char le[] = "\xff\xfe\xe9\x00\xac\x20\x3d\xd8\x00\xde\x0a\x00";
	static const char be[] = "\xfe\xff\x00\xe9\x20\xac\xd8\x3d\xde\x00\x00\x0a";

	T_EQ(norm(le, sizeof(le) - 1, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n", NULL), TEXT_OK);
	T_EQ(norm(be, sizeof(be) - 1, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n", NULL), TEXT_OK);
}

static void
test_broken_utf16_is_refused(void)
{
	size_t at;

	T_EQ(norm("\xff\xfe\x41\x00\x42", 5, NULL, &at), TEXT_EUTF16);	/* odd length */
	T_EQ(norm("\xff\xfe\x41\x00\x00\xdc", 6, NULL, &at), TEXT_EUTF16);	/* lone low surrogate */
	T_EQ(at, 4);
	T_EQ(norm("\xff\xfe\x3d\xd8\x41\x00", 6, NULL, &at), TEXT_EUTF16);	/* high without low */
	T_EQ(norm("\xff\xfe\x41\x00\x00\x00", 6, NULL, &at), TEXT_ENUL);	/* a NUL character */
}

static void
test_invalid_utf8_is_refused_with_its_offset(void)
{
	size_t at;

	T_EQ(norm("abc\xc3(", 5, NULL, &at), TEXT_EUTF8);
	T_EQ(at, 3);
	T_EQ(norm("\xef\xbb\xbf" "ab\xed\xa0\x80", 8, NULL, &at), TEXT_EUTF8);	/* surrogate */
	T_EQ(at, 5);
	T_EQ(norm("\xc0\xaf", 2, NULL, &at), TEXT_EUTF8);	/* overlong */
	T_EQ(norm("x\xf0\x9f\x98", 4, NULL, &at), TEXT_EUTF8);	/* truncated */
	T_EQ(at, 1);
}

static void
test_nul_and_control_bytes_are_refused(void)
{
	size_t at;

	T_EQ(norm("ab\0c", 4, NULL, &at), TEXT_ENUL);
	T_EQ(at, 2);
	T_EQ(norm("a\x1b[31m", 6, NULL, &at), TEXT_ECONTROL);
	T_EQ(at, 1);
	T_EQ(norm("a\x7f", 2, NULL, &at), TEXT_ECONTROL);
	T_EQ(norm("a\x0c", 2, NULL, &at), TEXT_ECONTROL);
	T_STREQ(text_errors[TEXT_ENUL], "the file contains a NUL byte (binary data)");
}

/* the scan steps sixteen bytes at a time: a refused byte is found at every offset of a longer
 * text (after a BOM too), and tab, CR, LF and bytes above 0x7F pass */
static void
test_control_bytes_are_found_at_every_offset(void)
{
	static const unsigned char bad[] = { 0, 0x01, 0x08, 0x0b, 0x0c, 0x1f, 0x7f };
	char s[3 + 40];
	size_t at;

	memcpy(s, "\xef\xbb\xbf", 3);
	for (size_t k = 0; k < PSS_ARRAY_LEN(bad); k++) {
		for (size_t i = 0; i < 40; i++) {
			memset(s + 3, 'x', 40);
			s[3 + i] = (char)bad[k];
			T_EQ(norm(s, sizeof(s), NULL, &at), bad[k] == 0 ? TEXT_ENUL : TEXT_ECONTROL);
			T_EQ(at, 3 + i);
		}
	}
	memset(s + 3, 'x', 40);
	memcpy(s + 3 + 5, "\t\r\n\x20\x7e\xc3\xa9", 7);
	s[3 + 40 - 1] = '\n';
	T_EQ(norm(s + 3, 40, "xxxxx\t\r\n\x20\x7e\xc3\xa9xxxxxxxxxxxxxxxxxxxxxxxxxxx\n", NULL), TEXT_OK);
}

static void
test_empty_content_is_refused(void)
{
	T_EQ(norm("", 0, NULL, NULL), TEXT_EEMPTY);
	T_EQ(norm("\xef\xbb\xbf", 3, NULL, NULL), TEXT_EEMPTY);
	T_EQ(norm("\xff\xfe", 2, NULL, NULL), TEXT_EEMPTY);
	/* white space alone is no script either (issue 12 item 10) */
	T_EQ(norm(" \t\r\n ", 5, NULL, NULL), TEXT_EBLANK);
	T_EQ(norm("\xef\xbb\xbf\n\n", 5, NULL, NULL), TEXT_EBLANK);
	T_EQ(norm("\xff\xfe\x20\x00", 4, NULL, NULL), TEXT_EBLANK);
	T_EQ(norm(" x ", 3, " x ", NULL), TEXT_OK);
}

static void
test_allowed_extensions(void)
{
	T_ASSERT(text_extension_allowed("a.ps1"));
	T_ASSERT(text_extension_allowed("Module.PSM1"));
	T_ASSERT(text_extension_allowed("m.psd1"));
	T_ASSERT(text_extension_allowed("types.ps1xml"));
	T_ASSERT(text_extension_allowed("notes.txt"));
	T_ASSERT(!text_extension_allowed(".ps1"));
	T_ASSERT(!text_extension_allowed("a.ps1.exe"));
	T_ASSERT(!text_extension_allowed("a.ps"));
	T_ASSERT(!text_extension_allowed("ps1"));
	T_ASSERT(!text_extension_allowed(""));
}

static void
test_pwsh_quote_doubles_every_kind_of_single_quote(void)
{
	struct buf b = BUF_INIT;

	text_pwsh_quote(&b, "it's $env:PATH `n; rm -r /");
	T_STREQ(buf_cstr(&b), "'it''s $env:PATH `n; rm -r /'");
	buf_reset(&b);
	/* U+2019 ends a PowerShell single-quoted string too */
	text_pwsh_quote(&b, "a\xe2\x80\x99; calc; \xe2\x80\x98" "b");
	T_STREQ(buf_cstr(&b), "'a\xe2\x80\x99\xe2\x80\x99; calc; \xe2\x80\x98\xe2\x80\x98" "b'");
	buf_free(&b);
}

static void
test_pwsh_command_line(void)
{
	struct buf b = BUF_INIT;
	struct pwsh_arg ok[] = {
		{ "Name", PWSH_STRING, "O'Brien" }, { "Count", PWSH_NUMBER, "3.5" },
		{ "Force", PWSH_BOOL, "true" },
	};
	struct pwsh_arg bad_name[] = { { "x; rm", PWSH_STRING, "v" } };
	struct pwsh_arg bad_num[] = { { "N", PWSH_NUMBER, "1; calc" } };
	struct pwsh_arg bad_bool[] = { { "B", PWSH_BOOL, "yes" } };

	T_ASSERT(text_pwsh_command(&b, "My Script.ps1", ok, 3));
	T_STREQ(buf_cstr(&b), "pwsh -NoProfile -File 'My Script.ps1' -Name 'O''Brien' -Count 3.5 -Force:$true");
	buf_reset(&b);
	T_ASSERT(!text_pwsh_command(&b, "a.ps1", bad_name, 1));
	T_ASSERT(!text_pwsh_command(&b, "a.ps1", bad_num, 1));
	T_ASSERT(!text_pwsh_command(&b, "a.ps1", bad_bool, 1));
	T_EQ(b.len, 0);
	buf_free(&b);
}

static void
test_filename_from_title(void)
{
	char *f;

	T_STREQ(f = text_filename("Backup: SQL / nightly!", ".ps1"), "Backup_SQL_nightly.ps1");
	free(f);
	T_STREQ(f = text_filename("../../etc/passwd", ".ps1"), "_.._etc_passwd.ps1");
	free(f);
	T_STREQ(f = text_filename("\xc3\xa9\xc3\xa9", ".ps1"), "script.ps1");
	free(f);
	T_STREQ(f = text_filename("...", ".ps1"), "script.ps1");
	free(f);
}

/* Issue 12 item 10: a non-ASCII title keeps its name in filename* (RFC 6266, 5987), with the
 * ASCII fallback in filename; an ASCII title has filename alone. */
static void
test_content_disposition_keeps_non_ascii_names(void)
{
	char *d, big[400];

	T_STREQ(d = text_content_disposition("Backup: SQL / nightly!", ".ps1"),
	    "attachment; filename=\"Backup_SQL_nightly.ps1\"");
	free(d);
	T_STREQ(d = text_content_disposition("R\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", ".ps1"),
	    "attachment; filename=\"R_sum.ps1\"; filename*=UTF-8''R%C3%A9sum%C3%A9_%E6%97%A5%E6%9C%AC.ps1");
	free(d);
	T_STREQ(d = text_content_disposition("\xc3\xa9\xc3\xa9", ".ps1"),
	    "attachment; filename=\"script.ps1\"; filename*=UTF-8''%C3%A9%C3%A9.ps1");
	free(d);
	/* a bidirectional control is a gap, not part of the name; quotes and ; never pass */
	T_STREQ(d = text_content_disposition("a\xe2\x80\xae\"; x=\xc3\xa9", ".ps1"),
	    "attachment; filename=\"a_x.ps1\"; filename*=UTF-8''a_x_%C3%A9.ps1");
	free(d);
	/* at most 100 bytes, never a character cut in two */
	for (int i = 0; i < 133; i++)
		memcpy(big + 3 * i, "\xe6\x97\xa5", 3);
	big[399] = '\0';
	d = text_content_disposition(big, ".ps1");
	T_ASSERT(strstr(d, "filename*=UTF-8''") != NULL);
	T_EQ(strlen(strstr(d, "''") + 2), 33 * 9 + 4);	/* 33 characters of 3 bytes, %XX each */
	free(d);
}

/* Every bidirectional control is found, at its offset; look-alikes next to them are not. */
static void
test_bidi_controls_are_found(void)
{
	static const char *const bidi[] = { "\xd8\x9c", "\xe2\x80\x8e", "\xe2\x80\x8f",
		"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae",
		"\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9" };
	static const char *const clean[] = { "", "plain", "\xe2\x80\x8d" /* U+200D ZWJ */,
		"\xe2\x80\xa9" /* U+2029 */, "\xe2\x80\xaf" /* U+202F */, "\xe2\x81\xa5", "\xe2\x81\xaa",
		"\xd8\x9b" /* U+061B */, "\xc3\xa9t\xc3\xa9", "\xe2\x80" /* cut short */ };
	char buf[32];

	for (size_t i = 0; i < PSS_ARRAY_LEN(bidi); i++) {
		int n = snprintf(buf, sizeof(buf), "ab%scd", bidi[i]);

		T_ASSERTF(text_bidi_control(buf, (size_t)n) == buf + 2, "control %zu not found", i);
		/* cut before its last byte: not a whole character */
		T_ASSERT(text_bidi_control(buf, 2 + strlen(bidi[i]) - 1) == NULL);
	}
	for (size_t i = 0; i < PSS_ARRAY_LEN(clean); i++)
		T_ASSERTF(text_bidi_control(clean[i], strlen(clean[i])) == NULL, "clean %zu flagged", i);
}

int
main(void)
{
	T_RUN(test_plain_utf8_passes_unchanged);
	T_RUN(test_utf8_bom_is_dropped);
	T_RUN(test_utf16le_and_be_are_converted);
	T_RUN(test_broken_utf16_is_refused);
	T_RUN(test_invalid_utf8_is_refused_with_its_offset);
	T_RUN(test_nul_and_control_bytes_are_refused);
	T_RUN(test_control_bytes_are_found_at_every_offset);
	T_RUN(test_empty_content_is_refused);
	T_RUN(test_allowed_extensions);
	T_RUN(test_pwsh_quote_doubles_every_kind_of_single_quote);
	T_RUN(test_pwsh_command_line);
	T_RUN(test_filename_from_title);
	T_RUN(test_bidi_controls_are_found);
	T_RUN(test_content_disposition_keeps_non_ascii_names);
	return t_done();
}
