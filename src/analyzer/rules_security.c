#include "config.h"
/* rules_security.c: security rules on the syntax tree (commands, members, assignments, data flow) */

#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"
#include "core/text.h"

/* Where data comes from, for the simple name-based data flow below. */
enum taint { T_DOWNLOAD = 1, T_BASE64 = 2 };

static const char *const download_cmdlets[] = {
	"Invoke-WebRequest", "Invoke-RestMethod", "Start-BitsTransfer", NULL
};
static const char *const download_members[] = {
	"DownloadString", "DownloadData", "DownloadFile", "OpenRead", "DownloadStringAsync",
	"DownloadDataAsync", "GetStringAsync", "GetByteArrayAsync", "GetResponseStream",
	"UploadString", NULL
};

struct tainted {
	const char	**names;	/* lower-case variable names */
	unsigned	*kinds;
	size_t		 n, cap;
};

struct scan {
	struct ps_ctx		*c;
	const struct tainted	*t;
	unsigned		 found;	/* enum taint bits */
};

static unsigned
taint_of_var(const struct tainted *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcasecmp(t->names[i], name) == 0)
			return t->kinds[i];
	return 0;
}

static int
scan_visit(struct ps_node *n, void *arg)
{
	struct scan *s = arg;

	switch (n->kind) {
	case PS_NODE_COMMAND: {
		const struct ps_cmd *pc = ps_ctx_cmd(s->c, n);

		if (ps_cmd_is_any(pc, download_cmdlets))
			s->found |= T_DOWNLOAD;
		break;
	}
	case PS_NODE_INVOKE_MEMBER:
		if (ps_name_in(n->u.mem.name, download_members))
			s->found |= T_DOWNLOAD;
		if (ps_ci_eq(n->u.mem.name, "FromBase64String"))
			s->found |= T_BASE64;
		break;
	case PS_NODE_VARIABLE:
		if (s->t != NULL && n->u.var.bare != NULL)
			s->found |= taint_of_var(s->t, n->u.var.bare);
		break;
	default:
		break;
	}
	return PS_WALK_CONTINUE;
}

static unsigned
taint_scan(struct ps_ctx *c, const struct tainted *t, struct ps_node *n)
{
	struct scan s = { c, t, 0 };

	if (n != NULL)
		ps_ast_walk(n, scan_visit, &s);
	return s.found;
}

static void
taint_add(struct ps_ctx *c, struct tainted *t, const char *name, unsigned kind)
{
	for (size_t i = 0; i < t->n; i++) {
		if (strcasecmp(t->names[i], name) == 0) {
			t->kinds[i] |= kind;
			return;
		}
	}
	if (t->n >= 4096)
		return;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		const char **nn = ps_ast_alloc(c->ast, ncap * sizeof(*nn));
		unsigned *nk = ps_ast_alloc(c->ast, ncap * sizeof(*nk));

		if (t->n > 0) {
			memcpy(nn, t->names, t->n * sizeof(*nn));
			memcpy(nk, t->kinds, t->n * sizeof(*nk));
		}
		t->names = nn;
		t->kinds = nk;
		t->cap = ncap;
	}
	t->names[t->n] = name;
	t->kinds[t->n++] = kind;
}

/* Which variables hold downloaded or base64-decoded data (assignments in source order). */
static void
taint_build(struct ps_ctx *c, struct tainted *t)
{
	const struct ps_nodes *as = &c->ast->assignments;

	for (size_t i = 0; i < as->n; i++) {
		const struct ps_node *a = as->v[i], *lhs = a->u.asg.lhs;
		unsigned k;

		while (lhs != NULL && lhs->kind == PS_NODE_CONVERT)
			lhs = lhs->u.conv.expr;
		if (lhs == NULL || lhs->kind != PS_NODE_VARIABLE || lhs->u.var.bare == NULL)
			continue;
		k = taint_scan(c, t, a->u.asg.rhs);
		if (k != 0)
			taint_add(c, t, lhs->u.var.bare, k);
	}
}

static void
report_sink(struct ps_ctx *c, const struct ps_node *sink, unsigned k, const char *what)
{
	if (k & T_DOWNLOAD)
		ps_rule_emit(c, R_DOWNLOAD_CRADLE, PS_SEV__MAX, &sink->ext, NULL,
		    "Downloaded content is executed by %s (download cradle).", what);
	if (k & T_BASE64)
		ps_rule_emit(c, R_BASE64_EXEC, PS_SEV__MAX, &sink->ext, NULL,
		    "Base64-decoded data is executed or loaded by %s.", what);
}

static bool
is_scriptblock_create(const struct ps_node *m)
{
	const struct ps_node *t = m->u.mem.target;

	return m->kind == PS_NODE_INVOKE_MEMBER && m->u.mem.is_static && ps_ci_eq(m->u.mem.name, "Create") &&
	    t != NULL && t->kind == PS_NODE_TYPE &&
	    (ps_ci_eq(t->u.type.name, "scriptblock") ||
	    ps_ci_eq(t->u.type.name, "System.Management.Automation.ScriptBlock"));
}

