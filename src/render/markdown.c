/* markdown.c: Markdown to safe HTML, line by line: blocks (headings, paragraphs, fenced
 * code, lists, quotes, tables, breaks) and inline spans (code, strong, emphasis, links),
 * every text through the escapers, PowerShell code through the highlighter */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "render/escape.h"
#include "render/highlight.h"
#include "render/markdown.h"

#define LINK_TEXT_MAX 1000
#define LINK_URL_MAX 2048
#define TICK_RUN_MAX 32
#define TABLE_CELLS_MAX 64

struct md {
	struct buf	*out;
	const struct md_opts *o;
	bool		 para;		/* <p> open */
	bool		 quote;		/* <blockquote> open */
	bool		 table;		/* <table> open */
	int		 depth;		/* lists open */
	struct {
		size_t	 indent;
		bool	 ordered;
		bool	 li;	/* an <li> of this list is open */
	} lists[MD_MAX_DEPTH];
	bool		 blank;		/* the line before was blank */
	/* a fenced code block */
	char		 fence;
	size_t		 fence_len;
	bool		 fence_ps;
	struct buf	 code;
};

/* ---- inline ---- */

/* url_allowed: http, https, mailto, or no scheme; no controls or spaces. */
static bool
url_allowed(const char *u, size_t n, bool *absolute)
{
	static const char *const schemes[] = { "http", "https", "mailto" };
	size_t k;

	*absolute = false;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
			return false;
	for (k = 0; k < n && strchr(":/?#", u[k]) == NULL; k++)
		;
	if (k == n || u[k] != ':')
		return true;	/* relative */
	for (size_t i = 0; i < PSS_ARRAY_LEN(schemes); i++)
		if (strlen(schemes[i]) == k && strncasecmp(u, schemes[i], k) == 0) {
			*absolute = true;
			return true;
		}
	return false;
}

/* text_plain: link text: escaped, code-span backticks dropped. */
static void
text_plain(struct buf *out, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '`' || s[i] == '\\') {
			esc_html(out, s + start, i - start);
			start = i + 1;
		}
	esc_html(out, s + start, n - start);
}

static void
link(struct md *m, const char *text, size_t tn, const char *url, size_t un)
{
	struct buf re = BUF_INIT;
	bool absolute;

	while (un > 0 && *url == ' ')
		url++, un--;
	if (un >= 2 && url[0] == '<' && url[un - 1] == '>')
		url++, un -= 2;
	if (!url_allowed(url, un, &absolute)) {
		text_plain(m->out, text, tn);
		return;
	}
	if (!absolute && un > 0 && url[0] != '#' && m->o != NULL && m->o->link != NULL &&
	    m->o->link(m->o->link_arg, url, un, &re)) {
		url = re.data;
		un = re.len;
		if (!url_allowed(url, un, &absolute)) {
			text_plain(m->out, text, tn);
			buf_free(&re);
			return;
		}
	}
	buf_puts(m->out, "<a href=\"");
	esc_attr(m->out, url, un);
	buf_puts(m->out, absolute ? "\" rel=\"nofollow noopener\">" : "\">");
	text_plain(m->out, text, tn);
	buf_puts(m->out, "</a>");
	buf_free(&re);
}

/* next_of: the index of the next c at or after from (memo: *at, SIZE_MAX unknown); n when
 * none. Each call that moves the memo scans fresh bytes only. */
static size_t
next_of(const char *s, size_t n, size_t from, char c, size_t *at)
{
	if (*at != SIZE_MAX && (*at >= n || *at >= from))
		return *at;
	{
		const char *p = from < n ? memchr(s + from, c, n - from) : NULL;

		*at = p != NULL ? (size_t)(p - s) : n;
	}
	return *at;
}

enum { EM = 1, STRONG = 2 };

static bool
starts_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(s, prefix, k) == 0;
}

