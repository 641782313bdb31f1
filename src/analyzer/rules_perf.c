#include "config.h"
/* rules_perf.c: performance rules, potential-risk rules and what the script touches */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

/* Capabilities by command: one table row per command (or Verb-* / *-Noun pattern). */
struct capmap {
	const char	*pattern;	/* exact name, "Verb-*" or "*-Noun*" */
	enum ps_capability cap;
	bool		 elevated;	/* normally needs an elevated session */
};

static const struct capmap capmap[] = {
	{ "Get-Content", PS_CAP_FILES_READ, false }, { "Import-Csv", PS_CAP_FILES_READ, false },
	{ "Import-Clixml", PS_CAP_FILES_READ, false }, { "Select-String", PS_CAP_FILES_READ, false },
	{ "Get-FileHash", PS_CAP_FILES_READ, false }, { "Get-Acl", PS_CAP_FILES_READ, false },
	{ "Import-PowerShellDataFile", PS_CAP_FILES_READ, false },
	{ "Set-Content", PS_CAP_FILES_WRITE, false }, { "Add-Content", PS_CAP_FILES_WRITE, false },
	{ "Out-File", PS_CAP_FILES_WRITE, false }, { "Export-Csv", PS_CAP_FILES_WRITE, false },
	{ "Export-Clixml", PS_CAP_FILES_WRITE, false }, { "Copy-Item", PS_CAP_FILES_WRITE, false },
	{ "Move-Item", PS_CAP_FILES_WRITE, false }, { "Rename-Item", PS_CAP_FILES_WRITE, false },
	{ "Compress-Archive", PS_CAP_FILES_WRITE, false },
	{ "Expand-Archive", PS_CAP_FILES_WRITE, false }, { "Set-Acl", PS_CAP_FILES_WRITE, false },
	{ "Start-Transcript", PS_CAP_FILES_WRITE, false }, { "Tee-Object", PS_CAP_FILES_WRITE, false },
	{ "Clear-Content", PS_CAP_FILES_DELETE, false },
	{ "Invoke-WebRequest", PS_CAP_NETWORK, false }, { "Invoke-RestMethod", PS_CAP_NETWORK, false },
	{ "Start-BitsTransfer", PS_CAP_NETWORK, false }, { "Send-MailMessage", PS_CAP_NETWORK, false },
	{ "Test-Connection", PS_CAP_NETWORK, false }, { "Test-NetConnection", PS_CAP_NETWORK, false },
	{ "Resolve-DnsName", PS_CAP_NETWORK, false }, { "Install-Module", PS_CAP_NETWORK, false },
	{ "Find-Module", PS_CAP_NETWORK, false }, { "Save-Module", PS_CAP_NETWORK, false },
	{ "Connect-*", PS_CAP_NETWORK, false },
	{ "Start-Process", PS_CAP_PROCESSES, false }, { "Stop-Process", PS_CAP_PROCESSES, false },
	{ "Get-Process", PS_CAP_PROCESSES, false }, { "Wait-Process", PS_CAP_PROCESSES, false },
	{ "Debug-Process", PS_CAP_PROCESSES, false }, { "Invoke-Item", PS_CAP_PROCESSES, false },
	{ "Start-Job", PS_CAP_PROCESSES, false }, { "taskkill", PS_CAP_PROCESSES, false },
	{ "Get-Service", PS_CAP_SERVICES, false }, { "Start-Service", PS_CAP_SERVICES, true },
	{ "Stop-Service", PS_CAP_SERVICES, true }, { "Restart-Service", PS_CAP_SERVICES, true },
	{ "Set-Service", PS_CAP_SERVICES, true }, { "New-Service", PS_CAP_SERVICES, true },
	{ "Remove-Service", PS_CAP_SERVICES, true }, { "Suspend-Service", PS_CAP_SERVICES, true },
	{ "Resume-Service", PS_CAP_SERVICES, true }, { "sc", PS_CAP_SERVICES, true },
	{ "*-LocalUser", PS_CAP_USERS, false }, { "*-LocalGroup", PS_CAP_USERS, false },
	{ "*-LocalGroupMember", PS_CAP_USERS, false }, { "*-ADUser", PS_CAP_USERS, false },
	{ "*-ADGroup", PS_CAP_USERS, false }, { "*-ADGroupMember", PS_CAP_USERS, false },
	{ "*-ADAccountPassword", PS_CAP_USERS, false }, { "net", PS_CAP_USERS, false },
	{ "Invoke-Command", PS_CAP_REMOTE, false }, { "Enter-PSSession", PS_CAP_REMOTE, false },
	{ "New-PSSession", PS_CAP_REMOTE, false }, { "New-CimSession", PS_CAP_REMOTE, false },
	{ "Enable-PSRemoting", PS_CAP_REMOTE, true }, { "psexec", PS_CAP_REMOTE, false },
	{ "*-ScheduledTask", PS_CAP_SCHEDULED_TASKS, false },
	{ "*-ScheduledJob", PS_CAP_SCHEDULED_TASKS, false },
	{ "schtasks", PS_CAP_SCHEDULED_TASKS, false },
	{ "Get-EventLog", PS_CAP_EVENT_LOGS, false }, { "Get-WinEvent", PS_CAP_EVENT_LOGS, false },
	{ "Write-EventLog", PS_CAP_EVENT_LOGS, false }, { "New-EventLog", PS_CAP_EVENT_LOGS, true },
	{ "Clear-EventLog", PS_CAP_EVENT_LOGS, true }, { "Remove-EventLog", PS_CAP_EVENT_LOGS, true },
	{ "wevtutil", PS_CAP_EVENT_LOGS, true },
	{ "Set-MpPreference", PS_CAP_SYSTEM_CONFIG, true },
	{ "Add-MpPreference", PS_CAP_SYSTEM_CONFIG, true },
	{ "*-NetFirewallRule", PS_CAP_SYSTEM_CONFIG, true },
	{ "Set-NetFirewallProfile", PS_CAP_SYSTEM_CONFIG, true },
	{ "Set-ExecutionPolicy", PS_CAP_SYSTEM_CONFIG, true },
	{ "Restart-Computer", PS_CAP_SYSTEM_CONFIG, false },
	{ "Stop-Computer", PS_CAP_SYSTEM_CONFIG, false },
	{ "Rename-Computer", PS_CAP_SYSTEM_CONFIG, true }, { "Add-Computer", PS_CAP_SYSTEM_CONFIG, true },
	{ "Set-Date", PS_CAP_SYSTEM_CONFIG, true }, { "Set-TimeZone", PS_CAP_SYSTEM_CONFIG, true },
	{ "Enable-WindowsOptionalFeature", PS_CAP_SYSTEM_CONFIG, true },
	{ "Disable-WindowsOptionalFeature", PS_CAP_SYSTEM_CONFIG, true },
	{ "Install-WindowsFeature", PS_CAP_SYSTEM_CONFIG, true },
	{ "Set-NetIPAddress", PS_CAP_SYSTEM_CONFIG, true }, { "New-NetIPAddress", PS_CAP_SYSTEM_CONFIG, true },
	{ "Set-DnsClientServerAddress", PS_CAP_SYSTEM_CONFIG, true },
	{ "Format-Volume", PS_CAP_SYSTEM_CONFIG, true }, { "Clear-Disk", PS_CAP_SYSTEM_CONFIG, true },
	{ "Initialize-Disk", PS_CAP_SYSTEM_CONFIG, true }, { "bcdedit", PS_CAP_SYSTEM_CONFIG, true },
	{ "netsh", PS_CAP_SYSTEM_CONFIG, true }, { "vssadmin", PS_CAP_SYSTEM_CONFIG, true },
	{ "shutdown", PS_CAP_SYSTEM_CONFIG, false },
	{ "Invoke-Expression", PS_CAP_DYNAMIC_CODE, false }, { "Add-Type", PS_CAP_DYNAMIC_CODE, false },
};