static bool
is_assembly_load(const struct ps_node *m, const char **how)
{
	const struct ps_node *t = m->u.mem.target;
	const char *nm = m->u.mem.name;

	if (m->kind != PS_NODE_INVOKE_MEMBER || nm == NULL)
		return false;
	if (!ps_ci_eq(nm, "Load") && !ps_ci_eq(nm, "LoadFrom") && !ps_ci_eq(nm, "LoadFile") &&
	    !ps_ci_eq(nm, "UnsafeLoadFrom"))
		return false;
	*how = nm;
	if (m->u.mem.is_static && t != NULL && t->kind == PS_NODE_TYPE)
		return ps_ci_suffix(t->u.type.name, "Assembly");
	/* [AppDomain]::CurrentDomain.Load(...) */
	return !m->u.mem.is_static && t != NULL && t->kind == PS_NODE_MEMBER &&
	    ps_ci_eq(t->u.mem.name, "CurrentDomain") && ps_ci_eq(nm, "Load");
}

static const char *const exec_exts[] = {
	".exe", ".dll", ".ps1", ".psm1", ".bat", ".cmd", ".vbs", ".js", ".hta", ".scr", ".msi",
	".jar", NULL
};

static bool
executable_path(const char *s)
{
	for (const char *const *e = exec_exts; *e != NULL; e++)
		if (ps_ci_suffix(s, *e))
			return true;
	return false;
}

static bool
script_runs_programs(const struct ps_ctx *c)
{
	static const char *const runners[] = { "Start-Process", "Invoke-Item", "cmd",
		"rundll32", "regsvr32", "msiexec", "Start-Job", NULL };

	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];

		if (ps_cmd_is_any(pc, runners) || pc->node->u.cmd.invocation == '&')
			return true;
	}
	return false;
}

static void
check_sinks(struct ps_ctx *c, const struct tainted *t)
{
	const struct ps_ast *ast = c->ast;

	/* Invoke-Expression: its arguments, and what is piped into it. */
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];
		struct ps_node *n = pc->node;
		unsigned k = 0;

		if (!ps_cmd_is(pc, "Invoke-Expression"))
			continue;
		for (size_t a = 0; a < n->u.cmd.elems.n; a++)
			k |= taint_scan(c, t, n->u.cmd.elems.v[a]);
		if (n->parent != NULL && n->parent->kind == PS_NODE_PIPELINE) {
			const struct ps_nodes *el = &n->parent->u.pipe.elems;

			for (size_t e = 0; e < el->n && el->v[e] != n; e++)
				k |= taint_scan(c, t, el->v[e]);
		}
		report_sink(c, n, k, "Invoke-Expression");
	}
	for (size_t i = 0; i < ast->members.n; i++) {
		struct ps_node *m = ast->members.v[i];
		const char *how = NULL;
		unsigned k = 0;

		if (m->kind != PS_NODE_INVOKE_MEMBER)
			continue;
		for (size_t a = 0; a < m->u.mem.args.n; a++)
			k |= taint_scan(c, t, m->u.mem.args.v[a]);
		if (is_scriptblock_create(m)) {
			report_sink(c, m, k, "[ScriptBlock]::Create");
		} else if (is_assembly_load(m, &how)) {
			report_sink(c, m, k, "Assembly.Load");
			ps_rule_emit(c, R_REFLECTION_LOAD,
			    ps_ci_eq(how, "Load") ? PS_SEV_WARNING : PS_SEV_INFORMATION, &m->ext,
			    NULL,
			    "An assembly is loaded with reflection (%s).", how);
		} else if (ps_ci_eq(m->u.mem.name, "InvokeScript") || ps_ci_eq(m->u.mem.name, "NewScriptBlock")) {
			report_sink(c, m, k, m->u.mem.name);
			ps_rule_emit(c, R_INVOKE_EXPRESSION, PS_SEV__MAX, &m->ext, NULL,
			    "%s runs a string as code, like Invoke-Expression.", m->u.mem.name);
		}
	}
	/* & $code / . $code where $code holds downloaded or decoded text. */
	for (size_t i = 0; i < c->p->ncmds; i++) {
		struct ps_node *n = c->p->cmds[i].node;

		if (n->u.cmd.invocation == 0 || n->u.cmd.name_node == NULL ||
		    n->u.cmd.name_node->kind == PS_NODE_STRING)
			continue;
		report_sink(c, n, taint_scan(c, t, n->u.cmd.name_node),
		    n->u.cmd.invocation == '&' ? "the call operator &" : "dot-sourcing");
	}
}