static void
inline_text(struct md *m, const char *s, size_t n)
{
	struct buf *out = m->out;
	int stack[2], sp = 0;
	size_t i = 0, start = 0, close_br = SIZE_MAX, close_par = SIZE_MAX, close_gt = SIZE_MAX;
	uint64_t no_tick = 0;	/* run lengths with no closing run left on the line */

#define FLUSH() do { esc_html(out, s + start, i - start); } while (0)
	while (i < n) {
		char c = s[i];

		if (c == '\\' && i + 1 < n && ispunct((unsigned char)s[i + 1])) {
			FLUSH();
			esc_html(out, s + i + 1, 1);
			i += 2;
			start = i;
		} else if (c == '`') {
			size_t r = 0, j;

			while (i + r < n && s[i + r] == '`')
				r++;
			j = i + r;
			if (r <= TICK_RUN_MAX && !(no_tick & ((uint64_t)1 << r))) {
				for (; j < n; j++) {
					size_t k = 0;

					if (s[j] != '`')
						continue;
					while (j + k < n && s[j + k] == '`')
						k++;
					if (k == r)
						break;
					j += k - 1;
				}
				if (j < n) {
					FLUSH();
					buf_puts(out, "<code>");
					esc_html(out, s + i + r, j - i - r);
					buf_puts(out, "</code>");
					i = j + r;
					start = i;
					continue;
				}
				no_tick |= (uint64_t)1 << r;
			}
			i += r;	/* a literal run */
		} else if (c == '*') {
			int kind = i + 1 < n && s[i + 1] == '*' ? STRONG : EM;
			size_t w = kind == STRONG ? 2 : 1;
			bool open = sp > 0 && (stack[0] == kind || (sp > 1 && stack[1] == kind));
			bool next_word = i + w < n && !isspace((unsigned char)s[i + w]);
			bool prev_word = i > 0 && !isspace((unsigned char)s[i - 1]);

			if (open && stack[sp - 1] == kind && prev_word) {
				FLUSH();
				buf_puts(out, kind == STRONG ? "</strong>" : "</em>");
				sp--;
				i += w;
				start = i;
			} else if (!open && sp < 2 && next_word) {
				FLUSH();
				buf_puts(out, kind == STRONG ? "<strong>" : "<em>");
				stack[sp++] = kind;
				i += w;
				start = i;
			} else
				i += w;
		} else if (c == '[' || (c == '!' && i + 1 < n && s[i + 1] == '[')) {
			size_t t0 = i + (c == '!' ? 2 : 1), rb, rp;

			rb = next_of(s, n, t0, ']', &close_br);
			if (rb < n && rb - t0 <= LINK_TEXT_MAX && rb + 1 < n && s[rb + 1] == '(' &&
			    (rp = next_of(s, n, rb + 2, ')', &close_par)) < n && rp - rb - 2 <= LINK_URL_MAX) {
				const char *u = s + rb + 2;
				size_t un = rp - rb - 2, sp_at;

				FLUSH();
				for (sp_at = 0; sp_at < un && u[sp_at] == ' '; sp_at++)
					;
				while (sp_at < un && u[sp_at] != ' ')
					sp_at++;	/* the address ends at a space (a title follows) */
				if (c == '!')
					text_plain(out, s + t0, rb - t0);	/* an image: its alt text */
				else
					link(m, s + t0, rb - t0, u, sp_at);
				i = rp + 1;
				start = i;
			} else
				i += c == '!' ? 2 : 1;
		} else if (c == '<' && (starts_ci(s + i + 1, n - i - 1, "http://") ||
		    starts_ci(s + i + 1, n - i - 1, "https://"))) {
			size_t gt = next_of(s, n, i + 1, '>', &close_gt);

			if (gt < n && gt - i - 1 <= LINK_URL_MAX && memchr(s + i + 1, ' ', gt - i - 1) == NULL) {
				FLUSH();
				link(m, s + i + 1, gt - i - 1, s + i + 1, gt - i - 1);
				i = gt + 1;
				start = i;
			} else
				i++;
		} else
			i++;
	}
	FLUSH();
#undef FLUSH
	while (sp > 0)
		buf_puts(out, stack[--sp] == STRONG ? "</strong>" : "</em>");
}

