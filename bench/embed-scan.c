/* embed-scan.c: the exact scans' times at N vectors of 256 floats, the size of the flat vector
 * file at N scripts: the float scan (ps_embed_topk) and the int8 first pass with its float
 * rescoring (ps_embed_topk_q8) side by side, p50 and p95 of 200 questions, k = 1000 (a
 * semantic search's candidates) and k = 21 (similar scripts), and how many rows the int8 scan
 * rescored (p50, p95). Wall-clock figures count the time another process holds the CPU;
 * the p50 of the process's CPU time (cpu) does not. Both answers are compared: a difference is
 * an error. No stack: the scans alone.
 *   bench/embed-scan [N]   (N: 100000) */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/embed.h"
#include "core/core.h"

#define DIM 256
#define QUESTIONS 200

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* sorts x[QUESTIONS] */
static double
pct(double *x, int p)
{
	qsort(x, QUESTIONS, sizeof(x[0]), cmp_double);
	return x[QUESTIONS * p / 100];
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	float *v = xmalloc(sizeof(float) * n * DIM), q[DIM];
	int8_t *codes = xmalloc(n * DIM);
	float *scale = xmalloc(sizeof(float) * n), *bound = xmalloc(sizeof(float) * n);
	struct ps_embed_q8 qv = { codes, scale, bound };
	struct ps_embed_hit *hits = xcalloc(1000, sizeof(*hits)), *hits8 = xcalloc(1000, sizeof(*hits));
	double ms[QUESTIONS], ms8[QUESTIONS], cpu[QUESTIONS], cpu8[QUESTIONS], resc[QUESTIONS];
	unsigned seed = 1;
	const size_t ks[] = { 1000, 21 };
	int wrong = 0;

	for (size_t r = 0; r < n; r++) {
		double norm = 0;

		for (int d = 0; d < DIM; d++) {
			seed = seed * 1103515245u + 12345u;
			v[r * DIM + d] = (float)((seed >> 8) % 2001) / 1000.0f - 1.0f;
			norm += (double)v[r * DIM + d] * v[r * DIM + d];
		}
		for (int d = 0; d < DIM; d++)
			v[r * DIM + d] = (float)(v[r * DIM + d] / sqrt(norm));
		ps_embed_quantize(v + r * DIM, DIM, codes + r * DIM, &scale[r], &bound[r]);
	}
	printf("%zu vectors of %d: floats %.1f MB, int8 copy %.1f MB (codes, scale, bound)\n", n, DIM,
	    (double)n * DIM * 4 / 1e6, (double)n * (DIM + 8) / 1e6);
	for (size_t ki = 0; ki < PSS_ARRAY_LEN(ks); ki++) {
		for (int i = 0; i < QUESTIONS; i++) {
			int64_t t0, c0;
			size_t nf, n8, m;

			for (int d = 0; d < DIM; d++)
				q[d] = v[((size_t)i * 7919 % n) * DIM + d];
			t0 = time_mono_us();
			c0 = time_cpu_us();
			nf = ps_embed_topk(q, v, n, DIM, NULL, ks[ki], hits);
			cpu[i] = (double)(time_cpu_us() - c0) / 1000.0;
			ms[i] = (double)(time_mono_us() - t0) / 1000.0;
			t0 = time_mono_us();
			c0 = time_cpu_us();
			n8 = ps_embed_topk_q8(q, v, &qv, n, DIM, NULL, ks[ki], hits8, &m);
			cpu8[i] = (double)(time_cpu_us() - c0) / 1000.0;
			ms8[i] = (double)(time_mono_us() - t0) / 1000.0;
			resc[i] = (double)m;
			wrong += nf != n8 || memcmp(hits, hits8, nf * sizeof(*hits)) != 0;
		}
		printf("k = %4zu: float scan p50 %6.2f ms, p95 %6.2f ms, cpu %6.2f ms", ks[ki],
		    pct(ms, 50), pct(ms, 95), pct(cpu, 50));
		printf(" | int8 scan p50 %5.2f ms, p95 %5.2f ms, cpu %5.2f ms; rows rescored p50 %.0f,"
		    " p95 %.0f\n", pct(ms8, 50), pct(ms8, 95), pct(cpu8, 50), pct(resc, 50),
		    pct(resc, 95));
	}
	if (wrong)
		printf("ERROR: %d answers of the int8 scan differ from the float scan's\n", wrong);
	free(v);
	free(codes);
	free(scale);
	free(bound);
	free(hits);
	free(hits8);
	return wrong != 0;
}