/* Does the script check a hash or a signature (of what it downloaded)? */
static bool
script_verifies(const struct ps_ctx *c)
{
	static const char *const verifiers[] = { "Get-FileHash", "Get-AuthenticodeSignature",
		NULL };

	for (size_t i = 0; i < c->p->ncmds; i++)
		if (ps_cmd_is_any(&c->p->cmds[i], verifiers))
			return true;
	return false;
}

/* Whether the script runs programs (*runs: -1 until asked) and, when it does, the severity
 * of an executable download (*sev): both are looked up once, at the first executable download. */
static bool
download_runs(const struct ps_ctx *c, int *runs, enum ps_severity *sev)
{
	if (*runs < 0) {
		*runs = script_runs_programs(c);
		*sev = script_verifies(c) ? PS_SEV_WARNING : PS_SEV_ERROR;
	}
	return *runs != 0;
}

/* Download to a file of an executable type, then run something: an error, or a warning when
 * the script verifies a hash or signature. */
static void
check_download_to_file(struct ps_ctx *c)
{
	const struct ps_ast *ast = c->ast;
	int runs = -1;		/* script_runs_programs, asked only for an executable download */
	bool folded;
	enum ps_severity sev = PS_SEV_ERROR;

	for (size_t i = 0; i < ast->members.n; i++) {
		const struct ps_node *m = ast->members.v[i];
		const char *dst;

		if (m->kind != PS_NODE_INVOKE_MEMBER || !ps_ci_eq(m->u.mem.name, "DownloadFile") ||
		    m->u.mem.args.n < 2)
			continue;
		dst = ps_ctx_fold(c, m->u.mem.args.v[1], &folded);
		if (dst != NULL && executable_path(dst) && download_runs(c, &runs, &sev))
			ps_rule_emit(c, R_DOWNLOAD_CRADLE, sev, &m->ext, NULL,
			    "An executable file (%s) is downloaded and the script runs programs%s.", dst,
			    sev == PS_SEV_WARNING ? " (it checks a hash or signature)" : "");
	}
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];
		const char *dst;

		if (!ps_cmd_is_any(pc, download_cmdlets))
			continue;
		dst = ps_ctx_arg_string(c, pc->node, "OutFile");
		if (dst == NULL)
			dst = ps_ctx_arg_string(c, pc->node, "Destination");
		if (dst != NULL && executable_path(dst) && download_runs(c, &runs, &sev))
			ps_rule_emit(c, R_DOWNLOAD_CRADLE, sev, &pc->node->ext, NULL,
			    "An executable file (%s) is downloaded and the script runs programs%s.", dst,
			    sev == PS_SEV_WARNING ? " (it checks a hash or signature)" : "");
	}
}

static bool
is_local_host(const char *s)
{
	return s[0] == '\0' || ps_ci_eq(s, "localhost") || ps_ci_eq(s, ".") ||
	    ps_ci_eq(s, "127.0.0.1") || ps_ci_eq(s, "::1");
}

static const char *const secret_words[] = {
	"password", "passwd", "pwd", "secret", "apikey", "api_key", "accesskey", "access_key",
	"secretkey", "privatekey", "clientsecret", "token", "passphrase", "sastoken", NULL
};
static const char *const not_secret_suffixes[] = {
	"length", "policy", "prompt", "message", "msg", "file", "path", "name", "url", "uri",
	"field", "label", "type", "expiry", "expires", "age", "count", "complexity", "hash",
	"header", "id", "parameter", "param", "regex", "pattern", "variable", "box", "chars", NULL
};

/* The secret words by first letter (indexes into secret_words), built once. */
static struct {
	unsigned char	 n;
	unsigned char	 w[PSS_ARRAY_LEN(secret_words)];
} secret_by_letter[26];
static pthread_once_t secret_once = PTHREAD_ONCE_INIT;

static void
secret_index_build(void)
{
	for (size_t k = 0; secret_words[k] != NULL; k++) {
		int l = secret_words[k][0] - 'a';

		secret_by_letter[l].w[secret_by_letter[l].n++] = (unsigned char)k;
	}
}

/* A-Z lower-cased, other bytes unchanged */
static unsigned char
fold_az(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + 32) : ch;
}