/* dash: the first '-' of pc->canon, or NULL */
static bool
cap_match(const char *pattern, const struct ps_cmd *pc, const char *dash)
{
	size_t pl;
	const char *nm = pc->canon;

	if (pattern[0] == '*')	/* "*-Noun": any verb */
		return dash != NULL && strcasecmp(dash, pattern + 1) == 0;
	pl = strlen(pattern);
	if (pattern[pl - 1] == '*')
		return strncasecmp(nm, pattern, pl - 1) == 0;
	return ps_cmd_is(pc, pattern);
}

static void
add_cap(struct ps_ctx *c, enum ps_capability cap, const char *evidence, unsigned line)
{
	if (!(c->a->capabilities & (1u << cap))) {
		c->a->capabilities |= 1u << cap;
		c->p->cap_evidence[cap] = evidence;
		c->p->cap_line[cap] = line;
	}
}

static void
need_elevation(struct ps_ctx *c, const char *why)
{
	if (c->p->elevation_reason == NULL)
		c->p->elevation_reason = why;
	c->a->needs_elevation = 1;
}

static bool
registry_path(const char *s)
{
	return s != NULL && (ps_ci_prefix(s, "HKLM:") || ps_ci_prefix(s, "HKCU:") ||
	    ps_ci_prefix(s, "HKCR:") || ps_ci_prefix(s, "HKU:") || ps_ci_prefix(s, "Registry::") ||
	    ps_ci_prefix(s, "HKEY_") || ps_ci_prefix(s, "Microsoft.PowerShell.Core\\Registry::"));
}

