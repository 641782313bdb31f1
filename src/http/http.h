/* http.h: the http layer: typed requests, responses, the router and the FastCGI loop */
#ifndef PSS_HTTP_H
#define PSS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "http/parse.h"

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_METHOD__MAX
};
extern const char *const http_methods[HTTP_METHOD__MAX];
enum http_method http_method_parse(const char *);	/* HTTP_METHOD__MAX when unknown */

struct http_header {
	const char	*name;		/* lower case, '-' separated: "content-type" */
	const char	*value;
};

#define HTTP_MAX_PARAMS 8

/* A request, fully validated before any handler sees it. All memory is the arena's. */
struct request {
	struct arena	*arena;
	enum http_method method;
	const char	*path;		/* percent-decoded, valid UTF-8, starts with '/' */
	const char	*raw_path;	/* as sent, before decoding (NULL: same as path) */
	const char	*raw_query;
	struct kvlist	 query;
	struct kvlist	 cookies;
	struct http_header *headers;
	size_t		 nheaders;
	const char	*content_type;	/* media type only, lower case ("application/json") */
	const char	*content_type_full;
	const char	*content_length;	/* as sent (NULL: absent); read_body checks it */
	const char	*body;		/* NUL-terminated copy; body_len excludes the NUL */
	size_t		 body_len;
	const char	*remote_addr;
	const char	*request_id;
	bool		 https;
	bool		 answer_fallback;	/* nginx found no answer file: send the bytes */
	const char	*answer_name;	/* then the file's name, as nginx asked it */
	/* filled by the router */
	size_t		 nparams;
	const char	*param_names[HTTP_MAX_PARAMS];
	const char	*param_values[HTTP_MAX_PARAMS];
};

/* A response being built; sent once by http_send. */
struct response {
	int		 status;
	const char	*content_type;
	struct buf	 headers;	/* extra "Name: value\r\n" lines */
	struct buf	 body;
	bool		 head_only;
	/* streaming (http_stream_start): the connection's output, set by http_stream_attach
	 * for each request, and whether the head went out already */
	void		*stream;
	bool		 streamed;
	bool		 stream_failed;	/* a write failed: the reader went away */
};

/* Why a request could not be turned into a struct request. */
enum http_reject {
	HTTP_REJECT_NONE,
	HTTP_REJECT_BAD_PATH,		/* 400 */
	HTTP_REJECT_BAD_QUERY,		/* 400 */
	HTTP_REJECT_BAD_METHOD,		/* 405 (not a method we know) */
	HTTP_REJECT_TOO_MANY_HEADERS,	/* 431 */
	HTTP_REJECT_BODY_TOO_LARGE,	/* 413 */
	HTTP_REJECT_BAD_BODY,		/* 400: truncated or unreadable body */
	HTTP_REJECT__MAX
};

const char *http_header(const struct request *, const char *lower_name);	/* NULL if absent */
const char *http_query(const struct request *, const char *key);	/* NULL if absent */
const char *http_param(const struct request *, const char *name);	/* router :param */
const char *http_cookie(const struct request *, const char *name);

const char *http_status_text(int status);

void	 resp_init(struct response *);
void	 resp_reset(struct response *);	/* empties it, keeps the memory */
void	 resp_free(struct response *);
/* resp_header: adds a header line; CR, LF and control bytes in the value are dropped. */
void	 resp_header(struct response *, const char *name, const char *value);
void	 resp_body(struct response *, const char *, size_t);

/*
 * The memo (http/memo.c): what a process made from a cached value (src, len: a cached
 * entry's bytes) under a key that names the body written from it (a value written in two
 * forms takes two keys): the body's gzip encoding, the answer file holding the body. One
 * entry a key, holding the value's bytes: an entry answers only for the same key and the same
 * bytes, so a changed value is made again and nothing stale is ever sent. Direct-mapped,
 * HTTP_MEMO_SLOTS entries of at most HTTP_MEMO_VALUE_MAX bytes each, with their gzip: at
 * most 32 MB a process (the two tables this replaced held up to 48), a few MB in practice.
 * http_memo_find: the entry of key holding these bytes, or NULL.
 * http_memo_take: that entry, or the key's slot emptied (what it held for another key or
 * other bytes freed) and set to key and a copy of the bytes; NULL when key or value is over
 * the limits (http_memo_fits false: a caller about to make a form checks it first).
 * http_memo_set_gz: gz (malloc'd, the encoding of the body written from the entry's bytes)
 * becomes the entry's, owned by it (freed with it), in place of one it held (the same body's,
 * made by another path).
 */
