/* gzip.c: cached answers sent gzip-encoded to the clients that ask, each compressed once per
 * process (kept in the memo, memo.c); pages' gzip bodies assembled from independent pieces
 * (compressed shared parts, stored per-request parts) */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "http/http.h"

static struct http_gzip_stats gz_stats;

const struct http_gzip_stats *
http_gzip_stats(void)
{
	return &gz_stats;
}

/* q_zero: true when a coding's parameters (after its name) give q=0 (q=0, q=0.0, q=0.000). */
static bool
q_zero(const char *p, const char *end)
{
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			p += 2;
			if (p == end || *p != '0')
				return false;
			for (p++; p < end && *p != ';'; p++)
				if (*p != '.' && *p != '0' && *p != ' ' && *p != '\t')
					return false;
			return true;
		}
		while (p < end && *p != ';')
			p++;
	}
	return false;
}

bool
http_accepts_gzip(const char *accept_encoding)
{
	const char *p = accept_encoding;
	int gzip = -1, star = -1;	/* -1 unnamed, 0 refused, 1 accepted */

	if (p == NULL)
		return false;
	while (*p != '\0') {
		const char *item = p, *end = strchr(p, ','), *name_end;
		size_t n;

		if (end == NULL)
			end = p + strlen(p);
		while (item < end && (*item == ' ' || *item == '\t'))
			item++;
		for (name_end = item; name_end < end && *name_end != ';' && *name_end != ' ' &&
		    *name_end != '\t'; name_end++)
			;
		n = (size_t)(name_end - item);
		if ((n == 4 && strncasecmp(item, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(item, "x-gzip", 6) == 0))
			gzip = !q_zero(name_end, end);
		else if (n == 1 && *item == '*')
			star = !q_zero(name_end, end);
		p = *end == ',' ? end + 1 : end;
	}
	return gzip == 1 || (gzip == -1 && star == 1);
}

/* deflate_all: p[0..n) through a fresh compressor (zlib's level 1-9; window_bits 15 + 16: a
 * gzip member, -15: raw deflate) ended by flush (Z_FINISH, or Z_SYNC_FLUSH: byte-aligned, not
 * final), into a malloc'd buffer; NULL when zlib fails. */
static char *
deflate_all(const char *p, size_t n, int level, int window_bits, int flush, size_t *out_len)
{
	z_stream z = { 0 };
	uLong cap;
	char *out;

	if (n > UINT32_MAX / 2 ||
	    deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, (uLong)n) + 16;	/* + the sync flush's empty stored block */
	out = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, flush) != (flush == Z_FINISH ? Z_STREAM_END : Z_OK) || z.avail_in != 0 ||
	    z.avail_out == 0) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static char *
deflate_gzip(const char *p, size_t n, size_t *out_len)
{
	return deflate_all(p, n, HTTP_GZIP_LEVEL_KEPT, 15 + 16, Z_FINISH, out_len);
}

char *
http_gzip_encode(const char *p, size_t n, size_t *out_len)
{
	return deflate_gzip(p, n, out_len);
}

bool
http_gzip_accepted(struct response *r, const struct request *req)
{
	resp_header(r, "Vary", "Accept-Encoding");
	return http_accepts_gzip(http_header(req, "accept-encoding"));
}

/* sized: whether a body of n bytes is worth sending gzipped (and may be kept) */
static bool
sized(size_t n)
{
	return n >= HTTP_GZIP_MIN && n <= HTTP_GZIP_MAX;
}

static void
send_gz(struct response *r, const struct http_memo *m)
{
	buf_reset(&r->body);
	buf_append(&r->body, m->gz, m->gz_len);
	resp_header(r, "Content-Encoding", "gzip");
}

bool
http_gzip_memo(struct response *r, const char *key, const char *src, size_t len)
{
	const struct http_memo *m;

	if (!sized(len) || (m = http_memo_find(key, src, len)) == NULL || m->gz == NULL)
		return false;
	gz_stats.memo_hits++;
	send_gz(r, m);
	return true;
}

void
http_gzip(struct response *r, const char *key, const char *src, size_t len)
{
	struct http_memo *m;
	size_t gz_len;
	char *gz;

	if (!sized(len) || !sized(r->body.len) || !http_memo_fits(key, len))
		return;
	if ((gz = deflate_gzip(r->body.data, r->body.len, &gz_len)) == NULL)
		return;
	gz_stats.compressed++;
	/* incompressible: the identity bytes are shorter */
	if (gz_len >= r->body.len || (m = http_memo_take(key, src, len)) == NULL) {
		free(gz);
		return;
	}
	http_memo_set_gz(m, gz, gz_len);
	send_gz(r, m);
}

