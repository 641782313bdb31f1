/* test-analyzer-parse.c: unit tests of the PowerShell parser, one per construct */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/ps_ast.h"
#include "core/core.h"
#include "t.h"

static struct ps_ast *
P(const char *src)
{
	return ps_parse(src, strlen(src));
}

struct find_ctx {
	enum ps_node_kind kind;
	int	 skip;
	struct ps_node *found;
};

static int
find_visit(struct ps_node *n, void *arg)
{
	struct find_ctx *c = arg;

	if (n->kind == c->kind && c->skip-- == 0) {
		c->found = n;
		return PS_WALK_STOP;
	}
	return PS_WALK_CONTINUE;
}

/* the nth (0-based) node of a kind in source order */
static struct ps_node *
nth(struct ps_ast *a, enum ps_node_kind kind, int n)
{
	struct find_ctx c = { kind, n, NULL };

	ps_ast_walk(a->root, find_visit, &c);
	return c.found;
}

static const char *
text(struct ps_ast *a, const struct ps_node *n)
{
	static char buf[512];
	size_t len;
	const char *s = ps_node_text(a, n, &len);

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

static void
test_function_with_param_block_and_cmdletbinding(void)
{
	struct ps_ast *a = P(
	    "function Remove-Thing {\n"
	    "  [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]\n"
	    "  param(\n"
	    "    [Parameter(Mandatory = $true, Position = 0)]\n"
	    "    [ValidateSet('a', 'b')]\n"
	    "    [string]$Name,\n"
	    "    [switch]$Force = $false,\n"
	    "    [int]$Count = 3\n"
	    "  )\n"
	    "  Remove-Item $Name\n"
	    "}\n");
	struct ps_node *f, *p0, *vs;

	T_EQ(a->functions.n, 1);
	f = a->functions.v[0];
	T_STREQ(f->u.fn.name, "Remove-Thing");
	T_EQ(f->u.fn.keyword, PS_KW_FUNCTION);
	T_ASSERT(f->u.fn.cmdletbinding);
	T_ASSERT(f->u.fn.supports_should_process);
	T_EQ(f->u.fn.params.n, 3);
	T_EQ(f->u.fn.attributes.n, 1);
	T_STREQ(ps_node_const_string(ps_attr_named_arg(f->u.fn.attributes.v[0], "ConfirmImpact")->u.nattr.value), "High");
	p0 = f->u.fn.params.v[0];
	T_STREQ(p0->u.param.name, "Name");
	T_STREQ(p0->u.param.type, "string");
	T_ASSERT(p0->u.param.mandatory);
	T_EQ(p0->u.param.attributes.n, 3);
	vs = ps_attr_find(&p0->u.param.attributes, "ValidateSet");
	T_ASSERT(vs != NULL);
	if (vs != NULL)
		T_EQ(vs->u.attr.positional.n, 2);
	T_STREQ(f->u.fn.params.v[1]->u.param.type, "switch");
	T_ASSERT(f->u.fn.params.v[1]->u.param.default_value != NULL);
	T_EQ(f->u.fn.params.v[2]->u.param.default_value->kind, PS_NODE_NUMBER);
	T_EQ(f->u.fn.params.v[2]->u.param.default_value->u.num.value, 3);
	T_EQ(a->parameters.n, 3);
	T_EQ(a->ndiags, 0);
	ps_ast_free(a);
}

static void
test_function_inline_params_and_filter(void)
{
	struct ps_ast *a = P("function global:Add($x, [int]$y = 2) { $x + $y }\nfilter Even { if ($_ % 2 -eq 0) { $_ } }");

	T_EQ(a->functions.n, 2);
	T_STREQ(a->functions.v[0]->u.fn.name, "global:Add");
	T_EQ(a->functions.v[0]->u.fn.params.n, 2);
	T_ASSERT(!a->functions.v[0]->u.fn.cmdletbinding);
	T_EQ(a->functions.v[1]->u.fn.keyword, PS_KW_FILTER);
	T_EQ(a->functions.v[1]->u.fn.cx.cyclomatic, 2);
	T_EQ(a->ndiags, 0);
	ps_ast_free(a);
}

/* A statement after param(...) on the same line starts a new statement. */
static void
test_statement_after_param_on_one_line(void)
{
	struct ps_ast *a = P("function f { param($a) Write-Output $a }");
	const struct ps_node *f = a->functions.v[0];

	T_EQ(a->ndiags, 0);
	T_EQ(f->u.fn.params.n, 1);
	T_EQ(a->commands.n, 1);
	T_STREQ(a->commands.v[0]->u.cmd.name, "Write-Output");
	T_EQ(f->u.fn.body->u.sb.statements.n, 1);
	ps_ast_free(a);
}

/* begin/process/end blocks written on one line. */
static void
test_named_blocks_on_one_line(void)
{
	struct ps_ast *a = P("function h { begin { $x = 1 } process { Write-Output $_ } end { $x } }");
	const struct ps_node *body = a->functions.v[0]->u.fn.body;

	T_EQ(a->ndiags, 0);
	T_EQ(body->u.sb.named_blocks.n, 3);
	T_EQ(body->u.sb.named_blocks.v[1]->u.blk.which, PS_KW_PROCESS);
	T_EQ(body->u.sb.named_blocks.v[2]->u.blk.which, PS_KW_END);
	T_EQ(a->commands.n, 1);
	ps_ast_free(a);
	a = P("function g { process { $_ } }");
	T_EQ(a->ndiags, 0);
	T_EQ(a->functions.v[0]->u.fn.body->u.sb.named_blocks.n, 1);
	ps_ast_free(a);
}

static void
test_supports_should_process_false_is_off(void)
{
	struct ps_ast *a = P("function f { [CmdletBinding(SupportsShouldProcess=$false)] param() }");

	T_ASSERT(a->functions.v[0]->u.fn.cmdletbinding);
	T_ASSERT(!a->functions.v[0]->u.fn.supports_should_process);
	ps_ast_free(a);
}

static void
test_comment_help_before_function(void)
{
	struct ps_ast *a = P(
	    "<#\n.SYNOPSIS\n  Gets a thing.\n.DESCRIPTION\n  Longer text\n  here.\n"
	    ".PARAMETER Name\n  The name.\n.EXAMPLE\n  Get-Thing -Name x\n#>\n"
	    "function Get-Thing { param($Name) }\n");
	struct ps_help *h = a->functions.v[0]->u.fn.help;

	T_ASSERT(h != NULL);
	if (h == NULL)
		goto out;
	T_EQ(h->where, PS_HELP_BEFORE);
	T_STREQ(h->synopsis, "Gets a thing.");
	T_STREQ(h->description, "Longer text\nhere.");
	T_EQ(h->nparams, 1);
	T_STREQ(h->params[0].name, "Name");
	T_STREQ(h->params[0].text, "The name.");
	T_EQ(h->nexamples, 1);
	T_STREQ(h->examples[0], "Get-Thing -Name x");
	T_EQ(h->ext.line, 1);
	T_EQ(h->ext.end_line, 11);
	/* help that belongs to a function is not the script's */
	T_ASSERT(a->help == NULL);
out:
	ps_ast_free(a);
}

static void
test_comment_help_inside_function_start_and_end(void)
{
	struct ps_ast *a = P(
	    "function A {\n  # .SYNOPSIS\n  # First.\n  param()\n}\n"
	    "function B {\n  param()\n  <# .SYNOPSIS\n  Last. #>\n}\n"
	    "function C { }\n");

	T_ASSERT(a->functions.v[0]->u.fn.help != NULL);
	T_STREQ(a->functions.v[0]->u.fn.help->synopsis, "First.");
	T_EQ(a->functions.v[0]->u.fn.help->where, PS_HELP_INSIDE_START);
	T_ASSERT(a->functions.v[1]->u.fn.help != NULL);
	T_STREQ(a->functions.v[1]->u.fn.help->synopsis, "Last.");
	T_EQ(a->functions.v[1]->u.fn.help->where, PS_HELP_INSIDE_END);
	T_ASSERT(a->functions.v[2]->u.fn.help == NULL);
	ps_ast_free(a);
}

static void
test_script_level_help(void)
{
	struct ps_ast *a = P("#Requires -Version 5\n<#\n.SYNOPSIS\nBacks up files.\n#>\nparam($Path)\nCopy-Item $Path x\n");

	T_ASSERT(a->help != NULL);
	if (a->help != NULL)
		T_STREQ(a->help->synopsis, "Backs up files.");
	T_ASSERT(a->root->u.sb.param_block != NULL);
	ps_ast_free(a);
	a = P("Get-Date\n# .SYNOPSIS\n# At the end.\n");
	T_ASSERT(a->help != NULL);
	if (a->help != NULL)
		T_STREQ(a->help->synopsis, "At the end.");
	ps_ast_free(a);
	a = P("# just a comment\nGet-Date\n");
	T_ASSERT(a->help == NULL);
	ps_ast_free(a);
}

static void
test_command_named_positional_and_switch_args(void)
{
	struct ps_ast *a = P("Get-ChildItem C:\\x -Filter *.txt -Recurse:$true -Force\n");
	struct ps_node *c = a->commands.v[0];
	const struct ps_cmd_arg *arg;

	T_STREQ(c->u.cmd.name, "Get-ChildItem");
	T_EQ(c->u.cmd.nargs, 4);
	arg = ps_cmd_positional(c, 0);
	T_ASSERT(arg != NULL && strcmp(ps_node_const_string(arg->value), "C:\\x") == 0);
	arg = ps_cmd_arg_find(c, "Filter");
	T_ASSERT(arg != NULL && arg->maybe_switch && strcmp(ps_node_const_string(arg->value), "*.txt") == 0);
	arg = ps_cmd_arg_find(c, "Recurse");
	T_ASSERT(arg != NULL && arg->colon && arg->value->kind == PS_NODE_VARIABLE);
	arg = ps_cmd_arg_find(c, "Force");
	T_ASSERT(arg != NULL && arg->value == NULL);
	/* extents of an argument */
	arg = ps_cmd_arg_find(c, "Filter");
	T_EQ(arg->param->ext.column, 20);
	T_EQ(arg->value->ext.column, 28);
	T_EQ(arg->value->ext.end_column, 33);
	T_STREQ(text(a, c), "Get-ChildItem C:\\x -Filter *.txt -Recurse:$true -Force");
	ps_ast_free(a);
}

static void
test_parameter_prefix_lookup(void)
{
	struct ps_ast *a = P("Invoke-Command -Comp srv1 -Script { hostname }");
	const struct ps_cmd_arg *arg = ps_cmd_arg_find(a->commands.v[0], "ComputerName");

	T_ASSERT(arg != NULL);
	if (arg != NULL)
		T_STREQ(ps_node_const_string(arg->value), "srv1");
	T_EQ(a->commands.n, 2);
	ps_ast_free(a);
}

static void
test_splatting_and_call_operator(void)
{
	struct ps_ast *a = P("$p = @{ Path = 'x' }\nCopy-Item @p\n& $cmd -a 1\n& 'C:\\t\\x.exe' /q");
	struct ps_node *c;

	T_EQ(a->commands.n, 3);
	c = a->commands.v[0];
	T_ASSERT(c->u.cmd.has_splat);
	T_ASSERT(c->u.cmd.args[0].splat);
	c = a->commands.v[1];
	T_EQ(c->u.cmd.invocation, '&');
	T_ASSERT(c->u.cmd.name == NULL);
	T_EQ(c->u.cmd.name_node->kind, PS_NODE_VARIABLE);
	T_STREQ(a->commands.v[2]->u.cmd.name, "C:\\t\\x.exe");
	ps_ast_free(a);
}

static void
test_pipelines_chains_and_background(void)
{
	struct ps_ast *a = P("Get-Process | Where-Object CPU -gt 10 | Stop-Process\na && b || c\nStart-Thing &");
	struct ps_node *pl = a->root->u.sb.statements.v[0], *ch = a->root->u.sb.statements.v[1];

	T_EQ(pl->kind, PS_NODE_PIPELINE);
	T_EQ(pl->u.pipe.elems.n, 3);
	T_EQ(a->pipelines.n, 2);
	T_EQ(ch->kind, PS_NODE_PIPELINE_CHAIN);
	T_EQ(ch->u.chain.nand, 1);
	T_EQ(ch->u.chain.nor, 1);
	T_ASSERT(a->root->u.sb.statements.v[2]->u.pipe.background);
	T_EQ(a->ndiags, 0);
	ps_ast_free(a);
}

static void
test_assignments_mark_variables(void)
{
	struct ps_ast *a = P("$a = 1\n[int]$b = 2\n$c, $d = 1, 2\n$e += $a\n$i++\nforeach ($f in $list) { }\nWrite-Host $g");
	int assigned = 0, read = 0;

	T_EQ(a->assignments.n, 4);
	T_EQ(a->assignments.v[3]->u.asg.op, PS_OP_PLUS_ASSIGN);
	for (size_t i = 0; i < a->variables.n; i++) {
		const struct ps_node *v = a->variables.v[i];

		if (v->u.var.assigned)
			assigned++;
		else
			read++;
	}
	/* a b c d e i f assigned; a list g read */
	T_EQ(assigned, 7);
	T_EQ(read, 3);
	ps_ast_free(a);
}

static void
test_variable_scopes_and_strings(void)
{
	struct ps_ast *a = P("$env:TEMP; $script:count; ${my var}; \"Hi $name, $($x.y)\"");
	const struct ps_node *s;

	T_STREQ(a->variables.v[0]->u.var.scope, "env");
	T_STREQ(a->variables.v[0]->u.var.bare, "TEMP");
	T_STREQ(a->variables.v[1]->u.var.scope, "script");
	T_STREQ(a->variables.v[2]->u.var.name, "my var");
	T_ASSERT(a->variables.v[2]->u.var.braced);
	T_EQ(a->strings.n, 1);
	s = a->strings.v[0];
	T_ASSERT(s->u.str.expandable);
	T_STREQ(s->u.str.value, "Hi $name, $($x.y)");
	T_ASSERT(a->variables.v[3]->u.var.in_string);
	T_STREQ(a->variables.v[3]->u.var.name, "name");
	T_EQ(a->members.n, 1);
	ps_ast_free(a);
}

static void
test_string_decoding(void)
{
	struct ps_ast *a = P("'it''s'; \"tab`there `\"q`\" `u{263A}\"; @'\nraw $x\n'@; I`nv`oke-Thing");

	T_STREQ(a->strings.v[0]->u.str.value, "it's");
	T_STREQ(a->strings.v[1]->u.str.value, "tab\there \"q\" \xE2\x98\xBA");
	T_STREQ(a->strings.v[2]->u.str.value, "raw $x");
	T_STREQ(a->commands.v[0]->u.cmd.name, "Invoke-Thing");
	ps_ast_free(a);
	a = P("Invoke-`Expr`ession $x");
	T_STREQ(a->commands.v[0]->u.cmd.name, "Invoke-Expression");
	ps_ast_free(a);
}

static void
test_member_invocations_and_types(void)
{
	struct ps_ast *a = P(
	    "$b = [Convert]::FromBase64String($s)\n"
	    "$wc = New-Object System.Net.WebClient\n"
	    "$wc.DownloadString('http://x/a') | Invoke-Expression\n"
	    "[System.Text.Encoding]::UTF8.GetString($b)\n");
	const struct ps_node *m;

	T_EQ(a->members.n, 4);
	m = a->members.v[0];
	T_EQ(m->kind, PS_NODE_INVOKE_MEMBER);
	T_ASSERT(m->u.mem.is_static);
	T_STREQ(m->u.mem.name, "FromBase64String");
	T_EQ(m->u.mem.target->kind, PS_NODE_TYPE);
	T_STREQ(m->u.mem.target->u.type.name, "Convert");
	T_EQ(m->u.mem.args.n, 1);
	m = a->members.v[1];
	T_STREQ(m->u.mem.name, "DownloadString");
	T_STREQ(ps_node_const_string(m->u.mem.args.v[0]), "http://x/a");
	T_EQ(m->ext.line, 3);
	T_EQ(m->ext.column, 1);
	/* [Encoding]::UTF8 is a property, .GetString a call on it */
	T_EQ(a->members.v[2]->kind, PS_NODE_INVOKE_MEMBER);
	T_STREQ(a->members.v[2]->u.mem.name, "GetString");
	T_EQ(a->members.v[3]->kind, PS_NODE_MEMBER);
	T_STREQ(a->members.v[3]->u.mem.name, "UTF8");
	T_EQ(a->types.n, 2);
	ps_ast_free(a);
}

static void
test_control_flow_and_complexity(void)
{
	struct ps_ast *a = P(
	    "if ($a -and $b) { 1 } elseif ($c -or $d) { 2 } else { 3 }\n"
	    "switch ($x) { 1 { 'a' } 2 { 'b' } default { 'c' } }\n"
	    "for ($i = 0; $i -lt 10; $i++) { while ($true) { break } }\n"
	    "do { $n-- } until ($n -le 0)\n"
	    "try { x } catch [IO.IOException] { } catch { } finally { }\n"
	    "trap { continue }\n"
	    "$v = $t ? 1 : 2\n");
	const struct ps_complexity *cx = &a->cx;
	const struct ps_node *n;

	T_EQ(cx->ifs, 1);
	T_EQ(cx->elseifs, 1);
	T_EQ(cx->elses, 1);
	T_EQ(cx->switches, 1);
	T_EQ(cx->switch_clauses, 2);
	T_EQ(cx->fors, 1);
	T_EQ(cx->whiles, 1);
	T_EQ(cx->dos, 1);
	T_EQ(cx->tries, 1);
	T_EQ(cx->catches, 2);
	T_EQ(cx->traps, 1);
	T_EQ(cx->ands, 1);
	T_EQ(cx->ors, 1);
	T_EQ(cx->ternaries, 1);
	/* 1 + if(2) + clauses(2) + for + while + do + catch(2) + trap + and + or + ternary */
	T_EQ(cx->cyclomatic, 1 + 2 + 2 + 1 + 1 + 1 + 2 + 1 + 1 + 1 + 1);
	T_EQ(cx->max_nesting, 2);
	n = nth(a, PS_NODE_IF, 0);
	T_EQ(n->u.ifs.conds.n, 2);
	T_ASSERT(n->u.ifs.else_body != NULL);
	n = nth(a, PS_NODE_SWITCH, 0);
	T_ASSERT(n->u.sw.default_body != NULL);
	n = nth(a, PS_NODE_TRY, 0);
	T_EQ(n->u.try_.catches.n, 2);
	T_EQ(n->u.try_.catches.v[0]->u.ctch.types.n, 1);
	T_EQ(n->u.try_.catches.v[1]->u.ctch.types.n, 0);
	T_EQ(nth(a, PS_NODE_DO_UNTIL, 0)->kind, PS_NODE_DO_UNTIL);
	T_EQ(a->catches.n, 3);
	T_EQ(a->ndiags, 0);
	ps_ast_free(a);
}

static void
test_empty_catch_block_is_visible(void)
{
	struct ps_ast *a = P("try { Remove-Item x } catch { }");
	const struct ps_node *c = a->catches.v[0];

	T_EQ(c->u.ctch.body->u.blk.statements.n, 0);
	T_EQ(c->ext.column, 23);
	ps_ast_free(a);
}

static void
test_foreach_with_label_and_parallel(void)
{
	struct ps_ast *a = P(":outer foreach ($s in Get-Service) { continue outer }\nforeach -parallel ($x in $y) { }");
	const struct ps_node *f = nth(a, PS_NODE_FOREACH, 0);

	T_STREQ(f->u.loop.label, "outer");
	T_STREQ(f->u.loop.var->u.var.name, "s");
	T_EQ(f->u.loop.expr->kind, PS_NODE_COMMAND);
	T_ASSERT(nth(a, PS_NODE_FOREACH, 1)->u.loop.parallel);
	ps_ast_free(a);
}

static void
test_classes_and_enums(void)
{
	struct ps_ast *a = P(
	    "[Flags()] enum Perm { Read = 1; Write = 2 }\n"
	    "class Car : Vehicle, IDisposable {\n"
	    "  [string]$Make\n"
	    "  hidden static [int]$Count = 0\n"
	    "  Car([string]$m) : base() { $this.Make = $m }\n"
	    "  [string] Describe() { return $this.Make }\n"
	    "}\n");
	const struct ps_node *e, *c;

	T_EQ(a->classes.n, 2);
	e = a->classes.v[0];
	T_EQ(e->kind, PS_NODE_ENUM);
	T_STREQ(e->u.cls.name, "Perm");
	T_EQ(e->u.cls.members.n, 2);
	T_EQ(e->u.cls.attributes.n, 1);
	c = a->classes.v[1];
	T_EQ(c->kind, PS_NODE_CLASS);
	T_STREQ(c->u.cls.name, "Car");
	T_EQ(c->u.cls.bases.n, 2);
	T_EQ(c->u.cls.members.n, 4);
	T_STREQ(c->u.cls.members.v[1]->u.prop.name, "Count");
	T_ASSERT(c->u.cls.members.v[1]->u.prop.is_static);
	T_ASSERT(c->u.cls.members.v[1]->u.prop.is_hidden);
	T_ASSERT(c->u.cls.members.v[2]->u.meth.is_constructor);
	T_STREQ(c->u.cls.members.v[3]->u.meth.return_type, "string");
	T_EQ(a->ndiags, 0);
	ps_ast_free(a);
}

static void
test_imports_usings_dot_sourcing_requires(void)
{
	struct ps_ast *a = P(
	    "#Requires -Version 7.2 -Modules Az.Accounts, @{ModuleName='Pester';ModuleVersion='5.0'}\n"
	    "#requires -RunAsAdministrator\n"
	    "using module MyTools\n"
	    "using namespace System.IO\n"
	    "Import-Module -Name ActiveDirectory\n"
	    ". $PSScriptRoot\\helpers.ps1\n"
	    "Add-Type -AssemblyName System.Web\n");
	int seen[PS_IMPORT__MAX] = { 0 };

	for (size_t i = 0; i < a->nimports; i++)
		seen[a->imports[i].kind]++;
	T_EQ(seen[PS_IMPORT_REQUIRES_MODULE], 2);
	T_EQ(seen[PS_IMPORT_USING_MODULE], 1);
	T_EQ(seen[PS_IMPORT_MODULE], 1);
	T_EQ(seen[PS_IMPORT_DOT_SOURCE], 1);
	T_EQ(seen[PS_IMPORT_ADD_TYPE], 1);
	T_EQ(a->nimports, 6);
	T_STREQ(a->imports[0].name, "Az.Accounts");
	T_STREQ(a->imports[1].name, "Pester");
	T_STREQ(a->imports[2].name, "MyTools");
	T_STREQ(a->imports[3].name, "ActiveDirectory");
	T_STREQ(a->imports[4].name, "$PSScriptRoot\\helpers.ps1");
	T_STREQ(a->imports[5].name, "System.Web");
	T_EQ(a->nrequires, 4);
	T_STREQ(a->requires[0].key, "Version");
	T_STREQ(a->requires[0].value, "7.2");
	T_STREQ(a->requires[3].key, "RunAsAdministrator");
	T_STREQ(a->requires[3].value, "");
	T_EQ(a->requires[3].ext.line, 2);
	T_EQ(a->root->u.sb.usings.n, 2);
	ps_ast_free(a);
}

static void
test_hashtables_arrays_and_subexpressions(void)
{
	struct ps_ast *a = P("$h = @{ Name = 'x'; 'Key 2' = @(1, 2); Nested = @{ a = $(Get-Date) } }");
	const struct ps_node *h = nth(a, PS_NODE_HASHTABLE, 0);

	T_EQ(h->u.hash.keys.n, 3);
	T_STREQ(ps_node_const_string(h->u.hash.keys.v[1]), "Key 2");
	T_EQ(h->u.hash.values.v[1]->kind, PS_NODE_ARRAY_EXPR);
	T_EQ(nth(a, PS_NODE_SUBEXPR, 0)->u.list.items.n, 1);
	T_EQ(a->commands.n, 1);
	T_EQ(a->ndiags, 0);
	ps_ast_free(a);
}

static void
test_operator_precedence(void)
{
	struct ps_ast *a = P("$r = 1 + 2 * 3 -eq 7 -and -not $x");
	const struct ps_node *b = a->assignments.v[0]->u.asg.rhs;

	T_EQ(b->kind, PS_NODE_BINARY);
	T_EQ(b->u.bin.op, PS_OP_AND);
	T_EQ(b->u.bin.left->u.bin.op, PS_OP_EQ);
	T_EQ(b->u.bin.left->u.bin.left->u.bin.op, PS_OP_PLUS);
	T_EQ(b->u.bin.left->u.bin.left->u.bin.right->u.bin.op, PS_OP_MUL);
	T_EQ(b->u.bin.right->kind, PS_NODE_UNARY);
	T_EQ(b->u.bin.right->u.un.op, PS_OP_NOT);
	ps_ast_free(a);
	a = P("$x -ceq $null");
	T_EQ(a->binaries.v[0]->u.bin.flags, PS_TOKF_CASE_SENSITIVE);
	T_EQ(a->binaries.v[0]->u.bin.right->kind, PS_NODE_VARIABLE);
	ps_ast_free(a);
}

static void
test_redirections(void)
{
	struct ps_ast *a = P("cmd 2>&1 >> log.txt");
	const struct ps_node *c = a->commands.v[0];

	T_EQ(c->u.cmd.redirections.n, 2);
	T_EQ(c->u.cmd.redirections.v[0]->u.redir.from, 2);
	T_EQ(c->u.cmd.redirections.v[0]->u.redir.to, 1);
	T_ASSERT(c->u.cmd.redirections.v[1]->u.redir.append);
	T_STREQ(ps_node_const_string(c->u.cmd.redirections.v[1]->u.redir.target), "log.txt");
	ps_ast_free(a);
}

static void
test_syntax_errors_are_diagnosed_and_parsing_goes_on(void)
{
	struct ps_ast *a = P("if ($x { Get-A }\nfunction { }\nGet-B\n)\n");

	T_ASSERT(a->ndiags > 0);
	T_ASSERT(a->commands.n >= 1);
	T_STREQ(a->commands.v[a->commands.n - 1]->u.cmd.name, "Get-B");
	ps_ast_free(a);
}

static void
test_stray_operators_make_progress(void)
{
	/* each once looped forever: an operator where an operand was expected */
	static const char *const inputs[] = {
		"class C { C() : a & b , c { } }",
		"using namespace a , b",
		"data x , | { 1 }",
		"[A(,)] $x",
		"$x = , ,",
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(inputs); i++) {
		struct ps_ast *a = P(inputs[i]);

		T_ASSERT(a->root != NULL);
		ps_ast_free(a);
	}
}

static void
test_enum_members_named_like_keywords(void)
{
	struct ps_ast *a = P("enum Attr { Hidden = 32; Static = 64 }");
	const struct ps_node *e = a->classes.v[0];

	T_EQ(e->u.cls.members.n, 2);
	T_STREQ(e->u.cls.members.v[0]->u.prop.name, "Hidden");
	T_EQ(e->u.cls.members.v[0]->u.prop.default_value->u.num.value, 32);
	T_EQ(a->ndiags, 0);
	ps_ast_free(a);
}

struct count_ctx {
	int	 nodes, commands;
};

static int
count_visit(struct ps_node *n, void *arg)
{
	struct count_ctx *c = arg;

	c->nodes++;
	if (n->kind == PS_NODE_FUNCTION)
		return PS_WALK_SKIP;
	if (n->kind == PS_NODE_COMMAND)
		c->commands++;
	return PS_WALK_CONTINUE;
}

static void
test_walker_visits_in_source_order_and_skips(void)
{
	struct ps_ast *a = P("A\nfunction f { B; C }\nD");
	struct count_ctx c = { 0, 0 };
	uint32_t last = 0;

	ps_ast_walk(a->root, count_visit, &c);
	T_EQ(c.commands, 2);
	T_EQ(a->commands.n, 4);
	for (size_t i = 0; i < a->commands.n; i++) {
		T_ASSERT(a->commands.v[i]->ext.start >= last);
		last = a->commands.v[i]->ext.start;
		T_ASSERT(a->commands.v[i]->parent != NULL);
	}
	T_ASSERT(a->commands.v[1]->func == a->functions.v[0]);
	T_ASSERT(a->commands.v[0]->func == NULL);
	ps_ast_free(a);
}

static void
test_deep_nesting_hits_the_limit_not_the_stack(void)
{
	struct buf b = BUF_INIT;
	struct ps_ast *a;

	for (int i = 0; i < 100000; i++)
		buf_putc(&b, '(');
	buf_putc(&b, '1');
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, ')');
	a = ps_parse(b.data, b.len);
	T_ASSERT(a->depth_exceeded);
	T_EQ(a->toks.nerrors, 0);
	ps_ast_free(a);
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "{ if ($x) ");
	a = ps_parse(b.data, b.len);
	T_ASSERT(a->depth_exceeded);
	ps_ast_free(a);
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "$a.b[");
	a = ps_parse(b.data, b.len);
	T_ASSERT(a->root != NULL);
	ps_ast_free(a);
	buf_free(&b);
}

