#include "config.h"
/* lex.c: the PowerShell tokenizer: a mode-driven scanner that never fails */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/ps_lex.h"
#include "core/core.h"

/*
 * PowerShell's lexical grammar depends on where a token stands: "-eq" is an
 * operator in an expression and a parameter after a command name; "if" is a
 * keyword at the start of a statement and a bare word as an argument. The
 * real tokenizer is steered by the parser; this one keeps the little state
 * that decides it itself: a mode (what may come next) and a stack of open
 * brackets (each remembers what follows when it closes).
 */

enum mode {
	M_START,	/* statement start: keywords, command names, expressions */
	M_CMD,		/* command position without keywords: after |, & and . */
	M_ARG,		/* command arguments: bare words, -Parameters */
	M_OPERAND,	/* expression, an operand expected */
	M_AFTER,	/* expression, after an operand: operators expected */
	M_TYPE_AFTER,	/* after [Type]: a cast operand, ::, . or an operator */
	M_MEMBER,	/* after . or :: : a member name */
	M_FUNCNAME,	/* after function/filter/workflow/configuration */
	M_CLASSNAME,	/* after class/enum */
	M_HKEY,		/* hashtable key position */
	M_CLASS,	/* class body statement start */
};

enum ctx_type {
	C_PAREN, C_SUBEXPR, C_ARRAY, C_BLOCK, C_HASH, C_CLASS,
	C_INDEX, C_ARGS, C_ATTR, C_STRSUB,
};

struct ctx {
	uint8_t	 type;
	uint8_t	 restore_args;	/* in_args to restore on close */
	uint32_t tok;		/* index of the opener token */
};

struct lexer {
	const char *s;
	size_t	 len;
	size_t	 pos;
	struct ps_tokens *t;
	enum mode mode;
	int	 in_args;	/* the current statement is a command */
	int	 space;		/* whitespace seen since the last token */
	int	 nest;		/* expandable-string nesting */
	int	 pending_class;	/* the next { opens a class or enum body */
	int	 last_kind;	/* kind of the last significant token, -1 at start */
	int	 last_sub;
	struct ctx *cx;		/* cx_inl, or the heap when deeper */
	size_t	 ncx, capcx;
	struct ctx cx_inl[32];
	/* position cache for line/column */
	size_t	 pc_line;	/* index into line_starts */
	size_t	 pc_off;
	size_t	 pc_next;	/* start of the next line (SIZE_MAX on the last) */
	int	 ascii;		/* no byte above 0x7F: a column is a byte count */
	int	 line_ascii;	/* the same for the cached line (set_line_ascii) */
	uint32_t pc_col;
};

/* ---- tables ---- */

static const char *const tok_names[PS_TOK__MAX] = {
	"NEWLINE", "LINE_CONTINUATION", "COMMENT", "BLOCK_COMMENT", "REQUIRES",
	"STRING_SQ", "STRING_DQ", "HERESTRING_SQ", "HERESTRING_DQ", "VARIABLE",
	"SPLAT", "NUMBER", "KEYWORD", "COMMAND", "FUNCTION_NAME", "GENERIC",
	"PARAMETER", "OPERATOR", "REDIRECTION", "TYPE", "MEMBER", "LABEL",
	"STOP_PARSING", "LPAREN", "RPAREN", "LBRACE", "RBRACE", "LBRACKET",
	"RBRACKET", "SUBEXPR", "ARRAY_EXPR", "HASH_START", "SEMICOLON", "ERROR",
};

static const char *const tok_classes[PS_TOK__MAX] = {
	"nl", "cont", "cmt", "cmt", "req",
	"str", "str", "str", "str", "var",
	"var", "num", "kw", "cmd", "fn", "word",
	"param", "op", "op", "type", "mem", "label",
	"str", "punct", "punct", "punct", "punct", "punct",
	"punct", "punct", "punct", "punct", "punct", "err",
};

static const char *const kw_names[PS_KW__MAX] = {
	"", "begin", "break", "catch", "class", "clean",
	"configuration", "continue", "data", "define", "do",
	"dynamicparam", "else", "elseif", "end", "enum",
	"exit", "filter", "finally", "for", "foreach",
	"from", "function", "hidden", "if", "in",
	"param", "process", "return", "static", "switch",
	"throw", "trap", "try", "until", "using",
	"var", "while", "workflow",
};

static const char *const op_names[PS_OP__MAX] = {
	"",
	"=", "+=", "-=", "*=", "/=", "%=", "?\?=",
	"+", "-", "*", "/", "%", "++", "--", "!",
	"|", "&&", "||", "&", ".",
	",", ".", "::", "..", "??", "?", ":", "?.", "?[",
	"-eq", "-ne", "-gt", "-ge", "-lt", "-le",
	"-like", "-notlike", "-match", "-notmatch", "-replace",
	"-contains", "-notcontains", "-in", "-notin", "-split",
	"-join", "-is", "-isnot", "-as", "-f",
	"-and", "-or", "-xor", "-not",
	"-band", "-bor", "-bxor", "-bnot", "-shl", "-shr",
};

const char *
ps_token_kind_name(enum ps_tok_kind k)
{
	return (unsigned)k < PS_TOK__MAX ? tok_names[k] : "?";
}

const char *
ps_token_class(enum ps_tok_kind k)
{
	return (unsigned)k < PS_TOK__MAX ? tok_classes[k] : "err";
}

const char *
ps_kw_name(enum ps_kw k)
{
	return (unsigned)k < PS_KW__MAX && k != PS_KW_NONE ? kw_names[k] : "?";
}

const char *
ps_op_name(enum ps_op o)
{
	return (unsigned)o < PS_OP__MAX && o != PS_OP_NONE ? op_names[o] : "?";
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* word equals lit (lower case), case-insensitively */
static int
word_eq(const char *w, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || lower((unsigned char)w[i]) != lit[i])
			return 0;
	return lit[n] == '\0';
}

/* The keywords by first letter (built once): kw_names is sorted, so the ones starting with
 * letter c are among kw_from[c - 'a'] .. kw_to[c - 'a'] - 1 (both 0 when none does). */
static unsigned char kw_from[26], kw_to[26];
static pthread_once_t kw_once = PTHREAD_ONCE_INIT;

static void
kw_index_build(void)
{
	for (int k = PS_KW__MAX - 1; k >= 1; k--) {
		int c = kw_names[k][0] - 'a';

		if (kw_to[c] == 0)
			kw_to[c] = (unsigned char)(k + 1);
		kw_from[c] = (unsigned char)k;
	}
}

enum ps_kw
ps_kw_lookup(const char *w, size_t n)
{
	int c0;

	if (n < 2 || n > 13)
		return PS_KW_NONE;
	c0 = lower((unsigned char)w[0]);
	if (c0 < 'a' || c0 > 'z')
		return PS_KW_NONE;
	pthread_once(&kw_once, kw_index_build);
	for (int k = kw_from[c0 - 'a']; k < kw_to[c0 - 'a']; k++)	/* none for Get-, New-... */
		if (kw_names[k][0] == c0 && word_eq(w, n, kw_names[k]))
			return (enum ps_kw)k;
	return PS_KW_NONE;
}

enum ps_op
ps_op_lookup(const char *w, size_t n, uint16_t *flags)
{
	*flags = 0;
	if (n == 0 || n > 12)
		return PS_OP_NONE;
	for (int o = PS_OP_EQ; o < PS_OP__MAX; o++)
		if (word_eq(w, n, op_names[o] + 1))
			return (enum ps_op)o;
	if (n > 1 && (lower((unsigned char)w[0]) == 'c' || lower((unsigned char)w[0]) == 'i')) {
		for (int o = PS_OP_EQ; o <= PS_OP_SPLIT; o++)
			if (word_eq(w + 1, n - 1, op_names[o] + 1)) {
				*flags = lower((unsigned char)w[0]) == 'c' ?
				    PS_TOKF_CASE_SENSITIVE : PS_TOKF_CASE_INSENSITIVE;
				return (enum ps_op)o;
			}
	}
	return PS_OP_NONE;
}

int
ps_token_is_error(const struct ps_token *t)
{
	/* | of the two tests, not ||: no branch in ps_tokenize_in's count */
	return (t->kind == PS_TOK_ERROR) |
	    ((t->flags & (PS_TOKF_UNTERMINATED | PS_TOKF_UNMATCHED | PS_TOKF_NUM_BAD)) != 0);
}

int
ps_token_is_trivia(const struct ps_token *t)
{
	return t->kind == PS_TOK_COMMENT || t->kind == PS_TOK_BLOCK_COMMENT ||
	    t->kind == PS_TOK_REQUIRES || t->kind == PS_TOK_LINE_CONTINUATION;
}

const char *
ps_token_text(const struct ps_tokens *t, const struct ps_token *tok, size_t *len)
{
	*len = tok->end - tok->start;
	return t->src + tok->start;
}

/* ---- characters ---- */

enum uclass { U_NONE, U_DASH, U_SQUOTE, U_DQUOTE, U_SPACE };

/* The class of a Unicode character PowerShell treats specially; *n its byte length. */
static enum uclass
uclass_at(const char *s, size_t len, size_t pos, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s + pos;

	*n = 1;
	if (u[0] < 0x80 || pos + 1 >= len)
		return U_NONE;
	if (u[0] == 0xC2 && u[1] == 0xA0) {
		*n = 2;
		return U_SPACE;
	}
	if (pos + 2 >= len)
		return U_NONE;
	*n = 3;
	if (u[0] == 0xE2 && u[1] == 0x80) {
		if (u[2] >= 0x93 && u[2] <= 0x95)
			return U_DASH;
		if (u[2] >= 0x98 && u[2] <= 0x9B)
			return U_SQUOTE;
		if (u[2] >= 0x9C && u[2] <= 0x9E)
			return U_DQUOTE;
		if (u[2] <= 0x8A || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF)
			return U_SPACE;
	}
	if ((u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) ||
	    (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) ||
	    (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF))
		return U_SPACE;
	*n = 1;
	return U_NONE;
}

