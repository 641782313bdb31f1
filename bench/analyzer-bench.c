/* analyzer-bench.c: analyzer throughput on the docs corpus and linear-time checks */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/analyzer.h"
#include "core/core.h"

/*
 * Usage: analyzer-bench [-r N] [-s SECTIONS] [DOCS_DIR]
 *        analyzer-bench -f FILE [-r N]
 *   DOCS_DIR	default $PSS_SHARED_DIR/data/powershell-docs
 *   -r N	run the docs corpus N times and print the best and the median; each scaling
 *		size runs once cold and N-1 times warm (default 1: cold only)
 *   -s LIST	comma-separated sections to run: corpus, script, code, nesting, strings
 *		(default all)
 *   -f FILE	only FILE: its analysis and the JSON answer written from it (what a FastCGI
 *		worker does for POST /api/scripts/analyze, without HTTP), once cold, then N
 *		times warm (default 200); prints the best and the median (bench/analysis.sh
 *		sets its p95 beside this machine's speed of the moment)
 * Prints: corpus blocks, crashes none (it would not return), findings, MB/s; the time for a
 * 1,000-line script; and times for inputs of growing size (0.1, 1, 2, 4, 10 MB) of plain
 * code, deep nesting and pathological strings, with the ratio time/size, which must stay flat.
 */

struct corpus {
	struct buf	 all;		/* every block, separated by blank lines */
	size_t		*starts, *lens;
	size_t		 n, cap;
};

static void
add_block(struct corpus *c, const char *s, size_t n)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->starts = xrealloc(c->starts, c->cap * sizeof(size_t));
		c->lens = xrealloc(c->lens, c->cap * sizeof(size_t));
	}
	c->starts[c->n] = c->all.len;
	c->lens[c->n] = n;
	c->n++;
	buf_append(&c->all, s, n);
	buf_puts(&c->all, "\n\n");
}

/* Extract ```powershell fenced blocks from one Markdown file. */
static void
scan_md(struct corpus *c, const char *path)
{
	struct buf b = BUF_INIT;
	const char *p, *end;

	if (file_read(path, &b, SIZE_MAX) != PSS_OK)
		return;
	p = buf_cstr(&b);
	end = p + b.len;
	while ((p = strstr(p, "```powershell")) != NULL) {
		const char *s = strchr(p, '\n'), *e;

		if (s == NULL)
			break;
		s++;
		e = strstr(s, "\n```");
		if (e == NULL || e > end)
			break;
		add_block(c, s, (size_t)(e - s) + 1);
		p = e + 4;
	}
	buf_free(&b);
}

static void
walk(struct corpus *c, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL || depth > 8) {
		if (d)
			closedir(d);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		size_t nl = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(c, path, depth + 1);
		else if (nl > 3 && strcmp(e->d_name + nl - 3, ".md") == 0)
			scan_md(c, path);
	}
	closedir(d);
}

static double
time_one(const char *src, size_t len, size_t *nfindings)
{
	struct ps_analysis *a = NULL;
	int64_t t0 = time_mono_us();

	if (ps_analyze(src, len, NULL, &a) != PSS_OK) {
		fprintf(stderr, "analysis failed\n");
		exit(1);
	}
	if (nfindings != NULL)
		*nfindings = a->nfindings;
	ps_analysis_free(a);
	return (double)(time_mono_us() - t0) / 1e6;
}

/* A script of about n bytes made of realistic admin code. */
static void
gen_code(struct buf *b, size_t n)
{
	static const char *const lines[] = {
		"function Get-DiskReport {\n",
		"    [CmdletBinding()]\n",
		"    param([Parameter(Mandatory)][string]$ComputerName, [int]$Threshold = 80)\n",
		"    $disks = Get-CimInstance -ClassName Win32_LogicalDisk -Filter \"DriveType=3\"\n",
		"    foreach ($d in $disks) {\n",
		"        $pct = [math]::Round(($d.Size - $d.FreeSpace) / $d.Size * 100, 1)\n",
		"        if ($pct -gt $Threshold) { Write-Warning \"$($d.DeviceID) is $pct% full\" }\n",
		"        [pscustomobject]@{ Drive = $d.DeviceID; Used = $pct; Host = $ComputerName }\n",
		"    }\n",
		"}\n",
		"Get-ChildItem -Path $env:TEMP -Filter *.log | Where-Object { $_.Length -gt 1MB } |\n",
		"    Sort-Object -Property Length -Descending | Select-Object -First 10\n",
		"# a comment line with some words in it\n",
	};
	size_t i = 0;

	while (b->len < n)
		buf_puts(b, lines[i++ % PSS_ARRAY_LEN(lines)]);
}

