/* mustache.h: the Mustache template engine: compile once into an immutable tree, render many times */
#ifndef PSS_RENDER_MUSTACHE_H
#define PSS_RENDER_MUSTACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct json_object;

/*
 * The language is Mustache as its specification defines it (comments, set delimiters,
 * interpolation, sections, inverted sections, partials, and inheritance: {{<parent}} with
 * {{$block}} arguments); lambdas and dynamic names are not supported.
 *
 * Data is json-c: the context stack starts with the object given to the render call.
 * - {{name}} HTML-escapes (esc_html); {{{name}}} and {{&name}} do not.
 * - Names: "." is the top of the stack; "a.b.c" finds "a" in the nearest frame that has it,
 *   then descends (a numeric part indexes an array); a broken chain is empty, never an error.
 * - Values print as: string as is; integer in decimal; double in the shortest form that reads
 *   back to the same value ("1.21"); true/false; null and missing as nothing; objects and
 *   arrays as JSON.
 * - Falsy in sections: missing, null, false, "" and the empty array (0 is a value, so truthy).
 *   An array section renders once per element, any other truthy value once with it pushed.
 * - A missing partial or parent renders as nothing, as the specification says.
 */

/*
 * An error with the place it happened. line and col are 1-based; 0 when not about a place.
 * msg may quote bytes of the template: escape it where it is shown (esc_html, the logger).
 */
struct mus_error {
	unsigned line, col;
	char	 msg[320];	/* complete message: "name:line:col: what" */
};

/* Bounds on one render call (0 in a field means the default). */
struct mus_limits {
	unsigned max_depth;	/* nesting of sections, partials, parents, blocks (default 100) */
	size_t	 max_output;	/* bytes appended by one render (default 256 MiB) */
	uint64_t max_steps;	/* template nodes visited by one render (default 100 million) */
};

/*
 * Compilation limits: a template's nesting of sections (256) and its size (16 MiB).
 * Compiling takes time linear in the size (times the nesting of standalone blocks, whose
 * content is re-indented); rendering is bounded by mus_limits.
 */
#define MUS_MAX_NESTING 256
#define MUS_MAX_SOURCE (16u << 20)

struct mus_template;
struct mus_set;

/*
 * mus_compile: parse a template into an immutable tree. name is used in error messages only
 * (NULL for anonymous). The source is copied. Returns the template (free with
 * mus_template_free), or NULL with *err filled (err may be NULL) when the source is malformed:
 * an unclosed tag or section, a close without an open or with another name, an empty or
 * spaced tag name, a bad set-delimiter tag, too deep nesting or too large a source.
 */
struct mus_template *mus_compile(const char *name, const char *src, size_t len,
    struct mus_error *err);

/* mus_template_free: release a template; NULL is fine. */
void	 mus_template_free(struct mus_template *);

/* mus_template_name: the name given to mus_compile or the set ("" when anonymous). */
const char *mus_template_name(const struct mus_template *);

/*
 * mus_render: render t with the context ctx (may be NULL: an empty context), appending to out.
 * Partials and parents are looked up in set (may be NULL: none), whose limits apply (the
 * defaults when set is NULL). Returns PSS_OK, or PSS_ETOOBIG with *err filled when a limit
 * stopped the render (recursion too deep, output too large, too many steps); out then holds
 * a partial result the caller must discard.
 */
enum pss_err mus_render(const struct mus_template *t, const struct mus_set *set,
    struct json_object *ctx, struct buf *out, struct mus_error *err);

/*
 * Where given values landed in the output, so that a caller keeping something made from a
 * value's bytes (its compressed form: handlers/pages.c) finds them without a search. The
 * caller sets v[0..n).value; each writing of one of these very objects (the same
 * json_object, not equal bytes) takes the first of its entries not yet found and sets its off
 * (an offset into out, from its start), len (of the bytes written), escaped (written as
 * {{name}}: len counts the escaped bytes, which are not the string's own; else {{{name}}} or
 * {{&name}}) and found. An object given twice is noted at its first two writings.
 */
#define MUS_SPANS_MAX 4
struct mus_spans {
	size_t	 n;
	struct mus_span {
		const struct json_object *value;
		size_t	 off, len;
		bool	 escaped;
		bool	 found;
	} v[MUS_SPANS_MAX];
};

/* Template sets: every *.mustache file of a directory tree, by name ("page", "admin/users"). */
#define MUS_DEV 0x1	/* development mode: re-read changed files before each render */

/* mus_set_new: an empty set (for templates given as strings). Free with mus_set_free. */
struct mus_set *mus_set_new(unsigned flags);

/*
 * mus_set_load: a set with every *.mustache file under dir (recursively; names are the
 * relative path without the extension; files and folders whose name starts with a dot are
 * skipped). Returns PSS_OK and *out, or an error (PSS_EIO when dir cannot be read, PSS_EINVAL
 * when a template does not compile, with *err saying which file and where) and *out NULL.
 */
enum pss_err mus_set_load(const char *dir, unsigned flags, struct mus_set **out,
    struct mus_error *err);

/*
 * mus_set_add: compile src under name (replacing a template of that name). Returns PSS_OK,
 * or PSS_EINVAL with *err filled (the set is unchanged).
 */
enum pss_err mus_set_add(struct mus_set *, const char *name, const char *src, size_t len,
    struct mus_error *err);

/* mus_set_limits: change the render limits of a set (a field at 0 keeps the default). */
void	 mus_set_limits(struct mus_set *, const struct mus_limits *);

/* mus_set_get: the template called name, or NULL. The set owns it. */
const struct mus_template *mus_set_get(const struct mus_set *, const char *name);

/*
 * mus_set_refresh: for a set loaded from a directory, re-read every file whose mtime, size or
 * inode changed, and load new files. A file that no longer compiles keeps its last good
 * version and makes the call return PSS_EINVAL with *err filled (it is tried again next
 * time). Called by mus_set_render in MUS_DEV mode; never call it during a render.
 */
enum pss_err mus_set_refresh(struct mus_set *, struct mus_error *err);

/*
 * mus_set_render: render the template called name (refreshing the set first in MUS_DEV
 * mode). Returns PSS_ENOTFOUND when there is no such template, else as mus_render (and
 * PSS_EINVAL from a failed refresh in MUS_DEV mode, so a developer sees the error).
 */
enum pss_err mus_set_render(struct mus_set *, const char *name, struct json_object *ctx,
    struct buf *out, struct mus_error *err);
/* mus_set_render_spans: mus_set_render noting where the values of spans (may be NULL) went. */
enum pss_err mus_set_render_spans(struct mus_set *, const char *name, struct json_object *ctx,
    struct mus_spans *spans, struct buf *out, struct mus_error *err);

/* mus_set_free: release the set and its templates; NULL is fine. */
void	 mus_set_free(struct mus_set *);

#endif
