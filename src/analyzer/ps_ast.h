/* ps_ast.h: the PowerShell parser: syntax tree, flat indexes for rules, walker */
#ifndef PSS_PS_AST_H
#define PSS_PS_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzer/ps_lex.h"
#include "core/core.h"

/*
 * ps_parse builds a tree of struct ps_node from the tokens. Every node has
 * an extent and a generic child list (kids, in source order) so one walker
 * serves every rule; kind-specific fields live in the union u. All memory
 * (nodes, strings, arrays) is in one arena released by ps_ast_free.
 * Strings (names, decoded values) are NUL-terminated arena copies.
 *
 * Besides the tree, struct ps_ast carries flat arrays (all commands, all
 * functions, all variables, all strings, all member accesses, ...) in source
 * order, so most rules are a loop over one array.
 *
 * The parser never fails: on a syntax error it records a diagnostic, skips
 * to a token it can resume at and goes on. Nesting deeper than
 * PS_PARSE_MAX_DEPTH becomes one PS_NODE_ERROR node (and a diagnostic).
 *
 * A node is allocated with only its own kind's union member: read u.x only
 * for the kinds listed next to x below (check kind first).
 *
 * Pointers that may be NULL on broken input (a diagnostic is recorded):
 * fn.body, meth.body, cmd.name_node (after a bare & or .), param.var,
 * loop.var/expr/cond/init/iter, sw.cond, tern.else_, idx.index; and, by
 * design, the optional ones (defaults, else bodies, flow values, targets).
 * Never NULL: bin.left/right, un.operand, asg.lhs/rhs, conv.type/expr,
 * mem.target, ifs.conds[i]/bodies[i], loop.body, ctch.body, try_.body.
 *
 * A statement that is a single command or expression is that node itself;
 * PS_NODE_PIPELINE appears only for two or more elements (or a trailing &,
 * or redirections of an expression).
 */
#define PS_PARSE_MAX_DEPTH	256

struct ps_extent {
	uint32_t start, end;		/* byte offsets, end exclusive */
	uint32_t line, column;		/* of start, 1-based (column in characters) */
	uint32_t end_line, end_column;	/* of end (the position just after the node) */
};

enum ps_node_kind {
	PS_NODE_ERROR,		/* what could not be parsed (extent covers it) */
	/* blocks and definitions */
	PS_NODE_SCRIPTBLOCK,	/* the script itself, { ... } expressions, function bodies */
	PS_NODE_NAMED_BLOCK,	/* begin/process/end/dynamicparam/clean { } */
	PS_NODE_STATEMENT_BLOCK, /* { } of if/while/try/... */
	PS_NODE_FUNCTION,	/* function / filter / workflow / configuration */
	PS_NODE_PARAM_BLOCK,	/* param(...) with its attributes */
	PS_NODE_PARAMETER,	/* one parameter: [attrs][type]$name = default */
	PS_NODE_ATTRIBUTE,	/* [Name(args)] */
	PS_NODE_NAMED_ATTR_ARG,	/* Name = value, or Name alone (value NULL: $true) */
	PS_NODE_CLASS,
	PS_NODE_ENUM,
	PS_NODE_PROPERTY_MEMBER, /* class property (also enum member: u.prop) */
	PS_NODE_METHOD_MEMBER,	/* class method or constructor */
	PS_NODE_USING,		/* using module/namespace/assembly */
	/* pipelines and statements */
	PS_NODE_PIPELINE,	/* a | b | c (u.pipe.elems) */
	PS_NODE_PIPELINE_CHAIN,	/* a && b || c */
	PS_NODE_COMMAND,	/* Get-Thing -Name x y, & $sb, . .\x.ps1 */
	PS_NODE_COMMAND_PARAMETER, /* -Name or -Name:value inside a command */
	PS_NODE_REDIRECTION,	/* 2>&1, > file */
	PS_NODE_ASSIGNMENT,	/* lhs op rhs */
	PS_NODE_IF,		/* if/elseif/else: u.ifs */
	PS_NODE_SWITCH,
	PS_NODE_FOR,
	PS_NODE_FOREACH,
	PS_NODE_WHILE,
	PS_NODE_DO_WHILE,
	PS_NODE_DO_UNTIL,
	PS_NODE_TRY,
	PS_NODE_CATCH,
	PS_NODE_TRAP,
	PS_NODE_BREAK,
	PS_NODE_CONTINUE,
	PS_NODE_RETURN,
	PS_NODE_THROW,
	PS_NODE_EXIT,
	PS_NODE_DATA,		/* data { } section */
	/* expressions */
	PS_NODE_BINARY,		/* u.bin: a -op b (also -and, -or, ranges, -f) */
	PS_NODE_UNARY,		/* u.un: -not a, !a, -a, ++a, a++, ,a, -join a */
	PS_NODE_TERNARY,	/* c ? a : b */
	PS_NODE_CONVERT,	/* [type]expr (u.conv) */
	PS_NODE_VARIABLE,	/* u.var */
	PS_NODE_STRING,		/* quoted string, here-string or bare word (u.str) */
	PS_NODE_NUMBER,		/* u.num */
	PS_NODE_TYPE,		/* [TypeName] as a value, a constraint or a catch type (u.type) */
	PS_NODE_MEMBER,		/* target.name / [T]::name (u.mem) */
	PS_NODE_INVOKE_MEMBER,	/* target.name(args) / [T]::name(args) (u.mem) */
	PS_NODE_INDEX,		/* target[index] */
	PS_NODE_ARRAY_LITERAL,	/* a, b, c */
	PS_NODE_ARRAY_EXPR,	/* @( ... ) */
	PS_NODE_SUBEXPR,	/* $( ... ) */
	PS_NODE_PAREN,		/* ( pipeline ) */
	PS_NODE_HASHTABLE,	/* @{ k = v } (u.hash) */
	PS_NODE_SCRIPTBLOCK_EXPR, /* { ... } used as a value (kids[0] is the SCRIPTBLOCK) */
	PS_NODE__MAX			/* at most 64 (ps_ast.kinds) */
};

