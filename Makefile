# ctlaunch: plain GNU make. `make`, `make check`, `make demo`,
# `make install PREFIX=... DESTDIR=...`, `make clean`.
.DELETE_ON_ERROR:
.SUFFIXES:

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
NM        ?= nm
B         := build

# The user's CFLAGS/LDFLAGS come last so they can add to ours, never lose
# the warnings we build with.
# libseccomp: the field's standard compiler of seccomp filters (the
# default filter and the spec's seccomp: profiles); Debian's
# libseccomp-dev ships libseccomp.a for the static build.
PKGS      := yaml-0.1 libcap libseccomp
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lyaml -lcap -lseccomp) -lm
# -Wswitch-enum: a switch on a step kind (or any of our enums) names every
# value, with no default: to hide one, so a new step kind does not build
# until each reader of the plan (plan_print.c, exec.c) handles it.
WARN      := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
             -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral -Wswitch-enum
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g $(WARN) -Iinclude -DCTLAUNCH_VERSION='"$(VERSION)"' \
             $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS := $(LDFLAGS)

# The launcher is one self-contained, static binary by default: it
# starts faster, with no dynamic loader (one make bench run on the CI
# machine: a launch 1.11x the syscall floor instead of 1.39x, --plan
# 1.9-2.0 ms instead of 3.1, peak RSS 1.3 MiB instead of 2.1), for size
# (1.4 MB, 1.0 MB stripped, instead of 0.4 MB). Safe here: ctlaunch
# reads /etc/passwd itself and never uses NSS. It needs the static
# archives (Debian ships libyaml.a, libcap.a and libc.a in the -dev
# packages); make STATIC=0 links them as shared libraries, as a
# distribution may want. The test binaries stay dynamic (the sanitizers
# need it). After a change of STATIC, make clean.
STATIC ?= 1
ifeq ($(STATIC),1)
CT_LDFLAGS := -static
endif
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRCS  := $(filter-out src/main.c,$(wildcard src/*.c))
UNIT_SRCS := $(wildcard tests/unit/*.c)

LIB_OBJS  := $(LIB_SRCS:src/%.c=$(B)/obj/%.o) $(B)/obj/seccomp_builtin.o
SAN_OBJS  := $(LIB_SRCS:src/%.c=$(B)/san/%.o) $(B)/san/seccomp_builtin.o
UNIT_OBJS := $(UNIT_SRCS:tests/unit/%.c=$(B)/obj/unit/%.o)
UNIT_SAN_OBJS := $(UNIT_SRCS:tests/unit/%.c=$(B)/san/unit/%.o)

all: $(B)/ctlaunch

$(B)/ctlaunch: $(B)/obj/main.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(CT_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The default seccomp filter, compiled once at build time for the
# default capabilities: libseccomp takes 2.4 ms for it (400 calls, the
# native ABI; 18 ms with x86 and x32 too), a third of a whole launch.
# A launch only loads the program (0.16 ms in the kernel). Launches
# with other capabilities, or a profile of their own, compile at run
# time.
GEN_OBJS := $(B)/obj/seccomp.o $(B)/obj/seccomp_profile.o $(B)/obj/util.o $(B)/obj/err.o

$(B)/seccomp-gen: $(B)/obj/tools/seccomp-gen.o $(GEN_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/gen/seccomp_builtin.c: $(B)/seccomp-gen
	@mkdir -p $(@D)
	$(abspath $<) > $@

$(B)/obj/seccomp_builtin.o: $(B)/gen/seccomp_builtin.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/san/seccomp_builtin.o: $(B)/gen/seccomp_builtin.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(B)/obj/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

$(B)/san/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(B)/san/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/unit -c -o $@ $<

$(B)/unit: $(UNIT_OBJS) $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/unit-san: $(UNIT_SAN_OBJS) $(SAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The launcher itself, built with the sanitizers, for the golden tests.
$(B)/ctlaunch-san: $(B)/san/main.o $(SAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The vfork child's rule (exec.c, "What the child may call"), tested:
# the launcher linked with every allocator entry point wrapped
# (tests/nomalloc/nomalloc.c), so that an allocation by any process but
# ctlaunch itself, the C library's own included, is reported and ends
# it. The canary adds an allocation to a child step: the test that it
# is caught. tests/integration/nomalloc.bats runs real containers with
# both.
NOMALLOC_FNS  := malloc calloc realloc reallocarray free aligned_alloc posix_memalign \
                 memalign valloc pvalloc
NOMALLOC_WRAP := $(foreach f,$(NOMALLOC_FNS),-Wl,--wrap=$(f))

$(B)/obj/nomalloc/%.o: tests/nomalloc/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/nomalloc -c -o $@ $<

$(B)/ctlaunch-nomalloc: $(B)/obj/main.o $(LIB_OBJS) $(B)/obj/nomalloc/nomalloc.o
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(CT_LDFLAGS) $(NOMALLOC_WRAP) -o $@ $^ $(PKG_LIBS)

$(B)/ctlaunch-nomalloc-canary: $(B)/obj/main.o $(LIB_OBJS) $(B)/obj/nomalloc/nomalloc.o \
		$(B)/obj/nomalloc/canary.o
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(CT_LDFLAGS) $(NOMALLOC_WRAP) -Wl,--wrap=caps_set \
		-o $@ $^ $(PKG_LIBS)

# Installs what the build and the tests need (Debian packages), only
# when something is missing.
deps:
	@sh scripts/deps.sh

# tests/run.sh builds what its suites need and runs them; it installs
# nothing. Root gets the missing packages first; an ordinary user gets
# the suites it can run and a line naming the others and why (make deps,
# as root, installs what they need).
check:
	@if [ "$$(id -u)" -eq 0 ]; then sh scripts/deps.sh; fi
	+@B=$(B) sh tests/run.sh

# Rewrites the golden files (tests/golden) from the current launcher's
# output, then checks them: review the change with git diff.
golden:
	+@B=$(B) UPDATE=1 sh tests/run.sh golden

demo: deps
	@$(MAKE) --no-print-directory $(B)/ctlaunch
	@sh scripts/mkrootfs.sh $(B)/private/rootfs
	$(B)/ctlaunch examples/hello.yaml

# Static analysis must be silent on our code; .clang-tidy says which
# checks are off and why. exec.c's struct clone_args is read by the
# kernel, not by us: cppcheck cannot see that. make check runs each of these as a test.
LINT_FLAGS := -std=gnu11 -D_GNU_SOURCE -Iinclude -DCTLAUNCH_VERSION='"$(VERSION)"' $(PKG_CFLAGS)

lint: lint-cppcheck lint-clang-tidy lint-man lint-layers

lint-cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		-D_GNU_SOURCE --inline-suppr --suppress=missingIncludeSystem \
		--suppress=unusedStructMember:src/exec.c -Iinclude -Itests/nomalloc src tests/unit \
		tests/nomalloc tools

lint-clang-tidy:
	clang-tidy --quiet $(wildcard src/*.c tools/*.c) -- $(LINT_FLAGS)

# The layers of src/LAYERS (pure, probe, edge), checked on the objects'
# undefined symbols and the sources' headers: tests/layers.sh says how.
lint-layers: $(B)/obj/main.o $(LIB_OBJS)
	@B=$(B) CC='$(CC)' NM='$(NM)' CPPFLAGS='$(LINT_FLAGS)' sh tests/layers.sh

lint-man:
	mandoc -Tlint -W warning man/ctlaunch.1 man/ctlaunch.yaml.5

install: $(B)/ctlaunch
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(B)/ctlaunch $(DESTDIR)$(BINDIR)/ctlaunch
	install -m 644 man/ctlaunch.1 $(DESTDIR)$(MANDIR)/man1/ctlaunch.1
	install -m 644 man/ctlaunch.yaml.5 $(DESTDIR)$(MANDIR)/man5/ctlaunch.yaml.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ctlaunch $(DESTDIR)$(MANDIR)/man1/ctlaunch.1 \
		$(DESTDIR)$(MANDIR)/man5/ctlaunch.yaml.5

clean:
	rm -rf $(B)

# Measures ctlaunch against crun, runc and bwrap (root; installs them).
bench:
	@bash bench/run.sh

.PHONY: all deps check golden demo lint lint-cppcheck lint-clang-tidy lint-man lint-layers install uninstall clean bench

-include $(wildcard $(B)/obj/*.d $(B)/obj/tools/*.d $(B)/obj/nomalloc/*.d $(B)/obj/unit/*.d $(B)/san/*.d $(B)/san/unit/*.d)
