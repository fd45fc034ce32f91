# SPDX-License-Identifier: GPL-2.0-or-later
# dissector/module.mk - the Wireshark plugin, included by the top-level
# Makefile (it joins `make`, hence `make test`).
#   make plugin           dissector/framecap.so
#   make install-plugin   into the personal plugin directory,
#                         ~/.local/lib/wireshark/plugins/<major.minor>/epan/
#   make install-plugin PLUGIN_DIR=DIR   into DIR/<major.minor>/epan/
#                         (system-wide: PLUGIN_DIR=/usr/lib/x86_64-linux-gnu/wireshark/plugins)
# The plugin links the core's library (built position-independent) and
# keeps its symbols to itself (--exclude-libs). Without wireshark-dev,
# `make` builds everything else and says why the plugin was left out.

# This file is read before the Makefile's `all` rule: keep `all` the default.
.DEFAULT_GOAL := all

DEB_PACKAGES += tshark wireshark-dev libwireshark-dev libwiretap-dev
HAVE_WIRESHARK := $(shell $(PKG_CONFIG) --exists wireshark 2>/dev/null && echo yes)
ifeq ($(HAVE_WIRESHARK),yes)
EXTRA_ALL += plugin
else
EXTRA_ALL += plugin-skipped
endif

PLUGIN       := dissector/framecap.so
PLUGIN_DIR   ?= $(HOME)/.local/lib/wireshark/plugins
WS_CFLAGS    := $(shell $(PKG_CONFIG) --cflags wireshark 2>/dev/null)
WS_LIBS      := $(shell $(PKG_CONFIG) --libs wireshark 2>/dev/null) -lwiretap
WS_MAJMIN    := $(shell $(PKG_CONFIG) --modversion wireshark 2>/dev/null | cut -d. -f1,2)
PLUGIN_FLAGS := -fPIC -fvisibility=hidden

.PHONY: plugin install-plugin plugin-skipped
plugin: $(PLUGIN)
plugin-skipped:
	@echo "make: wireshark-dev is not installed, so the Wireshark plugin is not built (make deps installs it)"

# Wireshark's headers want GNU C; the warnings are the project's.
$(B)/plugin/framecap.o: dissector/framecap.c Makefile dissector/module.mk | $(B)/plugin
	@$(PKG_CONFIG) --exists wireshark || { echo "make plugin: wireshark-dev is missing (run make deps)" >&2; exit 1; }
	$(CC) -std=gnu11 $(WARN) -MMD -MP -Isrc/core -Isrc/config $(PLUGIN_FLAGS) $(WS_CFLAGS) $(CFLAGS) -c -o $@ $<

# tshark is not built with sanitizers, so the plugin links the plain core:
# with B=build/san (make sanitize and its tests) that is the one in build/,
# made here if it is missing.
PLUGIN_CORE_B := $(patsubst %/san,%,$(B))
ifneq ($(PLUGIN_CORE_B),$(B))
$(PLUGIN_CORE_B)/core/%.o: src/core/%.c Makefile | $(PLUGIN_CORE_B)/core
	$(CC) $(BASEFLAGS) -fPIC $(YAML_CFLAGS) -O2 -g -c -o $@ $<
$(PLUGIN_CORE_B)/config/%.o: src/config/%.c Makefile | $(PLUGIN_CORE_B)/config
	$(CC) $(BASEFLAGS) -fPIC $(YAML_CFLAGS) -O2 -g -c -o $@ $<
$(PLUGIN_CORE_B)/libfccore.a: $(patsubst src/%.c,$(PLUGIN_CORE_B)/%.o,$(wildcard src/core/*.c src/config/*.c))
	rm -f $@ && ar rcs $@ $^
$(PLUGIN_CORE_B)/core $(PLUGIN_CORE_B)/config:
	mkdir -p $@
endif

# --no-undefined: a missing symbol fails here, not silently at load time.
$(PLUGIN): $(B)/plugin/framecap.o $(PLUGIN_CORE_B)/libfccore.a
	$(CC) -shared $(PLUGIN_FLAGS) -Wl,--no-undefined -Wl,--exclude-libs,ALL $(CFLAGS) $(LDFLAGS) \
		-o $@ $(filter-out %.h,$^) $(WS_LIBS) $(YAML_LIBS)

$(B)/plugin:
	mkdir -p $@

install-plugin: $(PLUGIN)
	install -d $(DESTDIR)$(PLUGIN_DIR)/$(WS_MAJMIN)/epan
	install -m 644 $(PLUGIN) $(DESTDIR)$(PLUGIN_DIR)/$(WS_MAJMIN)/epan/framecap.so

# `make clean` removes build/; the plugin sits beside its source.
.PHONY: clean-plugin
clean: clean-plugin
clean-plugin:
	rm -f $(PLUGIN)
