/* t.h: a small TAP harness shared by every C test program (header only) */
#ifndef PSS_T_H
#define PSS_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Usage:
 *	static void test_parses_empty(void) { T_ASSERT(x == 0); T_STREQ(s, "a"); }
 *	int main(void) { T_RUN(test_parses_empty); return t_done(); }
 * Each T_RUN is one TAP test point, named after the function; a failed
 * assertion marks the current test failed, prints a diagnostic and goes on.
 */
static int t_count __attribute__((unused));
static int t_failed_total __attribute__((unused));
static int t_cur_failed __attribute__((unused));

#define T_FAIL_(...) do { \
	t_cur_failed = 1; \
	printf("#   %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); \
	printf("\n"); \
} while (0)

#define T_ASSERT(cond) do { if (!(cond)) T_FAIL_("assertion failed: %s", #cond); } while (0)
#define T_ASSERTF(cond, ...) do { if (!(cond)) T_FAIL_(__VA_ARGS__); } while (0)
#define T_EQ(a, b) do { long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
	if (t_a_ != t_b_) T_FAIL_("%s == %s: got %lld, want %lld", #a, #b, t_a_, t_b_); } while (0)
#define T_STREQ(a, b) do { const char *t_a_ = (a), *t_b_ = (b); \
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) \
		T_FAIL_("%s == %s: got \"%s\", want \"%s\"", #a, #b, \
		    t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); } while (0)
#define T_CONTAINS(hay, needle) do { const char *t_h_ = (hay), *t_n_ = (needle); \
	if (t_h_ == NULL || strstr(t_h_, t_n_) == NULL) \
		T_FAIL_("%s contains \"%s\": got \"%.400s\"", #hay, t_n_, t_h_ ? t_h_ : "(null)"); } while (0)

#define T_RUN(fn) t_run_(#fn, fn)
#define T_RUN_NAMED(name, fn) t_run_(name, fn)

static void __attribute__((unused))
t_run_(const char *name, void (*fn)(void))
{
	t_cur_failed = 0;
	fn();
	t_count++;
	if (t_cur_failed)
		t_failed_total++;
	printf("%s %d - %s\n", t_cur_failed ? "not ok" : "ok", t_count, name);
	fflush(stdout);
}

/* t_result: record a test point computed by the caller (data-driven suites). */
static void __attribute__((unused))
t_result(int ok, const char *name)
{
	t_count++;
	if (!ok)
		t_failed_total++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", t_count, name);
	fflush(stdout);
}

static int __attribute__((unused))
t_done(void)
{
	printf("1..%d\n", t_count);
	return t_failed_total ? 1 : 0;
}

#endif
