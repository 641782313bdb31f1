/* ps_lex.h: the PowerShell tokenizer: token kinds, token records, position helpers */
#ifndef PSS_PS_LEX_H
#define PSS_PS_LEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Token kinds. The tokenizer never fails: input it cannot classify becomes
 * PS_TOK_GENERIC (a bare word) or PS_TOK_ERROR, and tokenizing goes on.
 * Whitespace is not a token (see PS_TOKF_SPACE_BEFORE); newlines are.
 * ps_token_kind_name() gives the upper-case name, ps_token_class() a short
 * CSS class for syntax highlighting.
 */
enum ps_tok_kind {
	PS_TOK_NEWLINE,		/* \n, \r\n or \r; also ends a statement */
	PS_TOK_LINE_CONTINUATION, /* backtick at the end of a line */
	PS_TOK_COMMENT,		/* # ... to the end of the line */
	PS_TOK_BLOCK_COMMENT,	/* <# ... #> */
	PS_TOK_REQUIRES,	/* #Requires ... (a whole line) */
	PS_TOK_STRING_SQ,	/* '...' (verbatim; '' escapes a quote) */
	PS_TOK_STRING_DQ,	/* "..." (expandable; nested tokens follow it) */
	PS_TOK_HERESTRING_SQ,	/* @' ... '@ */
	PS_TOK_HERESTRING_DQ,	/* @" ... "@ (expandable) */
	PS_TOK_VARIABLE,	/* $x $env:X ${a b} $_ $$ $? $^ $script:x */
	PS_TOK_SPLAT,		/* @params */
	PS_TOK_NUMBER,		/* 42 0x1F 1kb 2.5e3d 7L */
	PS_TOK_KEYWORD,		/* if, function, ... (sub = enum ps_kw) */
	PS_TOK_COMMAND,		/* a command name in command position */
	PS_TOK_FUNCTION_NAME,	/* the name after function/filter/workflow/configuration */
	PS_TOK_GENERIC,		/* a bare word: command argument, hashtable key, ... */
	PS_TOK_PARAMETER,	/* -Name or -Name: (PS_TOKF_COLON) */
	PS_TOK_OPERATOR,	/* every operator (sub = enum ps_op) */
	PS_TOK_REDIRECTION,	/* > >> 2> 2>&1 *> *>> *>&1 < (sub = stream number, 0 = *) */
	PS_TOK_TYPE,		/* the name inside [...]: a type literal or attribute name */
	PS_TOK_MEMBER,		/* a member name after . or :: */
	PS_TOK_LABEL,		/* :outer */
	PS_TOK_STOP_PARSING,	/* --% and the rest of the line */
	PS_TOK_LPAREN,		/* ( */
	PS_TOK_RPAREN,		/* ) */
	PS_TOK_LBRACE,		/* { (script block or statement block) */
	PS_TOK_RBRACE,		/* } */
	PS_TOK_LBRACKET,	/* [ (type literal, attribute or index) */
	PS_TOK_RBRACKET,	/* ] */
	PS_TOK_SUBEXPR,		/* $( */
	PS_TOK_ARRAY_EXPR,	/* @( */
	PS_TOK_HASH_START,	/* @{ */
	PS_TOK_SEMICOLON,	/* ; */
	PS_TOK_ERROR,		/* unmatched closer, stray control byte, ... */
	PS_TOK__MAX
};

/* Operators (the sub field of PS_TOK_OPERATOR). Case variants (-ceq, -ieq)
 * map to the base operator with PS_TOKF_CASE_SENSITIVE / _INSENSITIVE. */
