/* test-analyzer-lex.c: unit tests of the PowerShell tokenizer, one per token kind and mode */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/ps_lex.h"
#include "core/core.h"
#include "t.h"

/* "KIND:text KIND:text ..." for the tokens of src (nested ones marked with ^). */
static char *
kinds(const char *src)
{
	struct ps_tokens t;
	struct buf b = BUF_INIT;

	ps_tokenize(src, strlen(src), &t);
	for (size_t i = 0; i < t.n; i++) {
		const struct ps_token *k = &t.v[i];

		if (i > 0)
			buf_putc(&b, ' ');
		if (k->flags & PS_TOKF_NESTED)
			buf_putc(&b, '^');
		if (k->kind == PS_TOK_NEWLINE) {
			buf_puts(&b, "NL");
			continue;
		}
		buf_printf(&b, "%s:%.*s", ps_token_kind_name(k->kind), (int)(k->end - k->start),
		    src + k->start);
	}
	ps_tokens_free(&t);
	return buf_detach(&b);
}

#define EXPECT(src, want) do { char *got_ = kinds(src); T_STREQ(got_, want); free(got_); } while (0)

/* the single token of src */
static struct ps_token
one(const char *src, size_t *ntok, size_t *nerr)
{
	struct ps_tokens t;
	struct ps_token k;

	ps_tokenize(src, strlen(src), &t);
	memset(&k, 0, sizeof(k));
	k.kind = PS_TOK__MAX;
	if (t.n > 0)
		k = t.v[0];
	*ntok = t.n;
	*nerr = t.nerrors;
	ps_tokens_free(&t);
	return k;
}

static void
test_comments_and_requires(void)
{
	EXPECT("# hi\nx", "COMMENT:# hi NL COMMAND:x");
	EXPECT("<# a\n b #> x", "BLOCK_COMMENT:<# a\n b #> COMMAND:x");
	EXPECT("#Requires -Version 5.1\n#requires -Modules A", "REQUIRES:#Requires -Version 5.1 NL REQUIRES:#requires -Modules A");
	EXPECT("Get-X a#b # c", "COMMAND:Get-X GENERIC:a#b COMMENT:# c");
}

static void
test_unterminated_block_comment_is_error(void)
{
	size_t n, e;
	struct ps_token k = one("<# never closed", &n, &e);

	T_EQ(k.kind, PS_TOK_BLOCK_COMMENT);
	T_ASSERT(k.flags & PS_TOKF_UNTERMINATED);
	T_EQ(e, 1);
}

static void
test_single_quoted_strings(void)
{
	EXPECT("'a ''b'' $c'", "STRING_SQ:'a ''b'' $c'");
	/* Unicode quotes are quotes */
	EXPECT("\xE2\x80\x98x\xE2\x80\x99", "STRING_SQ:\xE2\x80\x98x\xE2\x80\x99");
}

static void
test_double_quoted_strings_nest_expansions(void)
{
	EXPECT("\"a $x ${b c} $env:PATH $(Get-Date) `$y\"",
	    "STRING_DQ:\"a $x ${b c} $env:PATH $(Get-Date) `$y\" ^VARIABLE:$x ^VARIABLE:${b c} "
	    "^VARIABLE:$env:PATH ^SUBEXPR:$( ^COMMAND:Get-Date ^RPAREN:)");
	/* a quote inside $( ) does not end the string */
	EXPECT("\"x $(\"y\") z\"", "STRING_DQ:\"x $(\"y\") z\" ^SUBEXPR:$( ^STRING_DQ:\"y\" ^RPAREN:)");
	EXPECT("\"a \"\" b\"", "STRING_DQ:\"a \"\" b\"");
	EXPECT("\xE2\x80\x9Cq\xE2\x80\x9D", "STRING_DQ:\xE2\x80\x9Cq\xE2\x80\x9D");
}

static void
test_here_strings(void)
{
	EXPECT("@'\nA 'q' $x\n'@\nx", "HERESTRING_SQ:@'\nA 'q' $x\n'@ NL COMMAND:x");
	EXPECT("$s = @\"\nHi $name\n\"@", "VARIABLE:$s OPERATOR:= HERESTRING_DQ:@\"\nHi $name\n\"@ ^VARIABLE:$name");
}

static void
test_unterminated_string_is_error_and_rest_is_string(void)
{
	size_t n, e;
	struct ps_token k = one("'abc", &n, &e);

	T_EQ(k.kind, PS_TOK_STRING_SQ);
	T_ASSERT(k.flags & PS_TOKF_UNTERMINATED);
	T_EQ(k.end, 4);
	T_EQ(e, 1);
}

