# SPDX-License-Identifier: GPL-2.0-or-later
# framecap - see README.md. Plain make + pkg-config.
#   make deps     install missing Debian packages (root, or sudo)
#   make          build framecap and the helper programs into build/
#   make test     deps + build + every test (ends with "N passed, N failed")
#   make check    build + every test, installing nothing
#   make demo     deps + build + live capture of real traffic on lo
#   make install  PREFIX=/usr/local DESTDIR= (make uninstall: the same files go)

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DESTDIR  ?=
CC       ?= cc
CFLAGS   ?= -O2 -g
PKG_CONFIG ?= pkg-config
B        := build

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla
# -MMD -MP: each object lists the headers it read (build/**/*.d), so a
# changed header rebuilds exactly what includes it.
# Programs compiled and linked in one step get such a list too, so their
# link lines take $(filter-out %.h,$^): a header is never a linker input.
BASEFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -Isrc/core -Isrc/config -MMD -MP
# Asked once per make run (`:=`), not once per compile. `make test` and
# `make demo` install the packages first, then run a new make that sees them.
YAML_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
YAML_LIBS   := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
PCAP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcap 2>/dev/null)
PCAP_LIBS   := $(shell $(PKG_CONFIG) --libs libpcap 2>/dev/null || echo -lpcap)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# Debian packages the build and the tests need. While they install, a
# temporary /usr/sbin/policy-rc.d (exit 101, only when there is none) keeps
# Debian from starting the servers below as system services: the tests run
# their own instances on free ports.
DEB_PACKAGES := gcc make pkg-config libc6-dev libpcap-dev libyaml-dev \
                libcmocka-dev python3 procps time
# tests/suites/readers.sh traces the file reader's second thread.
DEB_PACKAGES += strace
# The HTML report's tests open the pages in headless Chromium
# (tests/suites/html.sh, driven over the DevTools pipe by tests/cdp.py).
# The Chinese report needs a CJK font to draw its words rather than boxes
# (tests/suites/i18n.sh checks the glyphs): WenQuanYi Micro Hei, 1.6 MB
# (fonts-noto-cjk would be 56 MB).
DEB_PACKAGES += chromium fonts-wqy-microhei
# Real servers and their clients, captured live on lo by
# tests/suites/real-servers.sh (each runs there as a private instance on a
# free port; openssl makes PostgreSQL's throwaway certificate).
DEB_PACKAGES += mosquitto mosquitto-clients redis-server redis-tools \
                memcached postgresql postgresql-client openssl
# framecap --emit-test's Go and Java tests, compiled and run
# (tests/suites/emit-langs.sh).
DEB_PACKAGES += golang-go default-jdk-headless libnetty-java junit5

