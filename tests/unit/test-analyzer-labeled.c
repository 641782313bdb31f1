/* test-analyzer-labeled.c: the security and risk scores separate benign admin scripts from
 * scripts using attack techniques (tests/data/labeled) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "core/core.h"
#include "ps-files.h"
#include "t.h"

struct sample {
	char	 name[128];
	int	 malicious;
	double	 security, risk;
	int	 sec_errors;	/* security findings of severity error */
};

static struct sample samples[256];
static size_t nsamples;

static void
load_set(const char *root, const char *sub, int malicious)
{
	char dir[4096];
	char *names[128];
	int got;
	size_t nn;

	snprintf(dir, sizeof(dir), "%s/tests/data/labeled/%s", root, sub);
	if ((got = ps_files_list(dir, names, 128)) < 0)
		return;
	nn = (size_t)got;
	for (size_t i = 0; i < nn && nsamples < 256; i++) {
		char path[4400];
		struct buf b = BUF_INIT;
		struct ps_analysis *a = NULL;
		struct sample *s = &samples[nsamples];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (file_read(path, &b, SIZE_MAX) == PSS_OK &&
		    ps_analyze(b.data ? b.data : "", b.len, NULL, &a) == PSS_OK) {
			snprintf(s->name, sizeof(s->name), "%s/%s", sub, names[i]);
			s->malicious = malicious;
			s->security = a->security_score;
			s->risk = a->risk_score;
			for (size_t k = 0; k < a->nfindings; k++)
				if (a->findings[k].rule->category == PS_CAT_SECURITY &&
				    a->findings[k].severity == PS_SEV_ERROR)
					s->sec_errors++;
			nsamples++;
			ps_analysis_free(a);
		}
		buf_free(&b);
		free(names[i]);
	}
}

/* Area under the ROC curve of score for telling malicious apart (higher = more malicious). */
static double
auc(int use_risk)
{
	double wins = 0;
	size_t pairs = 0;

	for (size_t i = 0; i < nsamples; i++) {
		if (!samples[i].malicious)
			continue;
		for (size_t k = 0; k < nsamples; k++) {
			double m, b;

			if (samples[k].malicious)
				continue;
			m = use_risk ? samples[i].risk : -samples[i].security;
			b = use_risk ? samples[k].risk : -samples[k].security;
			wins += m > b ? 1.0 : m == b ? 0.5 : 0.0;
			pairs++;
		}
	}
	return pairs ? wins / (double)pairs : 0;
}

static void
test_labeled_sets_load(void)
{
	size_t mal = 0;

	for (size_t i = 0; i < nsamples; i++) {
		mal += (size_t)samples[i].malicious;
		printf("# %-40s security %4.1f risk %4.1f security errors %d\n", samples[i].name,
		    samples[i].security, samples[i].risk, samples[i].sec_errors);
	}
	T_ASSERTF(mal >= 10 && nsamples - mal >= 10, "%zu malicious, %zu benign samples", mal,
	    nsamples - mal);
}

static void
test_scores_separate_the_sets(void)
{
	double min_mal_risk = 10, max_ben_risk = 0, max_mal_sec = 0, min_ben_sec = 10;
	double auc_risk = auc(1), auc_sec = auc(0);

	for (size_t i = 0; i < nsamples; i++) {
		const struct sample *s = &samples[i];

		if (s->malicious) {
			if (s->risk < min_mal_risk)
				min_mal_risk = s->risk;
			if (s->security > max_mal_sec)
				max_mal_sec = s->security;
		} else {
			if (s->risk > max_ben_risk)
				max_ben_risk = s->risk;
			if (s->security < min_ben_sec)
				min_ben_sec = s->security;
		}
	}
	printf("# risk: benign max %.1f, malicious min %.1f, margin %.1f, AUC %.3f\n",
	    max_ben_risk, min_mal_risk, min_mal_risk - max_ben_risk, auc_risk);
	printf("# security: benign min %.1f, malicious max %.1f, margin %.1f, AUC %.3f\n",
	    min_ben_sec, max_mal_sec, min_ben_sec - max_mal_sec, auc_sec);
	T_ASSERTF(min_mal_risk > max_ben_risk, "risk scores overlap");
	T_ASSERTF(max_mal_sec < min_ben_sec, "security scores overlap");
	T_ASSERT(auc_risk == 1.0 && auc_sec == 1.0);
}

static void
test_every_malicious_sample_has_a_security_error(void)
{
	for (size_t i = 0; i < nsamples; i++) {
		if (samples[i].malicious)
			T_ASSERTF(samples[i].sec_errors > 0, "%s has no security error",
			    samples[i].name);
		else
			T_ASSERTF(samples[i].sec_errors == 0, "%s has a security error",
			    samples[i].name);
	}
}

int
main(void)
{
	const char *root = getenv("PSS_SRCDIR");

	load_set(root ? root : ".", "benign", 0);
	load_set(root ? root : ".", "malicious", 1);
	T_RUN(test_labeled_sets_load);
	T_RUN(test_scores_separate_the_sets);
	T_RUN(test_every_malicious_sample_has_a_security_error);
	return t_done();
}
