# SPDX-License-Identifier: GPL-2.0-or-later
# src/po/module.mk - framecap's words in other languages (included by the
# top-level Makefile): gettext catalogues compiled with msgfmt.
#
#   src/cli/*.c, src/ref/*.c, src/core/fc_describe.c, fc_detect.c and
#   fc_config.c, src/config/*.c, src/cli/html/report.js
#        | xgettext (make pot)
#        v
#   build/po/framecap.pot --msgmerge--> src/po/zh_CN.po (translated by hand)
#                                            | msgfmt -c
#                                            v
#   build/locale/zh_CN/LC_MESSAGES/framecap.mo   found by build/framecap
#   $(LOCALEDIR)/zh_CN/LC_MESSAGES/framecap.mo   after make install
#
# Keywords: _ and N_ (src/cli/i18n.h), fc_ntr (and out_text.c's PUT_N and TPL_N) for
# plurals, T and FC_N_
# (fc_describe.c, fc_detect.c, fc_profile_opts.c); in report.js, _. The
# functions every message goes through translate their format: cli_die and
# cli_warn (framecap), ref_die, ref_warn and their die/usage_die macros
# (the reference programs), fail, error_set, mapping_start,
# fc_config_error_set and fc_config_tr (the configuration's errors,
# fc_config_set_translator).
.DEFAULT_GOAL := all

LOCALEDIR ?= $(PREFIX)/share/locale
PO_LANGS  := zh_CN
MO_FILES  := $(PO_LANGS:%=$(B)/locale/%/LC_MESSAGES/framecap.mo)
POT_SRC   := $(sort $(wildcard src/cli/*.c src/ref/*.c)) src/ref/ref_common.h \
	src/core/fc_describe.c src/core/fc_detect.c src/config/fc_profile_opts.c
# The configuration's errors: their own keywords (replay.c has a fail() of
# its own, for records that stay English).
POT_CONFIG := src/core/fc_config.c src/config/fc_config_file.c
POT_JS    := src/cli/html/report.js
XGETTEXT_FLAGS := --from-code=UTF-8 --add-comments=TRANSLATORS: --no-wrap \
	--package-name=framecap --msgid-bugs-address= \
	-k_ -kN_ -kT -kFC_N_ -kfc_ntr:1,2 -kPUT_N:2,3 -kTPL_N:2,3 \
	-kcli_die:2 -kcli_warn:1 -kref_die:3 -kref_warn:2 -kdie:2 -kusage_die:2 \
	-kfc_config_tr \
	--flag=cli_die:2:c-format --flag=cli_warn:1:c-format \
	--flag=ref_die:3:c-format --flag=ref_warn:2:c-format --flag=die:2:c-format \
	--flag=usage_die:2:c-format --flag=fc_config_tr:1:pass-c-format \
	--flag=fc_ntr:1:c-format --flag=fc_ntr:2:c-format \
	--flag=PUT_N:2:c-format --flag=PUT_N:3:c-format \
	--flag=TPL_N:2:c-format --flag=TPL_N:3:c-format \
	--flag=_:1:pass-c-format --flag=T:1:pass-c-format \
	--flag=fmt_printf:2:c-format --flag=snprintf:3:c-format

DEB_PACKAGES += gettext
EXTRA_ALL += $(MO_FILES)

# The installed program finds its catalogue at ../share/locale beside its
# directory; FC_LOCALEDIR is the last resort.
$(B)/cli/i18n.o: CFLAGS += -DFC_LOCALEDIR='"$(LOCALEDIR)"'

$(B)/locale/%/LC_MESSAGES/framecap.mo: src/po/%.po
	@mkdir -p $(dir $@)
	@command -v msgfmt > /dev/null || { echo "msgfmt not found: make deps installs gettext" >&2; exit 1; }
	msgfmt -c -o $@ $<

# The template of every message, from the sources (not kept in the tree).
$(B)/po/framecap.pot: $(POT_SRC) $(POT_CONFIG) $(POT_JS) src/po/module.mk
	@mkdir -p $(dir $@)
	xgettext $(XGETTEXT_FLAGS) -L C -o $@ $(POT_SRC)
	xgettext $(XGETTEXT_FLAGS) -kfail:3 -kerror_set:4 -kfc_config_error_set:3 \
		-kmapping_start:2 --flag=mapping_start:2:c-format \
		--flag=fail:3:c-format --flag=error_set:4:c-format \
		--flag=fc_config_error_set:3:c-format -L C -j -o $@ $(POT_CONFIG)
	xgettext $(XGETTEXT_FLAGS) -L JavaScript -j -o $@ $(POT_JS)

.PHONY: pot po-update install-mo uninstall-mo
pot: $(B)/po/framecap.pot
# Merges new messages into the catalogues (they come out untranslated or
# fuzzy; tests/suites/i18n.sh fails until each is translated).
po-update: $(B)/po/framecap.pot
	for l in $(PO_LANGS); do msgmerge --no-wrap -q -U --backup=none src/po/$$l.po $< || exit 1; done

install: install-mo
uninstall: uninstall-mo
install-mo: $(MO_FILES)
	for l in $(PO_LANGS); do \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	  install -m 644 $(B)/locale/$$l/LC_MESSAGES/framecap.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/framecap.mo || exit 1; \
	done
uninstall-mo:
	for l in $(PO_LANGS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/framecap.mo; done