static bool
secret_name(const char *name)
{
	size_t n = strlen(name);
	bool hit = false;

	if (n < 3)
		return false;	/* shorter than every secret word */
	if (n < 64) {
		/* names are short: a secret word starting at some offset (what a case-folded
		 * strstr per word finds), trying at each offset only the words of its letter */
		pthread_once(&secret_once, secret_index_build);
		for (size_t i = 0; i + 3 <= n && !hit; i++) {
			unsigned char f = fold_az((unsigned char)name[i]);

			if (f < 'a' || f > 'z')
				continue;
			for (unsigned j = 0; j < secret_by_letter[f - 'a'].n && !hit; j++) {
				const char *w = secret_words[secret_by_letter[f - 'a'].w[j]];
				const char *x = name + i + 1, *y = w + 1;

				while (*y != '\0' && fold_az((unsigned char)*x) == (unsigned char)*y)
					x++, y++;	/* the NUL ends a name (no word has one) */
				hit = *y == '\0';
			}
		}
	} else {
		for (const char *const *w = secret_words; *w != NULL && !hit; w++)
			if (ps_ci_contains(name, n, *w))
				hit = true;
	}
	if (!hit)
		return false;
	for (const char *const *s = not_secret_suffixes; *s != NULL; s++)
		if (ps_ci_suffix(name, *s))
			return false;
	return true;
}

static bool
placeholder_value(const char *v)
{
	size_t n = strlen(v);

	if (n < 4)
		return true;
	if (strchr(v, '<') != NULL && strchr(v, '>') != NULL)
		return true;
	if (v[0] == '*' || ps_ci_contains(v, n, "xxxx") || ps_ci_prefix(v, "your") ||
	    ps_ci_contains(v, n, "placeholder") || ps_ci_contains(v, n, "example") ||
	    ps_ci_eq(v, "None") || ps_ci_eq(v, "null") || ps_ci_eq(v, "true") ||
	    ps_ci_eq(v, "false"))
		return true;
	/* a sentence or a path is not a secret */
	if (strchr(v, ' ') != NULL || strchr(v, '\\') != NULL || strstr(v, "://") != NULL)
		return true;
	return false;
}

/* The same secrets however the command is spelled: Set-Variable/sv/New-Variable with a secret
 * name and a literal, net user NAME PASSWORD. */
static void
check_spelled_secret(struct ps_ctx *c, const struct ps_cmd *pc)
{
	const struct ps_node *n = pc->node;
	const struct ps_cmd_arg *nm, *val;
	const char *name, *v;

	if (ps_cmd_is(pc, "Set-Variable") || ps_cmd_is(pc, "New-Variable")) {
		nm = ps_cmd_arg_find(n, "Name");
		val = ps_cmd_arg_find(n, "Value");
		if (nm == NULL)
			nm = ps_cmd_positional(n, 0);
		if (val == NULL)
			val = ps_cmd_positional(n, 1);
		if (nm == NULL || nm->value == NULL || val == NULL || val->value == NULL ||
		    val->value->kind != PS_NODE_STRING ||
		    (name = ps_node_const_string(nm->value)) == NULL || !secret_name(name) ||
		    (v = ps_node_const_string(val->value)) == NULL || placeholder_value(v))
			return;
		ps_rule_emit(c, R_HARDCODED_SECRET, PS_SEV__MAX, &val->value->ext, NULL,
		    "A secret is hard-coded in '%s' (%s).", name, pc->name);
	} else if (ps_cmd_is(pc, "net") && (nm = ps_cmd_positional(n, 0)) != NULL &&
	    nm->value != NULL && (name = ps_node_const_string(nm->value)) != NULL &&
	    ps_ci_eq(name, "user") && (val = ps_cmd_positional(n, 2)) != NULL &&
	    val->value != NULL && (v = ps_node_const_string(val->value)) != NULL &&
	    v[0] != '/' && strcmp(v, "*") != 0 && !placeholder_value(v)) {
		ps_rule_emit(c, R_HARDCODED_SECRET, PS_SEV__MAX, &val->value->ext, NULL,
		    "A password is passed to net user in clear text.");
	}
}