enum ps_op {
	PS_OP_NONE,
	/* assignment */
	PS_OP_ASSIGN, PS_OP_PLUS_ASSIGN, PS_OP_MINUS_ASSIGN, PS_OP_MUL_ASSIGN,
	PS_OP_DIV_ASSIGN, PS_OP_MOD_ASSIGN, PS_OP_COALESCE_ASSIGN,
	/* arithmetic and unary */
	PS_OP_PLUS, PS_OP_MINUS, PS_OP_MUL, PS_OP_DIV, PS_OP_MOD,
	PS_OP_INC, PS_OP_DEC, PS_OP_EXCLAIM,
	/* pipeline and flow */
	PS_OP_PIPE, PS_OP_AND_AND, PS_OP_OR_OR, PS_OP_AMPERSAND, PS_OP_DOT_SOURCE,
	/* structure */
	PS_OP_COMMA, PS_OP_DOT, PS_OP_COLONCOLON, PS_OP_RANGE, PS_OP_COALESCE,
	PS_OP_QUESTION, PS_OP_COLON, PS_OP_NULL_DOT, PS_OP_NULL_INDEX,
	/* comparison (case variants by flag) */
	PS_OP_EQ, PS_OP_NE, PS_OP_GT, PS_OP_GE, PS_OP_LT, PS_OP_LE,
	PS_OP_LIKE, PS_OP_NOTLIKE, PS_OP_MATCH, PS_OP_NOTMATCH, PS_OP_REPLACE,
	PS_OP_CONTAINS, PS_OP_NOTCONTAINS, PS_OP_IN, PS_OP_NOTIN, PS_OP_SPLIT,
	/* other dash operators */
	PS_OP_JOIN, PS_OP_IS, PS_OP_ISNOT, PS_OP_AS, PS_OP_F,
	PS_OP_AND, PS_OP_OR, PS_OP_XOR, PS_OP_NOT,
	PS_OP_BAND, PS_OP_BOR, PS_OP_BXOR, PS_OP_BNOT, PS_OP_SHL, PS_OP_SHR,
	PS_OP__MAX
};

/* Keywords (the sub field of PS_TOK_KEYWORD). */
enum ps_kw {
	PS_KW_NONE,
	PS_KW_BEGIN, PS_KW_BREAK, PS_KW_CATCH, PS_KW_CLASS, PS_KW_CLEAN,
	PS_KW_CONFIGURATION, PS_KW_CONTINUE, PS_KW_DATA, PS_KW_DEFINE, PS_KW_DO,
	PS_KW_DYNAMICPARAM, PS_KW_ELSE, PS_KW_ELSEIF, PS_KW_END, PS_KW_ENUM,
	PS_KW_EXIT, PS_KW_FILTER, PS_KW_FINALLY, PS_KW_FOR, PS_KW_FOREACH,
	PS_KW_FROM, PS_KW_FUNCTION, PS_KW_HIDDEN, PS_KW_IF, PS_KW_IN,
	PS_KW_PARAM, PS_KW_PROCESS, PS_KW_RETURN, PS_KW_STATIC, PS_KW_SWITCH,
	PS_KW_THROW, PS_KW_TRAP, PS_KW_TRY, PS_KW_UNTIL, PS_KW_USING,
	PS_KW_VAR, PS_KW_WHILE, PS_KW_WORKFLOW,
	PS_KW__MAX
};

/* Token flags. */
#define PS_TOKF_SPACE_BEFORE	0x0001	/* whitespace or a line continuation precedes */
#define PS_TOKF_NESTED		0x0002	/* inside an expandable string or word */
#define PS_TOKF_UNTERMINATED	0x0004	/* string, comment or ${} runs to the end (error) */
#define PS_TOKF_UNMATCHED	0x0008	/* opener never closed (error) */
#define PS_TOKF_EXPANDABLE	0x0010	/* string or generic word contains $ expansions */
#define PS_TOKF_CASE_SENSITIVE	0x0020	/* -ceq, -clike, ... */
#define PS_TOKF_CASE_INSENSITIVE 0x0040	/* -ieq, -ilike, ... */
#define PS_TOKF_COLON		0x0080	/* parameter written -Name: (argument attached) */
#define PS_TOKF_BRACED		0x0100	/* variable written ${...} */
#define PS_TOKF_SCOPED		0x0200	/* variable has a scope or drive: $env:X */
#define PS_TOKF_BACKTICK	0x0400	/* word or name contains backtick escapes */
#define PS_TOKF_UNICODE		0x0800	/* written with a Unicode dash or quote */
#define PS_TOKF_ATTRIBUTE	0x1000	/* PS_TOK_TYPE followed by ( : an attribute */
#define PS_TOKF_NUM_BAD		0x2000	/* number with an invalid suffix (error) */

