#include "config.h"
/* rules_attacks.c: attacks one layer down: code handed to an interpreter (analysed again as
 * PowerShell), command lines stored for later, download then execute, Windows binaries used
 * to fetch or run code; each finding names its MITRE ATT&CK techniques */

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

/* The MITRE ATT&CK techniques the analyzer names. */
static const struct {
	const char	*id;
	const char	*name;
} mitre[] = {
	{ "T1003", "OS Credential Dumping" },
	{ "T1027", "Obfuscated Files or Information" },
	{ "T1047", "Windows Management Instrumentation" },
	{ "T1053.005", "Scheduled Task/Job: Scheduled Task" },
	{ "T1055", "Process Injection" },
	{ "T1059.001", "Command and Scripting Interpreter: PowerShell" },
	{ "T1059.003", "Command and Scripting Interpreter: Windows Command Shell" },
	{ "T1070.001", "Indicator Removal: Clear Windows Event Logs" },
	{ "T1098", "Account Manipulation" },
	{ "T1105", "Ingress Tool Transfer" },
	{ "T1106", "Native API" },
	{ "T1140", "Deobfuscate/Decode Files or Information" },
	{ "T1197", "BITS Jobs" },
	{ "T1204.002", "User Execution: Malicious File" },
	{ "T1218.005", "System Binary Proxy Execution: Mshta" },
	{ "T1218.007", "System Binary Proxy Execution: Msiexec" },
	{ "T1218.010", "System Binary Proxy Execution: Regsvr32" },
	{ "T1218.011", "System Binary Proxy Execution: Rundll32" },
	{ "T1220", "XSL Script Processing" },
	{ "T1485", "Data Destruction" },
	{ "T1490", "Inhibit System Recovery" },
	{ "T1543.003", "Create or Modify System Process: Windows Service" },
	{ "T1546.003", "Event Triggered Execution: WMI Event Subscription" },
	{ "T1547.001", "Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder" },
	{ "T1553.004", "Subvert Trust Controls: Install Root Certificate" },
	{ "T1562.001", "Impair Defenses: Disable or Modify Tools" },
	{ "T1562.004", "Impair Defenses: Disable or Modify System Firewall" },
	{ "T1564.003", "Hide Artifacts: Hidden Window" },
	{ "T1620", "Reflective Code Loading" },
};

const char *
ps_mitre_name(const char *id, size_t len)
{
	for (size_t i = 0; i < PSS_ARRAY_LEN(mitre); i++)
		if (strlen(mitre[i].id) == len && memcmp(mitre[i].id, id, len) == 0)
			return mitre[i].name;
	return NULL;
}

/* The technique an inner finding of an existing rule stands for (NULL: not an attack by
 * itself, such as a hard-coded secret or a broken hash). */
static const char *
rule_technique(enum ps_rule r)
{
	switch (r) {
	case R_DOWNLOAD_CRADLE:		return "T1105";
	case R_ENCODED_COMMAND:		return "T1027";
	case R_BASE64_EXEC:		return "T1140";
	case R_INJECTION_API:		return "T1055";
	case R_REFLECTION_LOAD:		return "T1620";
	case R_AMSI_BYPASS:		return "T1562.001";
	case R_DEFENDER_TAMPERING:	return "T1562.001";
	case R_FIREWALL_TAMPERING:	return "T1562.004";
	case R_RUN_KEY:			return "T1547.001";
	case R_SCHEDULED_TASK:		return "T1053.005";
	case R_WMI_SUBSCRIPTION:	return "T1546.003";
	case R_SERVICE_CREATION:	return "T1543.003";
	case R_CREDENTIAL_DUMPING:	return "T1003";
	case R_LOG_CLEARING:		return "T1070.001";
	case R_SHADOW_COPY:		return "T1490";
	case R_DESTRUCTIVE:		return "T1485";
	case R_LOCAL_ADMIN:		return "T1098";
	case R_HIDDEN_WINDOW:		return "T1564.003";
	case R_OBF_BACKTICK: case R_OBF_REVERSE: case R_OBF_CHARCODES: case R_OBF_FORMAT:
	case R_OBF_CASE: case R_OBF_ENTROPY: case R_OBF_BASE64: case R_OBF_DYNAMIC_NAME:
					return "T1027";
	case R_INVOKE_EXPRESSION:	return "T1059.001";
	default:			return NULL;
	}
}

#define WORDS_MAX	48	/* words of a command line looked at */
#define INNER_MAX	12	/* inner findings carried out to the outer line */
#define EXPAND_MAX	32	/* variables looked up in one command line */
#define SITES_MAX	128	/* executions linked per script */
#define DOWNLOADS_MAX	32	/* downloads and verifications linked per script */

/* A finding of code one layer down, carried out to the line that hands the code over. */
struct inner {
	enum ps_rule	 rule;
	enum ps_severity sev;
	const char	*msg;
	const char	*mitre;
};

/* What a command line (or code handed to an interpreter) turned out to do. */
struct verdict {
	bool		 attack;	/* something in it is an attack by itself */
	bool		 lolbin;	/* a Windows binary fetches or runs code */
	unsigned	 caps;		/* capabilities of the inner PowerShell */
	char		 mitre[160];	/* "T1059.001,T1105" */
	char		 chain[240];	/* "cmd /c > powershell -Command" */
	char		 what[200];	/* the first thing found */
	char		 lolbin_what[160];
	struct inner	 inner[INNER_MAX];
	size_t		 ninner;
};

/* A download's destination or an execution's operand: a variable, a path's file name, or
 * free text (an argument list) where either may appear. */
struct site {
	size_t		 off;
	unsigned	 line;
	const char	*var;		/* bare variable name, or NULL */
	const char	*base;		/* file name, lower case, or NULL */
	const char	*text;		/* free text to search (tlen bytes), or NULL */
	size_t		 tlen;
	const char	*how;		/* the command */
	const struct ps_node *node;
	const struct ps_node *operand;	/* resolved into var and base when needed */
	const struct ps_cmd *native;	/* a native command: its line is the text, when it runs
					 * what it is given (runners[]) */
};

struct atk {
	struct ps_ctx	*c;
	const struct ps_extent *at;	/* where findings of the current check go */
	struct site	 dl[DOWNLOADS_MAX], ex[SITES_MAX], ver[DOWNLOADS_MAX];
	size_t		 ndl, nex, nver;
};

static void
append(char *buf, size_t cap, const char *s, size_t n)
{
	size_t l = strlen(buf);

	if (n > cap - 1 - l)
		n = cap - 1 - l;
	memcpy(buf + l, s, n);
	buf[l + n] = '\0';
}

/* Add the comma-separated ids of ids to list (once each). */
static void
mitre_add(char *list, size_t cap, const char *ids)
{
	while (ids != NULL && *ids != '\0') {
		size_t n = strcspn(ids, ",");
		const char *p = list;
		bool have = false;

		while (*p != '\0' && !have) {
			size_t m = strcspn(p, ",");

			have = m == n && memcmp(p, ids, n) == 0;
			p += m + (p[m] == ',');
		}
		if (!have && n > 0) {
			if (list[0] != '\0')
				append(list, cap, ",", 1);
			append(list, cap, ids, n);
		}
		ids += n + (ids[n] == ',');
	}
}

static void
chain_push(struct verdict *v, const char *step)
{
	if (v->chain[0] != '\0')
		append(v->chain, sizeof(v->chain), " > ", 3);
	append(v->chain, sizeof(v->chain), step, strlen(step));
}

static void
found(struct verdict *v, const char *ids, const char *what)
{
	v->attack = true;
	mitre_add(v->mitre, sizeof(v->mitre), ids);
	if (v->what[0] == '\0')
		append(v->what, sizeof(v->what), what, strlen(what));
}

/* Tag the finding just emitted by rule r at start with its techniques and chain. */
static void
tag(struct ps_ctx *c, enum ps_rule r, size_t start, const char *ids, const char *chain)
{
	struct ps_finding *f;

	if (c->a->nfindings == 0)
		return;
	f = &c->a->findings[c->a->nfindings - 1];
	if (f->rule != &ps_rule_table[r] || f->start != start)
		return;
	if (ids != NULL && ids[0] != '\0')
		f->mitre = ps_ast_strndup(c->ast, ids, strlen(ids));
	if (chain != NULL && chain[0] != '\0')
		f->chain = ps_ast_strndup(c->ast, chain, strlen(chain));
}

