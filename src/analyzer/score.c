#include "config.h"
/* score.c: the three scores (documented in docs/analyzer.md) and the script's purpose */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/rules.h"

const char *const ps_capability_names[PS_CAP__MAX] = {
	"filesRead", "filesWrite", "filesDelete", "registryRead", "registryWrite", "network",
	"processes", "services", "users", "remoteHosts", "scheduledTasks", "eventLogs",
	"systemConfiguration", "dynamicCode"
};

/* Phrases for the generated purpose, parallel to enum ps_capability. */
static const char *const cap_phrases[PS_CAP__MAX] = {
	"reads files", "writes files", "deletes files", "reads the registry",
	"changes the registry", "talks to the network", "starts or stops processes",
	"manages services", "manages user accounts", "runs commands on remote computers",
	"manages scheduled tasks", "works with event logs", "changes system configuration",
	"runs dynamically generated code"
};

/* Risk weight of each capability (score formula, docs/analyzer.md). */
static const double cap_risk[PS_CAP__MAX] = {
	0.0, 0.25, 0.5, 0.0, 0.5, 0.5, 0.25, 0.5, 0.75, 0.75, 0.5, 0.25, 0.75, 0.75
};

const char *
ps_capability_evidence(const struct ps_analysis *a, enum ps_capability cap)
{
	return a->priv->cap_evidence[cap];
}

static double
round1(double x)
{
	return round(x * 10.0) / 10.0;
}

static double
sev_weight(enum ps_severity s)
{
	switch (s) {
	case PS_SEV_ERROR:
		return 3.0;
	case PS_SEV_WARNING:
		return 1.5;
	default:
		return 0.5;
	}
}

/*
 * Per-rule weight: the worst severity's weight, plus a quarter of it for each further
 * finding of the same rule, at most four more (repetition counts, but saturates).
 */
static double
rule_points(const unsigned count[PS_SEV__MAX])
{
	unsigned total = count[0] + count[1] + count[2];
	enum ps_severity worst = count[PS_SEV_ERROR] ? PS_SEV_ERROR :
	    count[PS_SEV_WARNING] ? PS_SEV_WARNING : PS_SEV_INFORMATION;
	double w = sev_weight(worst);

	if (total == 0)
		return 0;
	return w * (1.0 + 0.25 * (double)(total - 1 > 4 ? 4 : total - 1));
}

