# SPDX-License-Identifier: GPL-2.0-or-later
# src/ref/module.mk - framecap-server and framecap-client, the reference
# programs (included by the top-level Makefile). They link the core for
# the framing rule and the YAML profiles.
.DEFAULT_GOAL := all

REF_HDR    := $(wildcard src/ref/*.h src/core/*.h src/config/*.h) src/cli/i18n.h
# Their messages and --help speak framecap's languages (src/cli/i18n.c,
# the same catalogue).
REF_SHARED := $(B)/ref/ref_common.o $(B)/ref/ref_json.o $(B)/ref/ref_options.o $(B)/cli/i18n.o

$(B)/ref/%.o: src/ref/%.c $(REF_HDR) | $(B)/ref
	$(CC) $(BASEFLAGS) -Isrc/ref -Isrc/cli $(YAML_CFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/framecap-server: $(B)/ref/framecap_server.o $(REF_SHARED) $(B)/libfccore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(YAML_LIBS)
# --replay (replay.c) reads captures: libpcap.
$(B)/ref/replay.o: src/ref/replay.c $(REF_HDR) | $(B)/ref
	$(CC) $(BASEFLAGS) -Isrc/ref -Isrc/cli $(PCAP_CFLAGS) $(YAML_CFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/framecap-client: $(B)/ref/framecap_client.o $(B)/ref/replay.o $(REF_SHARED) $(B)/libfccore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(PCAP_LIBS) $(YAML_LIBS)
# Unit test of the JSON header reader, run by tests/suites/reference.sh.
$(B)/ref/ref-json-test: $(B)/ref/ref_json_test.o $(B)/ref/ref_json.o $(B)/libfccore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^)
$(B)/ref:
	mkdir -p $@

EXTRA_ALL += $(B)/framecap-server $(B)/framecap-client $(B)/ref/ref-json-test