#define HTTP_MEMO_SLOTS		64
#define HTTP_MEMO_KEY_MAX	200
#define HTTP_MEMO_VALUE_MAX	(256 * 1024)
struct http_memo {
	char	 key[HTTP_MEMO_KEY_MAX + 1];
	char	*plain;		/* NULL when free */
	size_t	 plain_len;
	char	*gz;		/* the body's gzip encoding (NULL: none yet) */
	size_t	 gz_len;
	char	 uri[48];	/* the answer file's HTTP_ANSWER_FILES_URI name ("": none) */
	int64_t	 written_ms;	/* when that file was written (time_mono_ms) */
};
bool	 http_memo_fits(const char *key, size_t len);
struct http_memo *http_memo_find(const char *key, const char *src, size_t len);
struct http_memo *http_memo_take(const char *key, const char *src, size_t len);
void	 http_memo_set_gz(struct http_memo *, char *gz, size_t gz_len);
void	 http_memo_reset(void);	/* empties it (tests) */

/* Cached JSON answers gzip-encoded for the clients that ask (Accept-Encoding), compressed once
 * per process. Only for bodies that hold no secret: compressing a secret next to text an
 * attacker chooses lets compressed sizes reveal it (BREACH), so never a page as one stream
 * (its CSRF token: pages go as pieces, http_gz_assemble below), never a login's tokens. */
#define HTTP_GZIP_MIN	1024		/* smaller bodies gain less than the header costs */
/* zlib's levels: for an encoding kept (made once a process, so the tighter), and for one made
 * on every request (the fastest: a 1,000-line script's 170 KB analysis goes as 9 KB in 1 ms
 * here, against 8 KB in 3 ms at level 6) */
#define HTTP_GZIP_LEVEL_KEPT	6
#define HTTP_GZIP_LEVEL_ONCE	1
#define HTTP_GZIP_MAX	HTTP_MEMO_VALUE_MAX	/* larger ones are not kept, so not sent gzipped */
/* A body written from a value (src, len) that key names (the memo's terms, above).
 * http_gzip_accepted: adds Vary: Accept-Encoding; true
 * when the request accepts gzip (only then are the other two called). http_gzip_memo: true
 * when this process's memo holds the encoding of the body written from these bytes under
 * key, which it has made the body (with Content-Encoding: gzip): the caller writes nothing.
 * http_gzip: after the caller wrote the body (false from http_gzip_memo), compresses it when
 * the body is HTTP_GZIP_MIN..HTTP_GZIP_MAX bytes, keeps it in the memo and makes it the
 * body. */
bool	 http_gzip_accepted(struct response *, const struct request *);
bool	 http_gzip_memo(struct response *, const char *key, const char *src, size_t len);
void	 http_gzip(struct response *, const char *key, const char *src, size_t len);
/* http_gzip_uncached: an answer made for one request and kept nowhere (the ad-hoc analysis,
 * an analysis export), after the caller wrote it: adds Vary: Accept-Encoding and, when the
 * request accepts gzip, compresses the body at HTTP_GZIP_LEVEL_ONCE when it is HTTP_GZIP_MIN
 * bytes or more and the encoding is shorter. The same rule: no secret in the body. */
void	 http_gzip_uncached(struct response *, const struct request *);
/* http_accepts_gzip: Accept-Encoding's value (NULL: absent) accepts gzip: gzip or x-gzip
 * named with a q above 0, or * with a q above 0 and gzip not refused. */
bool	 http_accepts_gzip(const char *accept_encoding);
struct http_gzip_stats {
	uint64_t compressed;	/* bodies compressed (memo misses) */
	uint64_t memo_hits;	/* bodies answered from the memo */
	uint64_t pages;		/* bodies assembled from pieces (http_gz_assemble) */
	uint64_t pieces;	/* pieces made (http_gz_piece_make) */
	uint64_t uncached;	/* answers for one request compressed (http_gzip_uncached) */
};
const struct http_gzip_stats *http_gzip_stats(void);
void	 http_gzip_reset(void);	/* empties the memo and the counts (tests) */
/* http_gzip_encode: p[0..n) as one gzip member (level 6) in a malloc'd buffer (caller frees);
 * NULL when zlib fails. */
char	*http_gzip_encode(const char *p, size_t n, size_t *out_len);