/*
 * One token. Offsets are bytes into the input; line and column are 1-based,
 * the column counts UTF-8 characters (a tab counts as one).
 */
struct ps_token {
	uint8_t	 kind;		/* enum ps_tok_kind */
	uint8_t	 sub;		/* enum ps_op, enum ps_kw, or redirection stream */
	uint16_t flags;		/* PS_TOKF_* */
	uint32_t start;		/* first byte */
	uint32_t end;		/* one past the last byte */
	uint32_t line;		/* of start */
	uint32_t column;
	uint32_t end_line;	/* of end (the position just after the token) */
	uint32_t end_column;
};

struct arena;

/* The result of ps_tokenize: growable arrays freed by ps_tokens_free. */
struct ps_tokens {
	const char *src;	/* the input (not owned, not copied) */
	size_t	 len;
	struct ps_token *v;	/* tokens in source order (nested ones after their string) */
	size_t	 n;
	size_t	 cap;
	uint32_t *line_starts;	/* byte offset of each line start; line_starts[0] == 0 */
	size_t	 nlines;
	size_t	 nerrors;	/* tokens for which ps_token_is_error() holds */
	int	 truncated;	/* input above PS_LEX_MAX_INPUT: only that much was tokenized */
	int	 ascii;		/* no byte of src[0..len) is above 0x7F */
	struct arena *arena;	/* v and line_starts live here (ps_tokenize_in), or NULL */
};

/* Inputs longer than this (4 GiB offsets) are cut; far above any script. */
#define PS_LEX_MAX_INPUT	((size_t)UINT32_MAX - 1)
/* Nesting of $( ) inside strings inside $( ) ... beyond this becomes text. */
#define PS_LEX_MAX_NESTING	64

/*
 * ps_tokenize: tokenize src[0..len) into toks (initialised here; any old
 * content is not freed). Never fails; linear in len. src must stay alive
 * while toks is used. Free with ps_tokens_free.
 */
void	 ps_tokenize(const char *src, size_t len, struct ps_tokens *toks);
void	 ps_tokens_free(struct ps_tokens *);
/* ps_tokenize_in: the same, with the arrays of an input of at most PS_TOKENS_ARENA_MAX
 * bytes in arena (released with it; ps_tokens_free then frees nothing). */
#define PS_TOKENS_ARENA_MAX	((size_t)16 << 10)
void	 ps_tokenize_in(const char *src, size_t len, struct ps_tokens *toks, struct arena *);

/* 1 when the token is an error: kind PS_TOK_ERROR, unterminated, unmatched, bad number. */
int	 ps_token_is_error(const struct ps_token *);
/* 1 when the token is a comment, newline or line continuation (trivia to a parser). */
int	 ps_token_is_trivia(const struct ps_token *);

/* Static names: "VARIABLE", "-eq", "function"; "?" for out-of-range values. */
const char *ps_token_kind_name(enum ps_tok_kind);
const char *ps_op_name(enum ps_op);
const char *ps_kw_name(enum ps_kw);
/* ps_token_class: short CSS class for highlighting ("cmt", "str", "var", "kw", ...). */
const char *ps_token_class(enum ps_tok_kind);

/* ps_kw_lookup / ps_op_lookup: case-insensitive; PS_KW_NONE / PS_OP_NONE when unknown.
 * ps_op_lookup takes the word after the dash ("eq", "cnotlike") and sets *flags
 * to the case flag of the variant. */
enum ps_kw ps_kw_lookup(const char *, size_t);
enum ps_op ps_op_lookup(const char *, size_t, uint16_t *flags);

/* ps_position: line and column (1-based, characters) of a byte offset. */
void	 ps_position(const struct ps_tokens *, size_t offset, uint32_t *line, uint32_t *column);

/* ps_token_text: pointer to the token's bytes in src, length in *len. */
const char *ps_token_text(const struct ps_tokens *, const struct ps_token *, size_t *len);

#endif
