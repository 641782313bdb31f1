/* markdown.h: Markdown to safe HTML: a small renderer of the common subset (documents, and
 * later the chat's answers), which escapes everything and highlights PowerShell code */
#ifndef PSS_RENDER_MARKDOWN_H
#define PSS_RENDER_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

/*
 * What it renders: ATX headings (# .. ######), paragraphs, fenced code blocks (``` or ~~~;
 * powershell, pwsh, ps, ps1 and posh are highlighted by render/highlight.h, any other
 * language is escaped text), bullet and ordered lists nested by indentation, block quotes
 * (one level), pipe tables with a header row, thematic breaks, and inline: code spans,
 * **strong**, *emphasis*, [links](url "title"), <https://autolinks>, backslash escapes;
 * an image shows its alt text only.
 *
 * What it guarantees, whatever the input:
 * - Every byte of the input reaches the output through esc_html or esc_attr (render/escape.h):
 *   raw HTML is shown as text, NUL and invalid UTF-8 become U+FFFD. No attribute but href
 *   (links) and class is ever written.
 * - A link's address is http:, https: or mailto:, or relative (no scheme: /path, #frag,
 *   page.md); anything else (javascript:, data:, vbscript:, an address with a control or
 *   space) is rendered as the link's text without a link. rel="nofollow noopener" on every
 *   absolute link.
 * - The HTML is balanced: every element opened is closed, in order, within the block.
 * - Bounded work: linear in the input (no look-ahead search is repeated), at most
 *   MD_MAX_DEPTH levels of lists (deeper items stay at the deepest level), at most
 *   MD_MAX_INPUT bytes rendered (the rest dropped with a note).
 */
#define MD_MAX_DEPTH 8
#define MD_MAX_INPUT ((size_t)4 << 20)

struct md_opts {
	int	 heading_offset;	/* added to a heading's level (capped at 6): 1 makes # an h2 */
	/* link: may rewrite a relative address (not http:, https:, mailto: or #...): append the
	 * new address (raw: it is escaped after) to out and return true; false keeps it. */
	bool	 (*link)(void *arg, const char *url, size_t n, struct buf *out);
	void	*link_arg;
};

/* md_render: src[0..len) as HTML appended to out. opts may be NULL. Never fails. */
void	 md_render(struct buf *out, const char *src, size_t len, const struct md_opts *opts);

#endif