/*
 * Answer files (http/answerfile.c; README, HTTP, "Answer files"): a large cached answer goes
 * to nginx as a file it sends itself (X-Accel-Redirect to HTTP_ANSWER_FILES_URI, an internal
 * location over the folder), which costs the stack far less than relaying its bytes over
 * FastCGI. The file is named after its bytes (the first 16 hex digits of their SHA-256) and
 * written whole by the process that first sends them (with its gzip encoding beside it for
 * nginx's gzip_static); the memo says which file holds the answer, so nothing stale is ever
 * sent. A file is
 * written again by each process every HTTP_ANSWER_FILES_REWRITE_S while it is used, and the
 * job runner removes files older than HTTP_ANSWER_FILES_MAX_AGE_S (dir_sweep); nginx passes a
 * request whose file is gone back to the worker (request.answer_fallback), which then sends
 * the bytes itself, and for a minute looks for a memo entry's file before using it (writing
 * it again when gone). A file that cannot be written turns the files off in that process for
 * a minute (one warning), the answers going over FastCGI (gzipped from the memo) meanwhile.
 * Off unless ANSWER_FILES_DIR is set.
 * http_answer_files_init: dir ("" or NULL: off) is made 0750 when missing; with group (a
 * group name, "" for none) the folder and every file get that group, so that nginx's group
 * may read them (files 0640); false (logged) when it cannot be used: the feature stays off.
 * http_answer_file_wanted: whether this answer (status 200 to a GET or HEAD, no header but
 * Vary, not a fallback) of a value of len bytes may go as a file.
 * http_answer_file_memo: true when the memo knows the file of the body written from these
 * bytes under key, which it has made the answer; the caller writes nothing.
 * http_answer_file: after the caller wrote the body from (src, len): writes the files, makes
 * the answer the redirect and remembers it, with the gzip encoding written beside the file
 * (the memo entry's gz: a gzip client the process answers itself in a fallback is not
 * compressed for again); false (the body left as it is) when a file cannot be written.
 */
#define HTTP_ANSWER_FILES_URI		"/.answers/"
#define HTTP_ANSWER_FILES_MIN		(8 * 1024)	/* smaller answers relay cheaply */
#define HTTP_ANSWER_FILES_MAX		HTTP_MEMO_VALUE_MAX	/* the memo keeps the value's bytes */
#define HTTP_ANSWER_FILES_REWRITE_S	600
#define HTTP_ANSWER_FILES_MAX_AGE_S	1800
bool	 http_answer_files_init(const char *dir, const char *group);
bool	 http_answer_file_wanted(const struct response *, const struct request *, size_t len);
bool	 http_answer_file_memo(struct response *, const char *key, const char *src, size_t len);
bool	 http_answer_file(struct response *, const char *key, const char *src, size_t len);
/* http_answer_file_gone: a request came back from nginx (request.answer_fallback) for the
 * answer file name. When that file is there, nginx does not send the folder's files (its
 * /.answers/ location missing, as in a site file older than the workers, or another folder):
 * answer files go off in this process for 10 minutes, with a warning, every answer over
 * FastCGI meanwhile. */
void	 http_answer_file_gone(const char *name);
struct http_answer_file_stats {
	uint64_t sent;		/* answers sent as a file */
	uint64_t written;	/* files written (memo misses and rewrites) */
	uint64_t failed;	/* files that could not be written (the bytes were sent) */
	uint64_t fallbacks;	/* requests nginx passed back: the file was gone */
};
const struct http_answer_file_stats *http_answer_file_stats(void);
void	 http_answer_files_reset(void);	/* empties the memo, the counts and the windows (tests) */

/*
 * A cached answer (http/memo.c): the body written from a cached value (src, len), which key
 * names and form says how it is written (a value written in two forms is two bodies). After
 * the status is set: http_cached_reuse says what may be made of the body (an answer file for
 * a large answer that may go as one, else gzip for a client that accepts it: Vary is added)
 * and answers from the memo when it knows the body (true: the response is complete; the
 * caller writes nothing). Else the caller writes the body and calls http_cached_keep, which
 * makes it the file or its gzip (kept in the memo) when it can, or leaves it as it is.
 */
struct http_cached {
	bool	 file, gz;
	char	 key[160];	/* "form key" (a longer one is cut) */
};
bool	 http_cached_reuse(struct response *, const struct request *, const char *form,
    const char *key, const char *src, size_t len, struct http_cached *);
void	 http_cached_keep(struct response *, const char *src, size_t len, const struct http_cached *);