void
http_gzip_uncached(struct response *r, const struct request *req)
{
	size_t gz_len;
	char *gz;

	if (!http_gzip_accepted(r, req) || r->body.len < HTTP_GZIP_MIN ||
	    (gz = deflate_all(r->body.data, r->body.len, HTTP_GZIP_LEVEL_ONCE, 15 + 16, Z_FINISH,
	    &gz_len)) == NULL)
		return;
	if (gz_len < r->body.len) {	/* else incompressible: the identity bytes go */
		gz_stats.uncached++;
		buf_reset(&r->body);
		buf_append(&r->body, gz, gz_len);
		resp_header(r, "Content-Encoding", "gzip");
	}
	free(gz);
}

void
http_gzip_reset(void)
{
	http_memo_reset();
	memset(&gz_stats, 0, sizeof(gz_stats));
}

/*
 * Pages (docs/security.md, "Compressed pages"). A deflate stream is a run of blocks, and a
 * raw stream from a fresh compressor ended by Z_SYNC_FLUSH is whole blocks ending on a byte
 * boundary that refer to nothing before their start: such pieces and stored blocks written
 * by hand follow one another in any order and form one stream, which a final empty block
 * ends. The gzip trailer's CRC-32 is the pieces' CRCs combined (crc32_combine_op, with each
 * piece's operator made once: a tenth of crc32_combine's cost).
 */
bool
http_gz_piece_make(struct http_gz_piece *pc, const char *p, size_t n, int level)
{
	memset(pc, 0, sizeof(*pc));
	if ((pc->z = deflate_all(p, n, level, -15, Z_SYNC_FLUSH, &pc->zlen)) == NULL)
		return false;
	pc->len = n;
	pc->crc = (uint32_t)crc32(crc32(0, Z_NULL, 0), (const Bytef *)p, (uInt)n);
	pc->combine = (uint32_t)crc32_combine_gen((z_off_t)n);
	gz_stats.pieces++;
	return true;
}

void
http_gz_piece_free(struct http_gz_piece *pc)
{
	free(pc->z);
	memset(pc, 0, sizeof(*pc));
}

static void
put_le(struct buf *out, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		buf_putc(out, (char)(v >> (8 * i) & 0xff));
}

/* stored: p[0..n) as stored blocks (not final) at a byte boundary; *crc continued over them. */
static void
stored(struct buf *out, const char *p, size_t n, uLong *crc)
{
	*crc = crc32(*crc, (const Bytef *)p, (uInt)n);
	while (n > 0) {
		size_t k = n < 65535 ? n : 65535;

		buf_putc(out, 0);	/* BFINAL 0, BTYPE 00, the rest of the byte unused */
		put_le(out, (uint32_t)k, 2);
		put_le(out, (uint32_t)~k & 0xffff, 2);
		buf_append(out, p, k);
		p += k;
		n -= k;
	}
}

void
http_gz_assemble(struct buf *out, const char *body, size_t len, const struct http_gz_span *spans,
    size_t n)
{
	static const char head[10] = { 0x1f, (char)0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	uLong crc = crc32(0, Z_NULL, 0);
	size_t at = 0, need = sizeof(head) + len + 5 * (len / 65535 + 2 * n + 1) + 2 + 8;

	for (size_t i = 0; i < n; i++)
		need += spans[i].piece->zlen;
	buf_grow(out, need);
	buf_append(out, head, sizeof(head));
	for (size_t i = 0; i < n; i++) {
		const struct http_gz_piece *pc = spans[i].piece;

		if (spans[i].off < at || spans[i].off > len || pc->len > len - spans[i].off)
			continue;	/* out of order or past the end: those bytes go stored */
		stored(out, body + at, spans[i].off - at, &crc);
		buf_append(out, pc->z, pc->zlen);
		crc = crc32_combine_op(crc, pc->crc, pc->combine);
		at = spans[i].off + pc->len;
	}
	stored(out, body + at, len - at, &crc);
	buf_append(out, "\x03\x00", 2);	/* a final empty block with the fixed codes */
	put_le(out, (uint32_t)crc, 4);
	put_le(out, (uint32_t)len, 4);	/* ISIZE: the length modulo 2^32 */
	gz_stats.pages++;
}
