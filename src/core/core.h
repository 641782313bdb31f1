/* core.h: the bottom layer: errors, memory, buffers, arenas, logging, time, randomness */
#ifndef PSS_CORE_H
#define PSS_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

/* Error codes of every fallible function. Handlers map them to HTTP in one place. */
enum pss_err {
	PSS_OK = 0,
	PSS_ENOMEM,		/* allocation failed (normally we abort instead) */
	PSS_EINVAL,		/* input did not validate */
	PSS_ENOTFOUND,		/* no such row, key or file */
	PSS_ECONFLICT,		/* unique constraint or state conflict */
	PSS_EUNAVAIL,		/* a dependency (database) is unreachable: retry later */
	PSS_ETOOBIG,		/* input over a size limit */
	PSS_EFORBIDDEN,		/* caller may not do this */
	PSS_EAUTH,		/* caller is not authenticated */
	PSS_EIO,		/* I/O failed */
	PSS_EINTERNAL,		/* a bug or an unexpected answer */
	PSS_ERR__MAX
};

/* pss_strerror: a static, human-readable name for an error code. */
const char *pss_strerror(enum pss_err);

#define PSS_UNUSED __attribute__((unused))
#define PSS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define PSS_NORETURN __attribute__((noreturn))
#define PSS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Memory: out of memory logs and aborts (spawn-fcgi or systemd starts a fresh process). */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
PSS_NORETURN void pss_die(const char *fmt, ...) PSS_PRINTF(1, 2);
/* mem_keep_heap: for the long-lived servers: freed memory up to MEM_KEEP_BYTES stays in the
 * process for the next request instead of going back to the kernel after each one. */
#define MEM_KEEP_BYTES (64 * 1024 * 1024)
void	 mem_keep_heap(void);
/* mem_map_shared: the file at path (created 0600 when missing, grown zero-filled to at least
 * size bytes, never shrunk) mapped shared, read and write, so every process that maps it sees
 * the same bytes; NULL with errno set when it cannot be opened, grown or mapped. Release with
 * munmap(p, size). */
void	*mem_map_shared(const char *path, size_t size);

/* file_write_atomic: dir/name holds p[0..n) with mode and group gid ((gid_t)-1: the
 * process's), whole or not at all (written to a temporary name in dir, then renamed over
 * it); 0, or -1 with errno. dir_sweep: removes from
 * dir the regular files older than max_age_s seconds (a file_write_atomic's leftover after a
 * minute), then the oldest until the rest hold at most max_bytes; reads at most 200,000
 * names. Returns the number removed, 0 when dir does not exist, -1 when it cannot be read. */
int	 file_write_atomic(const char *dir, const char *name, const void *p, size_t n, mode_t mode,
	gid_t gid);
long	 dir_sweep(const char *dir, int64_t max_age_s, uint64_t max_bytes);

/* A growable byte buffer. data is always NUL-terminated after the first append. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
#define BUF_INIT { NULL, 0, 0 }
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);	/* len = 0, keeps the memory */
void	 buf_grow_to(struct buf *, size_t extra);	/* buf_grow when the room is not there */
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);

/* buf_grow: room for extra more bytes and the NUL. Inline, as buf_putc, since writers call
 * them for nearly every piece they write and the room is nearly always there already. */
static inline void
buf_grow(struct buf *b, size_t extra)
{
	if (b->cap > b->len && extra < b->cap - b->len)
		return;
	buf_grow_to(b, extra);
}

static inline void
buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void	 buf_printf(struct buf *, const char *, ...) PSS_PRINTF(2, 3);
void	 buf_vprintf(struct buf *, const char *, va_list);
const char *buf_cstr(struct buf *);	/* never NULL; "" when empty */
char	*buf_detach(struct buf *);	/* caller frees; buffer is reset */

/* file_read_fd: appends to b what fd holds from where it stands to its end (read(2) until
 * it gives 0, EINTR retried): PSS_OK; PSS_ETOOBIG as soon as more than max bytes have come
 * (b then holds max + 1 of them: the caller frees it); PSS_EIO with errno when a read
 * fails. file_read: the same for the file at path, opened and closed here; PSS_EIO with
 * errno also when it cannot be opened (or is a folder). b stays NUL-terminated. */
enum pss_err file_read_fd(int fd, struct buf *b, size_t max);
enum pss_err file_read(const char *path, struct buf *b, size_t max);

/* An arena: many small allocations, released together (one per request). */
struct arena_block;
struct arena {
	struct arena_block *head;
	size_t	 total;		/* bytes handed out since the last reset */
};
void	 arena_init(struct arena *);
void	*arena_alloc(struct arena *, size_t);	/* 16-byte aligned, zeroed */
void	*arena_alloc_bytes(struct arena *, size_t);	/* byte buffers: not aligned, not zeroed */
char	*arena_strdup(struct arena *, const char *);
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_printf(struct arena *, const char *, ...) PSS_PRINTF(2, 3);
/* arena_grow: room for one more element in an arena array holding n elements of elem
 * bytes in *cap slots (doubling and copying when full); returns the array. */
void	*arena_grow(struct arena *, void *items, size_t n, size_t *cap, size_t elem);
void	 arena_reset(struct arena *);	/* frees all but the first block */
void	 arena_free(struct arena *);

