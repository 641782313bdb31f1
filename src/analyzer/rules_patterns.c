#include "config.h"
/* rules_patterns.c: declarative text patterns over code, strings, de-obfuscated and decoded text */

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

/*
 * A pattern fires when its needles occur in order on one logical line of the script
 * (comments removed, backtick continuations joined), all lower case. The first needle
 * must start a word. The same table runs over strings rebuilt by constant folding and
 * over decoded Base64 payloads, so hiding a command in a string does not hide it.
 */
struct pattern {
	enum ps_rule	 rule;
	enum ps_severity sev;	/* PS_SEV__MAX: the rule's default */
	const char	*needles[4];
	const char	*msg;
};

#define D PS_SEV__MAX
static const struct pattern patterns[] = {
	{ R_AMSI_BYPASS, D, { "amsiutils" }, "The AmsiUtils class is accessed (AMSI bypass)." },
	{ R_AMSI_BYPASS, D, { "amsiinitfailed" }, "amsiInitFailed is set (AMSI bypass)." },
	{ R_AMSI_BYPASS, D, { "amsiscanbuffer" }, "AmsiScanBuffer is patched (AMSI bypass)." },
	{ R_AMSI_BYPASS, D, { "amsicontext" }, "The AMSI context is tampered with." },
	{ R_AMSI_BYPASS, D, { "amsi.dll" }, "amsi.dll is loaded or patched." },
	{ R_DEFENDER_TAMPERING, D, { "disableantispyware" },
	    "Microsoft Defender is disabled through the registry (DisableAntiSpyware)." },
	{ R_DEFENDER_TAMPERING, D, { "disablerealtimemonitoring", "1" },
	    "Real-time protection is disabled." },
	{ R_DEFENDER_TAMPERING, D, { "stop-service", "windefend" },
	    "The Defender service is stopped." },
	{ R_DEFENDER_TAMPERING, D, { "sc", "stop", "windefend" },
	    "The Defender service is stopped." },
	{ R_DEFENDER_TAMPERING, D, { "uninstall-windowsfeature", "defender" },
	    "Microsoft Defender is uninstalled." },
	{ R_FIREWALL_TAMPERING, D, { "netsh", "advfirewall", "state", "off" },
	    "The firewall is turned off with netsh." },
	{ R_FIREWALL_TAMPERING, D, { "netsh", "firewall", "opmode", "disable" },
	    "The firewall is turned off with netsh." },
	{ R_FIREWALL_TAMPERING, D, { "stop-service", "mpssvc" }, "The firewall service is stopped." },
	{ R_WMI_SUBSCRIPTION, D, { "__eventfilter" }, "A WMI __EventFilter is created." },
	{ R_WMI_SUBSCRIPTION, D, { "commandlineeventconsumer" },
	    "A WMI CommandLineEventConsumer is created." },
	{ R_WMI_SUBSCRIPTION, D, { "activescripteventconsumer" },
	    "A WMI ActiveScriptEventConsumer is created." },
	{ R_WMI_SUBSCRIPTION, D, { "__filtertoconsumerbinding" },
	    "A WMI filter-to-consumer binding is created." },
	{ R_CREDENTIAL_DUMPING, D, { "mimikatz" }, "Mimikatz is used." },
	{ R_CREDENTIAL_DUMPING, D, { "sekurlsa::" }, "Mimikatz sekurlsa (LSASS secrets) is used." },
	{ R_CREDENTIAL_DUMPING, D, { "lsadump::" }, "Mimikatz lsadump is used." },
	{ R_CREDENTIAL_DUMPING, D, { "kerberos::" }, "Mimikatz Kerberos ticket commands are used." },
	{ R_CREDENTIAL_DUMPING, D, { "comsvcs", "minidump" },
	    "LSASS memory is dumped through comsvcs.dll MiniDump." },
	{ R_CREDENTIAL_DUMPING, D, { "procdump", "lsass" }, "LSASS memory is dumped with procdump." },
	{ R_CREDENTIAL_DUMPING, D, { "minidumpwritedump" }, "MiniDumpWriteDump is called." },
	{ R_CREDENTIAL_DUMPING, D, { "out-minidump" }, "A process memory dump is written." },
	{ R_CREDENTIAL_DUMPING, D, { "reg", "save", "hklm\\sam" }, "The SAM hive is saved." },
	{ R_CREDENTIAL_DUMPING, D, { "reg", "save", "hklm\\security" },
	    "The SECURITY hive is saved." },
	{ R_CREDENTIAL_DUMPING, D, { "ntds.dit" }, "The Active Directory database is accessed." },
	{ R_CREDENTIAL_DUMPING, D, { "vaultcmd", "/listcreds" }, "Stored credentials are listed." },
	{ R_CREDENTIAL_DUMPING, D, { "get-gpppassword" }, "Group Policy passwords are harvested." },
	{ R_LOG_CLEARING, D, { "wevtutil", " cl " }, "Event logs are cleared with wevtutil." },
	{ R_LOG_CLEARING, D, { "wevtutil", "clear-log" }, "Event logs are cleared with wevtutil." },
	{ R_LOG_CLEARING, D, { "auditpol", "/clear" }, "The audit policy is cleared." },
	{ R_LOG_CLEARING, D, { "auditpol", "/remove" }, "The audit policy is removed." },
	{ R_LOG_CLEARING, D, { "globalsession.clearlog" }, "Event logs are cleared." },
	{ R_SHADOW_COPY, D, { "vssadmin", "delete", "shadows" }, "Shadow copies are deleted." },
	{ R_SHADOW_COPY, D, { "vssadmin", "resize", "shadowstorage" },
	    "Shadow storage is shrunk (deletes shadow copies)." },
	{ R_SHADOW_COPY, D, { "wmic", "shadowcopy", "delete" }, "Shadow copies are deleted." },
	{ R_SHADOW_COPY, D, { "win32_shadowcopy", "delete" }, "Shadow copies are deleted." },
	{ R_SHADOW_COPY, D, { "win32_shadowcopy", "remove-" }, "Shadow copies are deleted." },
	{ R_SHADOW_COPY, D, { "wbadmin", "delete" }, "Backups are deleted with wbadmin." },
	{ R_SHADOW_COPY, D, { "bcdedit", "recoveryenabled", "no" },
	    "Windows recovery is disabled." },
	{ R_DESTRUCTIVE, D, { "diskpart" }, "diskpart is run (it can wipe disks)." },
	{ R_DESTRUCTIVE, D, { "cipher", "/w:" }, "Free space is wiped with cipher /w." },
	{ R_LOCAL_ADMIN, D, { "net", "localgroup", "administrators", "/add" },
	    "A user is added to the local Administrators group." },
	{ R_LOCAL_ADMIN, D, { "winnt://", "administrators", ".add(" },
	    "A user is added to the local Administrators group through ADSI." },
	{ R_RISK_ACCOUNT_CHANGE, D, { "net", "user", "/add" }, "A local user is created with net user." },
	{ R_SCHEDULED_TASK, D, { "schtasks", "/create" }, "A scheduled task is created with schtasks." },
	{ R_SCHEDULED_TASK, PS_SEV_ERROR, { "schtasks", "/create", "powershell", "hidden" },
	    "A scheduled task runs hidden PowerShell." },
	{ R_SERVICE_CREATION, D, { "sc", "create", "binpath" }, "A service is created with sc.exe." },
	{ R_SERVICE_CREATION, D, { "sc", "config", "binpath" },
	    "A service binary path is changed with sc.exe." },
	{ R_RUN_KEY, D, { "\\currentversion\\run" }, "An autostart Run key is used." },
	{ R_RUN_KEY, D, { "\\winlogon", "userinit" }, "The Winlogon Userinit value is used." },
	{ R_RUN_KEY, D, { "\\winlogon", "shell" }, "The Winlogon Shell value is used." },
	{ R_RUN_KEY, D, { "image file execution options", "debugger" },
	    "An Image File Execution Options debugger is set." },
	{ R_RUN_KEY, D, { "\\start menu\\programs\\startup" }, "The Startup folder is used." },
	{ R_CERT_BYPASS, D, { "trustallcertspolicy" }, "A trust-all certificate policy is installed." },
	{ R_CERT_BYPASS, D, { "icertificatepolicy" }, "A custom certificate policy is installed." },
	{ R_HIDDEN_WINDOW, D, { "createnowindow", "$true" }, "A process is started without a window." },
	{ R_DOWNLOAD_CRADLE, D, { "net.webclient", ").downloadstring(" },
	    "A script is downloaded with WebClient.DownloadString." },
	{ R_INJECTION_API, D, { "getdelegateforfunctionpointer" },
	    "A native function pointer is invoked through reflection." },
	{ R_INJECTION_API, D, { "defineddynamicassembly" }, "A dynamic assembly is built in memory." },
	{ R_INJECTION_API, D, { "definedynamicassembly" }, "A dynamic assembly is built in memory." },
	{ R_REFLECTION_LOAD, D, { "reflection.assembly]::load(" },
	    "An assembly is loaded from memory." },
};
#undef D