/* Paths whose recursive deletion destroys the system or a whole drive. */
static bool
system_path(const char *p)
{
	static const char *const roots[] = {
		"C:\\", "C:/", "C:\\*", "C:", "\\", "/", "/*", "C:\\Windows", "C:\\Windows\\System32",
		"C:\\Users", "C:\\Program Files", "$env:SystemRoot", "$env:windir",
		"$env:SystemDrive", "$env:SystemDrive\\", "$env:SystemDrive\\*", "$env:USERPROFILE",
		"$HOME", "~", "$env:ProgramFiles", "C:\\Windows\\*", NULL
	};

	return ps_name_in(p, roots);
}

/* The path a provider cmdlet works on: -Path, -LiteralPath or the first positional (also
 * one the binder gave to a switch, as in rm -r -fo C:\), folded; a variable path
 * ($env:SystemRoot) as written. */
static const char *
path_arg(struct ps_ctx *c, const struct ps_cmd *pc)
{
	const struct ps_node *n = pc->node;
	const char *p = ps_ctx_arg_string(c, n, "Path");
	const struct ps_cmd_arg *a;
	bool folded;
	size_t len;

	if (p == NULL)
		p = ps_ctx_arg_string(c, n, "LiteralPath");
	if (p == NULL && (a = ps_cmd_positional(n, 0)) != NULL && a->value != NULL) {
		p = ps_ctx_fold(c, a->value, &folded);
		if (p == NULL && a->value->kind == PS_NODE_STRING && a->value->u.str.value != NULL)
			p = a->value->u.str.value;	/* "$env:x\..." : keep the text */
	}
	if (p == NULL && (a = ps_cmd_arg_find(n, "Path")) != NULL && a->value != NULL &&
	    a->value->kind == PS_NODE_STRING)
		p = a->value->u.str.value;
	for (size_t k = 0; p == NULL && pc->ci != NULL && k < n->u.cmd.nargs; k++) {
		const struct ps_param_info *pi;

		a = &n->u.cmd.args[k];
		if (a->name == NULL || !a->maybe_switch || a->colon || a->value == NULL ||
		    a->value->kind != PS_NODE_STRING || (pi = ps_catalog_param(pc->ci, a->name, strlen(a->name))) == NULL ||
		    !(pi->flags & PS_PARAM_SWITCH))
			continue;
		p = ps_ctx_fold(c, a->value, &folded);	/* a switch followed by the path */
	}
	if (p == NULL && ((a = ps_cmd_arg_find(n, "Path")) != NULL ||
	    (a = ps_cmd_positional(n, 0)) != NULL) && a->value != NULL &&
	    a->value->kind == PS_NODE_VARIABLE && (p = ps_ctx_text(c, a->value, &len)) != NULL) {
		p = ps_ast_strndup(c->ast, p, len);
		if (!system_path(p))
			p = NULL;	/* only the system locations ($env:SystemRoot, $HOME) */
	}
	return p;
}

/* The command lists of the potential-risk rules (check_risks), one bit each in roles.risks. */
enum { RISK_SVC = 1, RISK_KILL = 2, RISK_RESTART = 4, RISK_ACCOUNTS = 8, RISK_NET = 16,
	RISK_REMOTE = 32 };
static const char *const risk_svc[] = { "Stop-Service", "Set-Service", "Restart-Service",
	"Remove-Service", "Suspend-Service", NULL };
static const char *const risk_kill[] = { "Stop-Process", "taskkill", NULL };
static const char *const risk_restart[] = { "Restart-Computer", "Stop-Computer", "shutdown",
	NULL };
static const char *const risk_accounts[] = { "New-LocalUser", "Set-LocalUser", "Remove-LocalUser",
	"New-ADUser", "Set-ADUser", "Remove-ADUser", "Set-ADAccountPassword",
	"Add-LocalGroupMember", "Add-ADGroupMember", "Enable-LocalUser", NULL };
static const char *const risk_net[] = { "Invoke-WebRequest", "Invoke-RestMethod",
	"Start-BitsTransfer", "Send-MailMessage", NULL };