struct ps_node;

/* A list of nodes in the arena. */
struct ps_nodes {
	struct ps_node **v;
	size_t	 n;
};

/* Comment-based help (.SYNOPSIS, .DESCRIPTION, .PARAMETER, .EXAMPLE, ...). */
struct ps_help_param {
	const char *name;
	const char *text;
};
struct ps_help_section {
	const char *keyword;	/* upper case without the dot: "NOTES", "LINK" */
	const char *arg;	/* ".PARAMETER Name": the Name; else NULL */
	const char *text;	/* trimmed, may be "" */
};
struct ps_help {
	struct ps_extent ext;	/* the comment token(s) */
	const char *synopsis;	/* NULL when absent */
	const char *description;
	struct ps_help_param *params;
	size_t	 nparams;
	const char **examples;
	size_t	 nexamples;
	struct ps_help_section *sections;	/* every section in order, including the above */
	size_t	 nsections;
	enum { PS_HELP_BEFORE, PS_HELP_INSIDE_START, PS_HELP_INSIDE_END } where;
};

/* A command argument as bound by position: -Name value pairs, switches and positionals.
 * Binding is syntactic: "-Name value" binds value to Name unless value is itself a
 * parameter; a switch followed by a positional cannot be told apart without the
 * command's metadata, so check maybe_switch and the raw elements when it matters. */
struct ps_cmd_arg {
	const char *name;	/* parameter name without the dash; NULL for a positional */
	struct ps_node *param;	/* the PS_NODE_COMMAND_PARAMETER; NULL for a positional */
	struct ps_node *value;	/* the argument; NULL for a switch */
	bool	 colon;		/* written -Name:value */
	bool	 maybe_switch;	/* value taken from the next element: may be positional */
	bool	 splat;		/* @args */
	int	 position;	/* 0-based among positionals; -1 for named */
};

/* Decision points for complexity (counted over a whole tree or one function). */
struct ps_complexity {
	uint32_t ifs, elseifs, elses, switches, switch_clauses, fors, foreachs, whiles, dos;
	uint32_t tries, catches, traps, ands, ors, ternaries, coalesces;
	uint32_t cyclomatic;	/* 1 + decisions (if, elseif, clause, loops, catch, trap, -and, -or, ?:, ??) */
	uint32_t max_nesting;	/* deepest nesting of control-flow statements */
	uint32_t statements;
};