/* ---- blocks ---- */

static void
close_para(struct md *m)
{
	if (m->para)
		buf_puts(m->out, "</p>\n");
	m->para = false;
}

static void
close_lists(struct md *m, int to)
{
	close_para(m);
	while (m->depth > to) {
		m->depth--;
		if (m->lists[m->depth].li)
			buf_puts(m->out, "</li>");
		buf_puts(m->out, m->lists[m->depth].ordered ? "</ol>\n" : "</ul>\n");
	}
}

static void
close_table(struct md *m)
{
	if (m->table)
		buf_puts(m->out, "</tbody></table>\n");
	m->table = false;
}

static void
close_all(struct md *m)
{
	close_lists(m, 0);
	if (m->quote)
		buf_puts(m->out, "</blockquote>\n");
	m->quote = false;
	close_table(m);
}

static void
code_flush(struct md *m)
{
	struct buf *out = m->out;

	buf_puts(out, m->fence_ps ? "<pre class=\"code\"><code class=\"language-powershell\">" :
	    "<pre class=\"code\"><code>");
	if (m->fence_ps) {
		struct hl_lines hl;

		hl_render(m->code.data != NULL ? m->code.data : "", m->code.len, &hl);
		for (size_t i = 0; i < hl.n; i++) {
			size_t ln;
			const char *h = hl_line(&hl, i, &ln);

			buf_append(out, h, ln);
			buf_putc(out, '\n');
		}
		if (hl.truncated)
			esc_html(out, m->code.data + hl.shown_bytes, m->code.len - hl.shown_bytes);
		hl_lines_free(&hl);
	} else
		esc_html(out, m->code.data != NULL ? m->code.data : "", m->code.len);
	buf_puts(out, "</code></pre>\n");
	buf_reset(&m->code);
	m->fence = 0;
}

static bool
ps_language(const char *s, size_t n)
{
	static const char *const langs[] = { "powershell", "pwsh", "ps", "ps1", "posh" };
	size_t w = 0;

	while (w < n && !isspace((unsigned char)s[w]) && s[w] != '{')
		w++;
	for (size_t i = 0; i < PSS_ARRAY_LEN(langs); i++)
		if (strlen(langs[i]) == w && strncasecmp(s, langs[i], w) == 0)
			return true;
	return false;
}

/* run_of: how many c open s[0..n). */
static size_t
run_of(const char *s, size_t n, char c)
{
	size_t r = 0;

	while (r < n && s[r] == c)
		r++;
	return r;
}

static bool
blank_rest(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

static bool
thematic_break(const char *t, size_t n)
{
	char c = n > 0 ? t[0] : 0;
	size_t k = 0;

	if (c != '-' && c != '*' && c != '_')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == c)
			k++;
		else if (t[i] != ' ' && t[i] != '\t')
			return false;
	}
	return k >= 3;
}

/* list_marker: the width of a list marker with its space at t (0: none); *ordered. */
static size_t
list_marker(const char *t, size_t n, bool *ordered)
{
	size_t d = 0;

	*ordered = false;
	if (n >= 1 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && (n == 1 || t[1] == ' ' || t[1] == '\t'))
		return n == 1 ? 1 : 2;
	while (d < n && d < 9 && isdigit((unsigned char)t[d]))
		d++;
	if (d > 0 && d < n && (t[d] == '.' || t[d] == ')') && (d + 1 == n || t[d + 1] == ' ')) {
		*ordered = true;
		return d + 1 == n ? d + 1 : d + 2;
	}
	return 0;
}

