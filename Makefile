# kyodo: one non-recursive Makefile. `make test` and `make run` are all a new user needs.
#
# Variables worth overriding:
#   BUILD      output folder (default build; `make asan` uses build/asan)
#   OPT        optimisation flags (default -O2 -g)
#   SANITIZER  sanitizer flags, kept apart from CFLAGS so that `CFLAGS=` never wipes -std=
#   SCENARIO   the drill `make run` starts (default scenarios/tcu-remote.lua)
#   PREFIX     where `make install` puts kyodo (default /usr/local); DESTDIR a staging root in front of it
#   FUZZ_SECONDS  how long `make fuzz` runs each fuzz target (default 60)

PKGS      := sdl2 SDL2_ttf libwebsockets lua5.4 jansson sqlite3 libpng
BUILD     ?= build
OPT       ?= -O2 -g
SANITIZER ?=
SCENARIO  ?= scenarios/tcu-remote.lua
SEED      ?=

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN    := -Wall -Wextra -Werror -Wshadow -Wundef -Wmissing-prototypes -Wstrict-prototypes
KCFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) $(OPT) $(SANITIZER) -I. $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
KLDLIBS := $(SANITIZER) $(LDFLAGS) $(PKG_LIBS) -lm -lpthread

# Every .c file in a module folder is part of the library; adding a module needs no edit here.
LIB_SRC  := $(sort $(wildcard engine/*.c vehicles/*.c scenarios/*.c server/*.c ui/replay/*.c ui/report/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(sort $(wildcard tests/c/test_*.c))
TEST_BIN := $(TEST_SRC:tests/c/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
# Fuzz targets (tests/fuzz/fuzz_*.c): linked with replay.c for `make test` ($(BUILD)/fuzz/NAME replays the corpus),
# with libFuzzer for `make fuzz` (build/libfuzzer/fuzzer/NAME, clang). FUZZ_LDFLAGS_NAME adds a target's own flags.
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_SECONDS ?= 60
FUZZ_LDFLAGS_fuzz_scenario := -Wl,--wrap=veh_world_add_cohort -Wl,--wrap=scn_sandbox_call
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all deps test-deps bench-deps man-deps tests test run bench asan fuzz fuzzers fuzz-merge valgrind clean man install uninstall
.DEFAULT_GOAL := all
.SECONDARY:

all: $(BUILD)/kyodo

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC    $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/libkyodo.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/kyodo: $(BUILD)/obj/src/main.o $(BUILD)/libkyodo.a
	@$(if $(V),,echo "  LD    $@")
	$(Q)$(CC) -o $@ $^ $(KLDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/c/%.o $(BUILD)/obj/tests/c/ky_test.o $(BUILD)/libkyodo.a
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $^ $(KLDLIBS)

$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/replay.o $(BUILD)/libkyodo.a
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $^ $(FUZZ_LDFLAGS_$*) $(KLDLIBS)

$(BUILD)/fuzzer/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/libkyodo.a
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD    $@")
	$(Q)$(CC) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LDFLAGS_$*) $(KLDLIBS)

# A benchmark may need a peer's flags (e.g. ns-3, in C++); bench/NAME.mk may add BENCH_LIBS_NAME.
-include $(wildcard bench/*.mk)
$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/libkyodo.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(BENCH_OBJS_$*) $(KLDLIBS) $(BENCH_LIBS_$*)

deps:
	@sh mk/deps.sh build

man-deps:
	@sh mk/deps.sh man

test-deps: deps
	@sh mk/deps.sh test

bench-deps: deps
	@sh mk/deps.sh bench

tests: $(BUILD)/kyodo $(TEST_BIN) $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)

test: test-deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) sh tests/run.sh

asan: test-deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g" \
	  SANITIZER="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" tests
	@BUILD=build/asan KY_ASAN=1 sh tests/run.sh

# libFuzzer with ASan and UBSan (clang 14): each target FUZZ_SECONDS on its corpus; crashes land in
# tests/fuzz/crashes/NAME/, which `make test` replays from then on. New corpus entries stay in build/libfuzzer/corpus;
# `make fuzz-merge` adds the ones that cover something new to tests/fuzz/corpus.
fuzzers: $(FUZZ_NAMES:%=$(BUILD)/fuzzer/%)

fuzz: test-deps
	@$(MAKE) --no-print-directory BUILD=build/libfuzzer CC=clang OPT="-O1 -g" SANITIZER="$(FUZZ_SAN)" fuzzers
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh build/libfuzzer $(FUZZ_NAMES)

fuzz-merge: test-deps
	@$(MAKE) --no-print-directory BUILD=build/libfuzzer CC=clang OPT="-O1 -g" SANITIZER="$(FUZZ_SAN)" fuzzers
	@FUZZ_MERGE=1 sh tests/fuzz/run.sh build/libfuzzer $(FUZZ_NAMES)

# The websocket, hardening and page tests against a server under valgrind: no invalid access, no definite leak.
valgrind: test-deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) sh tests/valgrind.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/kyodo serve $(SCENARIO)

bench: bench-deps
	@$(MAKE) --no-print-directory $(BUILD)/kyodo $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf build

# --- the man page, generated from the help texts (mk/man.sh: help2man and mk/help2roff.awk) ---------------------
man: $(BUILD)/kyodo.1

$(BUILD)/kyodo.1: $(BUILD)/kyodo mk/man.sh mk/help2roff.awk | man-deps
	$(Q)sh mk/man.sh $(BUILD)/kyodo >$@.tmp && mv $@.tmp $@

# --- install: `make install PREFIX=/usr/local DESTDIR=/tmp/stage`; `make uninstall` with the same variables --------
# The binary finds its pages at BINDIR/../share/kyodo/web: keep BINDIR and DATADIR under one PREFIX (or give --web).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/kyodo
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/kyodo
UNITDIR ?= $(PREFIX)/lib/systemd/system
WEB_FILES   := $(shell cd ui/web && find . -type f ! -name README.md | sed "s|^\./||" | sort)
DRILL_FILES := $(sort $(notdir $(wildcard scenarios/*.lua scenarios/*.jsonl scenarios/*.cdx.json)))
DOC_FILES   := README.md $(sort $(wildcard docs/*.md))
CLUSTER_FILES := $(sort $(notdir $(wildcard docs/cluster/*)))
IMG_FILES     := $(sort $(notdir $(wildcard docs/img/*)))

install: $(BUILD)/kyodo $(BUILD)/kyodo.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/web $(DESTDIR)$(DATADIR)/scenarios $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/kyodo $(DESTDIR)$(BINDIR)/kyodo
	for f in $(WEB_FILES); do install -D -m 0644 ui/web/$$f $(DESTDIR)$(DATADIR)/web/$$f || exit 1; done
	for f in $(DRILL_FILES); do install -m 0644 scenarios/$$f $(DESTDIR)$(DATADIR)/scenarios/$$f || exit 1; done
	install -m 0644 $(BUILD)/kyodo.1 $(DESTDIR)$(MANDIR)/man1/kyodo.1
	install -m 0644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(DOCDIR)/cluster
	install -m 0644 $(addprefix docs/cluster/,$(CLUSTER_FILES)) $(DESTDIR)$(DOCDIR)/cluster/
	install -d $(DESTDIR)$(DOCDIR)/img
	install -m 0644 $(addprefix docs/img/,$(IMG_FILES)) $(DESTDIR)$(DOCDIR)/img/
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' mk/kyodo@.service.in >$(DESTDIR)$(UNITDIR)/kyodo@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/kyodo@.service

# Removes what install put there, and the folders it made once they are empty (a drill you added stays).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kyodo $(DESTDIR)$(MANDIR)/man1/kyodo.1 $(DESTDIR)$(UNITDIR)/kyodo@.service
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/web/,$(WEB_FILES)) $(addprefix $(DESTDIR)$(DATADIR)/scenarios/,$(DRILL_FILES))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOC_FILES))) $(addprefix $(DESTDIR)$(DOCDIR)/cluster/,$(CLUSTER_FILES))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/img/,$(IMG_FILES))
	-find $(DESTDIR)$(DATADIR) -depth -type d -empty -delete 2>/dev/null
	-rmdir $(DESTDIR)$(DOCDIR)/cluster $(DESTDIR)$(DOCDIR)/img $(DESTDIR)$(DOCDIR) 2>/dev/null

-include $(shell find $(BUILD)/obj -name "*.d" 2>/dev/null)