static inline __attribute__((always_inline)) int
at(const struct lexer *L, size_t pos)
{
	return pos < L->len ? (unsigned char)L->s[pos] : -1;
}

static enum uclass
ucl(const struct lexer *L, size_t pos, size_t *n)
{
	if (pos >= L->len) {
		*n = 0;
		return U_NONE;
	}
	return uclass_at(L->s, L->len, pos, n);
}

/* inline: the ASCII test is one compare, the call was most of the cost */
static inline __attribute__((always_inline)) int
is_hspace(const struct lexer *L, size_t pos, size_t *n)
{
	int c = at(L, pos);

	*n = 1;
	if (c == ' ' || c == '\t' || c == '\f' || c == '\v')
		return 1;
	return c >= 0x80 && ucl(L, pos, n) == U_SPACE;
}

static int
is_newline(int c)
{
	return c == '\n' || c == '\r';
}

static inline __attribute__((always_inline)) int
is_dash(const struct lexer *L, size_t pos, size_t *n)
{
	*n = 1;
	if (at(L, pos) == '-')
		return 1;
	return at(L, pos) >= 0x80 && ucl(L, pos, n) == U_DASH;
}

static inline __attribute__((always_inline)) int
is_squote(const struct lexer *L, size_t pos, size_t *n)
{
	*n = 1;
	if (at(L, pos) == '\'')
		return 1;
	return at(L, pos) >= 0x80 && ucl(L, pos, n) == U_SQUOTE;
}

static inline __attribute__((always_inline)) int
is_dquote(const struct lexer *L, size_t pos, size_t *n)
{
	*n = 1;
	if (at(L, pos) == '"')
		return 1;
	return at(L, pos) >= 0x80 && ucl(L, pos, n) == U_DQUOTE;
}

static inline __attribute__((always_inline)) int
is_special_unicode(const struct lexer *L, size_t pos)
{
	size_t n;

	return at(L, pos) >= 0x80 && ucl(L, pos, &n) != U_NONE;
}

/* lex_loop's whitespace test: 1 for the ASCII blanks, 2 for the bytes above 0x7F */
static const unsigned char blank_tab[256] = {
	[' '] = 1, ['\t'] = 1, ['\f'] = 1, ['\v'] = 1, [0x80 ... 0xFF] = 2,
};

/* the ASCII name characters: letters, digits and _ */
static const unsigned char name_tab[128] = {
	['0' ... '9'] = 1, ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['_'] = 1,
};

/* letters, digits, _ and non-ASCII characters other than dashes, quotes and spaces */
static inline __attribute__((always_inline)) int
is_name_char(const struct lexer *L, size_t pos)
{
	int c = at(L, pos);

	if (c < 0x80)
		return c >= 0 && name_tab[c];
	return !is_special_unicode(L, pos);
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ASCII characters that only continue a bare word: no delimiter, quote, backtick, $, = or ]
 * (letters, digits and - _ . \\ / : *) */
static const unsigned char word_plain_tab[256] = {
	['-'] = 1, ['_'] = 1, ['.'] = 1, ['\\'] = 1, ['/'] = 1, [':'] = 1, ['*'] = 1,
	['0' ... '9'] = 1, ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1,
};

static inline int
word_plain(int c)
{
	return c >= 0 && c < 256 && word_plain_tab[c];
}

/* the ASCII bytes that end peek_word's word: is_word_delim's and ` $ ' " = */
static const unsigned char peek_word_stop[128] = {
	[' '] = 1, ['\t'] = 1, ['\f'] = 1, ['\v'] = 1, ['\n'] = 1, ['\r'] = 1, [';'] = 1,
	[','] = 1, ['|'] = 1, ['&'] = 1, ['('] = 1, [')'] = 1, ['{'] = 1, ['}'] = 1, ['>'] = 1,
	['`'] = 1, ['$'] = 1, ['\''] = 1, ['"'] = 1, ['='] = 1,
};

/* the ASCII bytes that end a parameter name (-Name): is_word_delim's and : . [ ' " */
static const unsigned char param_stop[128] = {
	[' '] = 1, ['\t'] = 1, ['\f'] = 1, ['\v'] = 1, ['\n'] = 1, ['\r'] = 1, [';'] = 1,
	[','] = 1, ['|'] = 1, ['&'] = 1, ['('] = 1, [')'] = 1, ['{'] = 1, ['}'] = 1, ['>'] = 1,
	[':'] = 1, ['.'] = 1, ['['] = 1, ['\''] = 1, ['"'] = 1,
};

/* end of a bare word (argument or command name) */
static inline __attribute__((always_inline)) int
is_word_delim(const struct lexer *L, size_t pos)
{
	int c = at(L, pos);
	size_t n;

	switch (c) {
	case -1: case ' ': case '\t': case '\f': case '\v': case '\n': case '\r':
	case ';': case ',': case '|': case '&': case '(': case ')': case '{': case '}':
	case '>':
		return 1;
	default:
		return c >= 0x80 && ucl(L, pos, &n) == U_SPACE;
	}
}

/* ---- positions ---- */

#define TOKENS_GUESS_MAX	((size_t)1 << 18)	/* first token array: at most 7 MB */

/* The token and line arrays grow in t->arena when it is set (small inputs of an analysis:
 * no malloc/free pair each; a replaced array stays in the arena), else on the heap. */
static void *
tok_grow(struct ps_tokens *t, void *old, size_t oldbytes, size_t newbytes)
{
	uintptr_t p;

	if (t->arena == NULL)
		return xrealloc(old, newbytes);
	p = (uintptr_t)arena_alloc_bytes(t->arena, newbytes + 15);
	p = (p + 15) & ~(uintptr_t)15;	/* aligned for the uint32_t fields */
	if (oldbytes > 0)
		memcpy((void *)p, old, oldbytes);
	return (void *)p;
}

/* 1 when no byte of s[0..n) is above 0x7F (32 bytes a step) */
static int
all_ascii(const char *s, size_t n)
{
	uint64_t high = 0, x[4];
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		memcpy(x, s + i, 32);
		high |= x[0] | x[1] | x[2] | x[3];
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(x, s + i, 8);
		high |= x[0];
	}
	for (; i < n; i++)
		high |= (unsigned char)s[i];
	return (high & 0x8080808080808080u) == 0;
}

/* one more line start (the array has *cap entries) */
static inline void
line_add(struct ps_tokens *t, size_t *cap, size_t off)
{
	if (t->nlines == *cap) {
		t->line_starts = tok_grow(t, t->line_starts, *cap * sizeof(*t->line_starts),
		    2 * *cap * sizeof(*t->line_starts));
		*cap *= 2;
	}
	t->line_starts[t->nlines++] = (uint32_t)off;
}

/* Line starts; returns 1 when the input is all ASCII (columns are then byte counts). */
static int
compute_lines(struct ps_tokens *t)
{
	size_t cap = 64 + t->len / 32, i;	/* most lines are longer than 32 bytes */
	unsigned char high = 0;
	uint64_t high_word = 0;

	t->line_starts = tok_grow(t, NULL, 0, cap * sizeof(*t->line_starts));
	t->line_starts[0] = 0;
	t->nlines = 1;
	/* no CR (the usual case): a line starts one past each LF, which memchr finds fast */
	if (memchr(t->src, '\r', t->len) == NULL) {
		const char *q = t->src, *e = t->src + t->len;

		while ((q = memchr(q, '\n', (size_t)(e - q))) != NULL) {
			q++;
			line_add(t, &cap, (size_t)(q - t->src));
		}
		return all_ascii(t->src, t->len);
	}
	for (i = 0; i < t->len; i++) {
		char c;

		/* eight bytes without CR or LF at a time (most of a line) */
		while (i + 8 <= t->len) {
			const uint64_t ones = 0x0101010101010101u, top = ones * 0x80;
			uint64_t x, lf, cr;

			memcpy(&x, t->src + i, 8);
			lf = x ^ (ones * '\n');
			cr = x ^ (ones * '\r');
			if ((((lf - ones) & ~lf) | ((cr - ones) & ~cr)) & top)
				break;
			high_word |= x;
			i += 8;
		}
		if (i >= t->len)
			break;
		c = t->src[i];

		high |= (unsigned char)c;
		if (c != '\n' && c != '\r')
			continue;
		if (c == '\r' && i + 1 < t->len && t->src[i + 1] == '\n')
			i++;
		line_add(t, &cap, i + 1);
	}
	return (high & 0x80) == 0 && (high_word & 0x8080808080808080u) == 0;
}

