/* A minimal test harness: each test is a function; CHECK records a
 * failure with its place and goes on. The runner prints one line per
 * test and "N passed, N failed" at the end. */
#ifndef CTLAUNCH_T_H
#define CTLAUNCH_T_H

#include <stdio.h>
#include <string.h>

extern int t_failed_checks;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "  %s:%d: check failed: %s\n",     \
				__FILE__, __LINE__, #cond);                \
			t_failed_checks++;                                 \
		}                                                          \
	} while (0)

#define CHECK_STR(got, want)                                               \
	do {                                                               \
		const char *g_ = (got), *w_ = (want);                      \
		if (!g_ || strcmp(g_, w_) != 0) {                          \
			fprintf(stderr, "  %s:%d: got '%s'\n  %*s want '%s'\n", \
				__FILE__, __LINE__, g_ ? g_ : "(null)",    \
				(int)strlen(__FILE__) + 4, "", w_);        \
			t_failed_checks++;                                 \
		}                                                          \
	} while (0)

struct t_case {
	const char *name;
	void (*fn)(void);
};

/* Each test file defines its cases with T_LIST; t_main.c runs them all. */
#define T_LIST(group) const struct t_case group[]
#define T(fn) { #fn, fn }

#endif
