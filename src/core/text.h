/* text.h: what a script's text may be: encoding (UTF-8, BOMs converted), bytes, file names */
#ifndef PSS_TEXT_H
#define PSS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

enum text_err {
	TEXT_OK,
	TEXT_EEMPTY,		/* no content (after a BOM) */
	TEXT_EUTF8,		/* not valid UTF-8 */
	TEXT_EUTF16,		/* UTF-16 BOM but odd length or a lone surrogate */
	TEXT_ENUL,		/* a NUL byte or character */
	TEXT_ECONTROL,		/* a control character other than tab, CR, LF */
	TEXT_EBLANK,		/* nothing but white space (space, tab, CR, LF) */
	TEXT__MAX
};
/* Reasons for people, one per code ("" for TEXT_OK). */
extern const char *const text_errors[TEXT__MAX];

/* text_normalize: checks the bytes of an uploaded or posted script. A UTF-8 BOM is
 * dropped; a UTF-16 LE or BE BOM means the rest is UTF-16 and is converted to UTF-8.
 * The result must be valid UTF-8 with no NUL and no control character except tab, CR and
 * LF (DEL counts as a control character), and not white space alone. On TEXT_OK *out is a NUL-terminated copy the
 * caller frees and *outlen its length; otherwise *out is NULL and *where (when not NULL)
 * the byte offset of the problem in the input. Pure: no I/O. */
enum text_err text_normalize(const char *in, size_t len, char **out, size_t *outlen,
	size_t *where);

/* text_extension_allowed: true when the file name ends (case-insensitively) in .ps1,
 * .psm1, .psd1, .ps1xml or .txt. */
bool	 text_extension_allowed(const char *filename);

/* text_pwsh_quote: appends s as a PowerShell single-quoted string: every quote character
 * PowerShell accepts as a single quote (' and U+2018, U+2019, U+201A, U+201B) is doubled, so
 * nothing in s is evaluated ($, `, ;, spaces are data). */
void	 text_pwsh_quote(struct buf *, const char *s);

enum pwsh_arg_kind { PWSH_STRING, PWSH_NUMBER, PWSH_BOOL, PWSH__MAX };
struct pwsh_arg {
	const char	*name;		/* [A-Za-z_][A-Za-z0-9_]*, at most 64 bytes */
	enum pwsh_arg_kind kind;
	const char	*value;		/* STRING: any text; NUMBER: a decimal number; BOOL:
					 * "true" or "false" */
};
/* text_pwsh_command: the command line that runs a script from a PowerShell prompt:
 *   pwsh -NoProfile -File '<file>' -Name 'value' -Count 3 -Force:$true
 * false (and nothing appended) when a name or a number does not validate. */
bool	 text_pwsh_command(struct buf *, const char *file, const struct pwsh_arg *, size_t n);

/* text_filename: a download file name made from a title: letters, digits, '.', '-', '_'
 * kept, runs of anything else become one '_', at most 100 bytes, then ext (".ps1");
 * "script" when nothing is left. Caller frees. */
char	*text_filename(const char *title, const char *ext);
/* text_content_disposition: the Content-Disposition of a download named after title (RFC
 * 6266): attachment; filename="<text_filename's ASCII name>", and when the title has other
 * characters a name could keep (non-ASCII letters and the like; bidirectional controls never),
 * also filename*=UTF-8''<that name percent-encoded> (RFC 5987), which clients prefer. Caller
 * frees. */
char	*text_content_disposition(const char *title, const char *ext);

/* text_trim: the bounds of s without ASCII white space around it (*n its length). */
const char *text_trim(const char *s, size_t *n);
/* text_no_controls: true when no byte is a control character (below 0x20, or DEL). */
bool	 text_no_controls(const char *, size_t);
/* text_uuid_valid: 8-4-4-4-12 hex digits. */
bool	 text_uuid_valid(const char *);
/* text_bidi_control: the first Unicode bidirectional control character in the UTF-8 bytes
 * s[0..n) (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069: they reorder how the text
 * around them is shown, the "Trojan Source" technique), or NULL when there is none. Pure. */
const char *text_bidi_control(const char *s, size_t n);
/* text_bidi_at: the length (2 or 3) of the bidirectional control that starts s[0..n), with its
 * code point in *cp, or 0 when s does not start with one. Pure. */
size_t	 text_bidi_at(const char *s, size_t n, uint32_t *cp);

#endif
