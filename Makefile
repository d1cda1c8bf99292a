# dmvpnd: plain GNU make.  `make help` lists the targets.
#
# Objects go to $(BUILD) (build/ by default); `make check` builds a second
# tree in build/asan with AddressSanitizer and UBSan and runs every tier.

PREFIX      ?= /usr
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/dmvpnd
SYSCONFDIR  ?= /etc
RUNSTATEDIR ?= /run
DESTDIR     ?=

BUILD    ?= build
CC       ?= cc
CLANG    ?= clang
PKG_CONFIG ?= pkg-config
V        ?= 0
WERROR   ?= 0
SANITIZE ?= 0
DEBUG    ?= 0

.DEFAULT_GOAL := all

# Every folder under src/ is a module.
MODULES := $(notdir $(patsubst %/,%,$(wildcard src/*/)))

# The sources of the programs; everything else in src/<mod>/ is the module.
# src/core/dmvpnd_*.c tie the modules together and belong to dmvpnd alone.
MAIN_dmvpnd   := src/core/main.c $(sort $(wildcard src/core/dmvpnd_*.c))
MAIN_dmvpnctl := src/ctl/dmvpnctl.c
MAINS := $(MAIN_dmvpnd) $(MAIN_dmvpnctl)

# The modules a module needs, in link order.  A unit test, fuzz target or
# tool of module M links M and DEPS_M only: anything else fails to link.
DEPS_core :=
DEPS_nhrp := core buf
DEPS_conf := core
DEPS_ctl := core buf
DEPS_rtnl := core
DEPS_route := core
# dns: c-ares; its test's fake DNS server speaks through buf.
DEPS_dns := core buf
# hook: the hook-script runner (libev, posix_spawn).
DEPS_hook := core
# priv: the privilege drop (capget/capset/prctl).
DEPS_priv := core
# ike: IKEv2 codec, crypto (OpenSSL 3) and the sans-I/O engine.
DEPS_ike := core buf
# xfrm: XFRM netlink messages (libmnl), SA/policy reconciliation.
DEPS_xfrm := core buf

# Which modules each program links, in link order.
LINK_dmvpnd   := nhrp ike xfrm conf ctl rtnl route dns hook priv core buf
LINK_dmvpnctl := ctl core buf

# libev ships no pkg-config file on Debian or Alpine; fall back to -lev.
PC_LIBS := libmnl libcrypto libcares
PC_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PC_LIBS) 2>/dev/null)
PC_LDLIBS := $(shell $(PKG_CONFIG) --libs $(PC_LIBS) 2>/dev/null)
EV_CFLAGS := $(shell $(PKG_CONFIG) --cflags libev 2>/dev/null)
EV_LDLIBS := $(shell $(PKG_CONFIG) --libs libev 2>/dev/null || echo -lev)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LDLIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wcast-qual -Wsign-compare -Wformat=2
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif

OPT := -O2 -g
ifeq ($(DEBUG),1)
OPT := -O0 -g3
endif
SAN_FLAGS :=
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
OPT := -O1 -g
endif

DEFS := -DDMVPN_SYSCONFDIR='"$(SYSCONFDIR)"' -DDMVPN_RUNSTATEDIR='"$(RUNSTATEDIR)"'
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARNINGS) $(OPT) $(SAN_FLAGS) \
	-Iinclude $(DEFS) $(EV_CFLAGS) $(PC_CFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)
LDLIBS_ALL := $(PC_LDLIBS) $(EV_LDLIBS) $(LDLIBS)

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

# --- module libraries ----------------------------------------------------
mod_srcs = $(filter-out $(MAINS),$(wildcard src/$(1)/*.c))
mod_objs = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(call mod_srcs,$(1)))
mod_lib  = $(BUILD)/lib/libdmvpn_$(1).a
# A module's library followed by those of its dependencies.
mod_libs = $(call mod_lib,$(1)) $(foreach d,$(DEPS_$(1)),$(call mod_lib,$(d)))
mod_deps_srcs = $(call mod_srcs,$(1)) $(foreach d,$(DEPS_$(1)),$(call mod_srcs,$(d)))

define MODULE_RULES
$(call mod_lib,$(1)): $(call mod_objs,$(1))
	$$(quiet) AR $$@
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call MODULE_RULES,$(m))))

$(BUILD)/obj/%.o: %.c
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: src/%.c
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# --- programs ------------------------------------------------------------
PROGRAMS := $(BUILD)/dmvpnd $(BUILD)/dmvpnctl

.PHONY: all
all: $(PROGRAMS)

define PROGRAM_RULES
$(BUILD)/$(1): $(patsubst src/%.c,$(BUILD)/obj/%.o,$(MAIN_$(1))) \
		$(foreach m,$(LINK_$(1)),$(call mod_lib,$(m)))
	$$(quiet) LD $$@
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LDLIBS_ALL)
endef
$(foreach p,dmvpnd dmvpnctl,$(eval $(call PROGRAM_RULES,$(p))))

.PHONY: dmvpnd dmvpnctl
dmvpnd: $(BUILD)/dmvpnd
dmvpnctl: $(BUILD)/dmvpnctl

# --- unit tests: tests/unit/test_<mod>[_<what>].c links only <mod> -------
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
unit_mod = $(word 2,$(subst _, ,$(basename $(notdir $(1)))))

# Support files tests/unit/<mod>_*.c (a simulated fabric, say) are linked
# into every unit test of that module.
unit_support = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/unit/$(1)_*.c))

define UNIT_RULES
$(BUILD)/tests/$(basename $(notdir $(1))): $(patsubst %.c,$(BUILD)/obj/%.o,$(1)) \
		$(call unit_support,$(call unit_mod,$(1))) \
		$(call mod_libs,$(call unit_mod,$(1)))
	$$(quiet) LD $$@
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(CMOCKA_LDLIBS) $$(LDLIBS_ALL)
endef
$(foreach t,$(UNIT_SRCS),$(eval $(call UNIT_RULES,$(t))))

$(BUILD)/obj/tests/unit/%.o: ALL_CFLAGS += $(CMOCKA_CFLAGS) -Wno-missing-prototypes

# --- test tools: tests/tools/<mod>_<what>.c links only <mod> ------------
# Helper programs that tests drive (vector writers, decoders that print).
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TOOL_SRCS))
tool_mod = $(word 1,$(subst _, ,$(basename $(notdir $(1)))))

define TOOL_RULES
$(BUILD)/tests/$(basename $(notdir $(1))): $(patsubst %.c,$(BUILD)/obj/%.o,$(1)) \
		$(call mod_libs,$(call tool_mod,$(1)))
	$$(quiet) LD $$@
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LDLIBS_ALL)
endef
$(foreach t,$(TOOL_SRCS),$(eval $(call TOOL_RULES,$(t))))

$(BUILD)/obj/tests/tools/%.o: ALL_CFLAGS += -Wno-missing-prototypes

# --- fuzz targets: tests/fuzz/fuzz_<mod>[_<what>].c ----------------------
# A target's name drops the fuzz_ prefix; its corpus is tests/fuzz/corpus/<name>.
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
fuzz_mod = $(word 1,$(subst _, ,$(1)))
FUZZ_DIR := build/fuzz
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -O1 -g -Iinclude $(DEFS) \
	$(EV_CFLAGS) $(PC_CFLAGS) -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Wno-missing-prototypes

# `make fuzz`: libFuzzer binaries built with clang, module sources compiled in.
define FUZZ_RULES
$(FUZZ_DIR)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(call mod_deps_srcs,$(call fuzz_mod,$(1)))
	$$(quiet) FUZZ $$@
	@mkdir -p $$(@D)
	$$(Q)$$(CLANG) $$(FUZZ_CFLAGS) -o $$@ $$^ $$(LDLIBS_ALL)

# The replay driver: the same target without libFuzzer, any compiler,
# run over the committed corpus by `make check`.
$(BUILD)/tests/replay_$(1): $(BUILD)/obj/tests/fuzz/fuzz_$(1).o \
		$(BUILD)/obj/tests/fuzz/replay.o $(call mod_libs,$(call fuzz_mod,$(1)))
	$$(quiet) LD $$@
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LDLIBS_ALL)
endef
$(foreach f,$(FUZZ_NAMES),$(eval $(call FUZZ_RULES,$(f))))

$(BUILD)/obj/tests/fuzz/%.o: ALL_CFLAGS += -Wno-missing-prototypes

.PHONY: fuzz
fuzz: $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_NAMES))

# Run every fuzz target for FUZZ_SECONDS each, growing build/fuzz/corpus.
FUZZ_SECONDS ?= 30
.PHONY: fuzz-run
fuzz-run: fuzz
	$(Q)for f in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$f; \
		$(FUZZ_DIR)/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
			$(FUZZ_DIR)/corpus/$$f tests/fuzz/corpus/$$f || exit 1; \
	done

# --- test tiers ----------------------------------------------------------
ASAN_BUILD := build/asan
RESULTS = $(BUILD)/results
TIER := tests/lib/tier

# Root on a fresh machine: `make check` and `make demo` install what is missing.
ifeq ($(shell id -u),0)
DEPS_FIRST := deps
endif

.PHONY: check
check: $(DEPS_FIRST)
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SANITIZE=1 check-tiers

.PHONY: check-tiers
check-tiers: check-build
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory check-unit check-conf check-fuzz-replay \
		check-vectors check-smoke check-static check-kernel
	@tests/lib/summary $(RESULTS) | tee $(RESULTS)/summary.txt; \
		exit $$(cat $(RESULTS)/summary.rc)

.PHONY: check-build
check-build: $(PROGRAMS) $(UNIT_BINS) $(TOOL_BINS) \
	$(addprefix $(BUILD)/tests/replay_,$(FUZZ_NAMES))

.PHONY: check-unit check-conf check-fuzz-replay check-vectors check-smoke \
	check-static check-kernel conf-update
check-unit: $(UNIT_BINS)
	@$(TIER) $(RESULTS) unit tests/lib/run-unit $(UNIT_BINS)

check-fuzz-replay: $(addprefix $(BUILD)/tests/replay_,$(FUZZ_NAMES))
	@$(TIER) $(RESULTS) fuzz-replay tests/lib/run-replay $(BUILD)/tests \
		$(FUZZ_NAMES)

# Configuration files: tests/conf/NNN-name.in against .ok, examples too.
check-conf: $(BUILD)/tests/conf_check
	@$(TIER) $(RESULTS) conf tests/conf/run $(BUILD)

conf-update:
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SANITIZE=1 $(ASAN_BUILD)/tests/conf_check
	@tests/conf/run $(ASAN_BUILD) --update

# Conformance vectors: tests/vectors/check-* scripts, e.g. our pcaps
# decoded by Wireshark's dissectors and compared with our decoder.
check-vectors: $(TOOL_BINS)
	@$(TIER) $(RESULTS) vectors tests/lib/run-vectors $(BUILD)

check-smoke: $(PROGRAMS)
	@$(TIER) $(RESULTS) smoke tests/smoke/run $(BUILD)

check-static:
	@$(TIER) $(RESULTS) static tests/lib/run-static

# The real-kernel tier: network namespaces, in a VM when the host kernel
# lacks GRE or ESP.  Also runnable alone: `make check-netns [T=name]`.
check-kernel: $(PROGRAMS) $(TOOL_BINS)
	@DMVPN_BUILD=$(BUILD) $(TIER) $(RESULTS) netns tests/kernel-tier $(T)

.PHONY: check-netns
check-netns: $(DEPS_FIRST)
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SANITIZE=1 check-build
	@DMVPN_BUILD=$(ASAN_BUILD) tests/kernel-tier $(T)

# --- formatting and static analysis --------------------------------------
FORMAT_FILES = $(sort $(wildcard src/*/*.c src/*/*.h include/dmvpn/*.h \
	tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/tools/*.c \
	tests/bench/*/*.c tests/bench/*/*.h))

.PHONY: format format-check
format:
	$(Q)clang-format -i $(FORMAT_FILES)
format-check:
	$(Q)clang-format --dry-run -Werror $(FORMAT_FILES)

# --- installation --------------------------------------------------------
.PHONY: install uninstall
install: $(PROGRAMS)
	install -d $(DESTDIR)$(SBINDIR)
	install -m 0755 $(BUILD)/dmvpnd $(BUILD)/dmvpnctl $(DESTDIR)$(SBINDIR)/
	install -d $(DESTDIR)$(SYSCONFDIR)
	[ -e $(DESTDIR)$(SYSCONFDIR)/dmvpn.conf ] || \
		install -m 0600 etc/dmvpn.conf.example $(DESTDIR)$(SYSCONFDIR)/dmvpn.conf
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 README.md LICENSE etc/dmvpnd-script.example \
		$(DESTDIR)$(DOCDIR)/

# The OpenRC service (Alpine); its settings file is kept if present.
.PHONY: install-openrc
install-openrc:
	install -d $(DESTDIR)$(SYSCONFDIR)/init.d $(DESTDIR)$(SYSCONFDIR)/conf.d
	install -m 0755 etc/init.d/dmvpnd $(DESTDIR)$(SYSCONFDIR)/init.d/dmvpnd
	[ -e $(DESTDIR)$(SYSCONFDIR)/conf.d/dmvpnd ] || \
		install -m 0644 etc/conf.d/dmvpnd $(DESTDIR)$(SYSCONFDIR)/conf.d/dmvpnd

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/dmvpnd $(DESTDIR)$(SBINDIR)/dmvpnctl
	rm -rf $(DESTDIR)$(DOCDIR)

# --- set-up and demo -----------------------------------------------------
.PHONY: deps demo
deps:
	@sh etc/deps.sh

demo: $(DEPS_FIRST) all
	@DMVPN_BUILD=$(BUILD) tests/netns/in-kernel tests/netns/demo.sh

# Benchmarks print tables; they are not tests (tests/bench/*/README.md).
.PHONY: bench
bench:
	@tests/bench/nhrp-engine/run

.PHONY: clean help
clean:
	rm -rf build

help:
	@echo "targets: all dmvpnd dmvpnctl check check-netns fuzz fuzz-run bench"
	@echo "         format format-check install uninstall deps demo clean"
	@echo "switches: V=1 WERROR=1 SANITIZE=1 DEBUG=1 CC=clang BUILD=dir T=test"

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