/* APIs that P/Invoke declarations should not need in an administration script. */
static const char *const injection_apis[] = {
	"virtualallocex", "virtualalloc", "writeprocessmemory", "createremotethread",
	"ntcreatethreadex", "queueuserapc", "virtualprotect", "rtlmovememory",
	"setwindowshookex", "getasynckeystate", "openprocess", "readprocessmemory",
	"ntunmapviewofsection", "setthreadcontext", "resumethread", "loadlibrary",
	"getprocaddress", "createthread", "minidumpwritedump", NULL
};

/* Known credential formats. */
struct keyfmt {
	const char	*prefix;	/* lower-case */
	size_t		 minlen;	/* of the whole token */
	const char	*what;
	bool		 case_sensitive;
	const char	*exact;		/* exact prefix in original case, if case matters */
};
static const struct keyfmt keyfmts[] = {
	{ "akia", 20, "an AWS access key", true, "AKIA" },
	{ "asia", 20, "an AWS temporary access key", true, "ASIA" },
	{ "ghp_", 40, "a GitHub personal access token", true, "ghp_" },
	{ "gho_", 40, "a GitHub OAuth token", true, "gho_" },
	{ "github_pat_", 40, "a GitHub fine-grained token", true, "github_pat_" },
	{ "xoxb-", 20, "a Slack bot token", true, "xoxb-" },
	{ "xoxp-", 20, "a Slack user token", true, "xoxp-" },
	{ "sk_live_", 24, "a Stripe secret key", true, "sk_live_" },
	{ "aiza", 39, "a Google API key", true, "AIza" },
	{ "-----begin rsa private key-----", 31, "a private key", false, NULL },
	{ "-----begin private key-----", 27, "a private key", false, NULL },
	{ "-----begin openssh private key-----", 35, "a private key", false, NULL },
	{ "-----begin ec private key-----", 30, "a private key", false, NULL },
};