static const char *const risk_remote[] = { "Enter-PSSession", "New-PSSession", "psexec",
	"Enable-PSRemoting", NULL };
static const char *const *const risk_lists[] = { risk_svc, risk_kill, risk_restart,
	risk_accounts, risk_net, risk_remote };

/* What depends only on a command's canonical name: its capmap row (-1 when none) and the
 * risk lists it is on, and whether it is a provider cmdlet. Computed once per catalog cmdlet for the whole process (a catalog
 * cmdlet's canon is its catalog name and it has no path or base name), and once per
 * distinct command of the script (ps_cmd_groups) for the other commands. */
struct cmd_role {
	short		 row;
	unsigned char	 risks;
	bool		 provider;	/* *-Item, *-ItemProperty, *-ChildItem */
	bool		 known;
};

struct roles {
	const struct ps_cmd *cmds0;	/* c->p->cmds */
	const size_t	*group_of;	/* ps_cmd_groups */
	struct cmd_role	*group;		/* per group */
};

/* The capmap rows a name starting with a letter can match, per letter, in table order: the
 * rows whose pattern starts with that letter (either case) and the "*-Noun" rows. */
static struct {
	unsigned char	 n;
	unsigned char	 row[PSS_ARRAY_LEN(capmap)];
} cap_by_letter[26];
static pthread_once_t cap_by_letter_once = PTHREAD_ONCE_INIT;
_Static_assert(PSS_ARRAY_LEN(capmap) < 256, "capmap rows are kept in bytes");

static void
cap_by_letter_build(void)
{
	for (size_t k = 0; k < PSS_ARRAY_LEN(capmap); k++) {
		unsigned char p0 = (unsigned char)capmap[k].pattern[0];

		for (int l = 0; l < 26; l++)
			if (p0 == '*' || (p0 | 0x20) == 'a' + l)
				cap_by_letter[l].row[cap_by_letter[l].n++] = (unsigned char)k;
	}
}

static struct cmd_role
role_compute(const struct ps_cmd *pc)
{
	struct cmd_role r = { -1, 0, ps_ci_suffix(pc->canon, "-Item") ||
	    ps_ci_suffix(pc->canon, "-ItemProperty") || ps_ci_suffix(pc->canon, "-ChildItem"),
	    true };
	const char *dash = strchr(pc->canon, '-');
	unsigned char c0 = (unsigned char)pc->canon[0] | 0x20;

	if (!pc->path && c0 >= 'a' && c0 <= 'z') {
		/* a name or "Verb-*" pattern matches only names with its first letter */
		pthread_once(&cap_by_letter_once, cap_by_letter_build);
		for (size_t j = 0; j < cap_by_letter[c0 - 'a'].n; j++) {
			size_t k = cap_by_letter[c0 - 'a'].row[j];

			if (cap_match(capmap[k].pattern, pc, dash)) {
				r.row = (short)k;
				break;
			}
		}
	} else {
		for (size_t k = 0; k < PSS_ARRAY_LEN(capmap); k++) {
			const char *pat = capmap[k].pattern;

			/* (a path to a native program is matched by its base name) */
			if (pat[0] != '*' && !pc->path &&
			    ((unsigned char)pat[0] | 0x20) != c0)
				continue;
			if (cap_match(pat, pc, dash)) {
				r.row = (short)k;
				break;
			}
		}
	}
	for (size_t i = 0; i < PSS_ARRAY_LEN(risk_lists); i++)
		if (ps_cmd_is_any(pc, risk_lists[i]))
			r.risks |= (unsigned char)(1u << i);
	return r;
}

#define CATALOG_ROLES_MAX 2048
static struct cmd_role catalog_roles[CATALOG_ROLES_MAX];
static pthread_once_t catalog_roles_once = PTHREAD_ONCE_INIT;

static void
catalog_roles_build(void)
{
	for (size_t i = 0; i < ps_catalog_ncmdlets && i < CATALOG_ROLES_MAX; i++) {
		struct ps_cmd pc = { .name = ps_catalog_cmdlets[i].name,
			.ci = &ps_catalog_cmdlets[i], .canon = ps_catalog_cmdlets[i].name,
			.canon_len = strlen(ps_catalog_cmdlets[i].name) };

		catalog_roles[i] = role_compute(&pc);
	}
}

static struct cmd_role
command_roles(struct roles *roles, const struct ps_cmd *pc)
{
	size_t g;

	if (pc->ci != NULL && ps_catalog_index(pc->ci) < CATALOG_ROLES_MAX) {
		pthread_once(&catalog_roles_once, catalog_roles_build);
		return catalog_roles[ps_catalog_index(pc->ci)];
	}
	g = roles->group_of[pc - roles->cmds0];
	if (!roles->group[g].known)
		roles->group[g] = role_compute(pc);
	return roles->group[g];
}