static void
test_large_input_parses(void)
{
	struct buf b = BUF_INIT;
	struct ps_ast *a;
	int64_t t0, ms;

	while (b.len < (10u << 20))
		buf_puts(&b, "Get-ChildItem -Path $env:TEMP -Filter '*.log' | Remove-Item -WhatIf # c\n");
	t0 = time_mono_ms();
	a = ps_parse(b.data, b.len);
	ms = time_mono_ms() - t0;
	T_ASSERT(a->commands.n > 200000);
	T_EQ(a->ndiags, 0);
	printf("# 10 MB parsed in %lld ms\n", (long long)ms);
	ps_ast_free(a);
	buf_free(&b);
}

static double
parse_time(const char *unit, size_t size)
{
	struct buf b = BUF_INIT;
	struct ps_ast *a;
	double t0;

	while (b.len < size)
		buf_puts(&b, unit);
	t0 = time_cpu_us() / 1e6;
	a = ps_parse(b.data, b.len);
	t0 = time_cpu_us() / 1e6 - t0;
	ps_ast_free(a);
	buf_free(&b);
	return t0;
}

static void
test_pathological_inputs_stay_linear(void)
{
	/* each of these was, or could have been, quadratic: 8x the input must
	 * cost far less than the quadratic bug this guards against (1000x).
	 * Linear code costs about 8-10x; the bound is loose on purpose, since
	 * CPU time on a shared machine is noisy (bench/analyzer-bench measures
	 * linearity precisely) */
	static const char *const units[] = {
		"1..", "a+", "[int]a+", "}x", "$x.", "\"$(", "[a[b", "@{a=", "x|", "((",
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(units); i++) {
		double small = 1e9, big = 1e9;

		/* the fastest of three runs, against noise from other processes */
		for (int r = 0; r < 3; r++) {
			double ts = parse_time(units[i], 64 * 1024), tb = parse_time(units[i], 512 * 1024);

			small = ts < small ? ts : small;
			big = tb < big ? tb : big;
		}
		if (small < 0.02)
			small = 0.02;	/* below that, timer and cache noise dominate */
		T_ASSERTF(big < 200 * small, "%s: 64 KB %.3f s, 512 KB %.3f s", units[i], small, big);
	}
}