static void
test_variables(void)
{
	EXPECT("$x; $_; $$; $?; $^; $script:y; ${a b}; $env:Temp",
	    "VARIABLE:$x SEMICOLON:; VARIABLE:$_ SEMICOLON:; VARIABLE:$$ SEMICOLON:; VARIABLE:$? "
	    "SEMICOLON:; VARIABLE:$^ SEMICOLON:; VARIABLE:$script:y SEMICOLON:; VARIABLE:${a b} "
	    "SEMICOLON:; VARIABLE:$env:Temp");
}

static void
test_variable_flags(void)
{
	size_t n, e;
	struct ps_token k = one("${env:ProgramFiles(x86)}", &n, &e);

	T_EQ(k.kind, PS_TOK_VARIABLE);
	T_ASSERT(k.flags & PS_TOKF_BRACED);
	T_ASSERT(k.flags & PS_TOKF_SCOPED);
	T_EQ(n, 1);
	k = one("$global:x", &n, &e);
	T_ASSERT(k.flags & PS_TOKF_SCOPED);
}

static void
test_splatting(void)
{
	EXPECT("Get-X @params @{a=1}", "COMMAND:Get-X SPLAT:@params HASH_START:@{ GENERIC:a OPERATOR:= NUMBER:1 RBRACE:}");
}

static void
test_numbers(void)
{
	EXPECT("$a = 0x1F + 1kb + 2.5e3d + 7L + .5 + 1e-3 + 0b101 + 10GB",
	    "VARIABLE:$a OPERATOR:= NUMBER:0x1F OPERATOR:+ NUMBER:1kb OPERATOR:+ NUMBER:2.5e3d "
	    "OPERATOR:+ NUMBER:7L OPERATOR:+ NUMBER:.5 OPERATOR:+ NUMBER:1e-3 OPERATOR:+ "
	    "NUMBER:0b101 OPERATOR:+ NUMBER:10GB");
	EXPECT("1..10", "NUMBER:1 OPERATOR:.. NUMBER:10");
	/* in arguments a word that starts with digits is a word */
	EXPECT("ping 10.0.0.1 5", "COMMAND:ping GENERIC:10.0.0.1 NUMBER:5");
}

static void
test_bad_number_in_expression_is_error(void)
{
	struct ps_tokens t;
	const char *s = "1 + 12abc";

	ps_tokenize(s, strlen(s), &t);
	T_EQ(t.n, 3);
	T_EQ(t.v[2].kind, PS_TOK_NUMBER);
	T_ASSERT(t.v[2].flags & PS_TOKF_NUM_BAD);
	T_EQ(t.nerrors, 1);
	ps_tokens_free(&t);
}

static void
test_operators_and_case_variants(void)
{
	struct ps_tokens t;
	const char *s = "$a -ceq $b -and $c -inotlike 'x' -f 1 -replace 'a','b'";

	ps_tokenize(s, strlen(s), &t);
	T_EQ(t.v[1].kind, PS_TOK_OPERATOR);
	T_EQ(t.v[1].sub, PS_OP_EQ);
	T_ASSERT(t.v[1].flags & PS_TOKF_CASE_SENSITIVE);
	T_EQ(t.v[3].sub, PS_OP_AND);
	T_EQ(t.v[5].sub, PS_OP_NOTLIKE);
	T_ASSERT(t.v[5].flags & PS_TOKF_CASE_INSENSITIVE);
	T_EQ(t.v[7].sub, PS_OP_F);
	T_EQ(t.v[9].sub, PS_OP_REPLACE);
	T_EQ(t.nerrors, 0);
	ps_tokens_free(&t);
	EXPECT("$i++; $x += 1; $y ?\?= 2; $z = $a ?? $b; !$q; -not $r; $s -band 3",
	    "VARIABLE:$i OPERATOR:++ SEMICOLON:; VARIABLE:$x OPERATOR:+= NUMBER:1 SEMICOLON:; "
	    "VARIABLE:$y OPERATOR:?\?= NUMBER:2 SEMICOLON:; VARIABLE:$z OPERATOR:= VARIABLE:$a "
	    "OPERATOR:?? VARIABLE:$b SEMICOLON:; OPERATOR:! VARIABLE:$q SEMICOLON:; OPERATOR:-not "
	    "VARIABLE:$r SEMICOLON:; VARIABLE:$s OPERATOR:-band NUMBER:3");
	EXPECT("a && b || c", "COMMAND:a OPERATOR:&& COMMAND:b OPERATOR:|| COMMAND:c");
	EXPECT("$x ? 1 : 2", "VARIABLE:$x OPERATOR:? NUMBER:1 OPERATOR:: NUMBER:2");
}