static void
check_command_caps(struct ps_ctx *c, const struct ps_cmd *pc, struct roles *roles)
{
	const struct ps_node *n = pc->node;
	const char *path;
	unsigned line = n->ext.line;
	bool reg;
	struct cmd_role role = command_roles(roles, pc);
	int k = role.row;

	if (k >= 0) {
		add_cap(c, capmap[k].cap, pc->canon, line);
		if (capmap[k].elevated)
			need_elevation(c, pc->canon);
	}
	if (ps_ctx_has_arg(n, "ComputerName") || ps_ctx_has_arg(n, "CimSession") ||
	    (ps_ctx_has_arg(n, "Session") && ps_cmd_is(pc, "Invoke-Command")))
		add_cap(c, PS_CAP_REMOTE, pc->canon, line);
	/* Provider cmdlets: files or registry by path. */
	if (role.provider) {
		path = path_arg(c, pc);
		reg = registry_path(path);
		/* item properties of an unknown path: almost always the registry */
		if (path == NULL && ps_ci_suffix(pc->canon, "-ItemProperty"))
			reg = true;
		if (ps_ci_prefix(pc->canon, "Get-") || ps_ci_prefix(pc->canon, "Test-")) {
			add_cap(c, reg ? PS_CAP_REGISTRY_READ : PS_CAP_FILES_READ, pc->canon, line);
		} else if (ps_ci_prefix(pc->canon, "Remove-")) {
			add_cap(c, reg ? PS_CAP_REGISTRY_WRITE : PS_CAP_FILES_DELETE, pc->canon, line);
		} else {
			add_cap(c, reg ? PS_CAP_REGISTRY_WRITE : PS_CAP_FILES_WRITE, pc->canon, line);
		}
		if (reg && !ps_ci_prefix(pc->canon, "Get-") && !ps_ci_prefix(pc->canon, "Test-")) {
			ps_rule_emit(c, R_RISK_REGISTRY_WRITE, PS_SEV__MAX, &n->ext, NULL,
			    "%s changes the registry (%s).", pc->canon, path ? path : "a computed path");
			if (path != NULL && (ps_ci_prefix(path, "HKLM:") ||
			    ps_ci_contains(path, strlen(path), "HKEY_LOCAL_MACHINE")))
				need_elevation(c, "writes to HKEY_LOCAL_MACHINE");
		}
		if (ps_cmd_is(pc, "Remove-Item") && ps_ctx_has_arg(n, "Recurse") && ps_ctx_has_arg(n, "Force")) {
			if (path != NULL && system_path(path))
				ps_rule_emit(c, R_DESTRUCTIVE, PS_SEV__MAX, &n->ext, NULL,
				    "Remove-Item -Recurse -Force deletes a system location (%s).", path);
			else
				ps_rule_emit(c, R_RISK_RECURSIVE_DELETE, PS_SEV__MAX, &n->ext, NULL,
				    "Files are deleted recursively with -Force%s%s%s.",
				    path ? " (" : "", path ? path : "", path ? ")" : "");
		}
	}
	if (ps_cmd_is(pc, "reg")) {
		const struct ps_cmd_arg *a = ps_cmd_positional(n, 0);
		const char *verb = a && a->value ? ps_node_const_string(a->value) : NULL;

		if (verb != NULL && (ps_ci_eq(verb, "add") || ps_ci_eq(verb, "delete") ||
		    ps_ci_eq(verb, "import") || ps_ci_eq(verb, "restore") ||
		    ps_ci_eq(verb, "load"))) {
			add_cap(c, PS_CAP_REGISTRY_WRITE, "reg", line);
			ps_rule_emit(c, R_RISK_REGISTRY_WRITE, PS_SEV__MAX, &n->ext, NULL,
			    "reg %s changes the registry.", verb);
		} else {
			add_cap(c, PS_CAP_REGISTRY_READ, "reg", line);
		}
	}
}