/* A capability the script has through what it hands over (the capability pass has run). */
static void
atk_cap(struct ps_ctx *c, enum ps_capability k, const char *evidence, unsigned line)
{
	if (c->a->capabilities & (1u << k))
		return;
	c->a->capabilities |= 1u << k;
	c->p->cap_evidence[k] = evidence;
	c->p->cap_line[k] = line;
}

/* Administrator rights needed by what cmd runs: as the capability pass reports them. */
static void
atk_elevation(struct ps_ctx *c, const char *why)
{
	if (c->a->needs_elevation)
		return;
	c->a->needs_elevation = 1;
	c->p->elevation_reason = why;
	ps_rule_emit_range(c, R_RISK_ELEVATION, PS_SEV__MAX, 0, 0, NULL,
	    "The script needs administrator rights (%s).", why);
}

/* ---- command lines ---- */

struct word {
	size_t		 s, e;	/* raw extent in the line */
	const char	*v;	/* value: double quotes removed, lower case (in the pool) */
};

struct cmdline {
	const char	*t;
	size_t		 n;
	struct word	 w[WORDS_MAX];
	size_t		 nw;
	char		*pool;	/* the values, each at most its raw length and a NUL */
};

static bool
blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Split a Windows command line into words: blanks separate words outside quotes; double
 * quotes group and are removed, single quotes group and are kept. */
static void
split_words(struct ps_ctx *c, struct cmdline *cl, const char *t, size_t n)
{
	size_t i = 0;
	char *o = cl->pool = ps_ast_bytes(c->ast, n + WORDS_MAX);

	cl->t = t;
	cl->n = n;
	cl->nw = 0;
	while (cl->nw < WORDS_MAX) {
		struct word *w = &cl->w[cl->nw];
		char *v = o;
		char q = 0;

		while (i < n && blank(t[i]))
			i++;
		if (i >= n)
			break;
		w->s = i;
		for (; i < n && (q != 0 || !blank(t[i])); i++) {
			char ch = t[i];

			if (ch == '\\' && i + 1 < n && t[i + 1] == '"') {
				ch = t[++i];	/* \" is a quote character */
			} else if (ch == '"' && q != '\'') {
				q = q == '"' ? 0 : '"';
				continue;
			} else if (ch == '\'' && q != '"') {
				q = q == '\'' ? 0 : '\'';
			}
			*o++ = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
		}
		*o++ = '\0';
		w->v = v;
		w->e = i;
		cl->nw++;
	}
}

/* The program a word names: file name without directory, quotes or ".exe", lower case. */
static void
program_of(const char *v, char *out, size_t cap)
{
	const char *b = v;
	size_t n;

	for (const char *p = v; *p != '\0'; p++)
		if (*p == '\\' || *p == '/')
			b = p + 1;
	while (*b == '\'' || *b == '&' || *b == ' ')
		b++;
	n = strcspn(b, "'");
	if (n >= 4 && strncmp(b + n - 4, ".exe", 4) == 0)
		n -= 4;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, b, n);
	out[n] = '\0';
}

static bool
remote(const char *v)
{
	return strstr(v, "http://") != NULL || strstr(v, "https://") != NULL ||
	    strstr(v, "ftp://") != NULL || strncmp(v, "\\\\", 2) == 0 ||
	    strstr(v, ":\\\\") != NULL;
}

/* The raw text from word k to the end, without one pair of enclosing double quotes. */
static const char *
rest_of(const struct cmdline *cl, size_t k, size_t *len)
{
	const char *s;
	size_t n;

	if (k >= cl->nw) {
		*len = 0;
		return cl->t + cl->n;
	}
	s = cl->t + cl->w[k].s;
	n = cl->n - cl->w[k].s;
	while (n > 0 && blank(s[n - 1]))
		n--;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"' && memchr(s + 1, '"', n - 2) == NULL) {
		s++;
		n -= 2;
	}
	*len = n;
	return s;
}

static bool
word_is(const struct word *w, const char *a, const char *b)
{
	return strcmp(w->v, a) == 0 || (b != NULL && strcmp(w->v, b) == 0);
}

/* -name or /name: the name is a prefix (at least min letters) of full. */
static bool
switch_is(const struct word *w, const char *full, size_t min)
{
	size_t n;

	if (w->v[0] != '-' && w->v[0] != '/')
		return false;
	n = strcspn(w->v + 1, ":");
	return n >= min && n <= strlen(full) && strncmp(w->v + 1, full, n) == 0;
}

static void cmdline_check(struct atk *, const char *, size_t, unsigned, struct verdict *);

/* The text PowerShell runs for -Command: the arguments as the Windows argument parser splits
 * them (double quotes removed, \" a quote), joined by single spaces. Arena memory. */
static const char *
argv_join(struct ps_ctx *c, const char *t, size_t n, size_t *len)
{
	char *o = ps_ast_bytes(c->ast, n + 1);
	size_t k = 0;
	bool q = false, space = false;

	for (size_t i = 0; i < n; i++) {
		char ch = t[i];

		if (ch == '\\' && i + 1 < n && t[i + 1] == '"') {
			ch = '"';
			i++;
		} else if (ch == '"') {
			q = !q;
			continue;
		} else if (!q && blank(ch)) {
			space = k > 0;
			continue;
		}
		if (space)
			o[k++] = ' ';
		space = false;
		o[k++] = ch;
	}
	o[k] = '\0';
	*len = k;
	return o;
}

/* Analyse code handed to PowerShell, one level deeper; its findings go to v. */
static void
nested_powershell(struct atk *x, const char *code, size_t n, unsigned depth, const char *step,
    struct verdict *v)
{
	struct ps_ctx *c = x->c;
	struct ps_analysis *in;
	bool chained = false;

	while (n > 0 && blank(*code))
		code++, n--;
	while (n > 0 && blank(code[n - 1]))
		n--;
	if (n >= 2 && code[0] == '{' && code[n - 1] == '}') {
		code++;		/* powershell -Command { ... }: the block's body runs */
		n -= 2;
	}
	if (n == 0 || (n == 1 && code[0] == '-'))
		return;		/* nothing, or the code comes from stdin */
	chain_push(v, step);
	if (ps_analyze_nested(code, n, depth + 1, c->p->nest_budget, &in) != PSS_OK)
		return;
	v->caps |= in->capabilities;
	for (size_t i = 0; i < in->nfindings; i++) {
		const struct ps_finding *f = &in->findings[i];
		enum ps_rule r = (enum ps_rule)(f->rule - ps_rule_table);
		const char *t = f->mitre != NULL ? f->mitre : rule_technique(r);

		if (f->rule->category != PS_CAT_SECURITY || f->severity < PS_SEV_WARNING)
			continue;
		if (f->severity == PS_SEV_ERROR && t != NULL)
			found(v, t, f->message);
		if (f->chain != NULL && !chained) {
			chain_push(v, f->chain);	/* the inner code's own hand-off */
			chained = true;
		}
		if (v->ninner < INNER_MAX) {
			struct inner *o = &v->inner[v->ninner++];

			o->rule = r;
			o->sev = f->severity;
			o->msg = ps_ast_strndup(c->ast, f->message, strlen(f->message));
			/* an error carried out names its technique (T1105 for a cradle) */
			o->mitre = f->mitre != NULL ? ps_ast_strndup(c->ast, f->mitre,
			    strlen(f->mitre)) : f->severity == PS_SEV_ERROR ? t : NULL;
		}
	}
	ps_analysis_free(in);
}