static void
compute_scores(struct ps_ctx *c)
{
	struct ps_analysis *a = c->a;
	unsigned cnt[R__MAX][PS_SEV__MAX];
	uint64_t attack[(R__MAX + 63) / 64] = { 0 };	/* rules with a finding naming an
						 * attack technique, a bit each */
	double sec = 0, risk = 0, qual = 0, allowance;
	const struct ps_ast *ast = c->ast;

	/* no finding kept: every per_rule is 0 and no rule adds to a sum */
	if (a->nfindings > 0)
		memset(cnt, 0, sizeof(cnt));
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct ps_finding *f = &a->findings[i];
		size_t r = (size_t)(f->rule - ps_rule_table);

		cnt[r][f->severity]++;
		if (f->mitre != NULL)
			attack[r / 64] |= (uint64_t)1 << (r % 64);
	}
	for (size_t r = 0; r < (a->nfindings > 0 ? (size_t)R__MAX : 0); r++) {
		double pts;

		if (c->p->per_rule[r] == 0)
			continue;	/* no finding: adds nothing to any sum */
		pts = rule_points(cnt[r]);
		switch (ps_rule_table[r].category) {
		case PS_CAT_SECURITY:
			if (attack[r / 64] & ((uint64_t)1 << (r % 64)))
				pts *= 2.0;	/* a named attack technique: twice its severity */
			sec += pts;
			risk += pts;
			c->p->score.rule_points[r] = pts;
			break;
		case PS_CAT_RISK:
			risk += pts * (2.0 / 3.0);	/* error 2, warning 1, information 1/3 */
			c->p->score.rule_points[r] = pts * (2.0 / 3.0);
			c->p->score.risk_from_rules += pts * (2.0 / 3.0);
			break;
		default: {
			/* quality: each finding, error 1, warning 0.5, information 0.1; at most
			 * ten findings of one rule count */
			unsigned e = cnt[r][PS_SEV_ERROR], w = cnt[r][PS_SEV_WARNING],
			    n = cnt[r][PS_SEV_INFORMATION];
			double q = e * 1.0 + w * 0.5 + n * 0.1;
			double cap = 10 * (e ? 1.0 : w ? 0.5 : 0.1);

			qual += q > cap ? cap : q;
			break;
		}
		}
	}
	c->p->score.quality_from_findings = qual;
	for (size_t k = 0; k < PS_CAP__MAX; k++)
		if (a->capabilities & (1u << k))
			c->p->score.risk_from_caps += cap_risk[k];
	risk += c->p->score.risk_from_caps;
	if (a->needs_elevation) {
		risk += 0.5;
		c->p->score.risk_from_elevation = 0.5;
	}
	/* complexity: each function over cyclomatic 10 costs 0.2 per point, at most 2 */
	for (size_t i = 0; i < ast->functions.n; i++) {
		unsigned cc = ast->functions.v[i]->u.fn.cx.cyclomatic;

		if (cc > 10)
			qual += (cc - 10) * 0.2 > 2 ? 2 : (cc - 10) * 0.2;
	}
	if (ast->cx.max_nesting > 5)
		qual += 0.5 * (ast->cx.max_nesting - 5) > 2 ? 2 : 0.5 * (ast->cx.max_nesting - 5);
	c->p->score.quality_from_complexity = qual - c->p->score.quality_from_findings;
	if (ast->ndiags > 0) {
		qual += 2.0;	/* syntax errors */
		c->p->score.quality_from_syntax = 2.0;
	}
	allowance = 1.0 + (double)c->p->code_lines / 50.0;
	c->p->score.security_points = sec;
	c->p->score.risk_points = risk;
	c->p->score.quality_points = qual;
	c->p->score.allowance = allowance;
	a->security_score = round1(sec >= 10 ? 0 : 10 - sec);
	a->quality_score = round1(10.0 / (1.0 + qual / (4.0 * allowance)));
	a->risk_score = round1(10.0 * (1.0 - exp(-risk / 6.0)));
}