/* Bytes of a word in the lower-cased text: a-z, 0-9 and _. */
static const unsigned char word_byte[256] = { ['a' ... 'z'] = 1, ['0' ... '9'] = 1, ['_'] = 1 };

static bool
word_start(const char *low, size_t pos)
{
	return pos == 0 || !word_byte[(unsigned char)low[pos - 1]];
}

/* find_in: the first occurrence of needle (nn >= 1 bytes) in h[0..hn), or NULL; what memmem
 * returns, without its set-up (a shift table per call), which dominates on short texts. */
static const char *
find_in(const char *h, size_t hn, const char *needle, size_t nn)
{
	while (hn >= nn) {
		const char *q = memchr(h, needle[0], hn - nn + 1);

		if (q == NULL)
			return NULL;
		/* the second byte first, inline (most first-byte hits end there) */
		if (nn == 1 || (q[1] == needle[1] && memcmp(q + 2, needle + 2, nn - 2) == 0))
			return q;
		hn -= (size_t)(q + 1 - h);
		h = q + 1;
	}
	return NULL;
}

/* The next occurrence of needle at or after *from that starts a word; its offset in *pos,
 * the end of its logical line in *eol. *from moves past it. */
static bool
find_word(const char *low, size_t len, size_t *from, const char *needle, size_t *pos,
    size_t *eol)
{
	size_t n = strlen(needle);

	while (*from < len) {
		const char *hit = find_in(low + *from, len - *from, needle, n), *nl;

		if (hit == NULL)
			break;
		*pos = (size_t)(hit - low);
		*from = *pos + 1;
		if (((needle[0] >= 'a' && needle[0] <= 'z') || needle[0] == '_') &&
		    !word_start(low, *pos))
			continue;
		nl = memchr(low + *pos, '\n', len - *pos);
		*eol = nl ? (size_t)(nl - low) : len;
		return true;
	}
	*from = len;
	return false;
}