/*
 * Pages gzip-encoded without BREACH's leak (docs/security.md, "Compressed pages"): a body
 * whose large parts hold no secret goes as one gzip member made of pieces, each such part
 * compressed alone by a fresh compressor (a part the same for every viewer once per process:
 * the caller keeps the piece with the bytes it was made from), and every other byte, the
 * secrets and whatever a request echoes among them, in stored blocks, never compressed.
 * http_gz_piece_make: p[0..n) as a piece (raw deflate ended by a sync flush, its CRC-32 and
 * length) at zlib's level (HTTP_GZIP_LEVEL_KEPT for a piece kept, HTTP_GZIP_LEVEL_ONCE for
 * one made for a single response); false when zlib fails. Free with http_gz_piece_free.
 * http_gz_assemble: appends to out the gzip encoding of body[0..len) in which each span's
 * bytes body[off, off + piece->len) are its piece's plain bytes (spans in order, not
 * overlapping; the caller vouches for the bytes: they are not compared) and the bytes between
 * go stored. A span out of order or past the end goes stored with the rest.
 */
struct http_gz_piece {
	char	*z;		/* raw deflate, ended by Z_SYNC_FLUSH */
	size_t	 zlen;
	size_t	 len;		/* the plain bytes' length */
	uint32_t crc;		/* and their CRC-32 */
	uint32_t combine;	/* crc32_combine_gen(len) */
};
struct http_gz_span {
	size_t	 off;
	const struct http_gz_piece *piece;
};
bool	 http_gz_piece_make(struct http_gz_piece *, const char *p, size_t n, int level);
void	 http_gz_piece_free(struct http_gz_piece *);
void	 http_gz_assemble(struct buf *out, const char *body, size_t len,
	const struct http_gz_span *spans, size_t n);

/* The router. A pattern is literal segments and ":name" segments: "/api/scripts/:id". */
struct http_ctx;	/* defined by the application */
struct page_route;	/* defined by the application */
typedef void (*http_handler)(struct http_ctx *);

struct route {
	enum http_method method;
	const char	*pattern;
	unsigned	 flags;		/* the application's: auth, admin, csrf, upload ... */
	http_handler	 fn;
	const char	*name;		/* for metrics: "scripts.get" */
	/* The application's page description (template, form, redirect): non-NULL makes the
	 * route an HTML page whose handler's replies render through a template. */
	const struct page_route *page;
};

/* router_match: finds the route for method and path. Returns the route, filling the
 * request's params; or NULL with *status 404 (no pattern matches the path, or the path is not
 * in its one canonical form: see http_path_canonical) or 405 (the path matches only other
 * methods; allow gets "GET, POST"). HEAD matches GET routes. */
const struct route *router_match(const struct route *, size_t n, struct request *,
	int *status, char *allow, size_t allowsz);
/* http_path_canonical: true when the request's path is the one form a route answers: no
 * trailing slash (except "/" itself), no empty segment ("//"), no "." or ".." segment, no
 * encoded slash (%2F) in the raw path. nginx's rate-limited locations match the decoded,
 * normalised URI exactly; any other spelling of a limited path must not reach its handler. */
bool	 http_path_canonical(const struct request *);

/* The FastCGI side. */
struct http_server;
struct http_limits {
	size_t	 max_body;		/* default cap */
	size_t	 max_upload;		/* cap for multipart/form-data bodies */
	size_t	 max_headers;
	/* other bodies of these paths (NULL-terminated; NULL: none) may have max_large bytes */
	const char *const *large_paths;
	size_t	 max_large;
};
/* http_server_open: listens on FastCGI fd 0 (spawn-fcgi) or, when bind is not NULL, on a
 * socket path or ":port" of its own (development). NULL on failure (logged). */
struct http_server *http_server_open(const char *bind);
void	 http_server_close(struct http_server *);
/* http_accept: waits for the next request and parses it into req (memory from arena).
 * Returns 1 with a request (reject says whether it is unusable and why), 0 when the server is
 * shutting down, -1 on an accept error. */
int	 http_accept(struct http_server *, struct arena *, const struct http_limits *,
	struct request *, enum http_reject *reject);
/* http_send: writes the response for the current request and finishes it. */
void	 http_send(struct http_server *, const struct request *, struct response *);
/* http_stream_attach: lets the current request's handler stream its answer (resp->stream). */
void	 http_stream_attach(struct http_server *, struct response *);
/* http_stream_start: sends the head now (resp's status, content type and headers, no
 * Content-Length, X-Accel-Buffering: no so nginx passes each write on); http_send then
 * only finishes the request. -1 when the response cannot stream (no attached output). */
int	 http_stream_start(struct response *, const struct request *);
/* http_stream_put: writes n bytes of the body and flushes them to the web server: 0, or -1
 * when the write failed (the reader went away; later writes do nothing). */
int	 http_stream_put(struct response *, const char *, size_t);
/* http_stop: makes http_accept return 0 (from a signal handler). */
void	 http_stop(struct http_server *);

#endif
