/* A minimal test harness: each test is TEST(name) { ... }, registered
 * by its definition alone; CHECK records a failure with its place and
 * goes on. The runner prints one line per test and "N passed, N
 * failed" at the end. */
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
	struct t_case *next;
};

/* Appends c to the runner's list; TEST's constructor calls it before
 * main, so a test cannot be defined and forgotten. */
void t_register(struct t_case *c);

/* A constructor rather than a linker section: no __start_/__stop_
 * symbols, and nothing relies on how the compiler aligns or pads the
 * entries of a section (the sanitizers add red zones to globals). */
#define TEST(name)                                                         \
	static void name(void);                                            \
	static struct t_case t_case_##name = { #name, name, NULL };        \
	__attribute__((constructor)) static void t_register_##name(void)   \
	{                                                                  \
		t_register(&t_case_##name);                                \
	}                                                                  \
	static void name(void)

#endif