/* powershell.exe / pwsh arguments from word k: -Command, -EncodedCommand, -File. */
static void
check_powershell(struct atk *x, const struct cmdline *cl, size_t k, unsigned depth,
    const char *prog, struct verdict *v)
{
	static const char *const with_value[] = { "windowstyle", "executionpolicy", "version",
		"psconsolefile", "inputformat", "outputformat", "configurationname",
		"workingdirectory", "custompipename", "settingsfile", NULL };
	char step[96];

	mitre_add(v->mitre, sizeof(v->mitre), "T1059.001");
	for (; k < cl->nw; k++) {
		const struct word *w = &cl->w[k];
		bool skip = false;

		if (w->v[0] != '-' && w->v[0] != '/') {
			size_t n;
			const char *code = rest_of(cl, k, &n);

			if (strcmp(prog, "pwsh") == 0 || (n > 4 && strncasecmp(code + n - 4, ".ps1", 4) == 0))
				return;		/* a script file */
			code = argv_join(x->c, cl->t + cl->w[k].s, cl->n - cl->w[k].s, &n);
			snprintf(step, sizeof(step), "%.40s (command)", prog);
			nested_powershell(x, code, n, depth, step, v);
			return;
		}
		if (switch_is(w, "command", 1)) {
			size_t n;
			const char *code = k + 1 < cl->nw ? argv_join(x->c, cl->t + cl->w[k + 1].s,
			    cl->n - cl->w[k + 1].s, &n) : NULL;

			if (code == NULL)
				return;
			snprintf(step, sizeof(step), "%.40s -Command", prog);
			nested_powershell(x, code, n, depth, step, v);
			return;
		}
		if (switch_is(w, "encodedcommand", 1) || switch_is(w, "ec", 2)) {
			char dec[8192];
			size_t dn = 0;

			if (k + 1 < cl->nw)
				dn = ps_patterns_b64_decode(cl->t + cl->w[k + 1].s,
				    cl->w[k + 1].e - cl->w[k + 1].s, dec, sizeof(dec) - 1);
			snprintf(step, sizeof(step), "%.40s -EncodedCommand (decoded)", prog);
			mitre_add(v->mitre, sizeof(v->mitre), "T1027");	/* the code is encoded */
			if (dn > 0)
				nested_powershell(x, dec, dn, depth, step, v);
			return;
		}
		if (switch_is(w, "file", 1))
			return;
		for (const char *const *p = with_value; *p != NULL && !skip; p++)
			skip = switch_is(w, *p, 1) || switch_is(w, "ep", 2) || switch_is(w, "ex", 2);
		if (skip)
			k++;
	}
}

static bool
any_word(const struct cmdline *cl, size_t from, bool (*pred)(const char *))
{
	for (size_t k = from; k < cl->nw; k++)
		if (pred(cl->w[k].v))
			return true;
	return false;
}

static bool
has_script_url(const char *v)
{
	return strncmp(v, "javascript:", 11) == 0 || strncmp(v, "vbscript:", 9) == 0 ||
	    strstr(v, "javascript:") != NULL || strstr(v, "vbscript:") != NULL;
}

static bool
remote_or_script(const char *v)
{
	return remote(v) || has_script_url(v);
}

static bool
system_root(const char *v)
{
	static const char *const roots[] = { "c:\\", "c:", "c:\\*", "c:\\windows",
		"c:\\windows\\system32", "c:\\users", "%systemroot%", "%windir%", "%systemdrive%",
		"%systemdrive%\\", "%userprofile%", "\\", "c:\\program files", NULL };

	for (const char *const *r = roots; *r != NULL; r++)
		if (strcmp(v, *r) == 0)
			return true;
	return false;
}

static void
lolbin(struct verdict *v, const char *ids, const char *what)
{
	v->lolbin = true;
	found(v, ids, what);
	if (v->lolbin_what[0] == '\0')
		append(v->lolbin_what, sizeof(v->lolbin_what), what, strlen(what));
}

/* A download by a Windows binary: its destination (the last word) for download-then-execute. */
static void
native_download(struct atk *x, const struct cmdline *cl, const char *how)
{
	const struct word *w;
	struct site *s;

	if (cl->nw < 2 || x->ndl >= DOWNLOADS_MAX)
		return;
	w = &cl->w[cl->nw - 1];
	if (remote(w->v) || w->v[0] == '-' || w->v[0] == '/')
		return;
	s = &x->dl[x->ndl++];
	memset(s, 0, sizeof(*s));
	s->off = x->at->start;
	s->line = x->at->line;
	s->how = how;
	{
		char b[256];
		const char *p = w->v;

		for (const char *q = w->v; *q != '\0'; q++)
			if (*q == '\\' || *q == '/')
				p = q + 1;
		snprintf(b, sizeof(b), "%s", p);
		s->base = ps_ast_strndup(x->c->ast, b, strlen(b));
	}
}

/* cmd built-ins that delete or format: the same risk as Remove-Item -Recurse -Force. */
static void
cmd_destruction(struct atk *x, const struct cmdline *cl, const char *prog)
{
	bool recursive = false;
	const char *target = NULL;

	if (strcmp(prog, "format") == 0 && cl->nw >= 2 && strlen(cl->w[1].v) == 2 &&
	    cl->w[1].v[1] == ':') {
		ps_rule_emit(x->c, R_DESTRUCTIVE, PS_SEV__MAX, x->at, NULL,
		    "format %s erases a volume (through cmd).", cl->w[1].v);
		atk_cap(x->c, PS_CAP_SYSTEM_CONFIG, "format", x->at->line);
		atk_elevation(x->c, "format");
		return;
	}
	for (size_t k = 1; k < cl->nw; k++) {
		if (word_is(&cl->w[k], "/s", NULL))
			recursive = true;
		else if (cl->w[k].v[0] != '/')
			target = cl->w[k].v;
	}
	if (!recursive || target == NULL)
		return;
	atk_cap(x->c, PS_CAP_FILES_DELETE, prog[0] == 'r' ? "rd /s" : "del /s", x->at->line);
	if (system_root(target))
		ps_rule_emit(x->c, R_DESTRUCTIVE, PS_SEV__MAX, x->at, NULL,
		    "%s /s deletes a system location (%s) through cmd.", prog, target);
	else
		ps_rule_emit(x->c, R_RISK_RECURSIVE_DELETE, PS_SEV__MAX, x->at, NULL,
		    "Files are deleted recursively with %s /s (%s) through cmd.", prog, target);
}

/* cmd /c: the rest, cut at &, &&, || and | outside quotes, each part a command line. */
static void
check_cmd(struct atk *x, const struct cmdline *cl, size_t k, unsigned depth, struct verdict *v)
{
	size_t n, from = 0;
	const char *r = rest_of(cl, k, &n);
	char q = 0;

	mitre_add(v->mitre, sizeof(v->mitre), "T1059.003");
	chain_push(v, "cmd /c");
	for (size_t i = 0; i <= n; i++) {
		if (i < n && r[i] == '"')
			q = q ? 0 : '"';
		if (i < n && (q || (r[i] != '&' && r[i] != '|')))
			continue;
		if (i > from)
			cmdline_check(x, r + from, i - from, depth + 1, v);
		while (i + 1 < n && (r[i + 1] == '&' || r[i + 1] == '|'))
			i++;
		from = i + 1;
	}
}

/* The value after a word (schtasks /tr X, reg /d X) or in it (sc binPath= X). */
static const char *
value_after(struct ps_ctx *c, const struct cmdline *cl, const char *name, size_t *len)
{
	for (size_t k = 1; k + 1 < cl->nw; k++)
		if (strcmp(cl->w[k].v, name) == 0)
			return argv_join(c, cl->t + cl->w[k + 1].s, cl->w[k + 1].e - cl->w[k + 1].s, len);
	return NULL;
}

/* A stored command line: what it runs is checked as a command line of its own. */
static void
stored(struct atk *x, const char *s, size_t n, unsigned depth, const char *step,
    const char *technique, struct verdict *v)
{
	struct verdict in;

	memset(&in, 0, sizeof(in));
	chain_push(&in, step);
	cmdline_check(x, s, n, depth + 1, &in);
	if (!in.attack)
		return;
	*v = in;
	mitre_add(v->mitre, sizeof(v->mitre), technique);
}

/*
 * Check one command line (a native command of the script, an argument list, a stored
 * command, the part of cmd /c between separators): interpreters with inline code are
 * analysed again, Windows binaries that fetch or run code are named, and what cmd deletes
 * weighs as Remove-Item does.
 */