static void
check_secrets(struct ps_ctx *c)
{
	const struct ps_ast *ast = c->ast;

	for (size_t i = 0; i < ast->assignments.n; i++) {
		const struct ps_node *a = ast->assignments.v[i], *lhs = a->u.asg.lhs, *rhs;
		const char *name = NULL, *v;

		while (lhs != NULL && lhs->kind == PS_NODE_CONVERT)
			lhs = lhs->u.conv.expr;
		if (lhs == NULL)
			continue;
		if (lhs->kind == PS_NODE_VARIABLE)
			name = lhs->u.var.bare;
		else if (lhs->kind == PS_NODE_MEMBER)
			name = lhs->u.mem.name;
		if (name == NULL || !secret_name(name))
			continue;
		rhs = a->u.asg.rhs;
		while (rhs != NULL && rhs->kind == PS_NODE_PIPELINE && rhs->u.pipe.elems.n == 1)
			rhs = rhs->u.pipe.elems.v[0];
		v = ps_node_const_string(rhs);
		if (v == NULL || rhs->kind != PS_NODE_STRING || placeholder_value(v))
			continue;
		ps_rule_emit(c, R_HARDCODED_SECRET, PS_SEV__MAX, &a->ext, NULL,
		    "A secret is hard-coded in '%s'.", name);
	}
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_node *n = c->p->cmds[i].node;
		unsigned char c0 = (unsigned char)c->p->cmds[i].canon[0] | 0x20;

		if (c0 == 's' || c0 == 'n')
			check_spelled_secret(c, &c->p->cmds[i]);
		for (size_t k = 0; k < n->u.cmd.nargs; k++) {
			const struct ps_cmd_arg *arg = &n->u.cmd.args[k];
			const char *v;

			if (arg->name == NULL || arg->value == NULL || !secret_name(arg->name) ||
			    arg->value->kind != PS_NODE_STRING)
				continue;
			v = ps_node_const_string(arg->value);
			if (v == NULL || placeholder_value(v))
				continue;
			ps_rule_emit(c, R_HARDCODED_SECRET, PS_SEV__MAX, &arg->value->ext, NULL,
			    "A secret is passed literally to -%s.", arg->name);
		}
	}
	/* @{ Password = 'x' }: each hashtable's entries once (a string's own entry found by
	 * searching its hashtable would be quadratic in the number of keys) */
	if ((ast->kinds & NODE_BIT(PS_NODE_HASHTABLE)) == 0)
		return;
	for (size_t i = 0; i < ast->preorder.n; i++) {
		const struct ps_node *h = ast->preorder.v[i];

		if (h->kind != PS_NODE_HASHTABLE)
			continue;
		for (size_t k = 0; k < h->u.hash.keys.n && k < h->u.hash.values.n; k++) {
			const struct ps_node *s = h->u.hash.values.v[k];
			const char *key, *v;

			while (s != NULL && s->kind == PS_NODE_PIPELINE && s->u.pipe.elems.n == 1)
				s = s->u.pipe.elems.v[0];
			if (s == NULL || s->kind != PS_NODE_STRING || s->parent != h)
				continue;
			key = ps_node_const_string(h->u.hash.keys.v[k]);
			v = ps_node_const_string(s);
			if (key != NULL && v != NULL && secret_name(key) && !placeholder_value(v))
				ps_rule_emit(c, R_HARDCODED_SECRET, PS_SEV__MAX, &s->ext, NULL,
				    "A secret is hard-coded for the key '%s'.", key);
		}
	}
}

static bool
value_is(struct ps_ctx *c, const struct ps_cmd_arg *a, const char *const *vals)
{
	bool folded;
	const char *v;

	if (a == NULL || a->value == NULL)
		return false;
	v = ps_ctx_fold(c, a->value, &folded);
	return v != NULL && ps_name_in(v, vals);
}

static bool
arg_true(const struct ps_cmd *pc, const struct ps_cmd_arg *a)
{
	const struct ps_param_info *pi;

	if (a == NULL)
		return false;
	if (a->value == NULL)
		return true;	/* a switch */
	pi = pc->ci != NULL && a->name != NULL ? ps_catalog_param(pc->ci, a->name,
	    strlen(a->name)) : NULL;
	if (a->maybe_switch && !a->colon && pi != NULL && (pi->flags & PS_PARAM_SWITCH))
		return true;	/* the value is a positional argument */
	return ps_node_is_true(a->value) || (ps_node_const_string(a->value) != NULL &&
	    ps_ci_eq(ps_node_const_string(a->value), "true"));
}

static const char *const admin_groups[] = {
	"Administrators", "Administratoren", "Administrateurs", "S-1-5-32-544", "Domain Admins",
	"Enterprise Admins", "Remote Desktop Users", NULL
};

