/* Build time: compiles the default seccomp profile for the default
 * capability set and writes it as C (build/gen/seccomp_builtin.c), so
 * that a default launch loads it without compiling: libseccomp takes
 * longer for it than the rest of the launch (see the Makefile). */
#include <stdio.h>
#include <stdlib.h>

#include "caps.h"
#include "syscall_filter.h"

int main(void)
{
	struct sc_default d;
	struct sc_bpf b;
	struct ct_err e = { 0 };
	const unsigned char *bytes;
	size_t n;

	sc_default_profile(CAPS_DEFAULT, &d);
	if (sc_compile(&d.p, &b, &e) < 0) {
		char text[1200];

		fprintf(stderr, "seccomp-gen: %s\n", ct_err_text(&e, text, sizeof text));
		return 1;
	}
	bytes = b.insns;
	n = (size_t)b.len * 8;
	printf("/* Made by tools/seccomp-gen: the default seccomp filter for the\n"
	       " * default capabilities. Do not edit. */\n"
	       "#include \"syscall_filter.h\"\n\n"
	       "const uint64_t sc_builtin_caps = %#llxULL;\n"
	       "const unsigned short sc_builtin_len = %u;\n"
	       "__attribute__((aligned(8))) const unsigned char sc_builtin_insns[] = {",
	       (unsigned long long)(CAPS_DEFAULT & sc_conditional_caps()), (unsigned)b.len);
	for (size_t i = 0; i < n; i++)
		printf("%s%u,", i % 16 ? " " : "\n\t", bytes[i]);
	printf("\n};\n");
	sc_bpf_free(&b);
	return fflush(stdout) == 0 ? 0 : 1;
}