static void
test_unicode_dashes(void)
{
	struct ps_tokens t;
	const char *s = "Get-X \xE2\x80\x93" "Name y; $a \xE2\x80\x94" "eq 1";

	ps_tokenize(s, strlen(s), &t);
	T_EQ(t.v[1].kind, PS_TOK_PARAMETER);
	T_ASSERT(t.v[1].flags & PS_TOKF_UNICODE);
	T_EQ(t.v[5].kind, PS_TOK_OPERATOR);
	T_EQ(t.v[5].sub, PS_OP_EQ);
	T_EQ(t.nerrors, 0);
	ps_tokens_free(&t);
}

static void
test_parameters(void)
{
	EXPECT("Get-Item -Path:$x -Force -Filter *.txt -Depth -1",
	    "COMMAND:Get-Item PARAMETER:-Path: VARIABLE:$x PARAMETER:-Force PARAMETER:-Filter "
	    "GENERIC:*.txt PARAMETER:-Depth NUMBER:-1");
}

static void
test_keywords_only_at_statement_start(void)
{
	EXPECT("if ($a) { echo if } else { foreach ($i in $l) { } }",
	    "KEYWORD:if LPAREN:( VARIABLE:$a RPAREN:) LBRACE:{ COMMAND:echo GENERIC:if RBRACE:} "
	    "KEYWORD:else LBRACE:{ KEYWORD:foreach LPAREN:( VARIABLE:$i KEYWORD:in VARIABLE:$l "
	    "RPAREN:) LBRACE:{ RBRACE:} RBRACE:}");
	/* after a pipe, foreach is the ForEach-Object alias */
	EXPECT("$l | foreach { $_ }", "VARIABLE:$l OPERATOR:| COMMAND:foreach LBRACE:{ VARIABLE:$_ RBRACE:}");
	EXPECT("try { } catch [IO.IOException] { } finally { }",
	    "KEYWORD:try LBRACE:{ RBRACE:} KEYWORD:catch LBRACKET:[ TYPE:IO.IOException RBRACKET:] "
	    "LBRACE:{ RBRACE:} KEYWORD:finally LBRACE:{ RBRACE:}");
	EXPECT("do { } until ($x)", "KEYWORD:do LBRACE:{ RBRACE:} KEYWORD:until LPAREN:( VARIABLE:$x RPAREN:)");
}

static void
test_redirections(void)
{
	EXPECT("cmd 2>&1 > out.txt *>> all.log 2>$null",
	    "COMMAND:cmd REDIRECTION:2>&1 REDIRECTION:> GENERIC:out.txt REDIRECTION:*>> "
	    "GENERIC:all.log REDIRECTION:2> VARIABLE:$null");
}

static void
test_type_literals_and_attributes(void)
{
	EXPECT("[int]$x = [System.Collections.Generic.List[string]]::new()",
	    "LBRACKET:[ TYPE:int RBRACKET:] VARIABLE:$x OPERATOR:= LBRACKET:[ "
	    "TYPE:System.Collections.Generic.List[string] RBRACKET:] OPERATOR::: MEMBER:new LPAREN:( RPAREN:)");
	EXPECT("[Parameter(Mandatory=$true)][string[]]$n",
	    "LBRACKET:[ TYPE:Parameter LPAREN:( GENERIC:Mandatory OPERATOR:= VARIABLE:$true "
	    "RPAREN:) RBRACKET:] LBRACKET:[ TYPE:string[] RBRACKET:] VARIABLE:$n");
	/* an index is not a type */
	EXPECT("$a[0]", "VARIABLE:$a LBRACKET:[ NUMBER:0 RBRACKET:]");
}

static void
test_member_access(void)
{
	EXPECT("$wc.DownloadString($u).Length; (Get-Date).Year",
	    "VARIABLE:$wc OPERATOR:. MEMBER:DownloadString LPAREN:( VARIABLE:$u RPAREN:) OPERATOR:. "
	    "MEMBER:Length SEMICOLON:; LPAREN:( COMMAND:Get-Date RPAREN:) OPERATOR:. MEMBER:Year");
	EXPECT("Write-Host $x.Name", "COMMAND:Write-Host VARIABLE:$x OPERATOR:. MEMBER:Name");
	EXPECT("$a?.b", "VARIABLE:$a OPERATOR:?. MEMBER:b");
}

