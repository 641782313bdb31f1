/* test-core.c: unit tests of the core layer */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/conf.h"

#include "core/core.h"
#include "t.h"

static void
test_sha256_known_vectors(void)
{
	char hex[65];

	sha256_hex("", 0, hex);
	T_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	T_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	T_STREQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_buf_grows_and_formats(void)
{
	struct buf b = BUF_INIT;

	T_STREQ(buf_cstr(&b), "");
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	T_EQ(b.data[b.len], '\0');
	T_ASSERT(strncmp(b.data, "0,1,2,", 6) == 0);
	T_CONTAINS(b.data, "999,");
	buf_reset(&b);
	T_EQ(b.len, 0);
	buf_free(&b);
}

static void
test_arena_reuses_first_block(void)
{
	struct arena a;
	char *p;

	arena_init(&a);
	for (int i = 0; i < 10000; i++) {
		p = arena_printf(&a, "item %d", i);
		T_ASSERT(((uintptr_t)p & 15) == 0);
	}
	p = arena_alloc(&a, 1 << 20);
	T_EQ(p[(1 << 20) - 1], 0);
	arena_reset(&a);
	T_EQ(a.total, 0);
	T_ASSERT(a.head != NULL);
	T_STREQ(arena_strdup(&a, "x"), "x");
	arena_free(&a);
}

static void
test_arena_grow_keeps_elements_and_doubles(void)
{
	struct arena a;
	size_t cap = 0, n;
	int *v = NULL, *before;

	arena_init(&a);
	for (n = 0; n < 20; n++) {
		before = v;
		v = arena_grow(&a, v, n, &cap, sizeof(*v));
		if (n == 0)
			T_ASSERT(cap == 8);
		else if (n == 8 || n == 16)
			T_ASSERT(v != before && cap == n * 2);	/* full: a new array, twice the slots */
		else
			T_ASSERT(v == before);	/* room left: the same array */
		v[n] = (int)n * 3;
	}
	for (n = 0; n < 20; n++)
		T_ASSERT(v[n] == (int)n * 3);
	arena_free(&a);
}

static void
test_fmt_int_matches_printf(void)
{
	const int64_t vals[] = { 0, 1, -1, 9, 10, 99, 100, 4659, -4659, 1234567890123LL,
	    INT64_MAX, INT64_MIN };
	char out[FMT_INT_MAX], want[32];
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < PSS_ARRAY_LEN(vals); i++) {
		snprintf(want, sizeof(want), "%lld", (long long)vals[i]);
		T_EQ(fmt_i64(out, vals[i]), strlen(want));
		T_STREQ(out, want);
	}
	T_EQ(fmt_u64(out, UINT64_MAX), 20);
	T_STREQ(out, "18446744073709551615");
	buf_puts(&b, "n=");
	buf_put_u64(&b, 307);
	T_STREQ(buf_cstr(&b), "n=307");
	buf_free(&b);
}

static void
test_parse_int64_bounds(void)
{
	int64_t v;

	T_EQ(parse_int64("42", 0, 100, &v), 0);
	T_EQ(v, 42);
	T_EQ(parse_int64("101", 0, 100, &v), -1);
	T_EQ(parse_int64("4x", 0, 100, &v), -1);
	T_EQ(parse_int64("", 0, 100, &v), -1);
	T_EQ(parse_int64(" 4", 0, 100, &v), -1);
	T_EQ(parse_int64("99999999999999999999", 0, INT64_MAX, &v), -1);
	T_EQ(parse_int64("-3", -5, 5, &v), 0);
	T_EQ(v, -3);
}

static void
test_utf8_valid_rejects_overlongs_and_surrogates(void)
{
	T_EQ(utf8_valid("plain", 5), 1);
	T_EQ(utf8_valid("\xc3\xa9t\xc3\xa9", 6), 1);
	T_EQ(utf8_valid("\xf0\x9f\x98\x80", 4), 1);
	T_EQ(utf8_valid("\xc0\xaf", 2), 0);
	T_EQ(utf8_valid("\xed\xa0\x80", 3), 0);
	T_EQ(utf8_valid("\xe2\x82", 2), 0);
	T_EQ(utf8_valid("\xff", 1), 0);
}

/* Past the eight-byte ASCII steps: a bad byte, a truncated sequence and a valid one at every
 * offset of a long ASCII text, and a text of only ASCII of every length. */