static void
cmdline_check(struct atk *x, const char *t, size_t n, unsigned depth, struct verdict *v)
{
	struct cmdline line, *cl = &line;
	char prog[64];
	const char *s;
	size_t sn;

	if (depth > PS_NEST_DEPTH_MAX || n == 0)
		return;
	split_words(x->c, cl, t, n);
	if (cl->nw == 0)
		return;
	program_of(cl->w[0].v, prog, sizeof(prog));
	if (strcmp(prog, "start") == 0 || strcmp(prog, "call") == 0) {
		size_t k = 1;

		while (k < cl->nw && (cl->w[k].v[0] == '/' || t[cl->w[k].s] == '"'))
			k++;
		s = rest_of(cl, k, &sn);
		cmdline_check(x, s, sn, depth + 1, v);
	} else if (strcmp(prog, "powershell") == 0 || strcmp(prog, "pwsh") == 0) {
		check_powershell(x, cl, 1, depth, prog, v);
	} else if (strcmp(prog, "cmd") == 0) {
		for (size_t k = 1; k < cl->nw; k++) {
			if (word_is(&cl->w[k], "/c", "/k") || word_is(&cl->w[k], "/r", NULL)) {
				check_cmd(x, cl, k + 1, depth, v);
				break;
			}
		}
	} else if (strcmp(prog, "rd") == 0 || strcmp(prog, "rmdir") == 0 ||
	    strcmp(prog, "del") == 0 || strcmp(prog, "erase") == 0 || strcmp(prog, "format") == 0) {
		if (depth > x->c->p->nest_depth)	/* cmd's built-ins, inside cmd /c */
			cmd_destruction(x, cl, prog);
	} else if (strcmp(prog, "mshta") == 0) {
		if (any_word(cl, 1, remote_or_script))
			lolbin(v, "T1218.005", "mshta runs a remote or inline script (HTA).");
	} else if (strcmp(prog, "regsvr32") == 0) {
		for (size_t k = 1; k < cl->nw; k++)
			if ((strncmp(cl->w[k].v, "/i:", 3) == 0 || strncmp(cl->w[k].v, "-i:", 3) == 0) &&
			    remote(cl->w[k].v))
				lolbin(v, "T1218.010",
				    "regsvr32 /i: loads a remote scriptlet (Squiblydoo).");
	} else if (strcmp(prog, "rundll32") == 0) {
		if (any_word(cl, 1, has_script_url))
			lolbin(v, "T1218.011", "rundll32 runs inline script (javascript:).");
		else if (cl->nw > 1 && (remote(cl->w[1].v) ||	/* the DLL itself, or a URL */
		    ((strstr(cl->w[1].v, "url.dll") != NULL ||	/* opened through url.dll */
		    strstr(cl->w[1].v, "ieframe.dll") != NULL ||
		    strstr(cl->w[1].v, "shdocvw.dll") != NULL) && any_word(cl, 2, remote))))
			lolbin(v, "T1218.011", "rundll32 loads code from a remote location.");
	} else if (strcmp(prog, "msiexec") == 0) {
		for (size_t k = 1; k + 1 < cl->nw; k++)
			if ((switch_is(&cl->w[k], "i", 1) || switch_is(&cl->w[k], "package", 7) ||
			    switch_is(&cl->w[k], "y", 1) || switch_is(&cl->w[k], "j", 1)) &&
			    remote(cl->w[k + 1].v))
				lolbin(v, "T1218.007", "msiexec installs a package from a remote location.");
	} else if (strcmp(prog, "certutil") == 0) {
		if ((any_word(cl, 1, remote)) && (switch_is(&cl->w[1], "urlcache", 8) ||
		    switch_is(&cl->w[1], "verifyctl", 9) || cl->nw > 2)) {
			bool fetch = false;

			for (size_t k = 1; k < cl->nw; k++)
				fetch |= switch_is(&cl->w[k], "urlcache", 8) ||
				    switch_is(&cl->w[k], "verifyctl", 9);
			if (fetch) {
				lolbin(v, "T1105", "certutil downloads a file (-urlcache).");
				native_download(x, cl, "certutil");
			}
		}
		for (size_t k = 1; k < cl->nw; k++)
			if (switch_is(&cl->w[k], "decode", 6) || switch_is(&cl->w[k], "decodehex", 9))
				lolbin(v, "T1140", "certutil decodes a hidden payload (-decode).");
	} else if (strcmp(prog, "bitsadmin") == 0) {
		for (size_t k = 1; k < cl->nw; k++) {
			if ((switch_is(&cl->w[k], "transfer", 8) || switch_is(&cl->w[k], "addfile", 7) ||
			    switch_is(&cl->w[k], "download", 8)) && any_word(cl, k, remote)) {
				lolbin(v, "T1197,T1105", "bitsadmin downloads a file.");
				native_download(x, cl, "bitsadmin");
				break;
			}
			if (switch_is(&cl->w[k], "setnotifycmdline", 16)) {
				lolbin(v, "T1197", "bitsadmin runs a command when a job completes.");
				break;
			}
		}
	} else if (strcmp(prog, "wmic") == 0) {
		for (size_t k = 1; k + 2 < cl->nw; k++) {
			if (word_is(&cl->w[k], "process", NULL) && word_is(&cl->w[k + 1], "call", NULL) &&
			    word_is(&cl->w[k + 2], "create", NULL)) {
				struct verdict in;

				memset(&in, 0, sizeof(in));
				chain_push(&in, "wmic process call create");
				s = rest_of(cl, k + 3, &sn);
				cmdline_check(x, s, sn, depth + 1, &in);
				if (in.attack)
					*v = in;
				lolbin(v, "T1047", "wmic starts a process (process call create).");
				break;
			}
		}
		for (size_t k = 1; k < cl->nw; k++)
			if (strncmp(cl->w[k].v, "/format:", 8) == 0 && (remote(cl->w[k].v) ||
			    strstr(cl->w[k].v, ".xsl") != NULL))
				lolbin(v, "T1220", "wmic runs an XSL script (/format).");
	} else if (strcmp(prog, "schtasks") == 0) {
		if ((s = value_after(x->c, cl, "/tr", &sn)) != NULL)
			stored(x, s, sn, depth, "schtasks /tr", "T1053.005", v);
	} else if (strcmp(prog, "sc") == 0) {
		for (size_t k = 1; k < cl->nw; k++) {
			if (strncmp(cl->w[k].v, "binpath=", 8) != 0)
				continue;
			if (cl->w[k].v[8] == '\0' && (s = value_after(x->c, cl, cl->w[k].v, &sn)) != NULL)
				stored(x, s, sn, depth, "sc binPath=", "T1543.003", v);
			else if ((s = argv_join(x->c, cl->t + cl->w[k].s + 8,
			    cl->w[k].e - cl->w[k].s - 8, &sn)) != NULL)
				stored(x, s, sn, depth, "sc binPath=", "T1543.003", v);
			break;
		}
	} else if (strcmp(prog, "reg") == 0) {
		if (cl->nw > 2 && word_is(&cl->w[1], "add", NULL) &&
		    strstr(cl->w[2].v, "\\currentversion\\run") != NULL &&
		    (s = value_after(x->c, cl, "/d", &sn)) != NULL)
			stored(x, s, sn, depth, "reg add Run /d", "T1547.001", v);
	}
}

/* ---- reporting ---- */

static void
report(struct atk *x, enum ps_rule r, const struct ps_extent *e, const struct verdict *v,
    const char *fmt_what)
{
	struct ps_ctx *c = x->c;

	if (!v->attack)
		return;
	if (r == R_ATK_LOLBIN)
		ps_rule_emit(c, r, PS_SEV_ERROR, e, NULL, "%s", v->lolbin_what);
	else
		ps_rule_emit(c, r, PS_SEV_ERROR, e, NULL, "%s: %s", fmt_what, v->what);
	tag(c, r, e->start, v->mitre, v->chain);
	if (v->lolbin && r != R_ATK_LOLBIN) {
		ps_rule_emit(c, R_ATK_LOLBIN, PS_SEV_ERROR, e, NULL, "%s", v->lolbin_what);
		tag(c, R_ATK_LOLBIN, e->start, v->mitre, v->chain);
	}
	for (size_t i = 0; i < v->ninner; i++) {
		const struct inner *f = &v->inner[i];

		ps_rule_emit(c, f->rule, f->sev, e, NULL, "%s (inside %s)", f->msg, v->chain);
		tag(c, f->rule, e->start, f->mitre, v->chain);
	}
	/* what the inner code touches, the script touches */
	for (unsigned k = 0; k < PS_CAP__MAX; k++)
		if (v->caps & (1u << k))
			atk_cap(c, (enum ps_capability)k, "code handed to an interpreter", e->line);
}