static size_t
line_index(const struct ps_tokens *t, size_t off)
{
	size_t lo = 0, hi = t->nlines;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t
count_chars(const char *s, size_t from, size_t to)
{
	uint32_t n = 0;

	for (size_t i = from; i < to; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

void
ps_position(const struct ps_tokens *t, size_t off, uint32_t *line, uint32_t *column)
{
	size_t li;

	if (off > t->len)
		off = t->len;
	li = line_index(t, off);
	*line = (uint32_t)li + 1;
	*column = 1 + count_chars(t->src, t->line_starts[li], off);
}

/* the same, amortised O(1) for non-decreasing offsets */
/* L->line_ascii for the line the cache has just moved to: always in an ASCII input; in another,
 * a line of up to 1,024 bytes is looked at once (a longer one counts its characters, as before) */
static void
set_line_ascii(struct lexer *L)
{
	const struct ps_tokens *t = L->t;
	size_t b = t->line_starts[L->pc_line], e = L->pc_next < t->len ? L->pc_next : t->len;
	uint64_t high = 0, x;
	size_t i = b;

	if (L->ascii || e - b > 1024) {
		L->line_ascii = L->ascii;
		return;
	}
	for (; i + 8 <= e; i += 8) {
		memcpy(&x, t->src + i, 8);
		high |= x;
	}
	for (; i < e; i++)
		high |= (unsigned char)t->src[i];
	L->line_ascii = (high & 0x8080808080808080u) == 0;
}

static void
lex_position_move(struct lexer *L, size_t off)
{
	const struct ps_tokens *t = L->t;

	if (off < L->pc_off) {
		L->pc_line = line_index(t, off);
		L->pc_off = t->line_starts[L->pc_line];
		L->pc_col = 1;
		L->pc_next = L->pc_line + 1 < t->nlines ? t->line_starts[L->pc_line + 1] : SIZE_MAX;
	}
	if (off >= L->pc_next) {
		while (L->pc_line + 1 < t->nlines && t->line_starts[L->pc_line + 1] <= off)
			L->pc_line++;
		L->pc_off = t->line_starts[L->pc_line];
		L->pc_col = 1;
		L->pc_next = L->pc_line + 1 < t->nlines ? t->line_starts[L->pc_line + 1] : SIZE_MAX;
	}
	set_line_ascii(L);
}

/* The common case (forward on the same line) inline; moving the cache is not. A column on a
 * line with no byte above 0x7F is a byte count even in a non-ASCII input. */
static inline void
lex_position(struct lexer *L, size_t off, uint32_t *line, uint32_t *column)
{
	const struct ps_tokens *t = L->t;

	if (off < L->pc_off || off >= L->pc_next)
		lex_position_move(L, off);
	L->pc_col += L->line_ascii ? (uint32_t)(off - L->pc_off) : count_chars(t->src, L->pc_off, off);
	L->pc_off = off;
	*line = (uint32_t)L->pc_line + 1;
	*column = L->pc_col;
}

/* ---- emitting ---- */

/* The next token with all but its positions filled in (the array has room). */
static inline struct ps_token *
tok_begin(struct lexer *L, struct ps_tokens *t, enum ps_tok_kind kind, int sub, unsigned flags,
    size_t start, size_t end)
{
	struct ps_token *tok = &t->v[t->n];

	tok->kind = (uint8_t)kind;
	tok->sub = (uint8_t)sub;
	if (L->space)
		flags |= PS_TOKF_SPACE_BEFORE;
	if (L->nest > 0)
		flags |= PS_TOKF_NESTED;
	tok->flags = (uint16_t)flags;
	tok->start = (uint32_t)start;
	tok->end = (uint32_t)end;
	return tok;
}

/* Count the token tok_begin filled in; returns its index. */
static inline size_t
tok_done(struct lexer *L, struct ps_tokens *t, enum ps_tok_kind kind, int sub)
{
	L->space = 0;
	if (kind != PS_TOK_COMMENT && kind != PS_TOK_BLOCK_COMMENT &&
	    kind != PS_TOK_REQUIRES && kind != PS_TOK_LINE_CONTINUATION) {
		L->last_kind = kind;
		L->last_sub = sub;
	}
	return t->n++;
}

/* emit's general case: the token array grows, or the token is not within the cached line
 * of an ASCII input */
static __attribute__((noinline)) size_t
emit_slow(struct lexer *L, enum ps_tok_kind kind, int sub, unsigned flags, size_t start,
    size_t end)
{
	struct ps_tokens *t = L->t;
	struct ps_token *tok;

	/* a token that ends its line (a newline): its end is the next line's first column, and
	 * the cache moves there (what the two lex_position calls below come to) */
	if (t->n < t->cap && L->line_ascii && start >= L->pc_off && start < end && end == L->pc_next) {
		tok = tok_begin(L, t, kind, sub, flags, start, end);
		tok->line = (uint32_t)L->pc_line + 1;
		tok->column = L->pc_col + (uint32_t)(start - L->pc_off);
		L->pc_line++;
		L->pc_off = end;
		L->pc_col = 1;
		L->pc_next = L->pc_line + 1 < t->nlines ? t->line_starts[L->pc_line + 1] : SIZE_MAX;
		set_line_ascii(L);
		tok->end_line = (uint32_t)L->pc_line + 1;
		tok->end_column = 1;
		return tok_done(L, t, kind, sub);
	}
	if (t->n == t->cap) {
		size_t old = t->cap;

		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = tok_grow(t, t->v, old * sizeof(*t->v), t->cap * sizeof(*t->v));
	}
	tok = tok_begin(L, t, kind, sub, flags, start, end);
	lex_position(L, start, &tok->line, &tok->column);
	lex_position(L, end, &tok->end_line, &tok->end_column);
	return tok_done(L, t, kind, sub);
}

/* Append a token. The usual case makes no call: room in the array, and start and end on
 * the cached line of an ASCII input, where columns are byte distances (what lex_position
 * computes for start and then end). */
static size_t
emit(struct lexer *L, enum ps_tok_kind kind, int sub, unsigned flags, size_t start, size_t end)
{
	struct ps_tokens *t = L->t;
	struct ps_token *tok;
	uint32_t col;

	if (t->n == t->cap || !L->line_ascii || start < L->pc_off || end >= L->pc_next || end < start)
		return emit_slow(L, kind, sub, flags, start, end);
	tok = tok_begin(L, t, kind, sub, flags, start, end);
	col = L->pc_col + (uint32_t)(start - L->pc_off);
	tok->line = tok->end_line = (uint32_t)L->pc_line + 1;
	tok->column = col;
	tok->end_column = L->pc_col = col + (uint32_t)(end - start);
	L->pc_off = end;
	return tok_done(L, t, kind, sub);
}

/* finish a token emitted before its end was known (strings with nested tokens) */
static void
finish(struct lexer *L, size_t idx, size_t end, unsigned flags)
{
	struct ps_token *tok = &L->t->v[idx];

	tok->end = (uint32_t)end;
	tok->flags |= (uint16_t)flags;
	lex_position(L, end, &tok->end_line, &tok->end_column);
}

/* ---- context stack ---- */

static enum mode
start_mode(const struct lexer *L)
{
	if (L->ncx == 0)
		return M_START;
	switch (L->cx[L->ncx - 1].type) {
	case C_HASH:
		return M_HKEY;
	case C_CLASS:
		return M_CLASS;
	case C_INDEX: case C_ARGS:
		return M_OPERAND;
	default:
		return M_START;
	}
}

static enum mode
after_operand(const struct lexer *L)
{
	return L->in_args ? M_ARG : M_AFTER;
}

static void
push(struct lexer *L, enum ctx_type type, size_t tok)
{
	if (L->ncx == L->capcx) {
		if (L->capcx == 0) {
			L->cx = L->cx_inl;
			L->capcx = PSS_ARRAY_LEN(L->cx_inl);
		} else if (L->cx == L->cx_inl) {
			L->capcx *= 2;
			L->cx = xmalloc(L->capcx * sizeof(*L->cx));
			memcpy(L->cx, L->cx_inl, sizeof(L->cx_inl));
		} else {
			L->capcx *= 2;
			L->cx = xrealloc(L->cx, L->capcx * sizeof(*L->cx));
		}
	}
	L->cx[L->ncx].type = (uint8_t)type;
	L->cx[L->ncx].restore_args = (uint8_t)L->in_args;
	L->cx[L->ncx].tok = (uint32_t)tok;
	L->ncx++;
	L->in_args = 0;
	L->mode = start_mode(L);
}

static int
closes(enum ctx_type type, int c)
{
	switch (type) {
	case C_PAREN: case C_SUBEXPR: case C_ARRAY: case C_ARGS: case C_STRSUB:
		return c == ')';
	case C_BLOCK: case C_HASH: case C_CLASS:
		return c == '}';
	default:
		return c == ']';
	}
}

/* Close the innermost matching context (looking a few levels down, never past
 * a string's subexpression). Returns 1 when one closed. */
static int
pop_for(struct lexer *L, int c)
{
	size_t i, lim = L->ncx > 32 ? L->ncx - 32 : 0;

	for (i = L->ncx; i > lim; i--) {
		if (closes(L->cx[i - 1].type, c))
			break;
		if (L->cx[i - 1].type == C_STRSUB)
			return 0;
	}
	if (i == lim)
		return 0;
	while (L->ncx >= i) {
		struct ctx *x = &L->cx[--L->ncx];

		if (L->ncx + 1 > i) {
			L->t->v[x->tok].flags |= PS_TOKF_UNMATCHED;
		}
		L->in_args = x->restore_args;
	}
	L->mode = after_operand(L);
	return 1;
}

/* ---- scanners ---- */

static void lex_loop(struct lexer *L, size_t stop_depth);

/* A variable name after $ (or @): returns the end, or pos when none. */
static size_t
scan_var_name(const struct lexer *L, size_t pos, unsigned *flags)
{
	size_t p = pos;
	int c = at(L, p);

	if (c == '$' || c == '?' || c == '^')
		return p + 1;
	if (!is_name_char(L, p))
		return pos;
	while (is_name_char(L, p))
		p++;
	/* scope or drive: $env:Path, $script:x (not ::) */
	if (at(L, p) == ':' && at(L, p + 1) != ':' && is_name_char(L, p + 1)) {
		p++;
		while (is_name_char(L, p))
			p++;
		*flags |= PS_TOKF_SCOPED;
	}
	return p;
}

/* ${...} starting at pos (the $): returns the end (after }) */
static size_t
scan_braced_var(const struct lexer *L, size_t pos, unsigned *flags)
{
	size_t p = pos + 2;

	*flags |= PS_TOKF_BRACED;
	while (p < L->len && L->s[p] != '}') {
		if (L->s[p] == '`' && p + 1 < L->len)
			p++;
		p++;
	}
	if (p >= L->len) {
		*flags |= PS_TOKF_UNTERMINATED;
		return L->len;
	}
	if (memchr(L->s + pos, ':', p - pos) != NULL)
		*flags |= PS_TOKF_SCOPED;
	return p + 1;
}

/*
 * A $ inside an expandable string or word at pos: emit the nested tokens for
 * $name, ${name} or $( ... ) and return the position after them; returns pos
 * when the $ is literal text.
 */
static size_t
scan_nested_dollar(struct lexer *L, size_t pos)
{
	unsigned f = 0;
	size_t end;

	if (at(L, pos + 1) == '(') {
		enum mode m = L->mode;
		int in_args = L->in_args, last = L->last_kind, lastsub = L->last_sub;
		size_t depth;

		if (L->nest >= PS_LEX_MAX_NESTING)
			return pos;
		L->nest++;
		L->space = 0;
		push(L, C_STRSUB, emit(L, PS_TOK_SUBEXPR, 0, 0, pos, pos + 2));
		depth = L->ncx;
		L->pos = pos + 2;
		lex_loop(L, depth);
		/* lex_loop returns when the $( closed or at the end */
		if (L->ncx >= depth) {
			while (L->ncx >= depth) {
				L->t->v[L->cx[L->ncx - 1].tok].flags |= PS_TOKF_UNMATCHED;
				L->ncx--;
			}
		}
		L->nest--;
		L->mode = m;
		L->in_args = in_args;
		L->last_kind = last;
		L->last_sub = lastsub;
		return L->pos;
	}
	if (at(L, pos + 1) == '{') {
		L->nest++;
		L->space = 0;
		end = scan_braced_var(L, pos, &f);
		emit(L, PS_TOK_VARIABLE, 0, f, pos, end);
		L->nest--;
		return end;
	}
	end = scan_var_name(L, pos + 1, &f);
	if (end == pos + 1)
		return pos;
	L->nest++;
	L->space = 0;
	emit(L, PS_TOK_VARIABLE, 0, f, pos, end);
	L->nest--;
	return end;
}

/* Does a here-string terminator start at the line beginning p? qlen out. */
static int
herestring_end_at(const struct lexer *L, size_t p, int dq, size_t *qlen)
{
	size_t n;
	int ok = dq ? is_dquote(L, p, &n) : is_squote(L, p, &n);

	if (ok && at(L, p + n) == '@') {
		*qlen = n + 1;
		return 1;
	}
	return 0;
}

/*
 * A string starting at pos: quote (length qn), here-string (here) or
 * double-quoted (dq). Emits the token and any nested tokens; returns the end.
 */
static size_t
scan_string(struct lexer *L, size_t pos, size_t qn, int dq, int here)
{
	enum ps_tok_kind kind = here ? (dq ? PS_TOK_HERESTRING_DQ : PS_TOK_HERESTRING_SQ) :
	    (dq ? PS_TOK_STRING_DQ : PS_TOK_STRING_SQ);
	unsigned flags = qn > 1 && !here ? PS_TOKF_UNICODE : 0;
	size_t idx = emit(L, kind, 0, flags, pos, pos + qn);
	size_t p = pos + qn, n, q;
	int expandable = 0;

	if (here) {
		/* skip to the end of the opening line */
		while (p < L->len && !is_newline(L->s[p]))
			p++;
		if (p < L->len && L->s[p] == '\r' && at(L, p + 1) == '\n')
			p++;
		p++;
	}
	while (p < L->len) {
		int c = (unsigned char)L->s[p];

		if (here) {
			if (is_newline(c)) {
				size_t nl = p + (c == '\r' && at(L, p + 1) == '\n' ? 2 : 1);

				if (herestring_end_at(L, nl, dq, &q)) {
					finish(L, idx, nl + q, expandable ? PS_TOKF_EXPANDABLE : 0);
					return nl + q;
				}
				p = nl;
				continue;
			}
		} else if (dq ? is_dquote(L, p, &n) : is_squote(L, p, &n)) {
			size_t n2;
			int again = dq ? is_dquote(L, p + n, &n2) : is_squote(L, p + n, &n2);

			if (again) {
				p += n + n2;
				continue;
			}
			finish(L, idx, p + n, expandable ? PS_TOKF_EXPANDABLE : 0);
			return p + n;
		}
		if (dq && c == '`' && p + 1 < L->len) {
			p += 2;
			continue;
		}
		if (dq && c == '$') {
			size_t e = scan_nested_dollar(L, p);

			if (e != p) {
				expandable = 1;
				p = e;
				continue;
			}
		}
		p++;
	}
	finish(L, idx, L->len, PS_TOKF_UNTERMINATED | (expandable ? PS_TOKF_EXPANDABLE : 0));
	return L->len;
}

/*
 * A bare word from pos: command name, argument, hashtable key. Stops at a
 * delimiter; quoted parts and backtick escapes are part of the word; $var and
 * $( ) inside become nested tokens. stop_eq stops at '=' (hashtable keys).
 */
static size_t
scan_word(struct lexer *L, size_t pos, enum ps_tok_kind kind, int stop_eq)
{
	size_t idx = emit(L, kind, 0, 0, pos, pos + 1);
	size_t p = pos, n;
	unsigned flags = 0;

	while (p < L->len && (p == pos || !is_word_delim(L, p))) {
		int c = (unsigned char)L->s[p];

		if (word_plain(c)) {
			/* the common case: a run of characters with no meaning inside a word */
			while (++p < L->len && word_plain((unsigned char)L->s[p]))
				;
			continue;
		}
		if (stop_eq && (c == '=' || c == ']') && p > pos)
			break;
		if (c == '`') {
			if (p + 1 >= L->len || is_newline(L->s[p + 1]))
				break;
			flags |= PS_TOKF_BACKTICK;
			p += 2;
			continue;
		}
		if (c == '$' && L->nest < PS_LEX_MAX_NESTING) {
			size_t e = scan_nested_dollar(L, p);

			if (e != p) {
				flags |= PS_TOKF_EXPANDABLE;
				p = e;
				continue;
			}
		}
		if (p > pos && (is_squote(L, p, &n) || is_dquote(L, p, &n))) {
			int dq = L->s[p] == '"' || ucl(L, p, &n) == U_DQUOTE;
			size_t e;

			/* an embedded quoted part: --opt="a b" */
			e = p + n;
			while (e < L->len) {
				size_t n2;

				if (dq ? is_dquote(L, e, &n2) : is_squote(L, e, &n2)) {
					e += n2;
					break;
				}
				if (dq && L->s[e] == '`' && e + 1 < L->len)
					e++;
				e++;
			}
			p = e;
			continue;
		}
		if (p == pos && c >= 0x80) {
			ucl(L, p, &n);
			p += n;
			continue;
		}
		p++;
	}
	if (p == pos)
		p = pos + 1;
	finish(L, idx, p, flags);
	return p;
}

/*
 * A number at pos: returns its end, or pos when there is none. Accepts
 * 0x1F, 0b101, 1.5, .5, 2.5e3, type suffixes (d l u ul y uy s us n) and
 * multipliers (kb mb gb tb pb).
 */
static size_t
scan_number(const struct lexer *L, size_t pos)
{
	size_t p = pos;
	int hex = 0, digits = 0;

	if (at(L, p) == '0' && lower(at(L, p + 1)) == 'x') {
		p += 2;
		while (is_digit(at(L, p)) || (lower(at(L, p)) >= 'a' && lower(at(L, p)) <= 'f')) {
			p++;
			digits++;
		}
		if (!digits)
			return pos;
		hex = 1;
	} else if (at(L, p) == '0' && lower(at(L, p + 1)) == 'b' && (at(L, p + 2) == '0' || at(L, p + 2) == '1')) {
		p += 2;
		while (at(L, p) == '0' || at(L, p) == '1')
			p++;
		hex = 1;
	} else {
		while (is_digit(at(L, p))) {
			p++;
			digits++;
		}
		if (at(L, p) == '.' && is_digit(at(L, p + 1))) {
			p++;
			while (is_digit(at(L, p))) {
				p++;
				digits++;
			}
		}
		if (!digits)
			return pos;
		if (lower(at(L, p)) == 'e' &&
		    (is_digit(at(L, p + 1)) ||
		    ((at(L, p + 1) == '+' || at(L, p + 1) == '-') && is_digit(at(L, p + 2))))) {
			p += 2;
			while (is_digit(at(L, p)))
				p++;
		}
	}
	/* type suffix */
	switch (lower(at(L, p))) {
	case 'u':
		p++;
		if (lower(at(L, p)) == 'l' || lower(at(L, p)) == 'y' || lower(at(L, p)) == 's')
			p++;
		break;
	case 'l': case 'y': case 's': case 'n':
		p++;
		break;
	case 'd':
		if (!hex && lower(at(L, p + 1)) != 'b')
			p++;
		break;
	default:
		break;
	}
	/* multiplier */
	if (lower(at(L, p + 1)) == 'b') {
		switch (lower(at(L, p))) {
		case 'k': case 'm': case 'g': case 't': case 'p':
			p += 2;
			break;
		default:
			break;
		}
	}
	return p;
}

/* characters that may directly follow a number in an expression */
static int
number_delim(const struct lexer *L, size_t pos)
{
	int c = at(L, pos);

	if (is_word_delim(L, pos))
		return 1;
	switch (c) {
	case ']': case '+': case '-': case '*': case '/': case '%': case '=': case '!':
	case '.': case '<': case ':': case '#': case '?': case '[': case '"': case '\'':
		return 1;
	default:
		return is_special_unicode(L, pos);
	}
}

static int
arg_number_delim(const struct lexer *L, size_t pos)
{
	int c = at(L, pos);

	return is_word_delim(L, pos) || c == '#';
}

/* A type name inside [ ] from pos (after the [): returns the end of the name
 * (before ] or ( at depth 0), or 0 when this is no type literal. *attr is set
 * when ( follows. Bounded look-ahead keeps the scan linear. */
static size_t
scan_type(const struct lexer *L, size_t pos, size_t *name_start, int *attr, size_t *close)
{
	size_t p = pos, lim = pos + 256, end;
	int depth = 0;

	while (p < L->len && (L->s[p] == ' ' || L->s[p] == '\t'))
		p++;
	if (!(is_alpha(at(L, p)) || at(L, p) == '_' || (at(L, p) >= 0x80 && is_name_char(L, p))))
		return 0;
	*name_start = p;
	end = p;
	for (; p < L->len && p < lim; p++) {
		int c = (unsigned char)L->s[p];

		if (is_name_char(L, p) || c == '.' || c == '+' || c == '`') {
			if (c == '`')
				p++;
			end = p + 1;
			continue;
		}
		if (c == ' ' || c == '\t')
			continue;
		if (c == ',' && depth > 0) {
			end = p + 1;
			continue;
		}
		if (c == '[') {
			if (++depth > 8)
				return 0;
			end = p + 1;
			continue;
		}
		if (c == ']') {
			if (depth == 0) {
				*attr = 0;
				*close = p;
				return end;
			}
			depth--;
			end = p + 1;
			continue;
		}
		if (c == '(' && depth == 0) {
			*attr = 1;
			*close = p;
			return end;
		}
		return 0;
	}
	return 0;
}

/* ---- the main loop ---- */

static int
prev_is(const struct lexer *L, enum ps_tok_kind k)
{
	return L->last_kind == (int)k;
}

/* last token ends an operand (for member access and indexing without space) */
static int
prev_operand(const struct lexer *L)
{
	switch (L->last_kind) {
	case PS_TOK_VARIABLE: case PS_TOK_STRING_SQ: case PS_TOK_STRING_DQ:
	case PS_TOK_HERESTRING_SQ: case PS_TOK_HERESTRING_DQ: case PS_TOK_NUMBER:
	case PS_TOK_RPAREN: case PS_TOK_RBRACKET: case PS_TOK_RBRACE: case PS_TOK_MEMBER:
		return 1;
	default:
		return 0;
	}
}

static void
set_mode_after_keyword(struct lexer *L, enum ps_kw kw)
{
	switch (kw) {
	case PS_KW_IF: case PS_KW_ELSEIF: case PS_KW_WHILE: case PS_KW_UNTIL:
	case PS_KW_SWITCH: case PS_KW_FOR: case PS_KW_FOREACH: case PS_KW_CATCH:
	case PS_KW_TRAP: case PS_KW_PARAM:
		L->mode = M_OPERAND;
		break;
	case PS_KW_FUNCTION: case PS_KW_FILTER: case PS_KW_WORKFLOW: case PS_KW_CONFIGURATION:
		L->mode = M_FUNCNAME;
		break;
	case PS_KW_CLASS: case PS_KW_ENUM:
		/* the body of an enum lexes like a hashtable: Name = value */
		L->pending_class = kw == PS_KW_ENUM ? 2 : 1;
		L->mode = M_CLASSNAME;
		break;
	case PS_KW_BREAK: case PS_KW_CONTINUE: case PS_KW_DATA: case PS_KW_USING:
		L->mode = M_ARG;
		L->in_args = 1;
		break;
	case PS_KW_IN:
		L->mode = M_START;
		break;
	case PS_KW_HIDDEN: case PS_KW_STATIC:
		break;
	default:
		L->mode = M_START;
		break;
	}
}

/* keywords recognised where a statement starts */
static enum ps_kw
statement_keyword(const char *w, size_t n)
{
	enum ps_kw kw = ps_kw_lookup(w, n);

	switch (kw) {
	case PS_KW_DEFINE: case PS_KW_FROM: case PS_KW_VAR: case PS_KW_IN:
	case PS_KW_HIDDEN: case PS_KW_STATIC:
		return PS_KW_NONE;
	default:
		return kw;
	}
}

/* length of a bare word that could be a keyword at pos; looks at most 32 bytes
 * ahead (keywords are shorter) so that repeated calls stay linear */
static size_t
peek_word(const struct lexer *L, size_t pos)
{
	size_t p = pos, n, lim = pos + 32 < L->len ? pos + 32 : L->len;

	/* ASCII: a table of is_word_delim's bytes and ` $ ' " =; otherwise any special
	 * character (the Unicode spaces among them) */
	while (p < lim) {
		unsigned char c = (unsigned char)L->s[p];

		if (c < 0x80 ? peek_word_stop[c] : ucl(L, p, &n) != U_NONE)
			break;
		p++;
	}
	return p - pos;
}

static void
lex_dollar(struct lexer *L, size_t p)
{
	unsigned f = 0;
	size_t e;

	if (at(L, p + 1) == '(') {
		push(L, C_SUBEXPR, emit(L, PS_TOK_SUBEXPR, 0, 0, p, p + 2));
		L->pos = p + 2;
		return;
	}
	if (at(L, p + 1) == '{')
		e = scan_braced_var(L, p, &f);
	else
		e = scan_var_name(L, p + 1, &f);
	if (e == p + 1) {
		/* a lone $ */
		if (L->mode == M_ARG) {
			L->pos = scan_word(L, p, PS_TOK_GENERIC, 0);
		} else {
			emit(L, PS_TOK_ERROR, 0, 0, p, p + 1);
			L->pos = p + 1;
		}
		return;
	}
	/* in arguments, $dir\file.txt is one expandable word */
	if (L->mode == M_ARG && !(f & PS_TOKF_BRACED) && !is_word_delim(L, e) &&
	    at(L, e) != '.' && at(L, e) != '[' && at(L, e) != ':' && at(L, e) != '#') {
		L->pos = scan_word(L, p, PS_TOK_GENERIC, 0);
		return;
	}
	emit(L, PS_TOK_VARIABLE, 0, f, p, e);
	L->mode = after_operand(L);
	L->pos = e;
}

static void
lex_operator(struct lexer *L, size_t p, size_t n, enum ps_op op, unsigned flags)
{
	emit(L, PS_TOK_OPERATOR, op, flags, p, p + n);
	L->pos = p + n;
}

/* a - (or Unicode dash) at p, dash length dn */
static void
lex_dash(struct lexer *L, size_t p, size_t dn)
{
	size_t q = p + dn, e;
	unsigned uflag = dn > 1 ? PS_TOKF_UNICODE : 0;
	uint16_t cf;
	enum ps_op op;

	if (L->mode == M_ARG) {
		size_t n2;

		if (is_dash(L, q, &n2) && at(L, q + n2) == '%') {
			e = q + n2 + 1;
			while (e < L->len && !is_newline(L->s[e]))
				e++;
			emit(L, PS_TOK_STOP_PARSING, 0, 0, p, e);
			L->pos = e;
			return;
		}
		if (is_alpha(at(L, q)) || at(L, q) == '_' || at(L, q) == '?' ||
		    (at(L, q) >= 0x80 && is_name_char(L, q))) {
			e = q;
			while (e < L->len && (unsigned char)L->s[e] < 0x80 &&
			    !param_stop[(unsigned char)L->s[e]])
				e++;	/* ASCII: a table of the tests below */
			while (!is_word_delim(L, e) && at(L, e) != ':' && at(L, e) != '.' &&
			    at(L, e) != '[' && at(L, e) != '\'' && at(L, e) != '"' &&
			    !is_special_unicode(L, e))
				e++;
			if (at(L, e) == ':' && at(L, e + 1) != ':') {
				emit(L, PS_TOK_PARAMETER, 0, uflag | PS_TOKF_COLON, p, e + 1);
				L->pos = e + 1;
			} else {
				emit(L, PS_TOK_PARAMETER, 0, uflag, p, e);
				L->pos = e;
			}
			return;
		}
		if (is_digit(at(L, q)) || (at(L, q) == '.' && is_digit(at(L, q + 1)))) {
			e = scan_number(L, q);
			if (e > q && arg_number_delim(L, e)) {
				emit(L, PS_TOK_NUMBER, 0, uflag, p, e);
				L->pos = e;
				return;
			}
		}
		L->pos = scan_word(L, p, PS_TOK_GENERIC, 0);
		return;
	}
	/* expressions */
	if (at(L, q) == '=') {
		lex_operator(L, p, dn + 1, PS_OP_MINUS_ASSIGN, uflag);
		L->mode = M_START;
		L->in_args = 0;
		return;
	}
	if (is_dash(L, q, &e)) {
		lex_operator(L, p, dn + e, PS_OP_DEC, uflag);
		if (L->mode != M_AFTER)
			L->mode = M_OPERAND;
		return;
	}
	if (is_alpha(at(L, q))) {
		e = q;
		while (is_name_char(L, e) || at(L, e) == '-')
			e++;
		op = ps_op_lookup(L->s + q, e - q, &cf);
		if (op != PS_OP_NONE) {
			lex_operator(L, p, e - p, op, cf | uflag);
			L->mode = M_OPERAND;
			return;
		}
		/* switch -regex, foreach -parallel, a stray -Name */
		if (at(L, e) == ':' && at(L, e + 1) != ':') {
			emit(L, PS_TOK_PARAMETER, 0, uflag | PS_TOKF_COLON, p, e + 1);
			L->pos = e + 1;
		} else {
			emit(L, PS_TOK_PARAMETER, 0, uflag, p, e);
			L->pos = e;
		}
		if (L->mode == M_START || L->mode == M_CMD) {
			L->mode = M_ARG;
			L->in_args = 1;
		} else {
			/* switch -File path, foreach -Parallel: a word may follow */
			L->mode = M_ARG;
		}
		return;
	}
	lex_operator(L, p, dn, PS_OP_MINUS, uflag);
	L->mode = M_OPERAND;
}

/* a [ at p in a position where a type literal or attribute may stand */
static int
lex_type(struct lexer *L, size_t p)
{
	size_t ns = 0, close = 0, ne;
	int attr = 0;

	ne = scan_type(L, p + 1, &ns, &attr, &close);
	if (ne == 0)
		return 0;
	if (attr) {
		size_t lb = emit(L, PS_TOK_LBRACKET, 0, 0, p, p + 1);

		push(L, C_ATTR, lb);
		emit(L, PS_TOK_TYPE, 0, PS_TOKF_ATTRIBUTE, ns, ne);
		L->pos = close;
		L->mode = M_AFTER;
		return 1;
	}
	emit(L, PS_TOK_LBRACKET, 0, 0, p, p + 1);
	emit(L, PS_TOK_TYPE, 0, 0, ns, ne);
	emit(L, PS_TOK_RBRACKET, 0, 0, close, close + 1);
	L->pos = close + 1;
	L->mode = M_TYPE_AFTER;
	return 1;
}

static void
lex_open_paren(struct lexer *L, size_t p)
{
	enum ctx_type type = C_PAREN;
	size_t idx;

	if (!L->space && (prev_is(L, PS_TOK_MEMBER) ||
	    (prev_is(L, PS_TOK_TYPE) && L->ncx > 0 && L->cx[L->ncx - 1].type == C_ATTR)))
		type = C_ARGS;
	idx = emit(L, PS_TOK_LPAREN, 0, 0, p, p + 1);
	push(L, type, idx);
	L->pos = p + 1;
}

/* The keyword just before token tok (newlines and comments between), or PS_KW_NONE. */
static enum ps_kw
keyword_before(const struct lexer *L, size_t tok)
{
	for (size_t i = tok; i > 0 && tok - i < 8; i--) {
		const struct ps_token *t = &L->t->v[i - 1];

		if (t->kind == PS_TOK_NEWLINE || ps_token_is_trivia(t))
			continue;
		return t->kind == PS_TOK_KEYWORD ? (enum ps_kw)t->sub : PS_KW_NONE;
	}
	return PS_KW_NONE;
}

static int
named_block_keyword(enum ps_kw kw)
{
	return kw == PS_KW_BEGIN || kw == PS_KW_PROCESS || kw == PS_KW_END ||
	    kw == PS_KW_DYNAMICPARAM || kw == PS_KW_CLEAN;
}

static void
lex_close(struct lexer *L, size_t p, int c)
{
	enum ps_tok_kind k = c == ')' ? PS_TOK_RPAREN : c == '}' ? PS_TOK_RBRACE : PS_TOK_RBRACKET;
	int was_attr = c == ']' && L->ncx > 0 && L->cx[L->ncx - 1].type == C_ATTR;

	if (pop_for(L, c)) {
		/* pop_for leaves the context it closed just past the stack top */
		enum ps_kw kw = keyword_before(L, L->cx[L->ncx].tok);

		emit(L, k, 0, 0, p, p + 1);
		if (was_attr) {
			L->mode = M_TYPE_AFTER;
		} else if (c == '}' && L->ncx > 0 && L->cx[L->ncx - 1].type == C_CLASS) {
			L->mode = M_CLASS;	/* after a method body */
		} else if ((c == ')' && kw == PS_KW_PARAM) || (c == '}' && named_block_keyword(kw))) {
			/* param(...) and begin/process/end { } end a statement: what follows on
			 * the same line starts the next one */
			L->mode = start_mode(L);
			L->in_args = 0;
		}
	} else {
		emit(L, PS_TOK_ERROR, 0, 0, p, p + 1);
	}
	L->pos = p + 1;
}

/* a bare word where a statement or command starts (mode START, CMD, CLASS, HKEY) */
static void
lex_statement_word(struct lexer *L, size_t p)
{
	size_t n = peek_word(L, p);
	enum ps_kw kw = PS_KW_NONE;

	if (L->mode == M_START && n > 0 && is_word_delim(L, p + n))
		kw = statement_keyword(L->s + p, n);
	if (L->mode == M_CLASS && n > 0) {
		kw = ps_kw_lookup(L->s + p, n);
		if (kw != PS_KW_HIDDEN && kw != PS_KW_STATIC)
			kw = PS_KW_NONE;
	}
	if (kw != PS_KW_NONE) {
		emit(L, PS_TOK_KEYWORD, kw, 0, p, p + n);
		L->pos = p + n;
		set_mode_after_keyword(L, kw);
		return;
	}
	if (L->mode == M_HKEY || L->mode == M_CLASS) {
		L->pos = scan_word(L, p, PS_TOK_GENERIC, 1);
		L->mode = M_AFTER;
		return;
	}
	L->pos = scan_word(L, p, PS_TOK_COMMAND, 0);
	L->mode = M_ARG;
	L->in_args = 1;
}

/* keywords that continue a statement after its closing brace */
static int
continuation_keyword(struct lexer *L, size_t p)
{
	size_t n;
	enum ps_kw kw;

	if (!prev_is(L, PS_TOK_RBRACE))
		return 0;
	n = peek_word(L, p);
	if (n == 0 || !is_word_delim(L, p + n))
		return 0;
	kw = ps_kw_lookup(L->s + p, n);
	if (kw != PS_KW_ELSE && kw != PS_KW_ELSEIF && kw != PS_KW_CATCH &&
	    kw != PS_KW_FINALLY && kw != PS_KW_WHILE && kw != PS_KW_UNTIL)
		return 0;
	emit(L, PS_TOK_KEYWORD, kw, 0, p, p + n);
	L->pos = p + n;
	L->in_args = 0;
	set_mode_after_keyword(L, kw);
	return 1;
}

static int
expression_mode(enum mode m)
{
	return m == M_OPERAND || m == M_AFTER || m == M_TYPE_AFTER || m == M_MEMBER;
}

/* redirection at p (stream digit or *, or > directly); returns 1 when one was lexed */
static int
lex_redirection(struct lexer *L, size_t p)
{
	size_t q = p;
	int from = 1, append = 0;

	if ((at(L, q) >= '1' && at(L, q) <= '6') || at(L, q) == '*') {
		from = at(L, q) == '*' ? 0 : at(L, q) - '0';
		q++;
	}
	if (at(L, q) != '>')
		return 0;
	q++;
	if (at(L, q) == '&' && (at(L, q + 1) >= '1' && at(L, q + 1) <= '6')) {
		emit(L, PS_TOK_REDIRECTION, from, 0, p, q + 2);
		L->pos = q + 2;
		return 1;
	}
	if (at(L, q) == '>') {
		q++;
		append = 1;
	}
	(void)append;
	emit(L, PS_TOK_REDIRECTION, from, 0, p, q);
	L->pos = q;
	L->mode = M_ARG;
	L->in_args = 1;
	return 1;
}

/* the rest of lex_one: bare words, keywords, command names and operators (mode m, byte c) */
static void
lex_rest(struct lexer *L, size_t p, int c, enum mode m)
{
	size_t n;

	/* argument mode: everything else is a bare word */
	if (m == M_ARG) {
		L->pos = scan_word(L, p, PS_TOK_GENERIC, 0);
		return;
	}
	if (m == M_FUNCNAME || m == M_CLASSNAME) {
		size_t q = p;

		while (q < L->len && !is_word_delim(L, q) && L->s[q] != '(' &&
		    (m == M_FUNCNAME || (L->s[q] != ':' && L->s[q] != '{')))
			q++;
		if (q == p)
			q = p + 1;
		emit(L, m == M_FUNCNAME ? PS_TOK_FUNCTION_NAME : PS_TOK_GENERIC, 0, 0, p, q);
		L->pos = q;
		L->mode = M_AFTER;
		return;
	}
	/* statement starts: keywords and command names */
	if (m == M_START || m == M_CMD || m == M_CLASS || m == M_HKEY) {
		if (c == '%' || c == '?' || c == '!' || c == '+' || c == '*' || c == '/' ||
		    c == '=' || c == '<' || c == '>' || c == '[' || c == ']' || c == ':') {
			if (m == M_START && c == '!') {
				lex_operator(L, p, 1, PS_OP_EXCLAIM, 0);
				L->mode = M_OPERAND;
				return;
			}
			if (m == M_START && c == '+' && at(L, p + 1) == '+') {
				lex_operator(L, p, 2, PS_OP_INC, 0);
				L->mode = M_OPERAND;
				return;
			}
			if (m == M_START && c == '+') {
				lex_operator(L, p, 1, PS_OP_PLUS, 0);
				L->mode = M_OPERAND;
				return;
			}
		}
		lex_statement_word(L, p);
		return;
	}
	/* expressions: bare words after an operator or a keyword */
	if (m == M_AFTER && continuation_keyword(L, p))
		return;
	if (m == M_TYPE_AFTER && is_name_char(L, p)) {
		/* [CmdletBinding()] param(...), [Flags()] enum X { } */
		size_t q = peek_word(L, p);
		enum ps_kw kw = is_word_delim(L, p + q) ? ps_kw_lookup(L->s + p, q) : PS_KW_NONE;

		if (kw == PS_KW_PARAM || kw == PS_KW_CLASS || kw == PS_KW_ENUM) {
			emit(L, PS_TOK_KEYWORD, kw, 0, p, p + q);
			L->pos = p + q;
			set_mode_after_keyword(L, kw);
			return;
		}
	}
	if (is_name_char(L, p)) {
		size_t q = peek_word(L, p);

		if (m == M_AFTER && q == 2 && word_eq(L->s + p, 2, "in")) {
			emit(L, PS_TOK_KEYWORD, PS_KW_IN, 0, p, p + 2);
			L->pos = p + 2;
			L->mode = M_START;
			return;
		}
		q = p;
		while (is_name_char(L, q) || (at(L, q) == '-' && is_name_char(L, q + 1)) ||
		    (at(L, q) == '.' && is_name_char(L, q + 1)))
			q++;
		emit(L, PS_TOK_GENERIC, 0, 0, p, q);
		L->pos = q;
		L->mode = M_AFTER;
		return;
	}
	/* operators */
	switch (c) {
	case '=':
		lex_operator(L, p, 1, PS_OP_ASSIGN, 0);
		L->mode = M_START;
		L->in_args = 0;
		return;
	case '+':
		if (at(L, p + 1) == '=') {
			lex_operator(L, p, 2, PS_OP_PLUS_ASSIGN, 0);
			L->mode = M_START;
			L->in_args = 0;
		} else if (at(L, p + 1) == '+') {
			lex_operator(L, p, 2, PS_OP_INC, 0);
		} else {
			lex_operator(L, p, 1, PS_OP_PLUS, 0);
			L->mode = M_OPERAND;
		}
		return;
	case '*': case '/': case '%':
		if (at(L, p + 1) == '=') {
			lex_operator(L, p, 2, c == '*' ? PS_OP_MUL_ASSIGN : c == '/' ?
			    PS_OP_DIV_ASSIGN : PS_OP_MOD_ASSIGN, 0);
			L->mode = M_START;
			L->in_args = 0;
		} else {
			lex_operator(L, p, 1, c == '*' ? PS_OP_MUL : c == '/' ? PS_OP_DIV : PS_OP_MOD, 0);
			L->mode = M_OPERAND;
		}
		return;
	case '!':
		lex_operator(L, p, 1, PS_OP_EXCLAIM, 0);
		L->mode = M_OPERAND;
		return;
	case '.':
		if (at(L, p + 1) == '.') {
			lex_operator(L, p, 2, PS_OP_RANGE, 0);
			L->mode = M_OPERAND;
			return;
		}
		lex_operator(L, p, 1, PS_OP_DOT, 0);
		L->mode = M_MEMBER;
		return;
	case '?':
		if (at(L, p + 1) == '?') {
			if (at(L, p + 2) == '=') {
				lex_operator(L, p, 3, PS_OP_COALESCE_ASSIGN, 0);
				L->mode = M_START;
				L->in_args = 0;
			} else {
				lex_operator(L, p, 2, PS_OP_COALESCE, 0);
				L->mode = M_OPERAND;
			}
			return;
		}
		lex_operator(L, p, 1, PS_OP_QUESTION, 0);
		L->mode = M_START;
		return;
	case ':':
		lex_operator(L, p, 1, PS_OP_COLON, 0);
		L->mode = L->pending_class ? M_OPERAND : M_START;
		return;
	case '>': case '<':
		if (c == '>' && lex_redirection(L, p))
			return;
		emit(L, PS_TOK_REDIRECTION, 0, 0, p, p + 1);
		L->pos = p + 1;
		L->mode = M_ARG;
		L->in_args = 1;
		return;
	case ']':
		emit(L, PS_TOK_ERROR, 0, 0, p, p + 1);
		L->pos = p + 1;
		return;
	default:
		break;
	}
	/* anything else: the run of characters up to a delimiter is an error */
	n = 1;
	while (p + n < L->len && !is_word_delim(L, p + n) && !is_name_char(L, p + n) &&
	    L->s[p + n] != '$' && L->s[p + n] != '[' && L->s[p + n] != ']' &&
	    L->s[p + n] != '.' && !is_special_unicode(L, p + n))
		n++;
	emit(L, PS_TOK_ERROR, 0, 0, p, p + n);
	L->pos = p + n;
}

/* a quote at p (length n; dq: a double one) in mode m */
static void
lex_quote(struct lexer *L, size_t p, size_t n, int dq, enum mode m)
{
	/* after & or . a string is the command name; at a statement start it is an expression */
	if (m == M_START)
		L->in_args = 0;
	else if (m == M_CMD)
		L->in_args = 1;
	L->pos = scan_string(L, p, n, dq, 0);
	if (m != M_ARG)
		L->mode = after_operand(L);
}

/* a dash at p (length n) in mode m: operators, parameters, negative numbers */
static inline void
lex_dash_at(struct lexer *L, size_t p, size_t n, enum mode m)
{
	lex_dash(L, p, n);
	if (m == M_START || m == M_CMD) {
		if (L->mode == M_START || L->mode == M_CMD)
			L->mode = M_OPERAND;
	}
}

/* one token (or whitespace) at L->pos */
static void
lex_one(struct lexer *L)
{
	size_t p = L->pos, n;
	int c = (unsigned char)L->s[p];
	enum mode m = L->mode;

	/* a letter starts a word: none of the special forms below applies (member names after
	 * . and :: excepted) */
	if (is_alpha(c) && m != M_MEMBER) {
		lex_rest(L, p, c, m);
		return;
	}
	/* a byte that starts one form only goes straight to it: no test of the chain below
	 * matches it before that form's (the member-name step excepted: a dash or an operator
	 * byte after . or :: takes the chain) */
	switch (c) {
	case '$':
		if (m == M_START) {
			L->mode = M_AFTER;
		} else if (m == M_CMD) {
			L->mode = M_ARG;
			L->in_args = 1;
		}
		lex_dollar(L, p);
		return;
	case '(':
		if (m == M_START)
			L->in_args = 0;
		else if (m == M_CMD)
			L->in_args = 1;
		lex_open_paren(L, p);
		return;
	case '{': {
		enum ctx_type type = L->pending_class == 2 ? C_HASH : L->pending_class ? C_CLASS : C_BLOCK;

		L->pending_class = 0;
		if (m == M_START || m == M_OPERAND)
			L->in_args = 0;
		else if (m == M_CMD)
			L->in_args = 1;
		push(L, type, emit(L, PS_TOK_LBRACE, 0, 0, p, p + 1));
		L->pos = p + 1;
		return;
	}
	case ')': case '}':
		lex_close(L, p, c);
		return;
	case '\'': case '"':
		lex_quote(L, p, 1, c == '"', m);
		return;
	case '-':
		if (m != M_MEMBER) {
			lex_dash_at(L, p, 1, m);
			return;
		}
		break;
	case '=': case '+': case '/': case '%': case '!':
		if (m != M_MEMBER) {
			lex_rest(L, p, c, m);
			return;
		}
		break;
	default:
		break;
	}
	/* (whitespace is lex_loop's) */
	/* newlines */
	if (is_newline(c)) {
		n = (c == '\r' && at(L, p + 1) == '\n') ? 2 : 1;
		emit(L, PS_TOK_NEWLINE, 0, 0, p, p + n);
		L->pos = p + n;
		if (L->ncx > 0 && (L->cx[L->ncx - 1].type == C_INDEX ||
		    L->cx[L->ncx - 1].type == C_ARGS))
			return;
		if (m == M_ARG || m == M_AFTER || m == M_TYPE_AFTER || m == M_HKEY ||
		    m == M_CLASS || m == M_FUNCNAME || m == M_CLASSNAME) {
			if (!(prev_is(L, PS_TOK_OPERATOR) && L->last_sub == PS_OP_COMMA)) {
				L->mode = start_mode(L);
				L->in_args = 0;
			}
		}
		return;
	}
	/* backtick: line continuation or an escaped character */
	if (c == '`') {
		size_t q = p + 1;

		while (q < L->len && (L->s[q] == ' ' || L->s[q] == '\t'))
			q++;
		if (q >= L->len || is_newline(L->s[q])) {
			if (q < L->len)
				q += (L->s[q] == '\r' && at(L, q + 1) == '\n') ? 2 : 1;
			emit(L, PS_TOK_LINE_CONTINUATION, 0, 0, p, q);
			L->space = 1;
			L->pos = q;
			return;
		}
		if (m == M_START || m == M_CMD) {
			L->pos = scan_word(L, p, PS_TOK_COMMAND, 0);
			L->mode = M_ARG;
			L->in_args = 1;
		} else {
			L->pos = scan_word(L, p, PS_TOK_GENERIC, 0);
			if (m != M_ARG)
				L->mode = after_operand(L);
		}
		return;
	}
	/* comments */
	if (c == '<' && at(L, p + 1) == '#') {
		const char *e = NULL;
		size_t q = p + 2;

		while (q + 1 < L->len) {
			e = memchr(L->s + q, '#', L->len - q - 1);
			if (e == NULL || e[1] == '>')
				break;
			q = (size_t)(e - L->s) + 1;
		}
		if (e != NULL && e[1] == '>') {
			emit(L, PS_TOK_BLOCK_COMMENT, 0, 0, p, (size_t)(e - L->s) + 2);
			L->pos = (size_t)(e - L->s) + 2;
		} else {
			emit(L, PS_TOK_BLOCK_COMMENT, 0, PS_TOKF_UNTERMINATED, p, L->len);
			L->pos = L->len;
		}
		return;
	}
	if (c == '#') {
		size_t q = p;
		enum ps_tok_kind k = PS_TOK_COMMENT;

		while (q < L->len && !is_newline(L->s[q]))
			q++;
		if (q - p > 9 && word_eq(L->s + p + 1, 8, "requires") &&
		    (L->s[p + 9] == ' ' || L->s[p + 9] == '\t'))
			k = PS_TOK_REQUIRES;
		emit(L, k, 0, 0, p, q);
		L->pos = q;
		return;
	}
	/* control bytes */
	if (c < 0x20 || c == 0x7F) {
		size_t q = p;

		while (q < L->len && ((unsigned char)L->s[q] < 0x20 || L->s[q] == 0x7F) &&
		    !is_newline(L->s[q]) && L->s[q] != '\t' && L->s[q] != '\f' && L->s[q] != '\v')
			q++;
		emit(L, PS_TOK_ERROR, 0, 0, p, q);
		L->pos = q;
		return;
	}
	/* strings (the ASCII quotes went straight to lex_quote above) */
	if (is_squote(L, p, &n) || is_dquote(L, p, &n)) {
		lex_quote(L, p, n, c == '"' || ucl(L, p, &n) == U_DQUOTE, m);
		return;
	}
	/* @ forms */
	if (c == '@') {
		int d = at(L, p + 1);
		size_t q;

		if (d == '(') {
			push(L, C_ARRAY, emit(L, PS_TOK_ARRAY_EXPR, 0, 0, p, p + 2));
			L->pos = p + 2;
			return;
		}
		if (d == '{') {
			push(L, C_HASH, emit(L, PS_TOK_HASH_START, 0, 0, p, p + 2));
			L->pos = p + 2;
			return;
		}
		if (is_squote(L, p + 1, &n) || is_dquote(L, p + 1, &n)) {
			int dq = d == '"' || ucl(L, p + 1, &n) == U_DQUOTE;

			q = p + 1 + n;
			while (q < L->len && (L->s[q] == ' ' || L->s[q] == '\t'))
				q++;
			if (q >= L->len || is_newline(L->s[q])) {
				L->pos = scan_string(L, p, 1 + n, dq, 1);
				if (m != M_ARG)
					L->mode = after_operand(L);
				return;
			}
		}
		q = p + 1;
		while (is_name_char(L, q))
			q++;
		if (q > p + 1 && (m != M_ARG || is_word_delim(L, q))) {
			emit(L, PS_TOK_SPLAT, 0, 0, p, q);
			L->pos = q;
			if (m != M_ARG)
				L->mode = after_operand(L);
			return;
		}
		if (m == M_ARG || m == M_START || m == M_CMD) {
			L->pos = scan_word(L, p, m == M_ARG ? PS_TOK_GENERIC : PS_TOK_COMMAND, 0);
			L->mode = M_ARG;
			L->in_args = 1;
			return;
		}
		emit(L, PS_TOK_ERROR, 0, 0, p, p + 1);
		L->pos = p + 1;
		return;
	}
	/* $ ( { ) } went straight to their forms above */
	if (c == ']' && L->ncx > 0 && closes(L->cx[L->ncx - 1].type, ']')) {
		lex_close(L, p, c);
		return;
	}
	if (c == '[') {
		if (!L->space && prev_operand(L) && m != M_START && m != M_CMD &&
		    m != M_TYPE_AFTER) {
			push(L, C_INDEX, emit(L, PS_TOK_LBRACKET, 0, 0, p, p + 1));
			L->pos = p + 1;
			return;
		}
		if (m != M_ARG && m != M_MEMBER && lex_type(L, p)) {
			if (m == M_START || m == M_CMD)
				L->in_args = 0;
			return;
		}
		if (m != M_ARG && m != M_START && m != M_CMD) {
			push(L, C_INDEX, emit(L, PS_TOK_LBRACKET, 0, 0, p, p + 1));
			L->pos = p + 1;
			return;
		}
	}
	/* member access after an operand: $x.Name, (expr).Name, [T]::Name */
	if (c == '.' && !L->space && prev_operand(L) && m != M_START && m != M_CMD &&
	    at(L, p + 1) != '.' && (m != M_ARG || is_name_char(L, p + 1) ||
	    at(L, p + 1) == '$' || at(L, p + 1) == '\'' || at(L, p + 1) == '"' ||
	    at(L, p + 1) == '(')) {
		lex_operator(L, p, 1, PS_OP_DOT, 0);
		L->mode = M_MEMBER;
		return;
	}
	if (c == ':' && at(L, p + 1) == ':' && m != M_ARG && m != M_START && m != M_CMD) {
		lex_operator(L, p, 2, PS_OP_COLONCOLON, 0);
		L->mode = M_MEMBER;
		return;
	}
	if (c == '?' && (at(L, p + 1) == '.' || at(L, p + 1) == '[') && !L->space &&
	    prev_operand(L) && expression_mode(m)) {
		if (at(L, p + 1) == '.') {
			lex_operator(L, p, 2, PS_OP_NULL_DOT, 0);
			L->mode = M_MEMBER;
		} else {
			push(L, C_INDEX, emit(L, PS_TOK_OPERATOR, PS_OP_NULL_INDEX, 0, p, p + 2));
			L->pos = p + 2;
		}
		return;
	}
	/* the member name itself */
	if (m == M_MEMBER) {
		if (is_name_char(L, p)) {
			size_t q = p;

			while (is_name_char(L, q))
				q++;
			emit(L, PS_TOK_MEMBER, 0, 0, p, q);
			L->pos = q;
			L->mode = after_operand(L);
			return;
		}
		L->mode = after_operand(L);
		m = L->mode;
		if (c == '(') {
			lex_open_paren(L, p);
			return;
		}
	}
	if (c == ';') {
		emit(L, PS_TOK_SEMICOLON, 0, 0, p, p + 1);
		L->pos = p + 1;
		L->mode = start_mode(L);
		L->in_args = 0;
		return;
	}
	if (c == '|') {
		if (at(L, p + 1) == '|') {
			lex_operator(L, p, 2, PS_OP_OR_OR, 0);
			L->mode = M_START;
		} else {
			lex_operator(L, p, 1, PS_OP_PIPE, 0);
			L->mode = M_CMD;
		}
		L->in_args = 0;
		return;
	}
	if (c == '&') {
		if (at(L, p + 1) == '&') {
			lex_operator(L, p, 2, PS_OP_AND_AND, 0);
			L->mode = M_START;
			L->in_args = 0;
			return;
		}
		lex_operator(L, p, 1, PS_OP_AMPERSAND, 0);
		if (m == M_ARG || m == M_AFTER || m == M_TYPE_AFTER) {
			L->mode = start_mode(L);	/* background job */
			L->in_args = 0;
		} else {
			L->mode = M_CMD;		/* call operator */
		}
		return;
	}
	if (c == ',') {
		lex_operator(L, p, 1, PS_OP_COMMA, 0);
		if (m != M_ARG)
			L->mode = M_OPERAND;
		return;
	}
	/* dot-sourcing: ". .\x.ps1", ". $path", ". { }" */
	if (c == '.' && (m == M_START || m == M_CMD) && !is_digit(at(L, p + 1)) &&
	    (is_hspace(L, p + 1, &n) || at(L, p + 1) == '$' || at(L, p + 1) == '\'' ||
	    at(L, p + 1) == '"' || at(L, p + 1) == '{' || at(L, p + 1) == '(')) {
		lex_operator(L, p, 1, PS_OP_DOT_SOURCE, 0);
		L->mode = M_CMD;
		return;
	}
	/* labels */
	if (c == ':' && m == M_START && is_name_char(L, p + 1)) {
		size_t q = p + 1;

		while (is_name_char(L, q))
			q++;
		emit(L, PS_TOK_LABEL, 0, 0, p, q);
		L->pos = q;
		return;
	}
	/* redirections */
	if ((m == M_ARG || m == M_AFTER || m == M_TYPE_AFTER) &&
	    (c == '>' || ((is_digit(c) || c == '*') && at(L, p + 1) == '>')) &&
	    lex_redirection(L, p))
		return;
	/* dashes: operators, parameters, negative numbers */
	if (is_dash(L, p, &n)) {
		lex_dash_at(L, p, n, m);
		return;
	}
	/* numbers */
	if (is_digit(c) || (c == '.' && is_digit(at(L, p + 1)))) {
		size_t e = scan_number(L, p);

		if (e > p) {
			if (m == M_ARG && !arg_number_delim(L, e)) {
				L->pos = scan_word(L, p, PS_TOK_GENERIC, 0);
				return;
			}
			if ((m == M_START || m == M_CMD) && !number_delim(L, e)) {
				L->pos = scan_word(L, p, PS_TOK_COMMAND, 0);
				L->mode = M_ARG;
				L->in_args = 1;
				return;
			}
			if (m != M_ARG && !number_delim(L, e)) {
				size_t q = e;

				while (is_name_char(L, q))
					q++;
				emit(L, PS_TOK_NUMBER, 0, PS_TOKF_NUM_BAD, p, q);
				L->pos = q;
				L->mode = after_operand(L);
				return;
			}
			emit(L, PS_TOK_NUMBER, 0, 0, p, e);
			L->pos = e;
			if (m != M_ARG)
				L->mode = after_operand(L);
			return;
		}
	}
	lex_rest(L, p, c, m);
}

/* Lex until the end, or until the context stack is shallower than stop_depth
 * (a string's $( ) closed). */
static void
lex_loop(struct lexer *L, size_t stop_depth)
{
	while (L->pos < L->len) {
		size_t p = L->pos, n = 1;
		unsigned char c = (unsigned char)L->s[p];

		/* whitespace (about a third of the steps) without lex_one's call; no byte lex_one
		 * tests before its whitespace case is a space. One table look-up tells a blank (1)
		 * and a byte that may start a Unicode space (2) from the rest. */
		if (blank_tab[c] == 1 || (blank_tab[c] == 2 && ucl(L, p, &n) == U_SPACE)) {
			L->space = 1;
			p += n;
			while (p < L->len && (L->s[p] == ' ' || L->s[p] == '\t'))
				p++;
			L->pos = p;
		} else {
			lex_one(L);
		}
		if (stop_depth > 0 && L->ncx < stop_depth)
			return;
	}
}

void
ps_tokenize(const char *src, size_t len, struct ps_tokens *toks)
{
	ps_tokenize_in(src, len, toks, NULL);
}

void
ps_tokenize_in(const char *src, size_t len, struct ps_tokens *toks, struct arena *arena)
{
	struct lexer L;
	int ascii;

	memset(toks, 0, sizeof(*toks));
	toks->arena = len <= PS_TOKENS_ARENA_MAX ? arena : NULL;
	toks->src = src;
	toks->len = len;
	if (len > PS_LEX_MAX_INPUT) {
		len = PS_LEX_MAX_INPUT;
		toks->len = len;
		toks->truncated = 1;
	}
	ascii = compute_lines(toks);
	toks->ascii = ascii;
	/* Room for a token every four bytes (code has one every five or so: 12,977 in the
	 * 62.7 KB of bench/analysis.sh's script), so the array rarely grows: each doubling
	 * copied it whole. Past TOKENS_GUESS_MAX (1 MB of code) it grows as before. */
	toks->cap = len / 4 < TOKENS_GUESS_MAX ? len / 4 + 16 : TOKENS_GUESS_MAX;
	toks->v = tok_grow(toks, NULL, 0, toks->cap * sizeof(*toks->v));
	memset(&L, 0, sizeof(L));
	L.ascii = ascii;
	L.s = src;
	L.len = len;
	L.t = toks;
	L.mode = M_START;
	L.last_kind = -1;
	L.pc_col = 1;
	L.pc_next = toks->nlines > 1 ? toks->line_starts[1] : SIZE_MAX;
	set_line_ascii(&L);
	/* a byte order mark is whitespace */
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		L.pos = 3;
	lex_loop(&L, 0);
	while (L.ncx > 0)
		toks->v[L.cx[--L.ncx].tok].flags |= PS_TOKF_UNMATCHED;
	if (L.cx != L.cx_inl)
		free(L.cx);
	toks->nerrors = 0;
	for (size_t i = 0; i < toks->n; i++)
		toks->nerrors += (size_t)ps_token_is_error(&toks->v[i]);
}

void
ps_tokens_free(struct ps_tokens *t)
{
	if (t == NULL)
		return;
	if (t->arena == NULL) {
		free(t->v);
		free(t->line_starts);
	}
	t->v = NULL;
	t->line_starts = NULL;
	t->n = t->cap = t->nlines = 0;
}
