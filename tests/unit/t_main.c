#include <stdio.h>

#include "t.h"

int t_failed_checks;

/* The tests in the order they registered: file by file in link order,
 * each file's in the order they are written. */
static struct t_case *t_first, **t_last = &t_first;

void t_register(struct t_case *c)
{
	*t_last = c;
	t_last = &c->next;
}

int main(void)
{
	int passed = 0, failed = 0;

	/* A line at a time: if a test crashes, the lines before it show
	 * which one it was. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (const struct t_case *c = t_first; c; c = c->next) {
		int before = t_failed_checks;

		c->fn();
		if (t_failed_checks == before) {
			printf("ok - %s\n", c->name);
			passed++;
		} else {
			printf("not ok - %s\n", c->name);
			failed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