static void
check_commands(struct ps_ctx *c)
{
	static const char *const bypass_vals[] = { "Bypass", "Unrestricted", NULL };
	static const char *const off_vals[] = { "False", "0", NULL };
	static const char *const weak_hash[] = { "MD5", "SHA1", "SHA-1", "MACTripleDES",
		"RIPEMD160", NULL };
	static const char *const disk_wipers[] = { "Format-Volume", "Clear-Disk",
		"Remove-Partition", NULL };

	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];
		struct ps_node *n = pc->node;
		const struct ps_cmd_arg *a;

		if (pc->name == NULL)
			continue;
		if (ps_cmd_is(pc, "Invoke-Expression"))
			ps_rule_emit(c, R_INVOKE_EXPRESSION, PS_SEV__MAX, &n->ext, NULL,
			    "Invoke-Expression runs a string as code; avoid it.");
		if (ps_cmd_is(pc, "ConvertTo-SecureString") && ps_ctx_has_arg(n, "AsPlainText")) {
			const struct ps_cmd_arg *s = ps_cmd_arg_find(n, "String");

			const struct ps_node *lit = NULL;

			if (s == NULL)
				s = ps_cmd_positional(n, 0);
			ps_rule_emit(c, R_CONVERTTO_SECURESTRING, PS_SEV__MAX, &n->ext, NULL,
			    "ConvertTo-SecureString is used with -AsPlainText.");
			if (s != NULL && s->value != NULL)
				lit = s->value;
			else if (s == NULL && n->parent != NULL && n->parent->kind == PS_NODE_PIPELINE &&
			    n->parent->u.pipe.elems.n >= 2 && n->parent->u.pipe.elems.v[1] == n)
				lit = n->parent->u.pipe.elems.v[0];	/* 'secret' | ConvertTo-... */
			if (lit != NULL && lit->kind == PS_NODE_STRING && ps_node_const_string(lit) != NULL)
				ps_rule_emit(c, R_HARDCODED_SECRET, PS_SEV__MAX, &lit->ext, NULL,
				    "A password is written in the script in clear text.");
		}
		if ((a = ps_cmd_arg_find(n, "ComputerName")) != NULL && a->name != NULL &&
		    strlen(a->name) >= 2 && a->value != NULL && a->value->kind == PS_NODE_STRING) {
			const char *v = ps_node_const_string(a->value);

			if (v != NULL && !is_local_host(v))
				ps_rule_emit(c, R_COMPUTERNAME_HARDCODED, PS_SEV__MAX, &a->value->ext, NULL,
				    "The computer name '%s' is hard-coded.", v);
		}
		if ((a = ps_cmd_arg_find(n, "Algorithm")) != NULL && value_is(c, a, weak_hash))
			ps_rule_emit(c, R_BROKEN_HASH, PS_SEV__MAX, &a->value->ext, NULL,
			    "The hash algorithm %s is broken; use SHA256 or stronger.",
			    ps_node_const_string(a->value) ? ps_node_const_string(a->value) : "");
		for (size_t k = 0; k < n->u.cmd.nargs; k++) {
			const char *an = n->u.cmd.args[k].name;

			if (an == NULL || n->u.cmd.args[k].param == NULL)
				continue;
			if (ps_ci_eq(an, "AllowUnencryptedAuthentication"))
				ps_rule_emit(c, R_ALLOW_UNENCRYPTED, PS_SEV__MAX,
				    &n->u.cmd.args[k].param->ext, NULL,
				    "-AllowUnencryptedAuthentication sends secrets in clear text.");
			if (ps_ci_eq(an, "SkipCertificateCheck"))
				ps_rule_emit(c, R_CERT_BYPASS, PS_SEV_WARNING,
				    &n->u.cmd.args[k].param->ext, NULL,
				    "-SkipCertificateCheck disables TLS certificate validation.");
		}
		if (ps_cmd_is(pc, "Set-MpPreference")) {
			for (size_t k = 0; k < n->u.cmd.nargs; k++) {
				const struct ps_cmd_arg *d = &n->u.cmd.args[k];

				if (d->name != NULL && ps_ci_prefix(d->name, "Disable") && arg_true(pc, d))
					ps_rule_emit(c, R_DEFENDER_TAMPERING, PS_SEV__MAX, &n->ext, NULL,
					    "Microsoft Defender protection is turned off (-%s).",
					    d->name);
				if (d->name != NULL && ps_ci_prefix(d->name, "Exclusion"))
					ps_rule_emit(c, R_DEFENDER_TAMPERING, PS_SEV_WARNING, &n->ext, NULL,
					    "A Microsoft Defender exclusion is set (-%s).", d->name);
			}
		}
		if (ps_cmd_is(pc, "Add-MpPreference")) {
			for (size_t k = 0; k < n->u.cmd.nargs; k++)
				if (n->u.cmd.args[k].name != NULL &&
				    ps_ci_prefix(n->u.cmd.args[k].name, "Exclusion"))
					ps_rule_emit(c, R_DEFENDER_TAMPERING, PS_SEV_WARNING, &n->ext, NULL,
					    "A Microsoft Defender exclusion is added (-%s).",
					    n->u.cmd.args[k].name);
		}
		if (ps_cmd_is(pc, "Set-NetFirewallProfile") &&
		    (a = ps_cmd_arg_find(n, "Enabled")) != NULL &&
		    (ps_node_is_false(a->value) || value_is(c, a, off_vals)))
			ps_rule_emit(c, R_FIREWALL_TAMPERING, PS_SEV__MAX, &n->ext, NULL,
			    "The Windows firewall is turned off.");
		if (ps_cmd_is(pc, "Set-ExecutionPolicy")) {
			a = ps_cmd_arg_find(n, "ExecutionPolicy");
			if (a == NULL)
				a = ps_cmd_positional(n, 0);
			if (value_is(c, a, bypass_vals))
				ps_rule_emit(c, R_EXECUTION_POLICY, PS_SEV__MAX, &n->ext, NULL,
				    "The execution policy is set to %s.",
				    ps_node_const_string(a->value) ? ps_node_const_string(a->value) : "");
		}
		if (ps_cmd_is(pc, "Start-Process") && (a = ps_cmd_arg_find(n, "WindowStyle")) != NULL &&
		    a->value != NULL && ps_ci_eq(ps_node_const_string(a->value), "Hidden"))
			ps_rule_emit(c, R_HIDDEN_WINDOW, PS_SEV__MAX, &n->ext, NULL,
			    "A process is started with a hidden window.");
		if (ps_cmd_is(pc, "Add-LocalGroupMember") || ps_cmd_is(pc, "Add-ADGroupMember")) {
			a = ps_cmd_arg_find(n, "Group");
			if (a == NULL)
				a = ps_cmd_arg_find(n, "Identity");
			if (a == NULL)
				a = ps_cmd_arg_find(n, "SID");
			if (a == NULL)
				a = ps_cmd_positional(n, 0);
			if (value_is(c, a, admin_groups))
				ps_rule_emit(c, R_LOCAL_ADMIN, PS_SEV__MAX, &n->ext, NULL,
				    "A member is added to the privileged group '%s'.",
				    ps_node_const_string(a->value) ? ps_node_const_string(a->value) : "");
		}
		if (ps_cmd_is(pc, "Clear-EventLog") ||
		    (ps_cmd_is(pc, "Remove-EventLog") && !ps_ctx_has_arg(n, "Source")))
			ps_rule_emit(c, R_LOG_CLEARING, PS_SEV__MAX, &n->ext, NULL,
			    "%s destroys event log records.", pc->canon);
		if (ps_cmd_is_any(pc, disk_wipers))
			ps_rule_emit(c, R_DESTRUCTIVE, PS_SEV__MAX, &n->ext, NULL,
			    "%s erases data on a disk or volume.", pc->canon);
		if (ps_cmd_is(pc, "Register-ScheduledTask") ||
		    ps_cmd_is(pc, "Register-ScheduledJob") || ps_cmd_is(pc, "New-ScheduledTask"))
			ps_rule_emit(c, R_SCHEDULED_TASK, PS_SEV__MAX, &n->ext, NULL,
			    "%s creates a scheduled task.", pc->canon);
		if (ps_cmd_is(pc, "New-Service"))
			ps_rule_emit(c, R_SERVICE_CREATION, PS_SEV__MAX, &n->ext, NULL,
			    "New-Service installs a service.");
		if ((ps_cmd_is(pc, "Register-WmiEvent") || ps_cmd_is(pc, "Register-CimIndicationEvent")) &&
		    ps_ctx_has_arg(n, "Action"))
			ps_rule_emit(c, R_WMI_SUBSCRIPTION, PS_SEV_WARNING, &n->ext, NULL,
			    "A WMI event runs a script block (%s -Action).", pc->canon);
	}
}