struct ps_node {
	uint8_t	 kind;		/* enum ps_node_kind */
	uint8_t	 in_class;	/* inside a class body */
	uint16_t depth;		/* nesting depth in the tree (root 0) */
	struct ps_extent ext;
	uint32_t pre_end;	/* ast->preorder index just after this node's subtree */
	struct ps_node *parent;
	struct ps_node *func;	/* enclosing PS_NODE_FUNCTION or METHOD_MEMBER, NULL at script level */
	uint32_t tok_first, tok_last;	/* token index range (inclusive) in ast->toks */
	struct ps_nodes kids;	/* every child node, in source order */
	union {
		struct {	/* SCRIPTBLOCK */
			struct ps_node *param_block;	/* PARAM_BLOCK or NULL */
			struct ps_nodes named_blocks;	/* NAMED_BLOCK nodes (begin/process/end/...) */
			struct ps_nodes statements;	/* the unnamed end block's statements */
			struct ps_nodes usings;		/* USING statements at the top */
			struct ps_help *help;		/* script-level or body help (INSIDE_*) */
		} sb;
		struct {	/* NAMED_BLOCK, STATEMENT_BLOCK, DATA */
			enum ps_kw which;		/* PS_KW_BEGIN, ...; PS_KW_NONE for plain */
			struct ps_nodes statements;
		} blk;
		struct {	/* FUNCTION */
			const char *name;		/* as written (backticks removed) */
			enum ps_kw keyword;		/* FUNCTION, FILTER, WORKFLOW, CONFIGURATION */
			struct ps_node *name_node;	/* a STRING node spanning the name */
			struct ps_nodes params;		/* PARAMETER nodes from (...) or param() */
			struct ps_node *param_block;	/* PARAM_BLOCK or NULL */
			struct ps_nodes attributes;	/* param block's attributes: [CmdletBinding()] */
			struct ps_node *body;		/* SCRIPTBLOCK */
			struct ps_help *help;		/* NULL when none */
			bool	 cmdletbinding;		/* [CmdletBinding()] present */
			bool	 supports_should_process; /* SupportsShouldProcess set (not =$false) */
			struct ps_complexity cx;	/* inside the body, nested functions excluded */
		} fn;
		struct {	/* PARAM_BLOCK */
			struct ps_nodes attributes;	/* ATTRIBUTE nodes before param( */
			struct ps_nodes params;
		} pb;
		struct {	/* PARAMETER */
			const char *name;		/* without $ */
			const char *type;		/* last type constraint ("string", "switch"); NULL if none */
			struct ps_nodes attributes;	/* ATTRIBUTE and TYPE nodes in order */
			struct ps_node *var;		/* VARIABLE */
			struct ps_node *default_value;	/* or NULL */
			bool	 mandatory;		/* [Parameter(Mandatory)] or Mandatory=$true */
		} param;
		struct {	/* ATTRIBUTE */
			const char *name;		/* "Parameter", "CmdletBinding", "ValidateSet" */
			struct ps_nodes positional;	/* expressions */
			struct ps_nodes named;		/* NAMED_ATTR_ARG nodes */
		} attr;
		struct {	/* NAMED_ATTR_ARG */
			const char *name;
			struct ps_node *value;		/* NULL when written without = */
		} nattr;
		struct {	/* CLASS, ENUM */
			const char *name;
			struct ps_nodes bases;		/* TYPE or STRING nodes after ':' */
			struct ps_nodes members;	/* PROPERTY_MEMBER / METHOD_MEMBER */
			struct ps_nodes attributes;
		} cls;
		struct {	/* PROPERTY_MEMBER (class property or enum member) */
			const char *name;
			const char *type;
			struct ps_nodes attributes;
			struct ps_node *default_value;
			bool	 is_static, is_hidden;
		} prop;
		struct {	/* METHOD_MEMBER */
			const char *name;
			const char *return_type;
			struct ps_nodes attributes;
			struct ps_nodes params;
			struct ps_node *body;		/* SCRIPTBLOCK */
			bool	 is_static, is_hidden, is_constructor;
		} meth;
		struct {	/* USING */
			const char *what;		/* "module", "namespace", "assembly", "type" */
			const char *name;		/* the rest, e.g. "PSReadLine" */
			struct ps_node *arg;		/* the node for the name */
		} use;
		struct {	/* PIPELINE */
			struct ps_nodes elems;		/* COMMAND or expression nodes */
			bool	 background;		/* ends with & */
		} pipe;
		struct {	/* PIPELINE_CHAIN */
			struct ps_nodes pipelines;
			uint32_t nand, nor;		/* count of && and || */
		} chain;
		struct {	/* COMMAND */
			const char *name;		/* bare or constant-string name (backticks removed), else NULL */
			struct ps_node *name_node;	/* the first element (STRING, VARIABLE, SCRIPTBLOCK_EXPR, ...) */
			char	 invocation;		/* '&', '.' or 0 */
			struct ps_nodes elems;		/* arguments and COMMAND_PARAMETERs after the name, raw */
			struct ps_cmd_arg *args;	/* bound view of elems */
			size_t	 nargs;
			struct ps_nodes redirections;
			bool	 has_splat;
			uint32_t index;			/* in ast->commands (the analysis's cmds) */
		} cmd;
		struct {	/* COMMAND_PARAMETER */
			const char *name;		/* without dash and colon */
			struct ps_node *arg;		/* -Name:value, else NULL */
		} cparam;
		struct {	/* REDIRECTION */
			int	 from;			/* stream 1..6, 0 for * */
			int	 to;			/* for 2>&1: 1; else -1 */
			bool	 append;
			struct ps_node *target;		/* file; NULL for merging */
		} redir;
		struct {	/* ASSIGNMENT */
			enum ps_op op;
			struct ps_node *lhs;
			struct ps_node *rhs;		/* a statement (PIPELINE, expression, ...) */
		} asg;
		struct {	/* IF */
			struct ps_nodes conds;		/* condition i belongs to ... */
			struct ps_nodes bodies;		/* ... body i */
			struct ps_node *else_body;	/* or NULL */
		} ifs;
		struct {	/* SWITCH */
			struct ps_node *cond;
			const char *flags;		/* "-regex -casesensitive" as written, or "" */
			bool	 has_file;		/* -File */
			struct ps_nodes patterns;	/* clause i: pattern ... */
			struct ps_nodes bodies;		/* ... and body */
			struct ps_node *default_body;
		} sw;
		struct {	/* FOR, WHILE, DO_WHILE, DO_UNTIL, FOREACH */
			const char *label;		/* :label or NULL */
			struct ps_node *init, *cond, *iter;	/* FOR (any may be NULL) */
			struct ps_node *var;		/* FOREACH: the VARIABLE */
			struct ps_node *expr;		/* FOREACH: the collection */
			struct ps_node *body;
			bool	 parallel;		/* foreach -parallel (workflow) */
		} loop;
		struct {	/* TRY */
			struct ps_node *body;
			struct ps_nodes catches;	/* CATCH nodes */
			struct ps_node *finally_body;
		} try_;
		struct {	/* CATCH, TRAP */
			struct ps_nodes types;		/* TYPE nodes; empty catches everything */
			struct ps_node *body;
		} ctch;
		struct {	/* BREAK, CONTINUE, RETURN, THROW, EXIT */
			struct ps_node *value;		/* label/expression/pipeline or NULL */
		} flow;
		struct {	/* BINARY */
			enum ps_op op;
			uint16_t flags;			/* PS_TOKF_CASE_* */
			struct ps_node *left, *right;
		} bin;
		struct {	/* UNARY */
			enum ps_op op;			/* PS_OP_NOT (also for !), MINUS, PLUS, INC, DEC, COMMA, JOIN, SPLIT, BNOT */
			bool	 postfix;
			struct ps_node *operand;
		} un;
		struct {	/* TERNARY */
			struct ps_node *cond, *then_, *else_;
		} tern;
		struct {	/* CONVERT */
			struct ps_node *type;		/* TYPE or ATTRIBUTE */
			struct ps_node *expr;
		} conv;
		struct {	/* VARIABLE */
			const char *name;		/* full: "env:PATH", "script:x", "_" */
			const char *scope;		/* "env", "script", "global", "using", ... or NULL */
			const char *bare;		/* name without the scope: "PATH" */
			bool	 splat;			/* @name */
			bool	 assigned;		/* written to: lhs of = and op=, ++/--, foreach
							 * variable, parameter and class property declarations */
			bool	 braced;		/* ${...} */
			bool	 in_string;		/* inside an expandable string */
		} var;
		struct {	/* STRING */
			const char *value;		/* decoded: quotes removed, escapes applied;
							 * for expandable strings the $ parts stay as text;
							 * in bare words and names a backtick just quotes the
							 * next character (I`nv`oke-Expression gives
							 * Invoke-Expression) */
			size_t	 len;			/* may contain NUL bytes from `0 */
			enum ps_tok_kind tok;		/* STRING_SQ, STRING_DQ, HERESTRING_*, GENERIC, COMMAND, ... */
			bool	 expandable;		/* has $var or $( ) parts (kids hold them) */
			bool	 bare;			/* an unquoted word */
		} str;
		struct {	/* NUMBER */
			double	 value;			/* with multiplier applied; NaN if unparsable */
			bool	 is_hex;
		} num;
		struct {	/* TYPE */
			const char *name;		/* as written without brackets: "System.Net.WebClient" */
		} type;
		struct {	/* MEMBER, INVOKE_MEMBER */
			struct ps_node *target;
			const char *name;		/* constant member name, or NULL when dynamic */
			struct ps_node *name_node;	/* STRING (MEMBER token) or the dynamic expression */
			struct ps_nodes args;		/* INVOKE_MEMBER arguments */
			bool	 is_static;		/* :: */
			bool	 null_conditional;	/* ?. */
		} mem;
		struct {	/* INDEX */
			struct ps_node *target;
			struct ps_node *index;		/* NULL for an empty x[] */
		} idx;
		struct {	/* ARRAY_LITERAL, ARRAY_EXPR, SUBEXPR, PAREN */
			struct ps_nodes items;		/* elements or statements */
		} list;
		struct {	/* HASHTABLE */
			struct ps_nodes keys;
			struct ps_nodes values;
		} hash;
	} u;
};