static void
test_utf8_valid_long_ascii_every_offset(void)
{
	char s[48];

	for (size_t at = 0; at + 2 <= sizeof(s); at++) {
		memset(s, 'a', sizeof(s));
		s[at] = '\xff';
		T_ASSERTF(utf8_valid(s, sizeof(s)) == 0, "0xff at %zu", at);
		s[at] = '\xc3';
		T_ASSERTF(utf8_valid(s, at + 1) == 0, "truncated at %zu", at);
		s[at + 1] = '\xa9';
		T_ASSERTF(utf8_valid(s, sizeof(s)) == 1, "e-acute at %zu", at);
		s[at + 1] = 'a';
		T_ASSERTF(utf8_valid(s, sizeof(s)) == 0, "lone lead byte at %zu", at);
	}
	memset(s, 'a', sizeof(s));
	for (size_t n = 0; n <= sizeof(s); n++)
		T_ASSERTF(utf8_valid(s, n) == 1, "ascii of %zu bytes", n);
	s[sizeof(s) - 1] = '\x80';
	T_EQ(utf8_valid(s, sizeof(s)), 0);
	T_EQ(utf8_valid(s, sizeof(s) - 1), 1);
}

static void
test_utf8_encode_round_trips_and_clamps(void)
{
	static const uint32_t cps[] = { 0x41, 0xe9, 0x20ac, 0x1f600, 0x10ffff };
	char out[4];
	size_t n;

	for (size_t i = 0; i < PSS_ARRAY_LEN(cps); i++) {
		n = utf8_encode(cps[i], out);
		T_EQ(n, i < 4 ? i + 1 : 4);
		T_EQ(utf8_valid(out, n), 1);
	}
	n = utf8_encode(0x110000, out);
	T_EQ(n, 3);
	T_ASSERT(memcmp(out, "\xef\xbf\xbd", 3) == 0);	/* U+FFFD */
}

static void
test_ct_equal(void)
{
	T_EQ(ct_equal("abcd", "abcd", 4), 1);
	T_EQ(ct_equal("abcd", "abce", 4), 0);
}

static void
test_rand_hex_is_hex_and_varies(void)
{
	char a[65], b[65];

	rand_hex(a, 32);
	rand_hex(b, 32);
	T_EQ(strlen(a), 64);
	T_ASSERT(strspn(a, "0123456789abcdef") == 64);
	T_ASSERT(strcmp(a, b) != 0);
}

static void
hmac_hex(const void *key, size_t klen, const void *msg, size_t n, char hex[65])
{
	uint8_t mac[32];

	hmac_sha256(key, klen, msg, n, mac);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block is hashed first). */
