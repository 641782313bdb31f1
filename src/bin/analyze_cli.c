#include "config.h"
/* analyze_cli.c: `psscript analyze`: argument parsing, file walking and report output */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "bin/analyze_cli.h"
#include "analyzer/analyzer.h"
#include "core/core.h"

enum fmt { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT__MAX };
static const char *const fmt_names[FMT__MAX] = { "text", "json", "sarif" };

#define EXIT_CLEAN 0
#define EXIT_FINDINGS 1
#define EXIT_USAGE 2

struct strv {
	char	**v;
	size_t	 n, cap;
};

static void
strv_add(struct strv *s, const char *x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = xstrdup(x);
}

/* Comma-separated lists: --include-rule A,B --include-rule C. */
static void
strv_add_list(struct strv *s, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
		if (*t != '\0')
			strv_add(s, t);
	free(copy);
}

static void
strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int
strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
script_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 15 && strncasecmp(name, "about_", 6) == 0 &&
	    strcasecmp(name + n - 9, ".help.txt") == 0) ||
	    (n > 4 && strcasecmp(name + n - 4, ".ps1") == 0) ||
	    (n > 5 && (strcasecmp(name + n - 5, ".psm1") == 0 ||
	    strcasecmp(name + n - 5, ".psd1") == 0));
}

/* Collect script files under dir, sorted, depth-limited. Returns -1 on an I/O error. */
static int
walk_dir(const char *dir, struct strv *out, int depth)
{
	DIR *d;
	struct dirent *e;
	struct strv names = { NULL, 0, 0 };
	int rc = 0;

	if (depth > 32)
		return 0;
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "psscript analyze: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			strv_add(&names, e->d_name);
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), strv_cmp);
	for (size_t i = 0; i < names.n; i++) {
		struct buf path = BUF_INIT;
		struct stat st;

		buf_printf(&path, "%s/%s", dir, names.v[i]);
		if (lstat(path.data, &st) != 0) {
			fprintf(stderr, "psscript analyze: %s: %s\n", path.data, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			if (walk_dir(path.data, out, depth + 1) != 0)
				rc = -1;
		} else if (S_ISREG(st.st_mode) && script_name(names.v[i])) {
			strv_add(out, path.data);
		}
		buf_free(&path);
	}
	strv_free(&names);
	return rc;
}

/* Read a whole file (or stdin for "-") into b. Returns -1 on error (reported). */
static int
read_input(const char *path, struct buf *b)
{
	enum pss_err e = strcmp(path, "-") == 0 ? file_read_fd(0, b, PS_ANALYZER_MAX_INPUT) :
	    file_read(path, b, PS_ANALYZER_MAX_INPUT);

	if (e == PSS_ETOOBIG)
		fprintf(stderr, "psscript analyze: %s: larger than %zu bytes\n", path,
		    (size_t)PS_ANALYZER_MAX_INPUT);
	else if (e != PSS_OK)
		fprintf(stderr, "psscript analyze: %s: %s\n", path, strerror(errno));
	return e == PSS_OK ? 0 : -1;
}

/* --settings: a PSScriptAnalyzer settings file; warnings and errors go to stderr. */
static int
load_settings(const char *path, struct ps_settings **out)
{
	struct buf src = BUF_INIT, err = BUF_INIT, warn = BUF_INIT;
	int rc = read_input(path, &src);

	if (rc == 0 && ps_settings_parse(src.data ? src.data : "", src.len, out, &err,
	    &warn) != PSS_OK) {
		fprintf(stderr, "psscript analyze: %s: %s\n", path, buf_cstr(&err));
		rc = -1;
	}
	for (char *l = warn.data, *nl; l != NULL && *l != '\0'; l = nl + 1) {
		nl = strchr(l, '\n');
		fprintf(stderr, "psscript analyze: %s: warning: %.*s\n", path, (int)(nl - l), l);
	}
	buf_free(&src);
	buf_free(&err);
	buf_free(&warn);
	return rc;
}