/* Something a script pulls in: Import-Module X, using module X, . .\x.ps1, #Requires -Modules. */
enum ps_import_kind { PS_IMPORT_MODULE, PS_IMPORT_USING_MODULE, PS_IMPORT_DOT_SOURCE,
	PS_IMPORT_USING_ASSEMBLY, PS_IMPORT_REQUIRES_MODULE, PS_IMPORT_ADD_TYPE, PS_IMPORT__MAX };
struct ps_import {
	enum ps_import_kind kind;
	const char *name;	/* module name or path; NULL when not a constant */
	struct ps_node *node;	/* COMMAND or USING; NULL for #Requires */
	struct ps_extent ext;
};

/* One #Requires parameter: "-Version 5.1" gives key "Version", value "5.1";
 * "-Modules A, B" gives two entries; "-RunAsAdministrator" value "". */
struct ps_requires {
	const char *key;
	const char *value;
	struct ps_extent ext;
};

/* A syntax diagnostic. */
struct ps_diag {
	struct ps_extent ext;
	const char *msg;	/* static text */
};

struct ps_ast {
	struct arena arena;	/* everything below lives here */
	unsigned char *bump_lo, *bump_hi;	/* the free part of ps_ast_alloc's current slab */
	struct ps_tokens toks;	/* the tokens the tree was built from */
	struct ps_node *root;	/* PS_NODE_SCRIPTBLOCK, never NULL */
	struct ps_help *help;	/* script-level help (also root->u.sb.help), or NULL */
	struct ps_diag *diags;
	size_t	 ndiags;
	bool	 depth_exceeded;	/* PS_PARSE_MAX_DEPTH was hit somewhere */