static void
check_risks(struct ps_ctx *c, const struct ps_cmd *pc, struct roles *roles)
{
	const struct ps_node *n = pc->node;
	unsigned risks = command_roles(roles, pc).risks;

	if (risks & RISK_SVC)
		ps_rule_emit(c, R_RISK_SERVICE_CHANGE, PS_SEV__MAX, &n->ext, NULL,
		    "%s changes a service.", pc->canon);
	if (risks & RISK_KILL)
		ps_rule_emit(c, R_RISK_PROCESS_KILL, PS_SEV__MAX, &n->ext, NULL,
		    "%s terminates processes%s.", pc->canon,
		    ps_ctx_has_arg(n, "Force") ? " with -Force" : "");
	if (risks & RISK_RESTART)
		ps_rule_emit(c, R_RISK_RESTART, PS_SEV__MAX, &n->ext, NULL,
		    "%s restarts or shuts down the computer.", pc->canon);
	if (risks & RISK_ACCOUNTS) {
		ps_rule_emit(c, R_RISK_ACCOUNT_CHANGE, PS_SEV__MAX, &n->ext, NULL,
		    "%s changes user accounts or group membership.", pc->canon);
		need_elevation(c, pc->canon);
	}
	if (risks & RISK_NET)
		ps_rule_emit(c, R_RISK_NETWORK, PS_SEV__MAX, &n->ext, NULL,
		    "%s sends or receives data over the network.", pc->canon);
	if ((risks & RISK_REMOTE) ||
	    (ps_cmd_is(pc, "Invoke-Command") && (ps_ctx_has_arg(n, "ComputerName") ||
	    ps_ctx_has_arg(n, "Session") || ps_ctx_has_arg(n, "VMName"))) ||
	    ((ps_cmd_is(pc, "Invoke-WmiMethod") || ps_cmd_is(pc, "Invoke-CimMethod")) &&
	    ps_ctx_has_arg(n, "ComputerName")))
		ps_rule_emit(c, R_RISK_REMOTE, PS_SEV__MAX, &n->ext, NULL,
		    "%s runs commands on other computers.", pc->canon);
	if (ps_cmd_is(pc, "wmic")) {
		size_t tl;
		const char *t = ps_ctx_text(c, n, &tl);

		if (ps_ci_contains(t, tl, "/node:"))
			ps_rule_emit(c, R_RISK_REMOTE, PS_SEV__MAX, &n->ext, NULL,
			    "wmic /node runs commands on other computers.");
	}
}

static bool
is_numeric_node(const struct ps_node *n)
{
	while (n != NULL && n->kind == PS_NODE_PIPELINE && n->u.pipe.elems.n == 1)
		n = n->u.pipe.elems.v[0];
	return n != NULL && n->kind == PS_NODE_NUMBER;
}

static const struct ps_node *
strip_pipe(const struct ps_node *n)
{
	while (n != NULL && n->kind == PS_NODE_PIPELINE && n->u.pipe.elems.n == 1)
		n = n->u.pipe.elems.v[0];
	return n;
}

/* 'a' array, 's' string, 0 unknown: how was the variable first initialised? */
static int
init_kind(const struct ps_ctx *c, size_t upto, const struct ps_node *v)
{
	const struct ps_nodes *as = &c->ast->assignments;
	size_t lo = upto > 2000 ? upto - 2000 : 0;

	for (size_t i = upto; i > lo; i--) {
		const struct ps_node *a = as->v[i - 1], *lhs = a->u.asg.lhs, *rhs;

		if (a->u.asg.op != PS_OP_ASSIGN)
			continue;
		while (lhs != NULL && lhs->kind == PS_NODE_CONVERT) {
			const struct ps_node *t = lhs->u.conv.type;

			if (lhs->u.conv.expr != NULL && lhs->u.conv.expr->kind == PS_NODE_VARIABLE &&
			    t != NULL && t->kind == PS_NODE_TYPE && ps_ci_eq(t->u.type.name, "string") &&
			    ps_ci_eq(lhs->u.conv.expr->u.var.bare, v->u.var.bare))
				return 's';
			lhs = lhs->u.conv.expr;
		}
		if (lhs == NULL || lhs->kind != PS_NODE_VARIABLE || lhs->func != v->func ||
		    !ps_ci_eq(lhs->u.var.bare, v->u.var.bare))
			continue;
		rhs = strip_pipe(a->u.asg.rhs);
		if (rhs == NULL)
			return 0;
		if (rhs->kind == PS_NODE_ARRAY_EXPR || rhs->kind == PS_NODE_ARRAY_LITERAL)
			return 'a';
		if (rhs->kind == PS_NODE_STRING)
			return 's';
		return 0;
	}
	return 0;
}

