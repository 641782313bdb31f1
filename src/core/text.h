/* text.h: what a script's text may be: encoding (UTF-8, BOMs converted), bytes, file names */
#ifndef PSS_TEXT_H
#define PSS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

enum text_err {
	TEXT_OK,
	TEXT_EEMPTY,		/* no content (after a BOM) */
	TEXT_EUTF8,		/* not valid UTF-8 */
	TEXT_EUTF16,		/* UTF-16 BOM but odd length or a lone surrogate */
	TEXT_ENUL,		/* a NUL byte or character */
	TEXT_ECONTROL,		/* a control character other than tab, CR, LF */
	TEXT__MAX
};
/* Reasons for people, one per code ("" for TEXT_OK). */
extern const char *const text_errors[TEXT__MAX];

/* text_normalize: checks the bytes of an uploaded or posted script. A UTF-8 BOM is
 * dropped; a UTF-16 LE or BE BOM means the rest is UTF-16 and is converted to UTF-8.
 * The result must be valid UTF-8 with no NUL and no control character except tab, CR and
 * LF (DEL counts as a control character). On TEXT_OK *out is a NUL-terminated copy the
 * caller frees and *outlen its length; otherwise *out is NULL and *where (when not NULL)
 * the byte offset of the problem in the input. Pure: no I/O. */
enum text_err text_normalize(const char *in, size_t len, char **out, size_t *outlen,
	size_t *where);

/* text_extension_allowed: true when the file name ends (case-insensitively) in .ps1,
 * .psm1, .psd1, .ps1xml or .txt. */
bool	 text_extension_allowed(const char *filename);

#endif