/* The first sentence of a help text, at most 300 bytes. */
static const char *
first_sentence(struct ps_ctx *c, const char *s)
{
	size_t n = 0, len;

	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	len = strlen(s);
	while (n < len && n < 300) {
		if (s[n] == '.' && (n + 1 == len || s[n + 1] == ' ' || s[n + 1] == '\n')) {
			n++;
			break;
		}
		if (s[n] == '\n' && n + 1 < len && s[n + 1] == '\n')
			break;
		n++;
	}
	{
		char *r = ps_ast_strndup(c->ast, s, n);

		for (char *p = r; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		return r;
	}
}

struct cmdcount {
	const char *name;
	unsigned n;
	size_t first;
};

/* The generated purpose is built in a fixed buffer: it is at most about 550 bytes (12 + 292
 * for every capability phrase with separators, three cmdlet names of at most 33 bytes, a
 * function count), so the 1 KB never truncates it; no heap buffer per analysis. */
struct phrase {
	char	 s[1024];
	size_t	 n;
};

static void
phrase_put(struct phrase *b, const char *s)
{
	size_t l = strlen(s);

	if (l > sizeof(b->s) - 1 - b->n)
		l = sizeof(b->s) - 1 - b->n;
	memcpy(b->s + b->n, s, l);
	b->n += l;
	b->s[b->n] = '\0';
}

/* "<lead>N thing(s)" */
static void
count_phrase(struct phrase *b, const char *lead, size_t n, const char *thing)
{
	char num[24], *d = num + sizeof(num) - 1;
	size_t k = n;

	*d = '\0';
	*--d = ' ';
	do {
		*--d = (char)('0' + k % 10);
		k /= 10;
	} while (k > 0);
	phrase_put(b, lead);
	phrase_put(b, d);
	phrase_put(b, thing);
	if (n != 1)
		phrase_put(b, "s");
}

static void
compute_purpose(struct ps_ctx *c)
{
	struct ps_analysis *a = c->a;
	const struct ps_ast *ast = c->ast;
	struct phrase b;
	struct cmdcount top[3] = { { NULL, 0, 0 }, { NULL, 0, 0 }, { NULL, 0, 0 } };
	unsigned nphr = 0, ncaps = 0;

	b.n = 0;
	b.s[0] = '\0';

	if (ast->help != NULL && ast->help->synopsis != NULL && ast->help->synopsis[0] != '\0') {
		a->purpose = first_sentence(c, ast->help->synopsis);
		return;
	}
	if (ast->help != NULL && ast->help->description != NULL &&
	    ast->help->description[0] != '\0') {
		a->purpose = first_sentence(c, ast->help->description);
		return;
	}
	if (ast->functions.n == 1 && ast->functions.v[0]->u.fn.help != NULL &&
	    ast->functions.v[0]->u.fn.help->synopsis != NULL &&
	    ast->functions.v[0]->u.fn.help->synopsis[0] != '\0') {
		a->purpose = first_sentence(c, ast->functions.v[0]->u.fn.help->synopsis);
		return;
	}
	/* Most used catalog cmdlets (ties: first seen). */
	{
		const struct ps_cmd_group *g;
		size_t ng = ps_cmd_groups(c->p, &g, NULL);

		for (size_t i = 0; i < ng; i++) {
			const struct ps_cmd *pc = &c->p->cmds[g[i].first];
			unsigned n = (unsigned)g[i].count;

			if (pc->ci == NULL)
				continue;
			for (int t = 0; t < 3; t++) {
				if (top[t].name == NULL || n > top[t].n) {
					for (int m = 2; m > t; m--)
						top[m] = top[m - 1];
					top[t].name = pc->ci->name;
					top[t].n = n;
					top[t].first = g[i].first;
					break;
				}
			}
		}
	}
	for (size_t k = 0; k < PS_CAP__MAX; k++)
		if (a->capabilities & (1u << k))
			ncaps++;
	if (ncaps > 0) {
		phrase_put(&b, "This script ");
		for (size_t k = 0; k < PS_CAP__MAX; k++) {
			if (!(a->capabilities & (1u << k)))
				continue;
			nphr++;
			if (nphr > 1)
				phrase_put(&b, nphr == ncaps ? " and " : ", ");
			phrase_put(&b, cap_phrases[k]);
		}
	} else if (ast->functions.n > 0) {
		count_phrase(&b, "This script defines ", ast->functions.n, "function");
	} else {
		count_phrase(&b, "This script runs ", c->p->ncmds, "command");
	}
	if (top[0].name != NULL) {
		phrase_put(&b, ", mainly with ");
		for (int t = 0; t < 3 && top[t].name != NULL; t++) {
			if (t > 0)
				phrase_put(&b, (t == 2 || top[t + 1 < 3 ? t + 1 : 2].name == NULL) ?
				    " and " : ", ");
			phrase_put(&b, top[t].name);
		}
	}
	if (ncaps > 0 && ast->functions.n > 0)
		count_phrase(&b, "; it defines ", ast->functions.n, "function");
	phrase_put(&b, ".");
	a->purpose = ps_ast_strndup(c->ast, b.s, b.n);
}

void
ps_score_compute(struct ps_ctx *c)
{
	compute_scores(c);
	compute_purpose(c);
}
