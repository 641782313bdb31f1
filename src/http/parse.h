/* parse.h: parsers of untrusted request bytes: pure functions on (const char *, size_t) */
#ifndef PSS_HTTP_PARSE_H
#define PSS_HTTP_PARSE_H

#include "core/core.h"

/*
 * Every parser here reads exactly the bytes it is given (the input need not be
 * NUL-terminated), runs in time linear in its input, never recurses, and takes
 * all the memory it returns from the arena: nothing to free but the arena.
 * On any error the output list is left empty (n == 0).
 */

/* A decoded name/value pair. key and val are NUL-terminated; neither holds a NUL
 * byte, so val_len == strlen(val). */
struct kv {
	const char	*key;
	const char	*val;
	size_t		 val_len;
};

/* A list of pairs in input order, duplicates kept. The parsers overwrite *out, so
 * it need not be initialised; zero it ({0}) before kvlist_add. */
struct kvlist {
	struct kv	*items;
	size_t		 n;
	size_t		 cap;
};

/* urlenc_parse: an application/x-www-form-urlencoded string (query string or body).
 * Pairs split on '&'; '+' is a space; %XX is a byte (hex digits either case);
 * "a" alone is key "a" with value ""; empty keys ("=x", "&&") are skipped.
 * PSS_EINVAL on a bad %-escape, a NUL byte, or a key or value that is not
 * valid UTF-8; PSS_ETOOBIG when more than max_pairs pairs would be kept. */
enum pss_err urlenc_parse(struct arena *, const char *, size_t, size_t max_pairs,
	    struct kvlist *);

/* urlenc_decode: percent-decode n bytes of src into dst (room for n bytes; the
 * result is never longer) and set *outlen; '+' becomes a space when plus_is_space.
 * dst is not NUL-terminated. PSS_EINVAL on a bad escape. No other checks. */
enum pss_err urlenc_decode(char *dst, const char *src, size_t n, int plus_is_space,
	    size_t *outlen);

/* cookie_parse: a Cookie header value, "name=value; name2=value2" (RFC 6265).
 * Whitespace around names and values is ignored; a value in double quotes loses
 * them; values are not percent-decoded (they are opaque). A malformed pair (no
 * '=', empty name, control bytes or invalid UTF-8) is skipped, as a browser
 * would, and the rest are kept. PSS_EINVAL only for a NUL byte anywhere;
 * PSS_ETOOBIG when more than max_pairs pairs would be kept. */
enum pss_err cookie_parse(struct arena *, const char *, size_t, size_t max_pairs,
	    struct kvlist *);

/* kv_get: the value of the first pair named key, or NULL (also for a NULL list). */
const char *kv_get(const struct kvlist *, const char *key);

/* kvlist_add: append a pair (pointers are stored, not copied); the array grows in
 * the arena. */
void kvlist_add(struct arena *, struct kvlist *, const char *key, const char *val,
	    size_t val_len);

/* One part of a multipart/form-data body (RFC 7578). */
struct mpart {
	const char	*name;		/* the Content-Disposition name, never NULL */
	const char	*filename;	/* NULL for a plain field; "" when the browser sent
					 * filename="" (no file chosen); else the last path
					 * component, valid UTF-8, no control bytes, never
					 * "." or ".." (those become "") */
	const char	*content_type;	/* the part's Content-Type value, NULL if none
					 * (RFC 7578: then text/plain) */
	const char	*data;		/* points into the body (not copied) */
	size_t		 len;
};

struct mpartlist {
	struct mpart	*items;
	size_t		 n;
	size_t		 cap;
};

#define MULTIPART_BOUNDARY_MAX	70	/* RFC 2046 */
#define MULTIPART_HEADER_MAX	8192	/* bytes of one part's header block */

/* multipart_boundary: the boundary parameter of a Content-Type header value
 * (NUL-terminated), e.g. `multipart/form-data; boundary="a b"`, copied into the
 * arena without quotes. PSS_EINVAL unless the type is multipart/form-data (any
 * case) with exactly one boundary of 1-70 RFC 2046 characters (a NULL
 * content_type included). */
enum pss_err multipart_boundary(struct arena *, const char *content_type,
	    const char **boundary);

/* multipart_parse: split a multipart/form-data body on boundary (as returned by
 * multipart_boundary). Tolerates a preamble and an epilogue, transport padding
 * after delimiters, bare LF line ends (the first delimiter line sets the style),
 * and a body that ends right after the close delimiter. Each part must have a
 * Content-Disposition of type form-data with a name; filename* (RFC 5987, UTF-8
 * or ISO-8859-1) wins over filename.
 * PSS_EINVAL on a bad boundary, a truncated body, a missing close delimiter or
 * bad part headers (no colon, folded lines, control bytes, duplicate
 * Content-Disposition or duplicate parameters, invalid UTF-8 in name or filename,
 * control bytes in a filename, an RFC 5987 charset other than UTF-8 or ISO-8859-1);
 * PSS_ETOOBIG when a part's headers exceed MULTIPART_HEADER_MAX bytes or there are
 * more than max_parts parts. */
enum pss_err multipart_parse(struct arena *, const char *boundary, const char *body,
	    size_t len, size_t max_parts, struct mpartlist *);

/* multipart_get: the first part named name, or NULL. */
const struct mpart *multipart_get(const struct mpartlist *, const char *name);

/* multipart_fields: the plain fields (parts without a filename) as pairs in
 * order, values copied NUL-terminated into the arena, so a handler reads them
 * with kv_get as it would an urlencoded form. *out is overwritten. PSS_EINVAL
 * (and *out empty) when a value holds a NUL byte or is not valid UTF-8. */
enum pss_err multipart_fields(struct arena *, const struct mpartlist *, struct kvlist *out);

/* json_flat_parse: a JSON object whose members are all strings, as json-c reads it: its
 * members in order (a repeated key each time: json-c keeps the last), escapes decoded (UTF-8 for
 * \u, a surrogate pair as one code point). PSS_EINVAL (and *out empty) for every other
 * input, valid JSON or not: another value than a string, a raw byte below 0x20 in a string,
 * \u0000, a lone surrogate, white space other than space, tab, CR and LF, anything after
 * the object. The caller then parses with json-c, which decides what is valid and how it
 * fails. The bytes need not be valid UTF-8 (they are copied as they are). */
enum pss_err json_flat_parse(struct arena *, const char *, size_t, struct kvlist *out);

#endif