	/* Flat indexes, each in source order. */
	struct ps_nodes functions;	/* FUNCTION */
	struct ps_nodes commands;	/* COMMAND */
	struct ps_nodes variables;	/* VARIABLE, reads and writes (see u.var.assigned) */
	struct ps_nodes assignments;	/* ASSIGNMENT */
	struct ps_nodes strings;	/* STRING: quoted strings, here-strings and bare-word arguments
					 * (not command, function or member names) */
	struct ps_nodes members;	/* MEMBER and INVOKE_MEMBER */
	struct ps_nodes types;		/* TYPE: literals, casts, constraints, catch types */
	struct ps_nodes attributes;	/* ATTRIBUTE */
	struct ps_nodes classes;	/* CLASS and ENUM */
	struct ps_nodes parameters;	/* PARAMETER (of functions, scripts and methods) */
	struct ps_nodes binaries;	/* BINARY (comparisons, -f, -replace, -join, +) */
	struct ps_nodes catches;	/* CATCH and TRAP */
	struct ps_nodes pipelines;	/* PIPELINE */
	struct ps_nodes preorder;	/* every node in the order ps_ast_walk visits them */
	uint64_t kinds;			/* bit 1 << kind for every node kind in the tree */
	struct ps_import *imports;
	size_t	 nimports;
	struct ps_requires *requires;
	size_t	 nrequires;
	struct ps_complexity cx;	/* whole script */
};