/* Check the command line t and report it as rule r with the lead-in what. */
static void
check_line(struct atk *x, const struct ps_extent *e, const char *t, size_t n, enum ps_rule r,
    const char *step, const char *technique, const char *what)
{
	struct verdict *v;

	if (t == NULL || n == 0)
		return;
	v = ps_scratch_alloc(x->c->p, sizeof(*v));
	x->at = e;
	if (step != NULL)
		chain_push(v, step);
	cmdline_check(x, t, n, x->c->p->nest_depth, v);
	if (v->attack && technique != NULL)
		mitre_add(v->mitre, sizeof(v->mitre), technique);
	report(x, v->lolbin && step == NULL && v->ninner == 0 && r == R_ATK_SHELL ? R_ATK_LOLBIN :
	    r, e, v, what);
	ps_scratch_free(v, sizeof(*v));
}

/* Check PowerShell code handed over as a string (Invoke-Expression, [ScriptBlock]::Create). */
static void
check_code(struct atk *x, const struct ps_extent *e, const char *t, const char *step,
    const char *what)
{
	struct verdict *v;

	if (t == NULL || t[0] == '\0')
		return;
	v = ps_scratch_alloc(x->c->p, sizeof(*v));
	x->at = e;
	nested_powershell(x, t, strlen(t), x->c->p->nest_depth, step, v);
	if (v->attack)
		mitre_add(v->mitre, sizeof(v->mitre), "T1059.001");
	report(x, R_ATK_SHELL, e, v, what);
	ps_scratch_free(v, sizeof(*v));
}

/* ---- values of arguments ---- */

static const struct ps_node *
unwrap(const struct ps_node *n)
{
	while (n != NULL && ((n->kind == PS_NODE_PIPELINE && n->u.pipe.elems.n == 1) ||
	    (n->kind == PS_NODE_PAREN && n->u.list.items.n == 1)))
		n = n->kind == PS_NODE_PIPELINE ? n->u.pipe.elems.v[0] : n->u.list.items.v[0];
	return n;
}

/* The assignments before offset `before` are as->v[0..k): k found by bisection (the list is
 * in source order); the look-ups below walk back at most ASSIGN_BACK of them, so a script of
 * many assignments costs each look-up a bounded walk. */