static void
test_grouping_tokens(void)
{
	EXPECT("@(1) $(2) @{} {3}",
	    "ARRAY_EXPR:@( NUMBER:1 RPAREN:) SUBEXPR:$( NUMBER:2 RPAREN:) HASH_START:@{ RBRACE:} "
	    "LBRACE:{ NUMBER:3 RBRACE:}");
}

static void
test_labels_and_stop_parsing(void)
{
	EXPECT(":outer foreach ($a in $b) { break outer }",
	    "LABEL::outer KEYWORD:foreach LPAREN:( VARIABLE:$a KEYWORD:in VARIABLE:$b RPAREN:) "
	    "LBRACE:{ KEYWORD:break GENERIC:outer RBRACE:}");
	EXPECT("icacls x --% /grant a:(F)\ny", "COMMAND:icacls GENERIC:x STOP_PARSING:--% /grant a:(F) NL COMMAND:y");
}

static void
test_line_continuation(void)
{
	EXPECT("Get-X `\n  -Name a", "COMMAND:Get-X LINE_CONTINUATION:`\n PARAMETER:-Name GENERIC:a");
}

static void
test_backtick_in_word_is_flagged(void)
{
	struct ps_tokens t;
	const char *s = "I`nv`oke-Expression $x";

	ps_tokenize(s, strlen(s), &t);
	T_EQ(t.v[0].kind, PS_TOK_COMMAND);
	T_EQ(t.v[0].end, 19);
	T_ASSERT(t.v[0].flags & PS_TOKF_BACKTICK);
	ps_tokens_free(&t);
}

static void
test_dot_sourcing_and_call(void)
{
	EXPECT(". .\\lib.ps1; & $cmd -x; & 'C:\\a b\\c.exe' /q",
	    "OPERATOR:. COMMAND:.\\lib.ps1 SEMICOLON:; OPERATOR:& VARIABLE:$cmd PARAMETER:-x "
	    "SEMICOLON:; OPERATOR:& STRING_SQ:'C:\\a b\\c.exe' GENERIC:/q");
}

static void
test_function_class_enum(void)
{
	EXPECT("function Get-A($x) { }", "KEYWORD:function FUNCTION_NAME:Get-A LPAREN:( VARIABLE:$x RPAREN:) LBRACE:{ RBRACE:}");
	EXPECT("class B : A { [string]$N; B() { } static [int] F() { return 1 } }",
	    "KEYWORD:class GENERIC:B OPERATOR:: GENERIC:A LBRACE:{ LBRACKET:[ TYPE:string RBRACKET:] "
	    "VARIABLE:$N SEMICOLON:; GENERIC:B LPAREN:( RPAREN:) LBRACE:{ RBRACE:} KEYWORD:static "
	    "LBRACKET:[ TYPE:int RBRACKET:] GENERIC:F LPAREN:( RPAREN:) LBRACE:{ KEYWORD:return NUMBER:1 "
	    "RBRACE:} RBRACE:}");
	EXPECT("enum C { Red = 1 }", "KEYWORD:enum GENERIC:C LBRACE:{ GENERIC:Red OPERATOR:= NUMBER:1 RBRACE:}");
}

static void
test_hashtable_keys_are_words(void)
{
	EXPECT("@{ Name = 'x'; Content-Type = 1\n if = 2 }",
	    "HASH_START:@{ GENERIC:Name OPERATOR:= STRING_SQ:'x' SEMICOLON:; GENERIC:Content-Type "
	    "OPERATOR:= NUMBER:1 NL GENERIC:if OPERATOR:= NUMBER:2 RBRACE:}");
}

static void
test_positions_are_one_based_characters(void)
{
	struct ps_tokens t;
	/* "é" is two bytes, one character */
	const char *s = "$x = 'é'\r\n  Get-X";
	uint32_t line, col;

	ps_tokenize(s, strlen(s), &t);
	T_EQ(t.n, 5);
	T_EQ(t.v[2].start, 5);
	T_EQ(t.v[2].end, 9);
	T_EQ(t.v[2].line, 1);
	T_EQ(t.v[2].column, 6);
	T_EQ(t.v[2].end_column, 9);
	T_EQ(t.v[3].kind, PS_TOK_NEWLINE);
	T_EQ(t.v[3].end - t.v[3].start, 2);
	T_EQ(t.v[4].line, 2);
	T_EQ(t.v[4].column, 3);
	T_EQ(t.v[4].end_column, 8);
	ps_position(&t, 9, &line, &col);
	T_EQ(line, 1);
	T_EQ(col, 9);
	T_EQ(t.v[0].flags & PS_TOKF_SPACE_BEFORE, 0);
	T_ASSERT(t.v[1].flags & PS_TOKF_SPACE_BEFORE);
	ps_tokens_free(&t);
}