/*
 * The first-byte dispatch of the pattern table, built once per process: head[b] is the first
 * pattern whose first needle starts with b, next[k] the following one (in table order);
 * second[b] has bit (c & 31) set when some first needle starts with b followed by c (a filter:
 * no pattern can start at a byte pair whose bit is clear). rules lists the distinct rules of
 * the table: when one of them is off or at its cap, scan_text builds the dispatch for that
 * text instead.
 */
enum { NPAT = PSS_ARRAY_LEN(patterns) };
static struct {
	short		 head[256], next[NPAT];
	uint32_t	 second[256];
	size_t		 n0[NPAT];	/* strlen of the first needle */
	enum ps_rule	 rules[NPAT];
	size_t		 nrules;
} pat_index;

/* Bytes that continue a word of the lower-cased text (letters and _; word_start also counts
 * digits, but no first needle starts with one). */
static const unsigned char word_cont[256] = { ['a' ... 'z'] = 1, ['_'] = 1 };
static pthread_once_t pat_once = PTHREAD_ONCE_INIT;

static void
pat_index_build(void)
{
	memset(pat_index.head, -1, sizeof(pat_index.head));
	for (int k = NPAT - 1; k >= 0; k--) {
		const char *n0 = patterns[k].needles[0];
		unsigned char f = (unsigned char)n0[0];
		size_t r;

		pat_index.next[k] = pat_index.head[f];
		pat_index.head[f] = (short)k;
		pat_index.n0[k] = strlen(n0);
		pat_index.second[f] |= 1u << ((unsigned char)n0[1] & 31);
		for (r = 0; r < pat_index.nrules && pat_index.rules[r] != patterns[k].rule; r++)
			;
		if (r == pat_index.nrules)
			pat_index.rules[pat_index.nrules++] = patterns[k].rule;
	}
}

/* Run the pattern table over text (lower case, len bytes, NUL-terminated) in one pass: at
 * each word start, only the patterns whose first needle starts with that byte are tried. Each
 * hit is reported at its own offset (+ ext_start) when map is true, else over [ext_start,
 * ext_end). A pattern fires at most once per logical line. */
static void
scan_text(struct ps_ctx *c, const char *low, size_t len, bool map, size_t ext_start,
    size_t ext_end, const char *context)
{
	short own_head[256], own_next[NPAT];
	const short *head = pat_index.head, *next = pat_index.next;
	size_t skip[NPAT];
	bool all_on = true;

	pthread_once(&pat_once, pat_index_build);
	for (size_t r = 0; r < pat_index.nrules && all_on && !ps_rules_all_on(c); r++)
		all_on = ps_rule_on(c, pat_index.rules[r]);
	if (!all_on) {
		memset(own_head, -1, sizeof(own_head));
		for (int k = NPAT - 1; k >= 0; k--) {
			unsigned char f = (unsigned char)patterns[k].needles[0][0];

			own_next[k] = -1;
			if (!ps_rule_on(c, patterns[k].rule))
				continue;
			own_next[k] = own_head[f];
			own_head[f] = (short)k;
		}
		head = own_head;
		next = own_next;
	}
	memset(skip, 0, sizeof(skip));
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)low[i];
		bool ws;

		if (head[ch] < 0)
			continue;
		ws = word_start(low, i);
		if (!ws && word_cont[ch]) {
			/* inside a word: no letter or _ after this one starts a word either
			 * (low[len] is the NUL, which ends the run) */
			while (word_cont[(unsigned char)low[i + 1]])
				i++;
			continue;
		}
		/* low[len] is the NUL */
		if (!((pat_index.second[ch] >> ((unsigned char)low[i + 1] & 31)) & 1))
			continue;
		for (short k = head[ch]; k >= 0; k = next[k]) {
			const struct pattern *pt = &patterns[k];
			const char *nl;
			size_t eol, cur, n0;
			bool all = true;

			/* needles have two characters or more */
			if (low[i + 1] != pt->needles[0][1] || i < skip[k])
				continue;
			n0 = pat_index.n0[k];
			if (i + n0 > len)
				continue;
			{
				/* the first two bytes are equal; needles are short */
				size_t m = 2;

				while (m < n0 && low[i + m] == pt->needles[0][m])
					m++;
				if (m < n0)
					continue;
			}
			nl = memchr(low + i, '\n', len - i);
			eol = nl ? (size_t)(nl - low) : len;
			cur = i + n0;
			for (int m = 1; m < 4 && pt->needles[m] != NULL; m++) {
				size_t nm = strlen(pt->needles[m]);
				const char *h2 = find_in(low + cur, eol - cur, pt->needles[m], nm);

				if (h2 == NULL) {
					all = false;
					break;
				}
				cur = (size_t)(h2 - low) + nm;
			}
			if (!all)
				continue;
			skip[k] = eol;	/* once per line */
			if (map)
				ps_rule_emit_range(c, pt->rule, pt->sev, ext_start + i, ext_start + cur,
				    NULL, "%s%s", pt->msg, context);
			else
				ps_rule_emit_range(c, pt->rule, pt->sev, ext_start, ext_end, NULL, "%s%s",
				    pt->msg, context);
		}
	}
}