static void
check_members_types(struct ps_ctx *c)
{
	const struct ps_ast *ast = c->ast;

	for (size_t i = 0; i < ast->assignments.n; i++) {
		const struct ps_node *a = ast->assignments.v[i], *lhs = a->u.asg.lhs;

		if (lhs != NULL && lhs->kind == PS_NODE_MEMBER &&
		    (ps_ci_eq(lhs->u.mem.name, "ServerCertificateValidationCallback") ||
		    ps_ci_eq(lhs->u.mem.name, "CertificatePolicy") ||
		    ps_ci_eq(lhs->u.mem.name, "ServerCertificateCustomValidationCallback")))
			ps_rule_emit(c, R_CERT_BYPASS, PS_SEV__MAX, &a->ext, NULL,
			    "Certificate validation is replaced (%s).", lhs->u.mem.name);
	}
	for (size_t i = 0; i < ast->types.n; i++) {
		const struct ps_node *t = ast->types.v[i];
		const char *nm = t->u.type.name, *dot;

		if (nm == NULL)
			continue;
		dot = strrchr(nm, '.');
		dot = dot ? dot + 1 : nm;
		if (ps_ci_prefix(dot, "MD5") || ps_ci_prefix(dot, "SHA1") ||
		    ps_ci_eq(dot, "HMACMD5") || ps_ci_eq(dot, "HMACSHA1"))
			ps_rule_emit(c, R_BROKEN_HASH, PS_SEV__MAX, &t->ext, NULL,
			    "%s is a broken hash algorithm.", nm);
	}
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];
		const char *tn = ps_ctx_new_object_type(c, pc);

		if (tn == NULL)
			continue;
		if (ps_ci_suffix(tn, "MD5CryptoServiceProvider") ||
		    ps_ci_suffix(tn, "SHA1Managed") ||
		    ps_ci_suffix(tn, "SHA1CryptoServiceProvider") || ps_ci_suffix(tn, ".MD5") ||
		    ps_ci_suffix(tn, "HMACMD5") || ps_ci_suffix(tn, "HMACSHA1"))
			ps_rule_emit(c, R_BROKEN_HASH, PS_SEV__MAX, &pc->node->ext, NULL,
			    "%s is a broken hash algorithm.", tn);
	}
}