static void
check_perf(struct ps_ctx *c)
{
	const struct ps_ast *ast = c->ast;

	for (size_t i = 0; i < ast->assignments.n; i++) {
		const struct ps_node *a = ast->assignments.v[i], *lhs = a->u.asg.lhs, *rhs;
		int k;

		if (a->u.asg.op != PS_OP_PLUS_ASSIGN || lhs == NULL || lhs->kind != PS_NODE_VARIABLE ||
		    !ps_node_in_loop(a))
			continue;
		rhs = strip_pipe(a->u.asg.rhs);
		if (is_numeric_node(rhs))
			continue;
		k = init_kind(c, i, lhs);
		if (k == 0 && rhs != NULL && rhs->kind == PS_NODE_STRING)
			k = 's';
		if (k == 'a')
			ps_rule_emit(c, R_PERF_ARRAY_ADD, PS_SEV__MAX, &a->ext, NULL,
			    "'$%s +=' inside a loop copies the array on every iteration.",
			    lhs->u.var.bare);
		else if (k == 's')
			ps_rule_emit(c, R_PERF_STRING_CONCAT, PS_SEV__MAX, &a->ext, NULL,
			    "'$%s +=' builds a string inside a loop.", lhs->u.var.bare);
	}
	for (size_t i = 0; i < ast->pipelines.n; i++) {
		const struct ps_node *p = ast->pipelines.v[i];
		const struct ps_nodes *el = &p->u.pipe.elems;
		static const char *const filterable[] = { "Get-ChildItem", "Get-CimInstance",
			"Get-WmiObject", "Get-ADUser", "Get-ADComputer", "Get-ADGroup", "Get-WinEvent",
			"Get-ADObject", NULL };

		for (size_t k = 0; k + 1 < el->n; k++) {
			const struct ps_cmd *a = ps_ctx_cmd(c, el->v[k]), *b = ps_ctx_cmd(c, el->v[k + 1]);

			if (a != NULL && b != NULL && ps_cmd_is_any(a, filterable) &&
			    ps_cmd_is(b, "Where-Object") && !ps_ctx_has_arg(a->node, "Filter") &&
			    !ps_ctx_has_arg(a->node, "FilterHashtable"))
				ps_rule_emit(c, R_PERF_FILTER_LEFT, PS_SEV__MAX, &b->node->ext,
				    NULL,
				    "%s output is filtered by Where-Object; filter at the source.",
				    a->canon);
		}
		if (el->n >= 2) {
			const struct ps_cmd *last = ps_ctx_cmd(c, el->v[el->n - 1]);

			if (last != NULL && ps_cmd_is(last, "Out-Null"))
				ps_rule_emit(c, R_PERF_OUT_NULL, PS_SEV__MAX, &last->node->ext,
				    NULL,
				    "'| Out-Null' is slow; assign to $null instead.");
		}
	}
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];
		const char *t = ps_ctx_new_object_type(c, pc);

		if (t != NULL && ps_ctx_has_arg(pc->node, "Property") && (ps_ci_eq(t, "PSObject") || ps_ci_eq(t, "PSCustomObject") ||
		    ps_ci_eq(t, "System.Management.Automation.PSObject")))
			ps_rule_emit(c, R_PERF_NEW_PSOBJECT, PS_SEV__MAX, &pc->node->ext, NULL,
			    "Use [pscustomobject]@{...} instead of New-Object %s -Property.", t);
	}
}