static void
list_item(struct md *m, size_t indent, bool ordered, const char *text, size_t n)
{
	close_para(m);
	while (m->depth > 1 && m->lists[m->depth - 1].indent > indent)
		close_lists(m, m->depth - 1);
	if (m->depth > 0 && m->lists[m->depth - 1].ordered != ordered &&
	    m->lists[m->depth - 1].indent >= indent)
		close_lists(m, m->depth - 1);	/* another kind of list at this level */
	if (m->depth > 0 && (m->lists[m->depth - 1].indent >= indent || m->depth == MD_MAX_DEPTH)) {
		/* a sibling (at the deepest level, deeper items are siblings too) */
		if (m->lists[m->depth - 1].li)
			buf_puts(m->out, "</li>\n");
	} else {
		m->lists[m->depth].indent = indent;
		m->lists[m->depth].ordered = ordered;
		m->depth++;
		buf_puts(m->out, ordered ? "<ol>\n" : "<ul>\n");
	}
	buf_puts(m->out, "<li>");
	m->lists[m->depth - 1].li = true;
	inline_text(m, text, n);
}

/* table_row: the cells of a | row (outer pipes dropped) as th or td. */
static void
table_row(struct md *m, const char *t, size_t n, const char *cell)
{
	size_t i = 0, cells = 0;

	if (n > 0 && t[0] == '|')
		i = 1;
	while (n > i && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	if (n > i && t[n - 1] == '|' && (n < 2 || t[n - 2] != '\\'))
		n--;
	buf_puts(m->out, "<tr>");
	while (i <= n && cells < TABLE_CELLS_MAX) {
		size_t j = i;

		while (j < n && !(t[j] == '|' && (j == 0 || t[j - 1] != '\\')))
			j++;
		buf_printf(m->out, "<%s>", cell);
		while (i < j && t[i] == ' ')
			i++;
		inline_text(m, t + i, j - i);
		buf_printf(m->out, "</%s>", cell);
		cells++;
		i = j + 1;
	}
	buf_puts(m->out, "</tr>\n");
}

static bool
table_separator(const char *t, size_t n)
{
	bool dash = false;

	if (n == 0 || (t[0] != '|' && t[0] != '-' && t[0] != ':'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '-')
			dash = true;
		else if (!strchr("|: \t", t[i]))
			return false;
	}
	return dash;
}

/* line_at: the line at p (without its LF or CRLF) and where the next one starts. */
static size_t
line_at(const char *p, const char *end, const char **next)
{
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	size_t n;

	if (eol == NULL)
		eol = end;
	n = (size_t)(eol - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	*next = eol < end ? eol + 1 : end;
	return n;
}

static void
heading(struct md *m, const char *t, size_t n, size_t level)
{
	int h = (int)level + (m->o != NULL ? m->o->heading_offset : 0);
	const char *s = t + level;
	size_t k = n - level;

	if (h > 6)
		h = 6;
	if (h < 1)
		h = 1;
	while (k > 0 && (*s == ' ' || *s == '\t'))
		s++, k--;
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	while (k > 0 && s[k - 1] == '#')
		k--;	/* a closing sequence */
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	close_all(m);
	buf_printf(m->out, "<h%d>", h);
	inline_text(m, s, k);
	buf_printf(m->out, "</h%d>\n", h);
}

static void
block_line(struct md *m, const char *line, size_t n, const char *next, const char *end,
    const char **skip)
{
	size_t indent = 0, i = 0, r, mk, hl;
	const char *t;
	bool ordered;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		indent += line[i++] == '\t' ? 4 : 1;
	t = line + i;
	n -= i;
	if (n == 0) {
		close_para(m);
		if (m->quote)
			buf_puts(m->out, "</blockquote>\n");
		m->quote = false;
		close_table(m);
		m->blank = true;
		return;
	}
	if ((t[0] == '`' || t[0] == '~') && (r = run_of(t, n, t[0])) >= 3 &&
	    (t[0] == '~' || memchr(t + r, '`', n - r) == NULL)) {
		close_para(m);
		close_table(m);
		if (indent == 0)
			close_lists(m, 0);
		m->fence = t[0];
		m->fence_len = r;
		while (r < n && t[r] == ' ')
			r++;
		m->fence_ps = ps_language(t + r, n - r);
		m->blank = false;
		return;
	}
	if (t[0] == '#' && (hl = run_of(t, n, '#')) <= 6 && (hl == n || t[hl] == ' ' || t[hl] == '\t')) {
		heading(m, t, n, hl);
		m->blank = false;
		return;
	}
	if (thematic_break(t, n)) {
		close_all(m);
		buf_puts(m->out, "<hr />\n");
		m->blank = false;
		return;
	}
	if (t[0] == '>') {
		if (!m->quote) {
			close_all(m);
			buf_puts(m->out, "<blockquote>\n");
			m->quote = true;
		}
		t++, n--;
		if (n > 0 && t[0] == ' ')
			t++, n--;
		if (n == 0 || blank_rest(t, n)) {
			close_para(m);
			return;
		}
		buf_puts(m->out, m->para ? "\n" : "<p>");
		m->para = true;
		inline_text(m, t, n);
		return;
	}
	if (m->quote) {
		close_para(m);
		buf_puts(m->out, "</blockquote>\n");
		m->quote = false;
	}
	if (t[0] == '|' || m->table) {
		const char *after;
		size_t nn = next < end ? line_at(next, end, &after) : 0;
		const char *nt = next;

		while (nn > 0 && (*nt == ' ' || *nt == '\t'))
			nt++, nn--;
		if (m->table && t[0] == '|') {
			table_row(m, t, n, "td");
			return;
		}
		close_table(m);
		if (t[0] == '|' && next < end && table_separator(nt, nn)) {
			close_all(m);
			buf_puts(m->out, "<table><thead>");
			table_row(m, t, n, "th");
			buf_puts(m->out, "</thead><tbody>\n");
			m->table = true;
			*skip = after;
			return;
		}
	}
	if ((mk = list_marker(t, n, &ordered)) > 0) {
		list_item(m, indent, ordered, t + mk, n - mk);
		m->blank = false;
		return;
	}
	if (m->depth > 0 && (indent > 0 || !m->blank) && m->lists[m->depth - 1].li) {
		/* a continuation of the item */
		buf_putc(m->out, '\n');
		inline_text(m, t, n);
		m->blank = false;
		return;
	}
	if (m->depth > 0)
		close_lists(m, 0);
	buf_puts(m->out, m->para ? "\n" : "<p>");
	m->para = true;
	inline_text(m, t, n);
	m->blank = false;
}

void
md_render(struct buf *out, const char *src, size_t len, const struct md_opts *opts)
{
	struct md m;
	const char *p = src, *end;
	bool cut = false;

	memset(&m, 0, sizeof(m));
	m.out = out;
	m.o = opts;
	buf_init(&m.code);
	if (src == NULL)
		len = 0;
	if (len > MD_MAX_INPUT) {
		const char *nl = src + MD_MAX_INPUT;

		while (nl > src && *nl != '\n')
			nl--;
		len = nl > src ? (size_t)(nl - src) : MD_MAX_INPUT;
		cut = true;
	}
	end = src + len;
	while (p != NULL && p < end) {
		const char *next, *skip = NULL;
		size_t n = line_at(p, end, &next);

		if (m.fence != 0) {
			size_t i = 0, r;

			while (i < n && i < 16 && (p[i] == ' ' || p[i] == '\t'))
				i++;
			r = run_of(p + i, n - i, m.fence);
			if (r >= m.fence_len && blank_rest(p + i + r, n - i - r))
				code_flush(&m);
			else {
				buf_append(&m.code, p, n);
				buf_putc(&m.code, '\n');
			}
		} else
			block_line(&m, p, n, next, end, &skip);
		p = skip != NULL ? skip : next;
	}
	if (m.fence != 0)
		code_flush(&m);
	close_all(&m);
	if (cut)
		buf_puts(out, "<p class=\"md-truncated\">The rest of this text is not shown (over 4 MB).</p>\n");
	buf_free(&m.code);
}