static void
test_hmac_sha256_rfc4231_vectors(void)
{
	uint8_t key[131];
	char hex[65];

	memset(key, 0x0b, 20);
	hmac_hex(key, 20, "Hi There", 8, hex);
	T_STREQ(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, hex);
	T_STREQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	hmac_hex(key, sizeof(key), "Test Using Larger Than Block-Size Key - Hash Key First", 54, hex);
	T_STREQ(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* CORS_ORIGINS (issue 19 item 6): exact origins only; a wildcard, a path or "null" is refused
 * at load and never matches */
static void
test_cors_origins_exact_and_checked(void)
{
	static const char *const bad[] = { "*", "https://*.example.com", "https://a.example/app",
		"null", "ftp://a.example", "https://", "https://A.example", "https://a.example, *" };
	const char *list = "https://a.example, http://localhost:5173,https://b.example:8443";
	struct conf c;
	char err[256];

	T_ASSERT(conf_cors_allows(list, "https://a.example"));
	T_ASSERT(conf_cors_allows(list, "http://localhost:5173"));
	T_ASSERT(conf_cors_allows(list, "https://b.example:8443"));
	T_ASSERT(!conf_cors_allows(list, "https://a.example.evil.example"));
	T_ASSERT(!conf_cors_allows(list, "https://a.exampl"));
	T_ASSERT(!conf_cors_allows(list, "http://a.example"));
	T_ASSERT(!conf_cors_allows(list, "https://b.example"));
	T_ASSERT(!conf_cors_allows(list, "null"));
	T_ASSERT(!conf_cors_allows(list, ""));
	T_ASSERT(!conf_cors_allows(list, NULL));
	T_ASSERT(!conf_cors_allows("", "https://a.example"));
	T_ASSERT(!conf_cors_allows("null", "null"));
	for (size_t i = 0; i < PSS_ARRAY_LEN(bad); i++) {
		setenv("CORS_ORIGINS", bad[i], 1);
		T_ASSERTF(conf_load(&c, NULL, err, sizeof(err)) != 0, "%s accepted", bad[i]);
		T_CONTAINS(err, "CORS_ORIGINS");
	}
	setenv("CORS_ORIGINS", list, 1);
	T_EQ(conf_load(&c, NULL, err, sizeof(err)), 0);
	T_STREQ(c.cors_origins, list);
	conf_free(&c);
	unsetenv("CORS_ORIGINS");
	T_EQ(conf_load(&c, NULL, err, sizeof(err)), 0);
	T_STREQ(c.cors_origins, "");	/* off by default */
	conf_free(&c);
}

/* hash_words: the vector file's checksum keeps its values (files written before stay valid),
 * and pieces of any sizes give what one piece gives. */
static void
test_hash_words_pinned_and_the_same_in_pieces(void)
{
	static const size_t cuts[][4] = {
		{ 100, 0, 0, 0 }, { 1, 99, 0, 0 }, { 3, 5, 7, 85 }, { 8, 4, 4, 84 }, { 0, 13, 0, 87 },
		{ 7, 1, 7, 85 }, { 99, 0, 1, 0 },
	};
	unsigned char b[100];
	struct hash_words c;

	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)i;
	hash_words_init(&c);
	T_EQ(hash_words_end(&c), 0x14650fb0739d0383ULL);
	hash_words_init(&c);
	hash_words_add(&c, b, 5);
	T_EQ(hash_words_end(&c), 0xe5ba15bc7930f079ULL);
	for (size_t k = 0; k < PSS_ARRAY_LEN(cuts); k++) {
		size_t at = 0;

		hash_words_init(&c);
		for (size_t j = 0; j < 4; j++) {
			hash_words_add(&c, b + at, cuts[k][j]);
			at += cuts[k][j];
		}
		T_EQ(at, sizeof(b));
		T_ASSERTF(hash_words_end(&c) == 0x9117e230c5d1ff4ULL, "cut %zu", k);
	}
}

/* file_write_atomic leaves the file whole with its mode whatever the umask, and no temporary
 * name; dir_sweep removes what is past its age (a leftover temporary name after a minute),
 * then the oldest until the rest fit, and leaves names starting with a dot alone. */
static void
test_files_write_and_sweep(void)
{
	char dir[] = "/tmp/pss-files.XXXXXX", path[256], big[3000];
	struct timespec old[2] = { { time(NULL) - 7200, 0 }, { time(NULL) - 7200, 0 } };
	struct timespec mid[2] = { { time(NULL) - 100, 0 }, { time(NULL) - 100, 0 } };
	struct stat st;
	DIR *d;
	struct dirent *e;
	int n = 0;

	T_ASSERT(mkdtemp(dir) != NULL);
	umask(077);
	memset(big, 'x', sizeof(big));
	T_EQ(file_write_atomic(dir, "a.json", big, sizeof(big), 0640, (gid_t)-1), 0);
	snprintf(path, sizeof(path), "%s/a.json", dir);
	T_EQ(stat(path, &st), 0);
	T_EQ(st.st_size, (off_t)sizeof(big));
	T_EQ(st.st_mode & 0777, 0640);
	T_EQ(file_write_atomic(dir, "a.json", "new", 3, 0640, (gid_t)-1), 0);	/* replaced */
	T_EQ(stat(path, &st), 0);
	T_EQ(st.st_size, 3);
	T_ASSERT((d = opendir(dir)) != NULL);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	T_EQ(n, 1);
	T_ASSERT(file_write_atomic("/nonexistent-dir", "a", "x", 1, 0640, (gid_t)-1) != 0);

	/* old.json past the age, .tmp-1-x a leftover, b and c young; .keep not ours */
	T_EQ(file_write_atomic(dir, "old.json", big, 100, 0640, (gid_t)-1), 0);
	T_EQ(file_write_atomic(dir, "b.json", big, 1000, 0640, (gid_t)-1), 0);
	T_EQ(file_write_atomic(dir, "c.json", big, 1000, 0640, (gid_t)-1), 0);
	T_EQ(file_write_atomic(dir, ".tmp-1-x", big, 10, 0640, (gid_t)-1), 0);
	T_EQ(file_write_atomic(dir, ".keep", big, 10, 0640, (gid_t)-1), 0);
	snprintf(path, sizeof(path), "%s/old.json", dir);
	T_EQ(utimensat(AT_FDCWD, path, old, 0), 0);
	snprintf(path, sizeof(path), "%s/.tmp-1-x", dir);
	T_EQ(utimensat(AT_FDCWD, path, mid, 0), 0);
	snprintf(path, sizeof(path), "%s/b.json", dir);
	T_EQ(utimensat(AT_FDCWD, path, mid, 0), 0);	/* older than c */
	T_EQ(dir_sweep(dir, 1800, 1 << 20), 2);		/* old.json and the leftover */
	T_EQ(dir_sweep(dir, 1800, 1 << 20), 0);
	T_EQ(dir_sweep(dir, 1800, 1500), 1);		/* b.json, the older: 2,003 bytes > 1,500 */
	snprintf(path, sizeof(path), "%s/b.json", dir);
	T_EQ(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/c.json", dir);
	T_EQ(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/.keep", dir);
	T_EQ(stat(path, &st), 0);
	T_EQ(dir_sweep("/nonexistent-dir", 1, 1), 0);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/c.json", dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/a.json", dir);
	(void)unlink(path);
	T_EQ(rmdir(dir), 0);
}

/* file_read appends a file's bytes past what b holds (more than one read's worth, and an
 * empty file), stops with PSS_ETOOBIG once past max (exactly max is fine), and gives PSS_EIO
 * with errno for a missing file and a folder; file_read_fd reads a pipe to its end. */
static void
test_files_read_whole_and_bounded(void)
{
	char dir[] = "/tmp/pss-read.XXXXXX", path[256], *big = xmalloc(200000);
	struct buf b = BUF_INIT;
	int fds[2];

	T_ASSERT(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < 200000; i++)
		big[i] = (char)('a' + i % 26);
	T_EQ(file_write_atomic(dir, "big", big, 200000, 0600, (gid_t)-1), 0);
	T_EQ(file_write_atomic(dir, "empty", "", 0, 0600, (gid_t)-1), 0);
	snprintf(path, sizeof(path), "%s/big", dir);
	buf_puts(&b, "head:");
	T_EQ(file_read(path, &b, 200000), PSS_OK);
	T_EQ(b.len, 200005);
	T_ASSERT(memcmp(b.data, "head:", 5) == 0 && memcmp(b.data + 5, big, 200000) == 0);
	T_EQ(b.data[b.len], '\0');
	buf_reset(&b);
	T_EQ(file_read(path, &b, 199999), PSS_ETOOBIG);
	T_EQ(b.len, 200000);
	buf_free(&b);
	T_EQ(file_read(path, &b, 1000), PSS_ETOOBIG);
	T_EQ(b.len, 1001);	/* not the whole file: one byte past max */
	buf_free(&b);
	snprintf(path, sizeof(path), "%s/empty", dir);
	T_EQ(file_read(path, &b, 0), PSS_OK);
	T_EQ(b.len, 0);
	T_STREQ(buf_cstr(&b), "");
	snprintf(path, sizeof(path), "%s/missing", dir);
	errno = 0;
	T_EQ(file_read(path, &b, 10), PSS_EIO);
	T_EQ(errno, ENOENT);
	errno = 0;
	T_EQ(file_read(dir, &b, 10), PSS_EIO);
	T_EQ(errno, EISDIR);
	T_EQ(b.len, 0);

	T_EQ(pipe(fds), 0);
	T_EQ(write(fds[1], "from a pipe", 11), 11);
	close(fds[1]);
	T_EQ(file_read_fd(fds[0], &b, 100), PSS_OK);
	close(fds[0]);
	T_STREQ(buf_cstr(&b), "from a pipe");
	buf_free(&b);

	snprintf(path, sizeof(path), "%s/big", dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/empty", dir);
	(void)unlink(path);
	T_EQ(rmdir(dir), 0);
	free(big);
}

int
main(void)
{
	log_init("test-core", LOG_ERROR);
	T_RUN(test_sha256_known_vectors);
	T_RUN(test_hmac_sha256_rfc4231_vectors);
	T_RUN(test_buf_grows_and_formats);
	T_RUN(test_arena_reuses_first_block);
	T_RUN(test_arena_grow_keeps_elements_and_doubles);
	T_RUN(test_parse_int64_bounds);
	T_RUN(test_utf8_valid_rejects_overlongs_and_surrogates);
	T_RUN(test_utf8_valid_long_ascii_every_offset);
	T_RUN(test_utf8_encode_round_trips_and_clamps);
	T_RUN(test_ct_equal);
	T_RUN(test_fmt_int_matches_printf);
	T_RUN(test_rand_hex_is_hex_and_varies);
	T_RUN(test_cors_origins_exact_and_checked);
	T_RUN(test_hash_words_pinned_and_the_same_in_pieces);
	T_RUN(test_files_write_and_sweep);
	T_RUN(test_files_read_whole_and_bounded);
	return t_done();
}