/* Members and types that show capabilities (WebClient, File IO, Add-Type, ...). */
static void
check_member_caps(struct ps_ctx *c)
{
	const struct ps_ast *ast = c->ast;

	for (size_t i = 0; i < ast->types.n; i++) {
		const char *t = ast->types.v[i]->u.type.name;
		unsigned line = ast->types.v[i]->ext.line;

		if (t == NULL)
			continue;
		if (ps_ci_contains(t, strlen(t), "Net.WebClient") || ps_ci_contains(t, strlen(t), "HttpClient") ||
		    ps_ci_contains(t, strlen(t), "Net.Sockets") || ps_ci_contains(t, strlen(t), "WebRequest"))
			add_cap(c, PS_CAP_NETWORK, t, line);
		if (ps_ci_suffix(t, "IO.File") || ps_ci_suffix(t, "IO.Directory"))
			add_cap(c, PS_CAP_FILES_READ, t, line);
		if (ps_ci_suffix(t, "Security.Principal.WindowsPrincipal") || ps_ci_eq(t, "WindowsPrincipal"))
			need_elevation(c, "checks for the Administrator role");
	}
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];
		const char *t = ps_ctx_new_object_type(c, pc);

		if (t != NULL && (ps_ci_contains(t, strlen(t), "WebClient") ||
		    ps_ci_contains(t, strlen(t), "Sockets") || ps_ci_contains(t, strlen(t), "HttpClient")))
			add_cap(c, PS_CAP_NETWORK, "New-Object WebClient", pc->node->ext.line);
		if (t != NULL && ps_ci_contains(t, strlen(t), "ComObject"))
			add_cap(c, PS_CAP_PROCESSES, "COM object", pc->node->ext.line);
	}
	for (size_t i = 0; i < ast->members.n; i++) {
		const struct ps_node *m = ast->members.v[i];
		const char *nm = m->u.mem.name;

		if (nm == NULL || m->kind != PS_NODE_INVOKE_MEMBER)
			continue;
		if (ps_ci_eq(nm, "SetValue") || ps_ci_eq(nm, "CreateSubKey") ||
		    ps_ci_eq(nm, "DeleteValue"))
			add_cap(c, PS_CAP_REGISTRY_WRITE, nm, m->ext.line);
		else if (ps_ci_prefix(nm, "Download") || ps_ci_prefix(nm, "Upload"))
			add_cap(c, PS_CAP_NETWORK, nm, m->ext.line);
		else if (ps_ci_prefix(nm, "WriteAll") || ps_ci_prefix(nm, "AppendAll"))
			add_cap(c, PS_CAP_FILES_WRITE, nm, m->ext.line);
		else if (ps_ci_prefix(nm, "ReadAll"))
			add_cap(c, PS_CAP_FILES_READ, nm, m->ext.line);
		else if (ps_ci_eq(nm, "Create") && m->u.mem.target &&
		    m->u.mem.target->kind == PS_NODE_TYPE && ps_ci_contains(m->u.mem.target->u.type.name, strlen(m->u.mem.target->u.type.name),
		    "scriptblock"))
			add_cap(c, PS_CAP_DYNAMIC_CODE, "[ScriptBlock]::Create", m->ext.line);
		else if (ps_ci_eq(nm, "Load") || ps_ci_eq(nm, "LoadFrom") ||
		    ps_ci_eq(nm, "LoadFile"))
			add_cap(c, PS_CAP_DYNAMIC_CODE, "Assembly.Load", m->ext.line);
		else if (ps_ci_eq(nm, "IsInRole"))
			need_elevation(c, "checks for the Administrator role");
	}
	/* Output redirected to a file. */
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_node *n = c->p->cmds[i].node;

		for (size_t k = 0; k < n->u.cmd.redirections.n; k++)
			if (n->u.cmd.redirections.v[k]->u.redir.target != NULL)
				add_cap(c, PS_CAP_FILES_WRITE, "redirection to a file",
				    n->u.cmd.redirections.v[k]->ext.line);
	}
}

void
ps_rules_perf_risk_run(struct ps_ctx *c)
{
	const struct ps_ast *ast = c->ast;
	const struct ps_cmd_group *groups;
	struct roles roles = { .cmds0 = c->p->cmds };
	size_t ng = ps_cmd_groups(c->p, &groups, &roles.group_of);

	roles.group = ps_ast_alloc(c->ast, (ng + 1) * sizeof(*roles.group));
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];

		if (pc->name == NULL)
			continue;
		check_command_caps(c, pc, &roles);
		check_risks(c, pc, &roles);
	}
	check_member_caps(c);
	/* Autostart keys only read (an inventory of Run keys) are not persistence. */
	if (!(c->a->capabilities & (1u << PS_CAP_REGISTRY_WRITE))) {
		for (size_t i = 0; i < c->a->nfindings; i++)
			if (c->a->findings[i].rule == &ps_rule_table[R_RUN_KEY])
				c->a->findings[i].severity = PS_SEV_INFORMATION;
	}
	check_perf(c);
	for (size_t i = 0; i < ast->nrequires; i++)
		if (ps_ci_eq(ast->requires[i].key, "RunAsAdministrator"))
			need_elevation(c, "#Requires -RunAsAdministrator");
	if (c->a->needs_elevation) {
		const struct ps_extent *e = NULL;

		for (size_t i = 0; i < ast->nrequires && e == NULL; i++)
			if (ps_ci_eq(ast->requires[i].key, "RunAsAdministrator"))
				e = &ast->requires[i].ext;
		if (e != NULL)
			ps_rule_emit(c, R_RISK_ELEVATION, PS_SEV__MAX, e, NULL,
			    "The script requires administrator rights.");
		else
			ps_rule_emit_range(c, R_RISK_ELEVATION, PS_SEV__MAX, 0, 0, NULL,
			    "The script needs administrator rights (%s).", c->p->elevation_reason);
	}
}