static void
test_node_names(void)
{
	for (int k = 0; k < PS_NODE__MAX; k++)
		T_ASSERT(strcmp(ps_node_kind_name((enum ps_node_kind)k), "?") != 0);
	T_STREQ(ps_node_kind_name(PS_NODE_INVOKE_MEMBER), "INVOKE_MEMBER");
	T_STREQ(ps_node_kind_name(PS_NODE__MAX), "?");
}

int
main(void)
{
	T_RUN(test_function_with_param_block_and_cmdletbinding);
	T_RUN(test_function_inline_params_and_filter);
	T_RUN(test_statement_after_param_on_one_line);
	T_RUN(test_named_blocks_on_one_line);
	T_RUN(test_supports_should_process_false_is_off);
	T_RUN(test_comment_help_before_function);
	T_RUN(test_comment_help_inside_function_start_and_end);
	T_RUN(test_script_level_help);
	T_RUN(test_command_named_positional_and_switch_args);
	T_RUN(test_parameter_prefix_lookup);
	T_RUN(test_splatting_and_call_operator);
	T_RUN(test_pipelines_chains_and_background);
	T_RUN(test_assignments_mark_variables);
	T_RUN(test_variable_scopes_and_strings);
	T_RUN(test_string_decoding);
	T_RUN(test_member_invocations_and_types);
	T_RUN(test_control_flow_and_complexity);
	T_RUN(test_empty_catch_block_is_visible);
	T_RUN(test_foreach_with_label_and_parallel);
	T_RUN(test_classes_and_enums);
	T_RUN(test_imports_usings_dot_sourcing_requires);
	T_RUN(test_hashtables_arrays_and_subexpressions);
	T_RUN(test_operator_precedence);
	T_RUN(test_redirections);
	T_RUN(test_syntax_errors_are_diagnosed_and_parsing_goes_on);
	T_RUN(test_stray_operators_make_progress);
	T_RUN(test_enum_members_named_like_keywords);
	T_RUN(test_walker_visits_in_source_order_and_skips);
	T_RUN(test_deep_nesting_hits_the_limit_not_the_stack);
	T_RUN(test_large_input_parses);
	T_RUN(test_pathological_inputs_stay_linear);
	T_RUN(test_node_names);
	return t_done();
}