# Parts add themselves with a module.mk: targets to EXTRA_ALL, packages to
# DEB_PACKAGES, with their own rules. Their rules come first in the file,
# so the default goal is set here.
.DEFAULT_GOAL := all
EXTRA_ALL :=
-include $(sort $(wildcard src/*/module.mk dissector/module.mk))

# libfccore.a: the decoding core (src/core: no I/O) and the small layer
# that reads configuration files and command-line framing options
# (src/config), shared by every program and the plugin.
CORE_SRC := $(sort $(wildcard src/core/*.c src/config/*.c))
CORE_OBJ := $(patsubst src/%.c,$(B)/%.o,$(CORE_SRC))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
CLI_OBJ  := $(CLI_SRC:src/cli/%.c=$(B)/cli/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOLS    := $(B)/fc-talk $(B)/fc-pcapgen

.PHONY: all deps test check demo install uninstall clean bench unit fuzz sanitize sanitize-build
all: $(B)/framecap $(TOOLS) $(EXTRA_ALL)

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  policy=; \
	  if [ ! -e /usr/sbin/policy-rc.d ] && [ ! -L /usr/sbin/policy-rc.d ]; then \
	    policy=/usr/sbin/policy-rc.d; \
	    trap '$$SUDO rm -f /usr/sbin/policy-rc.d' EXIT INT TERM HUP; \
	    printf '#!/bin/sh\n# make deps (framecap): no service starts while it installs\nexit 101\n' | \
	      $$SUDO tee /usr/sbin/policy-rc.d > /dev/null && \
	      $$SUDO chmod 755 /usr/sbin/policy-rc.d || exit 1; \
	  fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  rc=$$?; \
	  if [ -n "$$policy" ]; then $$SUDO rm -f "$$policy"; trap - EXIT INT TERM HUP; fi; \
	  exit $$rc; \
	fi

# The core is built once, position-independent, and linked by every
# program and by the Wireshark plugin (a shared object).
# Objects also depend on this file: flags change here, and an object built
# before -MMD has no dependency list of its own.
$(B)/core/%.o: src/core/%.c Makefile | $(B)/core
	$(CC) $(BASEFLAGS) -fPIC $(YAML_CFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/config/%.o: src/config/%.c Makefile | $(B)/config
	$(CC) $(BASEFLAGS) -fPIC $(YAML_CFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/cli/%.o: src/cli/%.c Makefile | $(B)/cli
	$(CC) $(BASEFLAGS) -Isrc/cli $(PCAP_CFLAGS) $(CFLAGS) -c -o $@ $<
# The HTML report's stylesheet and script are built into out_html.o.
$(B)/cli/out_html.o: src/cli/html/report.css src/cli/html/report.js
$(B)/libfccore.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^
$(B)/framecap: $(CLI_OBJ) $(B)/libfccore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -pthread -o $@ $(filter-out %.h,$^) $(PCAP_LIBS) $(YAML_LIBS)
$(B)/fc-talk: src/tools/fc_talk.c $(B)/libfccore.a
	$(CC) $(BASEFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(YAML_LIBS)
# fc-pcapgen gives up the reference programs' way (ref_die, ref_common.o).
$(B)/fc-pcapgen: src/tools/fc_pcapgen.c $(B)/ref/ref_common.o $(B)/cli/i18n.o $(B)/libfccore.a
	$(CC) $(BASEFLAGS) -Isrc/ref -Isrc/cli $(PCAP_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(PCAP_LIBS) $(YAML_LIBS)
$(B)/tests/%: tests/unit/%.c $(B)/libfccore.a | $(B)/tests
	$(CC) $(BASEFLAGS) $(CFLAGS) $(LDFLAGS) $(TEST_LINK) -o $@ $(filter-out %.h,$^) $(CMOCKA_LIBS) $(YAML_LIBS)
# test_reasm and test_engine make calloc fail when they ask (a direction
# without memory). Not in LDFLAGS, which make sanitize sets for all.
$(B)/tests/test_reasm $(B)/tests/test_engine: TEST_LINK := -Wl,--wrap=calloc
# test_fmt checks the CLI writers' formatting (src/cli/fmt_out.c).
$(B)/tests/test_fmt: $(B)/cli/fmt_out.o
# test_json checks the JSON writer's frame lines (src/cli/out_json.c).
# The writer's objects before the core library, which they call.
$(B)/tests/test_json: tests/unit/test_json.c $(B)/cli/out_json.o $(B)/cli/fmt_out.o $(B)/libfccore.a | $(B)/tests
	$(CC) $(BASEFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(CMOCKA_LIBS) $(YAML_LIBS)
# test_text also checks the text writer's segment lines (src/cli/out_text.c).
$(B)/tests/test_text: tests/unit/test_text.c $(B)/cli/out_text.o $(B)/cli/fmt_out.o $(B)/cli/i18n.o $(B)/libfccore.a | $(B)/tests
	$(CC) $(BASEFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(CMOCKA_LIBS) $(YAML_LIBS)
# test_readahead checks the live capture thread's gate and priority, and
# the live queue's reserve of resident batches
# (src/cli/readahead.c on src/cli/batch_ring.c).
$(B)/tests/test_readahead: tests/unit/test_readahead.c $(B)/cli/readahead.o $(B)/cli/batch_ring.o $(B)/libfccore.a | $(B)/tests
	$(CC) $(BASEFLAGS) $(PCAP_CFLAGS) $(CFLAGS) $(LDFLAGS) -pthread -o $@ $(filter-out %.h,$^) $(CMOCKA_LIBS) $(PCAP_LIBS)
# test_batch_ring checks the batches handed between threads
# (src/cli/batch_ring.c).
$(B)/tests/test_batch_ring: tests/unit/test_batch_ring.c $(B)/cli/batch_ring.o $(B)/libfccore.a | $(B)/tests
	$(CC) $(BASEFLAGS) $(CFLAGS) $(LDFLAGS) -pthread -o $@ $(filter-out %.h,$^) $(CMOCKA_LIBS)
$(B)/core $(B)/config $(B)/cli $(B)/tests:
	mkdir -p $@

unit: $(UNIT_BIN)

test: deps
	$(MAKE) check

check: all unit
	B=$(B) tests/run.sh

demo: deps
	$(MAKE) all
	tests/demo.sh

# framecap beside tcpdump on generated captures; the method and its knobs
# (BENCH_RUNS, BENCH_REPEAT, BENCH_ONLY, BENCH_TSHARK=0, BENCH_BASELINE, ...)
# are described at the top of docs/performance.md.
bench: deps
	$(MAKE) all
	@[ -x /usr/bin/time ] && command -v tcpdump >/dev/null && command -v valgrind >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && SUDO= || SUDO=sudo; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpdump time valgrind; }
	B=$(B) tests/bench.py

# The whole suite again, built with AddressSanitizer and UBSan in
# build/san (the Wireshark plugin excepted: tshark loads it, so it stays
# the normal build; its tests still run, against the sanitised framecap).
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
sanitize: deps all
	$(MAKE) B=$(B)/san CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" sanitize-build
	$(MAKE) plugin-if-any
	B=$(B)/san ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tests/run.sh
sanitize-build: $(B)/framecap $(TOOLS) $(filter-out plugin,$(EXTRA_ALL)) unit
plugin-if-any: $(filter plugin,$(EXTRA_ALL))
.PHONY: plugin-if-any

# FUZZ_SECONDS per target (default 60); see tests/fuzz.sh.
fuzz: deps
	@dpkg-query -W -f='$${Status}' clang-14 libclang-rt-14-dev 2>/dev/null | grep -c 'install ok installed' | grep -q 2 || \
	  { [ "$$(id -u)" = 0 ] && SUDO= || SUDO=sudo; $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-14 libclang-rt-14-dev; }
	FUZZ_CC=clang-14 tests/fuzz.sh

# The programs and their man pages; uninstall removes exactly these.
INSTALL_PROGS := framecap framecap-server framecap-client
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	for p in $(INSTALL_PROGS); do \
	  install -m 755 $(B)/$$p $(DESTDIR)$(BINDIR)/$$p && \
	  install -m 644 docs/$$p.1 $(DESTDIR)$(MANDIR)/man1/$$p.1 || exit 1; \
	done

uninstall:
	for p in $(INSTALL_PROGS); do \
	  rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(MANDIR)/man1/$$p.1; \
	done

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