static char *
lower_dup(struct ps_ctx *c, const char *s, size_t n)
{
	char *l = ps_ast_alloc(c->ast, n + 1);

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		l[i] = (char)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
	}
	l[n] = '\0';
	return l;
}

static int
b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

size_t
ps_patterns_b64_decode(const char *s, size_t n, char *out, size_t cap)
{
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0, zeros = 0;

	for (size_t i = 0; i < n && o < cap; i++) {
		int v;

		if (s[i] == '=' || s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
			continue;
		if ((v = b64val((unsigned char)s[i])) < 0)
			return 0;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xFF);
		}
	}
	for (size_t i = 1; i < o; i += 2)
		if (out[i] == '\0')
			zeros++;
	if (o >= 4 && zeros * 2 >= o / 2) {	/* UTF-16LE: keep the low bytes */
		size_t k = 0;

		for (size_t i = 0; i < o; i += 2)
			out[k++] = out[i];
		o = k;
	}
	return o;
}

/* The constant string last assigned to the variable named name (len bytes, no $), or NULL. */
static const char *
var_literal(struct ps_ctx *c, const char *name, size_t len)
{
	const struct ps_nodes *as = &c->ast->assignments;

	for (size_t i = as->n; i > 0; i--) {
		const struct ps_node *a = as->v[i - 1], *lhs = a->u.asg.lhs, *rhs = a->u.asg.rhs;

		if (lhs == NULL || lhs->kind != PS_NODE_VARIABLE || lhs->u.var.bare == NULL ||
		    strlen(lhs->u.var.bare) != len || strncasecmp(lhs->u.var.bare, name, len) != 0)
			continue;
		while (rhs != NULL && rhs->kind == PS_NODE_PIPELINE && rhs->u.pipe.elems.n == 1)
			rhs = rhs->u.pipe.elems.v[0];
		return rhs != NULL && rhs->kind == PS_NODE_STRING ? ps_node_const_string(rhs) : NULL;
	}
	return NULL;
}

/* PowerShell command lines: powershell[.exe] / pwsh followed by -EncodedCommand, -ExecutionPolicy
 * Bypass, -WindowStyle Hidden, on the same logical line (code or strings alike). */
