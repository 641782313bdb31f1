/* embed-scan.c: the exact scan's time (ps_embed_topk) at N vectors of 256 floats, the size of
 * the flat vector file at N scripts: p50 and p95 of 200 questions, k = 1000 (a semantic
 * search's candidates) and k = 21 (similar scripts). No stack: the scan alone.
 *   bench/embed-scan [N]   (N: 100000) */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	float *v = xmalloc(sizeof(float) * n * DIM), q[DIM];
	struct ps_embed_hit *hits = xcalloc(1000, sizeof(*hits));
	double ms[QUESTIONS];
	unsigned seed = 1;
	const size_t ks[] = { 1000, 21 };

	for (size_t r = 0; r < n; r++) {
		double norm = 0;

		for (int d = 0; d < DIM; d++) {
			seed = seed * 1103515245u + 12345u;
			v[r * DIM + d] = (float)((seed >> 8) % 2001) / 1000.0f - 1.0f;
			norm += (double)v[r * DIM + d] * v[r * DIM + d];
		}
		for (int d = 0; d < DIM; d++)
			v[r * DIM + d] = (float)(v[r * DIM + d] / sqrt(norm));
	}
	for (size_t ki = 0; ki < PSS_ARRAY_LEN(ks); ki++) {
		for (int i = 0; i < QUESTIONS; i++) {
			int64_t t0;

			for (int d = 0; d < DIM; d++)
				q[d] = v[((size_t)i * 7919 % n) * DIM + d];
			t0 = time_mono_us();
			(void)ps_embed_topk(q, v, n, DIM, NULL, ks[ki], hits);
			ms[i] = (double)(time_mono_us() - t0) / 1000.0;
		}
		qsort(ms, QUESTIONS, sizeof(ms[0]), cmp_double);
		printf("scan of %zu x %d floats (%.0f MB), k = %zu: p50 %.2f ms, p95 %.2f ms\n", n, DIM,
		    (double)n * DIM * 4 / 1e6, ks[ki], ms[QUESTIONS / 2], ms[QUESTIONS * 95 / 100]);
	}
	free(v);
	free(hits);
	return 0;
}