/*
 * Allocation from the tree's arena with the common case inline: requests up to
 * PS_AST_BUMP_MAX bytes are cut from a PS_AST_SLAB slab of the arena (one arena call per
 * slab instead of one per request), bigger ones get their own arena allocation.
 * ps_ast_alloc is zeroed and 16-byte aligned (as arena_alloc), cut from the slab's low end
 * in multiples of 16 bytes; ps_ast_bytes is neither (as arena_alloc_bytes), cut from its
 * high end; ps_ast_strndup copies n bytes and a NUL.
 */
#define PS_AST_SLAB	 8192
#define PS_AST_BUMP_MAX	 1024
/* ps_ast_refill: a slab is zeroed whole when it is cut (one memset instead of one a node; the
 * bytes cut from its high end are written over); what it returns is zeroed for align 16 */
void	*ps_ast_refill(struct ps_ast *, size_t n, size_t align);

static inline void *
ps_ast_bytes(struct ps_ast *ast, size_t n)
{
	if (n > (size_t)(ast->bump_hi - ast->bump_lo))
		return ps_ast_refill(ast, n, 1);
	ast->bump_hi -= n;
	return ast->bump_hi;
}

static inline void *
ps_ast_alloc(struct ps_ast *ast, size_t n)
{
	unsigned char *r;

	n = ((n ? n : 1) + 15) & ~(size_t)15;
	if (n > (size_t)(ast->bump_hi - ast->bump_lo))
		return ps_ast_refill(ast, n, 16);
	r = ast->bump_lo;	/* zeroed with its slab */
	ast->bump_lo = r + n;
	return r;
}

static inline char *
ps_ast_strndup(struct ps_ast *ast, const char *s, size_t n)
{
	char *r = ps_ast_bytes(ast, n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/*
 * ps_parse: tokenize and parse src[0..len). Never returns NULL, never fails;
 * src must outlive the result (tokens point into it). Linear in len.
 * Free with ps_ast_free.
 */
struct ps_ast *ps_parse(const char *src, size_t len);
void	 ps_ast_free(struct ps_ast *);
/* ps_parse_into: the same into a zeroed ast whose arena the caller initialised (it may
 * already hold the caller's allocations, src among them: one arena for a whole analysis);
 * ps_ast_release frees the tokens and the arena, not the struct. */
void	 ps_parse_into(struct ps_ast *, const char *src, size_t len);
void	 ps_ast_release(struct ps_ast *);

/* Walker: visits n and its descendants in source order, iteratively (no recursion).
 * The callback returns PS_WALK_CONTINUE, PS_WALK_SKIP (not this node's children)
 * or PS_WALK_STOP. ps_ast_walk returns 1 when stopped, else 0. */
enum { PS_WALK_CONTINUE = 0, PS_WALK_SKIP = 1, PS_WALK_STOP = 2 };
typedef int (*ps_visit_fn)(struct ps_node *, void *ctx);
int	 ps_ast_walk(struct ps_node *, ps_visit_fn, void *ctx);
/* ps_ast_walk_tree: ps_ast_walk(ast->root, ...) over the flat walk order (no stack). */
int	 ps_ast_walk_tree(const struct ps_ast *, ps_visit_fn, void *ctx);

const char *ps_node_kind_name(enum ps_node_kind);	/* "COMMAND"; "?" when out of range */

/* Lookups (case-insensitive names). NULL when absent. */
struct ps_node *ps_attr_find(const struct ps_nodes *attrs, const char *name);	/* ATTRIBUTE */
struct ps_node *ps_attr_named_arg(const struct ps_node *attr, const char *name); /* NAMED_ATTR_ARG */
/* ps_attr_flag: 1 when attr has Name or Name=$true (or any other true-ish constant), else 0. */
int	 ps_attr_flag(const struct ps_node *attr, const char *name);
/* ps_cmd_arg_find: the bound argument named like name or a unique prefix of it
 * (PowerShell lets -Comp stand for -ComputerName). */
const struct ps_cmd_arg *ps_cmd_arg_find(const struct ps_node *cmd, const char *name);
const struct ps_cmd_arg *ps_cmd_positional(const struct ps_node *cmd, int position);
/* ps_node_const_string: the constant string value of a STRING (non-expandable),
 * a NUMBER's text, or a PAREN holding one; NULL otherwise. */
const char *ps_node_const_string(const struct ps_node *);
/* ps_node_text: the source text of a node (pointer into src) and its length. */
const char *ps_node_text(const struct ps_ast *, const struct ps_node *, size_t *len);

#endif
