#include <stdio.h>

#include "t.h"

int t_failed_checks;

extern const struct t_case t_util[], t_spec[], t_plan[], t_host[], t_caps[], t_check[], t_v2[], t_rootless[],
	t_seccomp[], t_tty[];

static const struct t_case *const groups[] = { t_util, t_spec, t_plan, t_host, t_caps, t_check, t_v2,
						 t_rootless, t_seccomp, t_tty };

int main(void)
{
	int passed = 0, failed = 0;

	/* A line at a time: if a test crashes, the lines before it show
	 * which one it was. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		for (const struct t_case *c = groups[g]; c->fn; c++) {
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
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