static void
scan_powershell_lines(struct ps_ctx *c, const char *low, size_t len, size_t base, bool map,
    size_t ext_start, size_t ext_end)
{
	static const char *const starts[] = { "powershell", "pwsh" };

	for (size_t s = 0; s < 2; s++) {
		size_t from = 0, n0 = strlen(starts[s]);

		size_t pos, eol;

		while (find_word(low, len, &from, starts[s], &pos, &eol)) {
			size_t i = pos + n0;

			if (i + 4 <= eol && memcmp(low + i, ".exe", 4) == 0)
				i += 4;
			if (i < eol && ((low[i] >= 'a' && low[i] <= 'z') || low[i] == '_' || low[i] == '-'))
				continue;	/* PowerShellGet, pwsh-preview */
			while (i < eol) {
				size_t ws, we, vs, ve;

				/* next -word (also /word, as powershell.exe accepts) */
				while (i < eol && low[i] != '-' && low[i] != '/')
					i++;
				if (i >= eol)
					break;
				if (i > 0 && low[i - 1] != ' ' && low[i - 1] != '\t' && low[i - 1] != '"' &&
				    low[i - 1] != '\'') {
					i++;
					continue;
				}
				ws = ++i;
				while (i < eol && low[i] >= 'a' && low[i] <= 'z')
					i++;
				we = i;
				while (i < eol && (low[i] == ' ' || low[i] == '\t' || low[i] == '\'' ||
				    low[i] == '"'))
					i++;
				vs = i;
				if (i < eol && (low[i] == '-' || low[i] == '/')) {
					ve = vs;	/* the next switch, not a value */
				} else {
					while (i < eol && low[i] != ' ' && low[i] != '\t' && low[i] != '\'' &&
					    low[i] != '"' && low[i] != ';' && low[i] != ')')
						i++;
					ve = i;
				}
				if (we == ws)
					continue;
				{
					size_t wl = we - ws;
					const char *w = low + ws;
					size_t rs = map ? base + pos : ext_start;
					size_t re = map ? base + ve : ext_end;

					if ((wl <= 14 && strncmp("encodedcommand", w, wl) == 0) ||
					    (wl == 2 && memcmp(w, "ec", 2) == 0)) {
						char dec[4096];
						size_t dn = 0;
						const char *payload = NULL;
						bool var = ve > vs && low[vs] == '$';

						if (var && map)
							payload = var_literal(c, c->src + base + vs + 1,
							    ve - vs - 1);
						if (payload != NULL)
							dn = ps_patterns_b64_decode(payload, strlen(payload), dec,
							    sizeof(dec) - 1);
						else if (!var && map && ve - vs >= 8)
							dn = ps_patterns_b64_decode(c->src + base + vs, ve - vs, dec,
							    sizeof(dec) - 1);
						/* a literal payload is an error; an unknown $variable a warning */
						ps_rule_emit_range(c, R_ENCODED_COMMAND,
						    var && payload == NULL ? PS_SEV_WARNING : PS_SEV__MAX, rs, re,
						    NULL,
						    "PowerShell is started with an encoded command%s%.*s%s",
						    dn > 0 ? ": \"" : ".", dn > 120 ? 120 : (int)dn,
						    dn > 0 ? dec : "", dn > 0 ? "\"" : "");
						if (dn > 0 && map) {
							char *dl = lower_dup(c, dec, dn);

							scan_text(c, dl, dn, false, rs, re,
							    " (inside the encoded command)");
						}
					} else if (wl >= 2 && (strncmp("executionpolicy", w, wl) == 0 ||
					    (wl == 2 && memcmp(w, "ep", 2) == 0) ||
					    (wl == 4 && memcmp(w, "exec", 4) == 0)) &&
					    ve >= vs + 3 && (strncmp(low + vs, "bypass", ve - vs) == 0 ||
					    strncmp(low + vs, "unrestricted", ve - vs) == 0)) {
						ps_rule_emit_range(c, R_EXECUTION_POLICY, PS_SEV__MAX, rs, re, NULL,
						    "PowerShell is started with the execution policy bypassed.");
					} else if (wl >= 1 && strncmp("windowstyle", w, wl) == 0 &&
					    ve >= vs + 3 && strncmp(low + vs, "hidden", ve - vs) == 0) {
						ps_rule_emit_range(c, R_HIDDEN_WINDOW, PS_SEV__MAX, rs, re, NULL,
						    "PowerShell is started with a hidden window.");
					}
				}
			}
			from = eol;
		}
	}
}

/* The first offset at or after j where the first byte of kf's prefix stands (in either
 * case when that is a letter and case does not matter), or tl. */