/* write_file: the bytes to path through a temporary file renamed over it. */
static int
write_file(const char *path, const char *data, size_t len)
{
	struct buf tmp = BUF_INIT;
	FILE *f;
	int rc = 0;

	buf_printf(&tmp, "%s.fix-tmp", path);
	if ((f = fopen(tmp.data, "wb")) == NULL || fwrite(data, 1, len, f) != len ||
	    fclose(f) != 0 || rename(tmp.data, path) != 0) {
		fprintf(stderr, "psscript analyze: %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	buf_free(&tmp);
	return rc;
}

/*
 * --fix: apply the fixes of *a to the file's text (ps_fixes_apply: non-overlapping edits,
 * the first of two that overlap wins), write the file (after a FILE.bak copy of the original
 * unless !backup), and analyse the new text again into *a, so the report shows what is left.
 * Returns -1 on an I/O error (reported).
 */
static int
fix_file(const char *path, struct buf *src, const struct ps_analyze_opts *opts,
    struct ps_analysis **a, int backup)
{
	struct buf out = BUF_INIT, bak = BUF_INIT;
	size_t applied = ps_fixes_apply(src->data ? src->data : "", src->len, *a, &out);
	int rc = 0;

	if (applied == 0)
		goto out;
	if (backup) {
		buf_printf(&bak, "%s.bak", path);
		if (write_file(bak.data, src->data ? src->data : "", src->len) != 0) {
			rc = -1;
			goto out;
		}
	}
	if (write_file(path, out.data ? out.data : "", out.len) != 0) {
		rc = -1;
		goto out;
	}
	fprintf(stderr, "psscript analyze: %s: %zu fix%s applied%s%s\n", path, applied,
	    applied == 1 ? "" : "es", backup ? ", original in " : "", backup ? bak.data : "");
	ps_analysis_free(*a);
	*a = NULL;
	if (ps_analyze(out.data ? out.data : "", out.len, opts, a) != PSS_OK)
		rc = -1;
out:
	buf_free(&out);
	buf_free(&bak);
	return rc;
}

static void
usage(FILE *f)
{
	fputs("usage: psscript analyze [FILE|DIR|-]... [--format text|json|sarif]\n"
	    "         [--severity information|warning|error] [--fail-on information|warning|error|none]\n"
	    "         [--include-rule ID[,ID...]] [--exclude-rule ID[,ID...]] [--list-rules]\n"
	    "         [--settings FILE.psd1] [--show-suppressed] [--fix [--no-backup]]\n"
	    "--fix applies the findings' exact fixes to each file (FILE.bak keeps the original\n"
	    "unless --no-backup) and reports what is left.\n"
	    "Rule ids accept * wildcards. Exit status: 0 clean, 1 findings at or above --fail-on\n"
	    "(default error), 2 usage or I/O error.\n", f);
}

static void
list_rules(void)
{
	size_t n;
	const struct ps_rule_info *r = ps_rules(&n);

	for (size_t i = 0; i < n; i++)
		printf("%-48s %-11s %-22s %s\n", r[i].id, ps_severity_names[r[i].severity],
		    ps_category_names[r[i].category], r[i].title);
}

static void
put_json(struct json_object *o)
{
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
	fputc('\n', stdout);
}

/* put_json_element: {file, analysis} as the n-th element of a JSON array written piece by
 * piece, exactly as json-c pretty-prints the whole array (one level deeper: two spaces after
 * every newline; newlines inside strings are escaped, so every newline is layout). */
static void
put_json_element(size_t n, const char *uri, const struct ps_analysis *a, int show_supp)
{
	struct json_object *o = json_object_new_object(), *an = ps_analysis_to_json(a);
	const char *s, *nl;

	if (show_supp)
		json_object_object_add(an, "suppressedFindings", ps_suppressed_to_json(a));
	json_object_object_add(o, "file", json_object_new_string(uri));
	json_object_object_add(o, "analysis", an);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	fputs(n == 0 ? "[\n  " : ",\n  ", stdout);
	for (; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
		fwrite(s, 1, (size_t)(nl - s), stdout);
		fputs("\n  ", stdout);
	}
	fputs(s, stdout);
	json_object_put(o);
}

int
analyze_cli_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "severity", required_argument, NULL, 's' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "include-rule", required_argument, NULL, 'i' },
		{ "exclude-rule", required_argument, NULL, 'x' },
		{ "list-rules", no_argument, NULL, 'l' },
		{ "settings", required_argument, NULL, 'S' },
		{ "show-suppressed", no_argument, NULL, 'u' },
		{ "fix", no_argument, NULL, 'X' },
		{ "no-backup", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum fmt fmt = FMT_TEXT;
	struct ps_analyze_opts opts;
	struct strv incl = { NULL, 0, 0 }, excl = { NULL, 0, 0 }, inputs = { NULL, 0, 0 },
	    files = { NULL, 0, 0 };
	int fail_on = PS_SEV_ERROR, ch, status = EXIT_CLEAN, io_error = 0, show_supp = 0;
	int fix = 0, backup = 1;
	struct ps_settings *settings = NULL;
	struct ps_analysis **results = NULL;
	const char **uris = NULL;
	size_t nres = 0;
	struct json_object *arr = NULL;

	memset(&opts, 0, sizeof(opts));
	opts.min_severity = PS_SEV_INFORMATION;
	optind = 0;	/* full re-initialisation: the caller may have used getopt */
	while ((ch = getopt_long(argc, argv, "f:s:F:i:x:lhS:uXB", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': {
			int k;

			for (k = 0; k < FMT__MAX; k++)
				if (strcasecmp(optarg, fmt_names[k]) == 0)
					break;
			if (k == FMT__MAX) {
				fprintf(stderr, "psscript analyze: unknown format '%s'\n", optarg);
				status = EXIT_USAGE;
				goto out;
			}
			fmt = (enum fmt)k;
			break;
		}
		case 's':
			if ((opts.min_severity = ps_severity_parse(optarg)) == PS_SEV__MAX) {
				fprintf(stderr, "psscript analyze: unknown severity '%s'\n", optarg);
				status = EXIT_USAGE;
				goto out;
			}
			break;
		case 'F':
			if (strcasecmp(optarg, "none") == 0 || strcasecmp(optarg, "never") == 0) {
				fail_on = PS_SEV__MAX;
			} else if ((fail_on = (int)ps_severity_parse(optarg)) == PS_SEV__MAX) {
				fprintf(stderr, "psscript analyze: unknown severity '%s'\n", optarg);
				status = EXIT_USAGE;
				goto out;
			}
			break;
		case 'i':
			strv_add_list(&incl, optarg);
			break;
		case 'x':
			strv_add_list(&excl, optarg);
			break;
		case 'l':
			list_rules();
			goto out;
		case 'S':
			if (load_settings(optarg, &settings) != 0) {
				status = EXIT_USAGE;
				goto out;
			}
			opts.settings = settings;
			break;
		case 'u':
			show_supp = 1;
			break;
		case 'X':
			fix = 1;
			break;
		case 'B':
			backup = 0;
			break;
		case 'h':
			usage(stdout);
			goto out;
		default:
			usage(stderr);
			status = EXIT_USAGE;
			goto out;
		}
	}
	for (int i = optind; i < argc; i++)
		strv_add(&inputs, argv[i]);
	if (inputs.n == 0) {
		usage(stderr);
		status = EXIT_USAGE;
		goto out;
	}
	opts.include_rules = (const char *const *)incl.v;
	opts.ninclude = incl.n;
	opts.exclude_rules = (const char *const *)excl.v;
	opts.nexclude = excl.n;
	for (size_t i = 0; i < inputs.n; i++) {
		struct stat st;

		if (strcmp(inputs.v[i], "-") != 0 && stat(inputs.v[i], &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			if (walk_dir(inputs.v[i], &files, 0) != 0)
				io_error = 1;
		} else {
			strv_add(&files, inputs.v[i]);
		}
	}
	/* Text and JSON are written as each file is analysed, so memory holds one analysis at a
	 * time (all of them took 435 MB for the 7,221 docs blocks); SARIF, one document over
	 * every file, keeps them. One input in JSON is the analysis object itself. */
	if (fmt == FMT_SARIF) {
		results = xcalloc(files.n + 1, sizeof(*results));
		uris = xcalloc(files.n + 1, sizeof(*uris));
	}
	for (size_t i = 0; i < files.n; i++) {
		struct buf src = BUF_INIT;
		struct ps_analysis *a = NULL;
		const char *uri = strcmp(files.v[i], "-") == 0 ? "stdin" : files.v[i];
		int rc;

		if (read_input(files.v[i], &src) != 0) {
			io_error = 1;
			buf_free(&src);
			continue;
		}
		opts.file_name = strcmp(files.v[i], "-") == 0 ? NULL : files.v[i];
		opts.on_disk = opts.file_name != NULL;
		if (fix && strcmp(files.v[i], "-") == 0) {
			fprintf(stderr, "psscript analyze: --fix needs files, not stdin\n");
			buf_free(&src);
			status = EXIT_USAGE;
			goto out;
		}
		rc = ps_analyze(src.data ? src.data : "", src.len, &opts, &a);
		if (rc == PSS_OK && fix && fix_file(files.v[i], &src, &opts, &a, backup) != 0) {
			io_error = 1;
			if (a == NULL) {
				buf_free(&src);
				continue;
			}
		}
		buf_free(&src);
		if (rc == PSS_EINVAL) {
			fprintf(stderr, "psscript analyze: an --include-rule or --exclude-rule matches "
			    "no rule (see --list-rules)\n");
			status = EXIT_USAGE;
			goto out;
		}
		if (rc != PSS_OK) {
			fprintf(stderr, "psscript analyze: %s: %s\n", files.v[i], pss_strerror(rc));
			io_error = 1;
			continue;
		}
		for (size_t k = 0; k < a->nfindings; k++)
			if ((int)a->findings[k].severity >= fail_on)
				status = EXIT_FINDINGS;
		if (fmt == FMT_SARIF) {
			uris[nres] = uri;
			results[nres++] = a;
			continue;
		}
		if (fmt == FMT_TEXT) {
			struct buf out = BUF_INIT;

			ps_report_text(&out, uri, a);
			if (show_supp)
				ps_report_text_suppressed(&out, uri, a);
			fwrite(out.data ? out.data : "", 1, out.len, stdout);
			buf_free(&out);
		} else if (files.n == 1) {
			arr = ps_analysis_to_json(a);
			if (show_supp)
				json_object_object_add(arr, "suppressedFindings", ps_suppressed_to_json(a));
			put_json(arr);
		} else
			put_json_element(nres, uri, a, show_supp);
		ps_analysis_free(a);
		nres++;
	}
	if (fmt == FMT_JSON && nres == 0)
		fputs("[\n]\n", stdout);	/* nothing analysed: an empty array */
	else if (fmt == FMT_JSON && files.n != 1)
		fputs("\n]\n", stdout);	/* closes put_json_element's array */
	else if (fmt == FMT_SARIF) {
		arr = ps_report_sarif((const struct ps_analysis *const *)results, uris, nres);
		put_json(arr);
	}
	if (fflush(stdout) != 0)
		io_error = 1;
	if (io_error)
		status = EXIT_USAGE;
out:
	if (arr != NULL)
		json_object_put(arr);
	for (size_t i = 0; results != NULL && i < nres; i++)
		ps_analysis_free(results[i]);
	free(results);
	free(uris);
	ps_settings_free(settings);
	strv_free(&incl);
	strv_free(&excl);
	strv_free(&inputs);
	strv_free(&files);
	return status;
}