static void
test_unmatched_brackets_are_errors(void)
{
	struct ps_tokens t;
	const char *s = "{ ( } ) )";

	ps_tokenize(s, strlen(s), &t);
	T_EQ(t.v[1].kind, PS_TOK_LPAREN);
	T_ASSERT(t.v[1].flags & PS_TOKF_UNMATCHED);
	T_EQ(t.v[3].kind, PS_TOK_ERROR);
	T_EQ(t.v[4].kind, PS_TOK_ERROR);
	T_EQ(t.nerrors, 3);
	ps_tokens_free(&t);
}

static void
test_control_bytes_are_errors_and_lexing_goes_on(void)
{
	struct ps_tokens t;
	const char s[] = "a \x01\x02 b";

	ps_tokenize(s, sizeof(s) - 1, &t);
	T_EQ(t.n, 3);
	T_EQ(t.v[1].kind, PS_TOK_ERROR);
	T_EQ(t.v[2].kind, PS_TOK_GENERIC);
	ps_tokens_free(&t);
}

static void
test_every_kind_has_name_and_class(void)
{
	for (int k = 0; k < PS_TOK__MAX; k++) {
		T_ASSERT(strcmp(ps_token_kind_name((enum ps_tok_kind)k), "?") != 0);
		T_ASSERT(strlen(ps_token_class((enum ps_tok_kind)k)) > 0);
	}
	T_STREQ(ps_token_kind_name(PS_TOK__MAX), "?");
	T_STREQ(ps_token_class(PS_TOK_STRING_DQ), "str");
	T_STREQ(ps_op_name(PS_OP_NOTMATCH), "-notmatch");
	T_STREQ(ps_kw_name(PS_KW_DYNAMICPARAM), "dynamicparam");
	T_EQ(ps_kw_lookup("ForEach", 7), PS_KW_FOREACH);
}

static void
test_empty_and_nul_input(void)
{
	struct ps_tokens t;

	ps_tokenize("", 0, &t);
	T_EQ(t.n, 0);
	T_EQ(t.nlines, 1);
	ps_tokens_free(&t);
	ps_tokenize("\0\0", 2, &t);
	T_EQ(t.n, 1);
	T_EQ(t.v[0].kind, PS_TOK_ERROR);
	ps_tokens_free(&t);
}

static void
test_deep_nesting_in_strings_is_bounded(void)
{
	struct buf b = BUF_INIT;
	struct ps_tokens t;

	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "\"$(");
	ps_tokenize(b.data, b.len, &t);
	T_ASSERT(t.n > 0);
	T_ASSERT(t.nerrors > 0);
	ps_tokens_free(&t);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_comments_and_requires);
	T_RUN(test_unterminated_block_comment_is_error);
	T_RUN(test_single_quoted_strings);
	T_RUN(test_double_quoted_strings_nest_expansions);
	T_RUN(test_here_strings);
	T_RUN(test_unterminated_string_is_error_and_rest_is_string);
	T_RUN(test_variables);
	T_RUN(test_variable_flags);
	T_RUN(test_splatting);
	T_RUN(test_numbers);
	T_RUN(test_bad_number_in_expression_is_error);
	T_RUN(test_operators_and_case_variants);
	T_RUN(test_unicode_dashes);
	T_RUN(test_parameters);
	T_RUN(test_keywords_only_at_statement_start);
	T_RUN(test_redirections);
	T_RUN(test_type_literals_and_attributes);
	T_RUN(test_member_access);
	T_RUN(test_grouping_tokens);
	T_RUN(test_labels_and_stop_parsing);
	T_RUN(test_line_continuation);
	T_RUN(test_backtick_in_word_is_flagged);
	T_RUN(test_dot_sourcing_and_call);
	T_RUN(test_function_class_enum);
	T_RUN(test_hashtable_keys_are_words);
	T_RUN(test_positions_are_one_based_characters);
	T_RUN(test_unmatched_brackets_are_errors);
	T_RUN(test_control_bytes_are_errors_and_lexing_goes_on);
	T_RUN(test_every_kind_has_name_and_class);
	T_RUN(test_empty_and_nul_input);
	T_RUN(test_deep_nesting_in_strings_is_bounded);
	return t_done();
}