/* Logging: one line per call to stderr, prefixed with time, level, pid and request id.
 * Every byte a user may have sent is escaped (CR, LF, control bytes) before it is written. */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG__MAX };
void	 log_init(const char *progname, enum log_level min);
void	 log_set_request_id(const char *);	/* NULL clears */
const char *log_request_id(void);
void	 log_msg(enum log_level, const char *fmt, ...) PSS_PRINTF(2, 3);
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
enum log_level log_level_parse(const char *);	/* LOG__MAX when unknown */

/* Time. */
int64_t	 time_mono_ms(void);	/* monotonic milliseconds */
int64_t	 time_mono_us(void);
int64_t	 time_cpu_us(void);	/* this process's CPU time (not another process's turns) */
int64_t	 time_wall_ms(void);	/* Unix epoch milliseconds */
void	 time_sleep_ms(int64_t);

/* Randomness from getrandom(2); aborts if the kernel cannot provide it. */
void	 rand_bytes(void *, size_t);
void	 rand_hex(char *out, size_t nbytes);	/* out holds 2*nbytes+1 */
/* hex_digit: the value of a hexadecimal digit, either case (0-15), or -1. */
int	 hex_digit(int c);
/* utf8_cut: the length of s[0..n) cut to at most max bytes on a UTF-8 character boundary. */
size_t	 utf8_cut(const char *s, size_t n, size_t max);

/* Bounded integer parsing (never atoi): the whole string must be a number in [min, max]. */
int	 parse_int64(const char *, int64_t min, int64_t max, int64_t *out);	/* 0 or -1 */
int	 parse_double(const char *, double min, double max, double *out);
int	 parse_bool(const char *, bool *out);	/* true/false/1/0/yes/no/on/off */
/* fmt_u64, fmt_i64: v in decimal into out (FMT_INT_MAX bytes: digits, sign, NUL), without
 * printf (a tenth of the instructions of snprintf, on the hot path of every reply); return
 * the digits' length. buf_put_u64: appends v in decimal. */
#define FMT_INT_MAX 21
size_t	 fmt_u64(char *out, uint64_t v);
size_t	 fmt_i64(char *out, int64_t v);
void	 buf_put_u64(struct buf *, uint64_t);

/* hash_fnv1a: FNV-1a, 64 bits, of p[0..n) continued from h (HASH_FNV1A_INIT to begin): the
 * hash of the LRU, the gzip memo, the router's index and the analysis fragments' stamps. */
#define HASH_FNV1A_INIT 0xcbf29ce484222325ULL
uint64_t hash_fnv1a(uint64_t h, const void *p, size_t n);
/* hash_words: 64 bits over a stream of bytes, a whole 8-byte word a step (FNV's prime and a
 * shift), the last bytes one at a time: the vector file's checksum. Fed in pieces of any sizes
 * it gives what one piece of their concatenation gives, so a writer need not join them. */
struct hash_words {
	uint64_t h;
	unsigned char part[8];	/* the bytes of a word not yet whole */
	size_t npart;
};
void	 hash_words_init(struct hash_words *);
void	 hash_words_add(struct hash_words *, const void *p, size_t n);
uint64_t hash_words_end(struct hash_words *);

/* UTF-8: 1 when valid (no overlongs, no surrogates), else 0. */
int	 utf8_valid(const char *, size_t);
/* utf8_encode: writes code point cp (above U+10FFFF becomes U+FFFD) to out, returns 1-4. */
size_t	 utf8_encode(uint32_t cp, char out[4]);
/* Sixteen bytes as one vector (GCC's vector extension: SSE2 on x86-64, NEON on arm64); a
 * comparison makes a byte 0xFF where it holds, 0 elsewhere. */
typedef unsigned char pss_bytes16 __attribute__((vector_size(16)));

/* json_special: the first byte of s[i..n) that a JSON string cannot hold as it is (below 0x20,
 * '"', '\\'; with high, also every byte from 0x80), or n. Sixteen bytes a step; inline, so
 * each caller's loop is compiled for its own high. */
static inline size_t
json_special(const char *s, size_t i, size_t n, bool high)
{
	for (; n - i >= 16; i += 16) {
		pss_bytes16 x, m;
		uint64_t half[2];

		memcpy(&x, s + i, 16);
		m = (pss_bytes16)((x < 0x20) | (x == '"') | (x == '\\'));
		if (high)
			m |= (pss_bytes16)(x >= 0x80);
		memcpy(half, &m, 16);
		for (int h = 0; h < 2; h++)
			if (half[h] != 0)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
				return i + 8 * (size_t)h + (size_t)__builtin_clzll(half[h]) / 8;
#else
				return i + 8 * (size_t)h + (size_t)__builtin_ctzll(half[h]) / 8;
#endif
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\' || (high && c >= 0x80))
			break;
	}
	return i;
}

/* Constant-time comparison of two equal-length byte strings: 1 when equal. */
int	 ct_equal(const void *, const void *, size_t);

/* SHA-256 of bytes; hex is 65 bytes. */
void	 sha256(const void *, size_t, uint8_t out[32]);
void	 sha256_hex(const void *, size_t, char hex[65]);
/* hmac_sha256: HMAC-SHA256 (RFC 2104) of msg under key. */
void	 hmac_sha256(const void *key, size_t klen, const void *msg, size_t n, uint8_t out[32]);

#endif