#define ASSIGN_BACK 2000
static size_t
assignments_before(const struct ps_nodes *as, size_t before)
{
	size_t lo = 0, hi = as->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (as->v[mid]->ext.start < before)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The last plain assignment to the variable named name[0..n) before offset `before`. */
static const struct ps_node *
last_assignment(const struct ps_ctx *c, const char *name, size_t n, size_t before)
{
	const struct ps_nodes *as = &c->ast->assignments;
	size_t k = assignments_before(as, before), lo = k > ASSIGN_BACK ? k - ASSIGN_BACK : 0;

	for (size_t i = k; i > lo; i--) {
		const struct ps_node *a = as->v[i - 1], *lhs = a->u.asg.lhs;

		while (lhs != NULL && lhs->kind == PS_NODE_CONVERT)
			lhs = lhs->u.conv.expr;
		if (lhs != NULL && lhs->kind == PS_NODE_VARIABLE && lhs->u.var.bare != NULL &&
		    a->u.asg.op == PS_OP_ASSIGN && strlen(lhs->u.var.bare) == n &&
		    strncasecmp(lhs->u.var.bare, name, n) == 0)
			return a;
	}
	return NULL;
}

/* The value last assigned to variable v before it is used (not another variable), or NULL. */
static const struct ps_node *
assigned(const struct ps_ctx *c, const struct ps_node *v)
{
	const struct ps_node *a = last_assignment(c, v->u.var.bare, strlen(v->u.var.bare),
	    v->ext.start), *rhs;

	rhs = a != NULL ? unwrap(a->u.asg.rhs) : NULL;
	return rhs != NULL && rhs->kind != PS_NODE_VARIABLE ? rhs : NULL;
}

/* The constant string last assigned to the variable named name[0..n) before offset before,
 * or NULL. */
static const char *
assigned_literal(struct ps_ctx *c, const char *name, size_t n, size_t before)
{
	const struct ps_node *a = last_assignment(c, name, n, before);
	const struct ps_node *rhs = a != NULL ? unwrap(a->u.asg.rhs) : NULL;

	return rhs != NULL && rhs->kind == PS_NODE_STRING && !rhs->u.str.expandable ?
	    rhs->u.str.value : NULL;
}

/* text with each $name (or ${name}) that was assigned a constant string before offset
 * `before` replaced by that string: "powershell -enc $payload". Arena memory, at most
 * PS_NEST_TEXT_MAX bytes; text itself when nothing is replaced. */
static const char *
expand_vars(struct ps_ctx *c, const char *t, size_t n, size_t before, size_t *len)
{
	struct buf b = BUF_INIT;
	size_t from = 0, looked = 0;
	const char *r;

	*len = n;
	if (memchr(t, '$', n) == NULL)
		return t;
	/* each look-up walks the assignments: at most EXPAND_MAX of them per text */
	for (size_t i = 0; i < n && looked < EXPAND_MAX; i++) {
		size_t s, e;
		const char *v;

		if (t[i] != '$')
			continue;
		s = i + 1 + (i + 1 < n && t[i + 1] == '{');
		for (e = s; e < n && ((t[e] | 0x20) >= 'a' && (t[e] | 0x20) <= 'z' ?
		    true : (t[e] >= '0' && t[e] <= '9') || t[e] == '_'); e++)
			;
		if (e == s || (looked++, v = assigned_literal(c, t + s, e - s, before)) == NULL)
			continue;
		if (t[s - 1] == '{' && e < n && t[e] == '}')
			e++;
		buf_append(&b, t + from, i - from);
		buf_append(&b, v, strlen(v));
		from = e;
		i = e - 1;
		if (b.len > PS_NEST_TEXT_MAX)
			break;
	}
	if (b.len == 0 && from == 0)
		return t;
	if (from < n && b.len <= PS_NEST_TEXT_MAX)
		buf_append(&b, t + from, n - from);
	*len = b.len > PS_NEST_TEXT_MAX ? PS_NEST_TEXT_MAX : b.len;
	r = ps_ast_strndup(c->ast, b.data, *len);
	buf_free(&b);
	return r;
}

/* The text of an argument: a constant or expandable string's value, array items joined by
 * spaces, a variable's assigned string, else the source text. Arena memory. */
static const char *
value_text(struct ps_ctx *c, const struct ps_node *n, int depth)
{
	const char *v;
	bool folded;
	size_t len;

	n = unwrap(n);
	if (n == NULL || depth > 3)
		return NULL;
	if ((v = ps_ctx_fold(c, n, &folded)) != NULL)
		return v;
	switch (n->kind) {
	case PS_NODE_STRING:
		if (n->u.str.expandable && n->u.str.value != NULL)
			return expand_vars(c, n->u.str.value, strlen(n->u.str.value), n->ext.start,
			    &len);
		return n->u.str.value;
	case PS_NODE_VARIABLE: {
		const struct ps_node *rhs = n->u.var.bare != NULL ? assigned(c, n) : NULL;

		if (rhs != NULL && (v = value_text(c, rhs, depth + 1)) != NULL)
			return v;
		break;
	}
	case PS_NODE_ARRAY_LITERAL: {
		char buf[4096];

		buf[0] = '\0';
		for (size_t i = 0; i < n->u.list.items.n; i++) {
			const char *it = value_text(c, n->u.list.items.v[i], depth + 1);

			if (it == NULL)
				continue;
			if (buf[0] != '\0')
				append(buf, sizeof(buf), " ", 1);
			append(buf, sizeof(buf), it, strlen(it));
		}
		return ps_ast_strndup(c->ast, buf, strlen(buf));
	}
	default:
		break;
	}
	v = ps_ctx_text(c, n, &len);
	return v != NULL ? ps_ast_strndup(c->ast, v, len) : NULL;
}

static const struct ps_node *
arg_node(const struct ps_node *cmd, const char *name, int position)
{
	const struct ps_cmd_arg *a = ps_cmd_arg_find(cmd, name);

	if (a == NULL && position >= 0)
		a = ps_cmd_positional(cmd, position);
	return a != NULL ? a->value : NULL;
}

/* The value of key in a hashtable argument, or NULL. */
static const struct ps_node *
hash_value(const struct ps_node *h, const char *key)
{
	h = unwrap(h);
	if (h == NULL || h->kind != PS_NODE_HASHTABLE)
		return NULL;
	for (size_t k = 0; k < h->u.hash.keys.n && k < h->u.hash.values.n; k++) {
		const char *kn = ps_node_const_string(h->u.hash.keys.v[k]);

		if (kn != NULL && ps_ci_eq(kn, key))
			return h->u.hash.values.v[k];
	}
	return NULL;
}

/* "file args" of a program and its argument list. */
static const char *
program_line(struct ps_ctx *c, const char *file, const char *args)
{
	char buf[PS_NEST_TEXT_MAX < 16384 ? PS_NEST_TEXT_MAX : 16384];

	if (file == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s%s%s", strchr(file, ' ') ? "\"" : "", file,
	    strchr(file, ' ') ? "\"" : "");
	if (args != NULL) {
		append(buf, sizeof(buf), " ", 1);
		append(buf, sizeof(buf), args, strlen(args));
	}
	return ps_ast_strndup(c->ast, buf, strlen(buf));
}

/* A string argument PowerShell hands to a native program as its value, not as written: a
 * single-quoted string or a here-string ('a b' reaches the program as "a b"). */
static bool
passed_as_value(const struct ps_node *e)
{
	return e->kind == PS_NODE_STRING && e->u.str.value != NULL && (e->u.str.tok == PS_TOK_STRING_SQ ||
	    e->u.str.tok == PS_TOK_HERESTRING_SQ || (e->u.str.tok == PS_TOK_HERESTRING_DQ &&
	    !e->u.str.expandable));
}

/* A native command's line: its source text, with each variable argument replaced by the
 * string last assigned to it (cmd /c $line) and each single-quoted or here-string argument
 * by its value, double-quoted (an inner " as \") when it holds a blank, as PowerShell 7.3
 * passes it: cmd /c 'powershell -c ...' runs the same as with double quotes. Arena memory. */
static const char *
native_line(struct ps_ctx *c, const struct ps_node *n, size_t *len)
{
	const struct ps_nodes *el = &n->u.cmd.elems;
	char buf[16384];
	const char *t;
	size_t tl;
	bool var = false;

	for (size_t i = 0; i < el->n && !var; i++)
		var = el->v[i]->kind == PS_NODE_VARIABLE || passed_as_value(el->v[i]);
	if (n->u.cmd.name_node == NULL)
		return ps_ctx_text(c, n, len);
	if (!var)	/* from the program's name on (not the & or . before it) */
		return expand_vars(c, c->src + n->u.cmd.name_node->ext.start,
		    n->ext.end - n->u.cmd.name_node->ext.start, n->ext.start, len);
	t = ps_ctx_text(c, n->u.cmd.name_node, &tl);
	buf[0] = '\0';
	append(buf, sizeof(buf), t, tl);
	for (size_t i = 0, looked = 0; i < el->n; i++) {
		const struct ps_node *e = el->v[i];

		t = NULL;
		if (e->kind == PS_NODE_VARIABLE && e->u.var.bare != NULL && looked++ < EXPAND_MAX &&
		    assigned(c, e) != NULL && (t = value_text(c, e, 0)) != NULL)
			tl = strlen(t);
		else if (passed_as_value(e)) {
			t = e->u.str.value;
			tl = strlen(t);
		} else
			t = ps_ctx_text(c, e, &tl);
		append(buf, sizeof(buf), " ", 1);
		if (passed_as_value(e) && strpbrk(t, " \t\n") != NULL) {
			/* as PowerShell 7.3 quotes it: "...", an inner " as \" */
			append(buf, sizeof(buf), "\"", 1);
			for (size_t k = 0; k < tl; k++)
				append(buf, sizeof(buf), t[k] == '"' ? "\\\"" : t + k, t[k] == '"' ? 2 : 1);
			append(buf, sizeof(buf), "\"", 1);
		} else
			append(buf, sizeof(buf), t, tl);
	}
	*len = strlen(buf);
	return ps_ast_strndup(c->ast, buf, *len);
}

/* ---- download then execute ---- */

static const char *
base_of(struct ps_ctx *c, const char *t)
{
	size_t n = strlen(t), s;

	while (n > 0 && (t[n - 1] == '\'' || t[n - 1] == '"' || t[n - 1] == ')' || blank(t[n - 1])))
		n--;
	s = n;
	while (s > 0 && t[s - 1] != '\\' && t[s - 1] != '/' && t[s - 1] != '\'' &&
	    t[s - 1] != '"' && !blank(t[s - 1]) && t[s - 1] != '(')
		s--;
	if (n - s < 3 || memchr(t + s, '.', n - s) == NULL || memchr(t + s, '$', n - s) != NULL)
		return NULL;
	{
		char *b = ps_ast_strndup(c->ast, t + s, n - s);

		for (char *p = b; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		return b;
	}
}

/* Record a site; its operand is resolved only when the script downloads something. */
static void
add_site(struct site *arr, size_t *n, size_t cap, const struct ps_node *at,
    const struct ps_node *operand, const char *text, size_t tlen, const char *how)
{
	struct site *s;

	if (*n >= cap)
		return;
	s = &arr[(*n)++];
	memset(s, 0, sizeof(*s));
	s->off = at->ext.start;
	s->line = at->ext.line;
	s->how = how;
	s->node = at;
	s->text = text;
	s->tlen = text != NULL && tlen == 0 ? strlen(text) : tlen;
	s->operand = operand;
}

/* Commands that run what they are given (an execution of a downloaded file). */
static const char *const runners[] = { "msiexec", "rundll32", "regsvr32", "cmd", "powershell",
	"pwsh", "wscript", "cscript", "mshta", "installutil", "regasm", "regsvcs", "schtasks", "sc",
	"reg", NULL };

static void
resolve_sites(struct ps_ctx *c, struct site *arr, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ps_node *op = unwrap(arr[i].operand);
		const char *t;

		if (arr[i].native != NULL && arr[i].text == NULL && ps_cmd_is_any(arr[i].native, runners))
			arr[i].text = native_line(c, arr[i].native->node, &arr[i].tlen);

		if (op == NULL)
			continue;
		if (op->kind == PS_NODE_VARIABLE)
			arr[i].var = op->u.var.bare;
		if ((t = value_text(c, op, 0)) != NULL)
			arr[i].base = base_of(c, t);
	}
}

/* Does the execution (or verification) e use the file downloaded at d? */
static bool
linked(const struct site *d, const struct site *e)
{
	if (d->var != NULL && e->var != NULL && ps_ci_eq(d->var, e->var))
		return true;
	if (d->base != NULL && e->base != NULL && strcmp(d->base, e->base) == 0)
		return true;
	if (e->text != NULL) {
		size_t n = e->tlen;
		char needle[160];

		if (d->base != NULL && ps_ci_contains(e->text, n, d->base))
			return true;
		if (d->var != NULL) {
			snprintf(needle, sizeof(needle), "$%s", d->var);
			if (ps_ci_contains(e->text, n, needle))
				return true;
		}
	}
	return false;
}

static void
check_download_exec(struct atk *x)
{
	struct ps_ctx *c = x->c;

	resolve_sites(c, x->dl, x->ndl);
	resolve_sites(c, x->ex, x->nex);
	resolve_sites(c, x->ver, x->nver);

	for (size_t i = 0; i < x->nex; i++) {
		const struct site *e = &x->ex[i];

		for (size_t k = 0; k < x->ndl; k++) {
			const struct site *d = &x->dl[k];
			bool verified = false;
			char chain[200];

			if (d->off >= e->off || !linked(d, e))
				continue;
			for (size_t j = 0; j < x->nver && !verified; j++)
				verified = x->ver[j].off > d->off && linked(d, &x->ver[j]);
			snprintf(chain, sizeof(chain), "%s (line %u) > %s", d->how, d->line, e->how);
			if (verified) {
				ps_rule_emit(c, R_ATK_DOWNLOAD_EXEC, PS_SEV_WARNING, &e->node->ext, NULL,
				    "The file downloaded by %s on line %u is executed by %s after a "
				    "hash or signature check.", d->how, d->line, e->how);
			} else {
				ps_rule_emit(c, R_ATK_DOWNLOAD_EXEC, PS_SEV_ERROR, &e->node->ext, NULL,
				    "The file downloaded by %s on line %u is executed by %s.", d->how,
				    d->line, e->how);
				tag(c, R_ATK_DOWNLOAD_EXEC, e->node->ext.start, "T1105,T1204.002", chain);
			}
			break;
		}
	}
}

/* ---- the script's commands ---- */

static const char *const natives[] = { "powershell", "pwsh", "cmd", "mshta", "regsvr32",
	"rundll32", "msiexec", "certutil", "bitsadmin", "wmic", "schtasks", "sc", "reg", NULL };

/* Is the command one of natives[] (by its file name, any case, with or without .exe)? A
 * name is compared only with the entries of its length and first letter. */
static bool
native_program(const struct ps_cmd *pc)
{
	const char *b = pc->base;
	size_t n;

	if (b == NULL)
		return false;
	n = pc->base_len;
	if (n > 4 && strncasecmp(b + n - 4, ".exe", 4) == 0)
		n -= 4;
	if (n < 2 || n > 10 || strchr("pcmrbwsPCMRBWS", b[0]) == NULL)
		return false;
	for (const char *const *p = natives; *p != NULL; p++)
		if ((*p)[0] == (b[0] | 0x20) && strlen(*p) == n && strncasecmp(*p, b, n) == 0)
			return true;
	return false;
}


static bool
run_key(const char *path)
{
	size_t n;

	if (path == NULL)
		return false;
	n = strlen(path);
	return ps_ci_contains(path, n, "\\CurrentVersion\\Run") ||
	    ps_ci_contains(path, n, "\\Winlogon") || ps_ci_contains(path, n, "Image File Execution");
}

/* A native program: its command line checked, and what it downloads or runs. */
static void
check_native(struct atk *x, const struct ps_cmd *pc)
{
	struct ps_ctx *c = x->c;
	const struct ps_node *n = pc->node, *v;
	const char *t;
	size_t tl;

	if (native_program(pc) && (t = native_line(c, n, &tl)) != NULL)
		check_line(x, &n->ext, t, tl, R_ATK_SHELL, NULL, NULL,
		    "A command line runs code that is an attack");
	if (pc->base != NULL && x->nex < SITES_MAX) {
		add_site(x->ex, &x->nex, SITES_MAX, n, NULL, NULL, 0, pc->base);
		x->ex[x->nex - 1].native = pc;	/* a runner's line, resolved when needed */
	}
	if ((ps_cmd_is(pc, "curl") || ps_cmd_is(pc, "wget")) &&
	    ((v = arg_node(n, "o", -1)) != NULL || (v = arg_node(n, "output", -1)) != NULL))
		add_site(x->dl, &x->ndl, DOWNLOADS_MAX, n, v, NULL, 0, pc->canon);
	if (n->u.cmd.invocation == 0 && (pc->path || strchr(pc->canon, '.') != NULL))
		add_site(x->ex, &x->nex, SITES_MAX, n, n->u.cmd.name_node, NULL, 0, "running it");
}

static void
check_command(struct atk *x, const struct ps_cmd *pc)
{
	struct ps_ctx *c = x->c;
	const struct ps_node *n = pc->node, *v;
	const char *t;

	if (ps_cmd_is(pc, "Invoke-Expression")) {
		check_code(x, &n->ext, value_text(c, arg_node(n, "Command", 0), 0),
		    "Invoke-Expression", "Invoke-Expression runs code that is an attack");
	} else if (ps_cmd_is(pc, "Start-Process")) {
		const char *file = value_text(c, arg_node(n, "FilePath", 0), 0);
		const char *args = value_text(c, arg_node(n, "ArgumentList", 1), 0);
		const char *line = program_line(c, file, args);

		if (line != NULL)
			check_line(x, &n->ext, line, strlen(line), R_ATK_SHELL, "Start-Process", NULL,
			    "Start-Process hands over code that is an attack");
		add_site(x->ex, &x->nex, SITES_MAX, n, arg_node(n, "FilePath", 0), args, 0, "Start-Process");
	} else if (ps_cmd_is(pc, "Invoke-Item")) {
		add_site(x->ex, &x->nex, SITES_MAX, n, arg_node(n, "Path", 0), NULL, 0, "Invoke-Item");
	} else if (ps_cmd_is(pc, "Invoke-WebRequest") || ps_cmd_is(pc, "Invoke-RestMethod")) {
		if ((v = arg_node(n, "OutFile", -1)) != NULL)
			add_site(x->dl, &x->ndl, DOWNLOADS_MAX, n, v, NULL, 0, pc->canon);
	} else if (ps_cmd_is(pc, "Start-BitsTransfer")) {
		add_site(x->dl, &x->ndl, DOWNLOADS_MAX, n, arg_node(n, "Destination", 1), NULL, 0, pc->canon);
	} else if (ps_cmd_is(pc, "Get-FileHash") || ps_cmd_is(pc, "Get-AuthenticodeSignature")) {
		v = arg_node(n, "FilePath", -1);
		add_site(x->ver, &x->nver, DOWNLOADS_MAX, n, v != NULL ? v : arg_node(n, "Path", 0), NULL, 0,
		    pc->canon);
	} else if (ps_cmd_is(pc, "Set-ItemProperty") || ps_cmd_is(pc, "New-ItemProperty")) {
		const char *path = value_text(c, arg_node(n, "Path", 0), 0);

		if (run_key(path) && (t = value_text(c, arg_node(n, "Value", 2), 0)) != NULL) {
			check_line(x, &n->ext, t, strlen(t), R_ATK_PERSIST, "Run key value", "T1547.001",
			    "An autostart Run key runs a command that is an attack");
			add_site(x->ex, &x->nex, SITES_MAX, n, NULL, t, 0, "a Run key");
		}
	} else if (ps_cmd_is(pc, "New-ScheduledTaskAction")) {
		const char *line = program_line(c, value_text(c, arg_node(n, "Execute", 0), 0),
		    value_text(c, arg_node(n, "Argument", 1), 0));

		if (line != NULL) {
			check_line(x, &n->ext, line, strlen(line), R_ATK_PERSIST,
			    "scheduled task action", "T1053.005",
			    "A scheduled task runs a command that is an attack");
			add_site(x->ex, &x->nex, SITES_MAX, n, NULL, line, 0, "a scheduled task");
		}
	} else if (ps_cmd_is(pc, "New-Service")) {
		if ((t = value_text(c, arg_node(n, "BinaryPathName", 1), 0)) != NULL) {
			check_line(x, &n->ext, t, strlen(t), R_ATK_PERSIST, "service binary path",
			    "T1543.003", "A service runs a command that is an attack");
			add_site(x->ex, &x->nex, SITES_MAX, n, NULL, t, 0, "a service");
		}
	} else if (ps_cmd_is(pc, "Set-WmiInstance") || ps_cmd_is(pc, "New-CimInstance")) {
		const char *cls = value_text(c, arg_node(n, "Class", 0), 0);

		if (cls == NULL)
			cls = value_text(c, arg_node(n, "ClassName", 0), 0);
		v = arg_node(n, "Arguments", -1);
		if (v == NULL)
			v = arg_node(n, "Property", -1);
		if (cls != NULL && ps_ci_contains(cls, strlen(cls), "CommandLineEventConsumer") &&
		    (t = value_text(c, hash_value(v, "CommandLineTemplate"), 0)) != NULL)
			check_line(x, &n->ext, t, strlen(t), R_ATK_PERSIST, "WMI CommandLineEventConsumer",
			    "T1546.003", "A WMI event consumer runs a command that is an attack");
	} else if (ps_cmd_is(pc, "Invoke-WmiMethod") || ps_cmd_is(pc, "Invoke-CimMethod")) {
		const char *cls = value_text(c, arg_node(n, "Class", 0), 0);

		if (cls == NULL)
			cls = value_text(c, arg_node(n, "ClassName", 0), 0);
		if (cls == NULL || !ps_ci_contains(cls, strlen(cls), "Win32_Process"))
			return;
		t = value_text(c, arg_node(n, "ArgumentList", -1), 0);
		if (t == NULL)
			t = value_text(c, hash_value(arg_node(n, "Arguments", -1), "CommandLine"), 0);
		if (t != NULL)
			check_line(x, &n->ext, t, strlen(t), R_ATK_SHELL, "Win32_Process.Create",
			    "T1047", "WMI starts a process that runs an attack");
	} else if (!pc->local_function) {
		check_native(x, pc);
	}
}

/* & $file / . $file: an execution of what the operand names. */
static void
check_invocation(struct atk *x, const struct ps_cmd *pc)
{
	const struct ps_node *n = pc->node;

	if (n->u.cmd.invocation != 0 && n->u.cmd.name_node != NULL)
		add_site(x->ex, &x->nex, SITES_MAX, n, n->u.cmd.name_node, NULL, 0,
		    n->u.cmd.invocation == '&' ? "the call operator &" : "dot-sourcing");
}

static void
check_members(struct atk *x)
{
	struct ps_ctx *c = x->c;
	const struct ps_nodes *ms = &c->ast->members;

	for (size_t i = 0; i < ms->n; i++) {
		const struct ps_node *m = ms->v[i], *tg = m->u.mem.target;
		const char *nm = m->u.mem.name, *tt;
		size_t tl;

		if (m->kind != PS_NODE_INVOKE_MEMBER || nm == NULL || m->u.mem.args.n == 0 ||
		    strchr("dDsScCrReE", nm[0]) == NULL)
			continue;	/* DownloadFile, Start, SetValue, Create, ShellExecute, Run, Exec */
		if (ps_ci_eq(nm, "Create") && m->u.mem.is_static && tg != NULL &&
		    tg->kind == PS_NODE_TYPE && ps_ci_suffix(tg->u.type.name, "ScriptBlock")) {
			check_code(x, &m->ext, value_text(c, m->u.mem.args.v[0], 0),
			    "[ScriptBlock]::Create", "[ScriptBlock]::Create makes code that is an attack");
		} else if (ps_ci_eq(nm, "SetValue") && m->u.mem.args.n >= 2) {
			/* [Microsoft.Win32.Registry]::SetValue('HKEY_...\Run', name, value), or
			 * $key.SetValue(name, value) on a key opened or created at ...\Run */
			const struct ps_node *opened;
			const char *key = NULL, *t;
			size_t vi = 1, kl;

			if (m->u.mem.is_static && m->u.mem.args.n >= 3) {
				key = value_text(c, m->u.mem.args.v[0], 0);
				vi = 2;
			} else if (tg != NULL && tg->kind == PS_NODE_VARIABLE && tg->u.var.bare != NULL &&
			    (opened = assigned(c, tg)) != NULL &&
			    (key = ps_ctx_text(c, opened, &kl)) != NULL) {
				key = ps_ast_strndup(c->ast, key, kl);
			}
			if (run_key(key) && (t = value_text(c, m->u.mem.args.v[vi], 0)) != NULL) {
				check_line(x, &m->ext, t, strlen(t), R_ATK_PERSIST, "Run key value",
				    "T1547.001", "An autostart Run key runs a command that is an attack");
				add_site(x->ex, &x->nex, SITES_MAX, m, NULL, t, 0, "a Run key");
			}
		} else if (ps_ci_eq(nm, "DownloadFile") && m->u.mem.args.n >= 2) {
			add_site(x->dl, &x->ndl, DOWNLOADS_MAX, m, m->u.mem.args.v[1], NULL, 0,
			    "WebClient.DownloadFile");
		} else if (ps_ci_eq(nm, "Start") && m->u.mem.is_static && tg != NULL &&
		    tg->kind == PS_NODE_TYPE && ps_ci_suffix(tg->u.type.name, "Process")) {
			const char *line = program_line(c, value_text(c, m->u.mem.args.v[0], 0),
			    m->u.mem.args.n > 1 ? value_text(c, m->u.mem.args.v[1], 0) : NULL);

			if (line != NULL)
				check_line(x, &m->ext, line, strlen(line), R_ATK_SHELL,
				    "[Diagnostics.Process]::Start", "T1106",
				    "Process.Start hands over code that is an attack");
			add_site(x->ex, &x->nex, SITES_MAX, m, m->u.mem.args.v[0], line, 0, "Process.Start");
		} else if ((ps_ci_eq(nm, "Create") && tg != NULL && (tt = ps_ctx_text(c, tg, &tl)) != NULL &&
		    ps_ci_contains(tt, tl, "Win32_Process")) || ps_ci_eq(nm, "ShellExecute") ||
		    ((ps_ci_eq(nm, "Run") || ps_ci_eq(nm, "Exec")) && !m->u.mem.is_static)) {
			const char *line = ps_ci_eq(nm, "ShellExecute") ? program_line(c,
			    value_text(c, m->u.mem.args.v[0], 0), m->u.mem.args.n > 1 ?
			    value_text(c, m->u.mem.args.v[1], 0) : NULL) :
			    value_text(c, m->u.mem.args.v[0], 0);
			bool wmi = ps_ci_eq(nm, "Create");

			if (line == NULL)
				continue;
			check_line(x, &m->ext, line, strlen(line), R_ATK_SHELL,
			    wmi ? "Win32_Process.Create" : nm, wmi ? "T1047" : NULL,
			    wmi ? "WMI starts a process that runs an attack" :
			    "A COM shell method hands over code that is an attack");
			add_site(x->ex, &x->nex, SITES_MAX, m, NULL, line, 0, nm);
		}
	}
	/* $consumer.CommandLineTemplate = '...' */
	for (size_t i = 0; i < c->ast->assignments.n; i++) {
		const struct ps_node *a = c->ast->assignments.v[i], *lhs = a->u.asg.lhs;
		const char *t;

		if (lhs == NULL || lhs->kind != PS_NODE_MEMBER || lhs->u.mem.name == NULL ||
		    (lhs->u.mem.name[0] | 0x20) != 'c' || !ps_ci_eq(lhs->u.mem.name, "CommandLineTemplate") ||
		    (t = value_text(c, a->u.asg.rhs, 0)) == NULL)
			continue;
		check_line(x, &a->ext, t, strlen(t), R_ATK_PERSIST, "WMI CommandLineEventConsumer",
		    "T1546.003", "A WMI event consumer runs a command that is an attack");
	}
}

/* The cmdlets check_command looks at. */
static const char *const handled[] = { "Invoke-Expression", "Start-Process", "Invoke-Item",
	"Invoke-WebRequest", "Invoke-RestMethod", "Start-BitsTransfer", "Get-FileHash",
	"Get-AuthenticodeSignature",
	"Set-ItemProperty", "New-ItemProperty", "New-ScheduledTaskAction", "New-Service",
	"Set-WmiInstance", "New-CimInstance", "Invoke-WmiMethod", "Invoke-CimMethod", NULL };

/* Per catalog cmdlet: is it one of handled[]? Built once. */
#define HANDLED_MAX 2048
static bool catalog_handled[HANDLED_MAX];
static pthread_once_t handled_once = PTHREAD_ONCE_INIT;

static void
handled_build(void)
{
	for (const char *const *h = handled; *h != NULL; h++) {
		const struct ps_cmdlet_info *ci = ps_catalog_find(*h, strlen(*h));

		if (ci != NULL && ps_catalog_index(ci) < HANDLED_MAX)
			catalog_handled[ps_catalog_index(ci)] = true;
	}
}

/* The commands this pass looks at: a script with none of them costs one loop over its
 * commands with a table look-up for each catalog cmdlet. */
static bool
maybe_relevant(const struct ps_cmd *pc)
{
	size_t k;

	if (pc->node->u.cmd.invocation != 0 || pc->path)
		return true;
	if (pc->ci == NULL)
		return pc->name != NULL && !pc->local_function;
	k = (size_t)(pc->ci - ps_catalog_cmdlets);	/* ps_catalog_index; handled_build has run */
	return k >= HANDLED_MAX || catalog_handled[k];
}

void
ps_rules_attacks_run(struct ps_ctx *c)
{
	struct atk x;	/* on the stack: sites are filled before they are counted */

	x.c = c;
	x.at = NULL;
	x.ndl = x.nex = x.nver = 0;
	pthread_once(&handled_once, handled_build);
	for (size_t i = 0; i < c->p->ncmds; i++) {
		const struct ps_cmd *pc = &c->p->cmds[i];

		if ((pc->name == NULL && pc->node->u.cmd.invocation == 0) || !maybe_relevant(pc))
			continue;
		if (pc->ci == NULL && pc->name != NULL && strchr(pc->canon, '-') == NULL)
			check_native(&x, pc);	/* no cmdlet name */
		else if (pc->name != NULL)
			check_command(&x, pc);
		check_invocation(&x, pc);
	}
	if ((c->ast->kinds & NODE_BIT(PS_NODE_INVOKE_MEMBER)) || c->ast->assignments.n > 0)
		check_members(&x);
	if (x.ndl > 0 && x.nex > 0)
		check_download_exec(&x);
}