/* The bidirectional controls of Unicode (UAX #9) and what each is. The embeddings, overrides
 * and isolates reorder whatever follows them up to the end of the paragraph; the marks only
 * the neutral characters next to them, and right-to-left text uses them legitimately. */
static const struct bidi_control {
	uint32_t	 cp;
	const char	*name;
	bool		 mark;
} bidi_controls[] = {
	{ 0x061C, "ARABIC LETTER MARK", true },
	{ 0x200E, "LEFT-TO-RIGHT MARK", true },
	{ 0x200F, "RIGHT-TO-LEFT MARK", true },
	{ 0x202A, "LEFT-TO-RIGHT EMBEDDING", false },
	{ 0x202B, "RIGHT-TO-LEFT EMBEDDING", false },
	{ 0x202C, "POP DIRECTIONAL FORMATTING", false },
	{ 0x202D, "LEFT-TO-RIGHT OVERRIDE", false },
	{ 0x202E, "RIGHT-TO-LEFT OVERRIDE", false },
	{ 0x2066, "LEFT-TO-RIGHT ISOLATE", false },
	{ 0x2067, "RIGHT-TO-LEFT ISOLATE", false },
	{ 0x2068, "FIRST STRONG ISOLATE", false },
	{ 0x2069, "POP DIRECTIONAL ISOLATE", false },
};

/* bidi_at: the control encoded (UTF-8) at s[0..n) (core's text_bidi_at finds it), or NULL. */
static const struct bidi_control *
bidi_at(const unsigned char *s, size_t n)
{
	uint32_t cp;

	if (text_bidi_at((const char *)s, n, &cp) == 0)
		return NULL;
	for (size_t i = 0; i < PSS_ARRAY_LEN(bidi_controls); i++)
		if (bidi_controls[i].cp == cp)
			return &bidi_controls[i];
	return NULL;
}

/* bidi_where: what holds offset off: "a comment", "a string" or "the code" (the outermost
 * token containing it; tokens are in source order with the nested ones after theirs). */
static const char *
bidi_where(const struct ps_ctx *c, size_t off)
{
	const struct ps_tokens *t = &c->ast->toks;

	for (size_t i = 0; i < t->n; i++) {
		const struct ps_token *k = &t->v[i];

		if (k->start > off)
			break;
		if (off >= k->end)
			continue;
		switch (k->kind) {
		case PS_TOK_COMMENT: case PS_TOK_BLOCK_COMMENT: case PS_TOK_REQUIRES:
			return "a comment";
		case PS_TOK_STRING_SQ: case PS_TOK_STRING_DQ: case PS_TOK_HERESTRING_SQ:
		case PS_TOK_HERESTRING_DQ:
			return "a string";
		default:
			return "the code";
		}
	}
	return "the code";
}

/*
 * check_bidi: every Unicode bidirectional control in the source ("Trojan Source",
 * CVE-2021-42574): a right-to-left override in a comment or string makes an editor or a
 * review show the code after it in another order than PowerShell reads it. An embedding,
 * override or isolate is an error anywhere; a mark (LRM, RLM, ALM) is a warning inside a
 * comment or string, where right-to-left text needs it, and an error in the code.
 */
static void
check_bidi(struct ps_ctx *c)
{
	const unsigned char *s = (const unsigned char *)c->src;

	if (!ps_rule_on(c, R_BIDI_CONTROL) || (c->ast->toks.ascii && c->ast->toks.len == c->len))
		return;
	for (size_t i = 0; i < c->len; i++) {
		const struct bidi_control *b;
		const char *where;
		size_t n;

		if ((s[i] != 0xE2 && s[i] != 0xD8) || (b = bidi_at(s + i, c->len - i)) == NULL)
			continue;
		n = b->cp == 0x061C ? 2 : 3;
		where = bidi_where(c, i);
		ps_rule_emit_range(c, R_BIDI_CONTROL, b->mark && where[0] == 'a' ? PS_SEV_WARNING :
		    PS_SEV_ERROR, i, i + n, NULL, "U+%04X %s in %s: the text after it can display "
		    "in another order than PowerShell reads it.", (unsigned)b->cp, b->name, where);
		i += n - 1;
	}
}

void
ps_rules_security_run(struct ps_ctx *c)
{
	struct tainted t = { NULL, NULL, 0, 0 };

	taint_build(c, &t);
	if (ps_rule_on(c, R_DOWNLOAD_CRADLE) || ps_rule_on(c, R_BASE64_EXEC) ||
	    ps_rule_on(c, R_REFLECTION_LOAD) || ps_rule_on(c, R_INVOKE_EXPRESSION))
		check_sinks(c, &t);
	check_download_to_file(c);
	check_secrets(c);
	check_commands(c);
	check_members_types(c);
	check_bidi(c);
}