static size_t
keyfmt_next(const struct keyfmt *kf, const char *text, size_t tl, size_t j)
{
	unsigned char f = (unsigned char)(kf->case_sensitive ? kf->exact[0] : kf->prefix[0]);
	const char *hit;

	if (j >= tl)
		return tl;
	if (kf->case_sensitive || f < 'a' || f > 'z') {
		hit = memchr(text + j, f, tl - j);
		return hit != NULL ? (size_t)(hit - text) : tl;
	}
	while (j < tl && ((unsigned char)text[j] | 0x20) != f)
		j++;
	return j;
}

/* The shortest string text any key format can be found in: a case-sensitive format needs
 * minlen bytes, the others their prefix (computed once; the table is constant). */
static size_t
keyfmt_min_text(void)
{
	static size_t min;	/* 0: not computed yet */
	size_t m = __atomic_load_n(&min, __ATOMIC_RELAXED);

	if (m == 0) {
		m = SIZE_MAX;
		for (size_t k = 0; k < PSS_ARRAY_LEN(keyfmts); k++) {
			size_t need = strlen(keyfmts[k].prefix);

			if (keyfmts[k].case_sensitive && keyfmts[k].minlen > need)
				need = keyfmts[k].minlen;
			if (need < m)
				m = need;
		}
		__atomic_store_n(&min, m, __ATOMIC_RELAXED);
	}
	return m;
}

/* Strings: P/Invoke of injection APIs, key formats, embedded Base64 scripts. */
static void
scan_strings(struct ps_ctx *c)
{
	const struct ps_nodes *ss = &c->ast->strings;

	for (size_t i = 0; i < ss->n; i++) {
		const struct ps_node *s = ss->v[i];
		const char *v = s->u.str.value;
		size_t n = s->u.str.len, tl;
		const char *text = ps_node_text(c->ast, s, &tl);

		uint64_t in_text[4] = { 0, 0, 0, 0 };	/* the bytes of text, a bit each */
		uint32_t in_value = 0;	/* the letters of v (either case), a bit each */

		if (v == NULL || n < 8)
			continue;
		for (size_t j = 0; j < n; j++) {
			unsigned char ch = (unsigned char)v[j] | 0x20;

			if (ch >= 'a' && ch <= 'z')
				in_value |= 1u << (ch - 'a');
		}
		for (size_t j = 0; j < tl && tl >= keyfmt_min_text(); j++) {
			unsigned char ch = (unsigned char)text[j];

			in_text[ch >> 6] |= (uint64_t)1 << (ch & 63);
		}
		/* "dllimport" needs a d, "extern " an x */
		if (((in_value & (1u << ('d' - 'a'))) && ps_ci_contains(v, n, "dllimport")) ||
		    ((in_value & (1u << ('x' - 'a'))) && ps_ci_contains(v, n, "extern "))) {
			for (const char *const *api = injection_apis; *api != NULL; api++) {
				if (!ps_ci_contains(v, n, *api))
					continue;
				ps_rule_emit(c, R_INJECTION_API, PS_SEV__MAX, &s->ext, NULL,
				    "Native API %s is declared for P/Invoke (used for process injection, "
				    "memory patching or keylogging).", *api);
				break;
			}
		}
		for (size_t k = 0; k < PSS_ARRAY_LEN(keyfmts) && tl >= keyfmt_min_text(); k++) {
			const struct keyfmt *kf = &keyfmts[k];
			unsigned char f = (unsigned char)(kf->case_sensitive ? kf->exact[0] :
			    kf->prefix[0]);
			size_t pl;

			/* the first byte (either case when case does not matter) is not in the
			 * text: keyfmt_next would find no start */
			if (!((in_text[f >> 6] >> (f & 63)) & 1) && (kf->case_sensitive ||
			    f < 'a' || f > 'z' || !((in_text[(f - 32) >> 6] >> ((f - 32) & 63)) & 1)))
				continue;
			pl = strlen(kf->prefix);

			for (size_t j = keyfmt_next(kf, text, tl, 0); j + pl <= tl;
			    j = keyfmt_next(kf, text, tl, j + 1)) {
				size_t e = j;

				if (kf->case_sensitive ? memcmp(text + j, kf->exact, pl) != 0 :
				    strncasecmp(text + j, kf->prefix, pl) != 0)
					continue;
				while (e < tl && text[e] != '\'' && text[e] != '"' && text[e] != ' ' &&
				    text[e] != '\n')
					e++;
				if (e - j < kf->minlen && kf->case_sensitive)
					continue;
				ps_rule_emit_range(c, R_HARDCODED_SECRET, PS_SEV__MAX,
				    s->ext.start + j, s->ext.start + e, NULL,
				    "The string holds %s.", kf->what);
				break;
			}
		}
	}
}