static void
gen_nested(struct buf *b, size_t n)
{
	/* nesting far beyond the parser's depth limit, repeated */
	while (b->len < n) {
		for (int i = 0; i < 2000; i++)
			buf_puts(b, "if ($a) { @( $( ");
		for (int i = 0; i < 2000; i++)
			buf_puts(b, ") ) }");
		buf_putc(b, '\n');
	}
}

static void
gen_strings(struct buf *b, size_t n)
{
	/* long strings, unterminated here-strings, backtick runs, $( in strings */
	while (b->len < n) {
		buf_puts(b, "$s = \"");
		for (int i = 0; i < 5000; i++)
			buf_puts(b, "`$`\"$(");
		buf_puts(b, "\"\n$t = '");
		for (int i = 0; i < 5000; i++)
			buf_puts(b, "''x");
		buf_puts(b, "'\n@\"\n");
		for (int i = 0; i < 500; i++)
			buf_puts(b, "\"@ not at line start ${x} $y `n\n");
		buf_puts(b, "\"@\n");
	}
}

/* Inputs of growing size. The first run of each size is cold (its memory is faulted in
 * fresh, which costs much on a virtual machine); the best of the next rounds is warm. Both
 * are printed with their time per MB relative to the smallest size. */
static void
scaling(const char *what, void (*gen)(struct buf *, size_t), int rounds)
{
	static const size_t sizes[] = { 100 << 10, 1 << 20, 2 << 20, 4 << 20, 10 << 20 };
	double first_cold = 0, first_warm = 0;

	for (size_t i = 0; i < PSS_ARRAY_LEN(sizes); i++) {
		struct buf b = BUF_INIT;
		double cold, warm = 0, mb;

		gen(&b, sizes[i]);
		mb = (double)b.len / (1 << 20);
		cold = time_one(b.data, b.len, NULL);
		for (int r = 1; r < rounds; r++) {
			double tr = time_one(b.data, b.len, NULL);

			if (r == 1 || tr < warm)
				warm = tr;
		}
		if (i == 0) {
			first_cold = cold / mb;
			first_warm = warm / mb;
		}
		printf("%-18s %6.1f MB  cold %7.3f s %6.1f MB/s time/size x%.2f", what, mb, cold,
		    mb / cold, cold / mb / first_cold);
		if (rounds > 1)
			printf("  warm %7.3f s %6.1f MB/s time/size x%.2f", warm, mb / warm,
			    warm / mb / first_warm);
		putchar('\n');
		buf_free(&b);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Every block analysed once per round; prints the best and the median round. */
static void
bench_corpus(const struct corpus *c, int rounds)
{
	double *times = xcalloc((size_t)rounds, sizeof(double));
	double mb = (double)c->all.len / (1 << 20), worst = 0, t;
	size_t total = 0, nf = 0;

	for (int r = 0; r < rounds; r++) {
		total = 0;
		for (size_t i = 0; i < c->n; i++) {
			double ti = time_one(c->all.data + c->starts[i], c->lens[i], &nf);

			times[r] += ti;
			if (ti > worst)
				worst = ti;
			total += nf;
		}
	}
	qsort(times, (size_t)rounds, sizeof(double), cmp_double);
	printf("docs corpus: %zu blocks, %.2f MB, %zu findings, best %.3f s, %.1f MB/s; "
	    "median %.3f s, %.1f MB/s (%d rounds; per block: mean %.3f ms, worst %.3f ms)\n",
	    c->n, mb, total, times[0], mb / times[0], times[rounds / 2], mb / times[rounds / 2],
	    rounds, times[0] * 1e3 / (double)c->n, worst * 1e3);
	t = time_one(c->all.data, c->all.len, &nf);
	printf("docs corpus as one input: %.3f s, %.1f MB/s\n", t, mb / t);
	free(times);
}

/* A script of exactly 1,000 lines of the generated code. */
static void
bench_script(void)
{
	struct buf k = BUF_INIT, tmp = BUF_INIT;
	size_t lines = 0, nf = 0;
	double t = 0;

	gen_code(&tmp, 200000);
	for (size_t i = 0; i < tmp.len && lines < 1000; i++) {
		buf_putc(&k, tmp.data[i]);
		if (tmp.data[i] == '\n')
			lines++;
	}
	buf_free(&tmp);
	for (int i = 0; i < 20; i++)
		t += time_one(k.data, k.len, &nf);
	printf("1,000-line script (%.1f KB): %.2f ms per analysis, %zu findings\n",
	    (double)k.len / 1024, t * 1e3 / 20, nf);
	buf_free(&k);
}

/* -f FILE: the analysis and its JSON, as the worker makes them, rounds times warm */
static int
bench_file(const char *path, int rounds)
{
	struct buf src = BUF_INIT, out = BUF_INIT;
	double *times;
	size_t nf = 0;

	if (file_read(path, &src, SIZE_MAX) != PSS_OK) {
		fprintf(stderr, "analyzer-bench: %s: %s\n", path, strerror(errno));
		return 1;
	}
	times = xcalloc((size_t)rounds, sizeof(double));
	for (int r = -1; r < rounds; r++) {	/* r = -1: the cold run, not counted */
		struct ps_analysis *a = NULL;
		int64_t t0 = time_mono_us();

		if (ps_analyze(src.data != NULL ? src.data : "", src.len, NULL, &a) != PSS_OK) {
			fprintf(stderr, "analyzer-bench: %s: the analysis failed\n", path);
			exit(1);
		}
		buf_reset(&out);
		ps_analysis_write_json(a, &out);
		nf = a->nfindings;
		ps_analysis_free(a);
		if (r >= 0)
			times[r] = (double)(time_mono_us() - t0) / 1e3;
	}
	qsort(times, (size_t)rounds, sizeof(double), cmp_double);
	printf("%s (%.1f KB, %zu findings, %.1f KB of JSON): best %.2f ms, median %.2f ms per "
	    "analysis and its JSON (%d runs)\n", path, (double)src.len / 1024, nf,
	    (double)out.len / 1024, times[0], times[rounds / 2], rounds);
	buf_free(&src);
	buf_free(&out);
	free(times);
	return 0;
}

static bool
wanted(const char *sections, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = sections; p != NULL; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

int
main(int argc, char **argv)
{
	struct corpus c;
	char dir[4096];
	const char *shared = getenv("PSS_SHARED_DIR");
	const char *sections = "corpus,script,code,nesting,strings", *file = NULL;
	int64_t rounds = 0;	/* 0: the default (1, or 200 with -f) */
	int ch;

	while ((ch = getopt(argc, argv, "f:r:s:")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'r':
			if (parse_int64(optarg, 1, 1000, &rounds) != 0) {
				fprintf(stderr, "analyzer-bench: -r takes 1 to 1000\n");
				return 2;
			}
			break;
		case 's':
			sections = optarg;
			break;
		default:
			fprintf(stderr, "usage: analyzer-bench [-r N] [-s SECTIONS] [DOCS_DIR]\n"
			    "       analyzer-bench -f FILE [-r N]\n");
			return 2;
		}
	}
	if (file != NULL) {	/* with the heap settings of a worker */
		mem_keep_heap();
		return bench_file(file, rounds > 0 ? (int)rounds : 200);
	}
	if (rounds == 0)
		rounds = 1;
#ifdef M_MMAP_MAX
	/* freed memory stays in the heap, so a warm run of a large input finds its pages
	 * already mapped (glibc would otherwise map and unmap big arrays on every run) */
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
	memset(&c, 0, sizeof(c));
	if (optind < argc)
		snprintf(dir, sizeof(dir), "%s", argv[optind]);
	else
		snprintf(dir, sizeof(dir), "%s/data/powershell-docs", shared ? shared : "../shared");
	if (wanted(sections, "corpus")) {
		walk(&c, dir, 0);
		if (c.n > 0)
			bench_corpus(&c, (int)rounds);
		else
			printf("docs corpus: no ```powershell blocks under %s\n", dir);
	}
	if (wanted(sections, "script"))
		bench_script();
	if (wanted(sections, "code"))
		scaling("code", gen_code, (int)rounds);
	if (wanted(sections, "nesting"))
		scaling("deep nesting", gen_nested, (int)rounds);
	if (wanted(sections, "strings"))
		scaling("pathological str", gen_strings, (int)rounds);
	buf_free(&c.all);
	free(c.starts);
	free(c.lens);
	return 0;
}