/* Base64 literals given to FromBase64String: decode and scan what they hide. */
static void
scan_decoded(struct ps_ctx *c)
{
	const struct ps_nodes *ms = &c->ast->members;

	for (size_t i = 0; i < ms->n; i++) {
		const struct ps_node *m = ms->v[i], *arg;
		char dec[8192];
		size_t dn;
		bool folded;
		const char *v;

		if (m->kind != PS_NODE_INVOKE_MEMBER ||
		    !ps_ci_eq(m->u.mem.name, "FromBase64String") || m->u.mem.args.n != 1)
			continue;
		arg = m->u.mem.args.v[0];
		v = ps_ctx_fold(c, arg, &folded);
		if (v == NULL)
			continue;
		dn = ps_patterns_b64_decode(v, strlen(v), dec, sizeof(dec) - 1);
		if (dn == 0)
			continue;
		scan_text(c, lower_dup(c, dec, dn), dn, false, m->ext.start, m->ext.end,
		    " (inside Base64-encoded data)");
		scan_powershell_lines(c, lower_dup(c, dec, dn), dn, 0, false, m->ext.start,
		    m->ext.end);
	}
}

struct fold_walk {
	struct ps_ctx *c;
};

static bool
foldable_kind(const struct ps_node *n)
{
	switch (n->kind) {
	case PS_NODE_BINARY:
		return n->u.bin.op == PS_OP_PLUS || n->u.bin.op == PS_OP_F ||
		    n->u.bin.op == PS_OP_JOIN || n->u.bin.op == PS_OP_REPLACE;
	case PS_NODE_UNARY:
		return n->u.un.op == PS_OP_JOIN;
	case PS_NODE_CONVERT:
	case PS_NODE_INDEX:
		return true;
	case PS_NODE_INVOKE_MEMBER:
		return n->u.mem.name != NULL && (ps_ci_eq(n->u.mem.name, "Replace") ||
		    ps_ci_eq(n->u.mem.name, "Join") || ps_ci_eq(n->u.mem.name, "ToLower") ||
		    ps_ci_eq(n->u.mem.name, "ToUpper"));
	default:
		return false;
	}
}

static int
fold_visit(struct ps_node *n, void *arg)
{
	struct ps_ctx *c = arg;
	const char *v;
	bool folded;
	size_t vl;

	if (!foldable_kind(n))
		return PS_WALK_CONTINUE;
	v = ps_ctx_fold(c, n, &folded);
	if (v == NULL)
		return PS_WALK_CONTINUE;	/* parts of it may still fold */
	vl = strlen(v);
	if (folded && vl >= 3) {
		char *low = lower_dup(c, v, vl);

		scan_text(c, low, vl, false, n->ext.start, n->ext.end,
		    " (in a string assembled at run time)");
		scan_powershell_lines(c, low, vl, 0, false, n->ext.start, n->ext.end);
	}
	return PS_WALK_SKIP;
}

void
ps_rules_patterns_run(struct ps_ctx *c)
{
	scan_text(c, c->p->lower, c->len, true, 0, c->len, "");
	scan_powershell_lines(c, c->p->lower, c->len, 0, true, 0, c->len);
	scan_strings(c);
	scan_decoded(c);
	if (c->ast->kinds & (NODE_BIT(PS_NODE_BINARY) | NODE_BIT(PS_NODE_UNARY) |
	    NODE_BIT(PS_NODE_CONVERT) | NODE_BIT(PS_NODE_INDEX) | NODE_BIT(PS_NODE_INVOKE_MEMBER)))
		ps_ast_walk_tree(c->ast, fold_visit, c);	/* the kinds foldable_kind accepts */
}
