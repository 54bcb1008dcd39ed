# digitd — offline handwritten digit reader.
#
#   make            build digitctl and digitd into build/
#   make demo       install missing packages, build, fetch MNIST, run the daemon on samples/
#   make check      every test (unit, ASan+UBSan unit, scenarios); the single gate
#   make bench      speed figures as "BENCH name value unit" lines
#   make data       fetch and verify MNIST into data/mnist/
#   make install    PREFIX=/usr/local DESTDIR= (stripped; STRIP= keeps the symbols)
#
# Opt-ins: SANITIZE=1 (ASan+UBSan build in build-asan/), NATIVE=1 (-march=native),
# WERROR=1 (warnings are errors; on by default when CI=true, as CI runs set it).
#
# Sources are found by wildcard: a new file in src/<layer>/ or tests/unit/test_*.c
# needs no Makefile edit.  Layers: nn imaging segment recognize store daemon cli util.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share/digitd
SYSCONFDIR ?= /etc

ifeq ($(SANITIZE),1)
B ?= build-asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT = -O1 -g
else
B ?= build
SANFLAGS =
OPT = -O2 -g
endif
ifeq ($(NATIVE),1)
OPT += -march=native
endif

PKGS = opencv4 libdeflate libjpeg libpng libtiff-4 sqlite3 libconfig poppler-cpp libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Only the OpenCV modules we use (pkg-config would list all ~60); libdeflate
# and libjpeg for src/imaging/png.c and jpeg.c, libpng for png_lib.c, libtiff
# for tiff_msg.c (the decoders' messages go through our handlers);
# poppler-cpp renders PDF pages (src/imaging/pdf.cpp); libseccomp for the
# worker processes' system-call filter (src/daemon/sandbox.c).
PKG_LIBS   := $(if $(PKG_CFLAGS),-lopencv_imgcodecs -lopencv_imgproc -lopencv_core $(shell pkg-config --libs libdeflate libjpeg libpng libtiff-4 sqlite3 libconfig poppler-cpp libseccomp 2>/dev/null))

WARN = -Wall -Wextra -Wshadow -Wpointer-arith -Wformat=2
WERROR ?= $(if $(filter true,$(CI)),1,0)
ifeq ($(WERROR),1)
WARN += -Werror
endif
VERSION  = 0.1.0
CPPFLAGS += -Isrc -D_GNU_SOURCE -DDIGITD_VERSION='"$(VERSION)"' -DDIGITD_SHAREDIR='"$(SHAREDIR)"' -DDIGITD_SYSCONFDIR='"$(SYSCONFDIR)"'
CFLAGS   ?= $(OPT)
CFLAGS   += -std=c11 $(WARN) -Wstrict-prototypes -Wmissing-prototypes -pthread $(SANFLAGS)
CXXFLAGS ?= $(OPT)
CXXFLAGS += -std=c++17 $(WARN) -pthread $(SANFLAGS) $(PKG_CFLAGS)
LDFLAGS  += -pthread $(SANFLAGS)
LDLIBS   += $(PKG_LIBS) -lstdc++ -lm

LAYERS   = util nn imaging segment recognize store
LIB_C    = $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
LIB_CXX  = $(wildcard src/imaging/*.cpp)
LIB_OBJ  = $(LIB_C:%.c=$(B)/%.o) $(LIB_CXX:%.cpp=$(B)/%.o)
CLI_OBJ  = $(patsubst %.c,$(B)/%.o,$(wildcard src/cli/*.c))
D_OBJ    = $(patsubst %.c,$(B)/%.o,$(wildcard src/daemon/*.c))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC = $(wildcard tests/tools/*.c)
TOOL_BIN = $(TOOL_SRC:tests/tools/%.c=$(B)/tests/%)
BENCH_SRC = $(wildcard bench/*.c)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(B)/bench/%)

.PHONY: all deps data demo check unit unit-asan scenario bench install uninstall clean fuzz fuzz-load eval-samples eval-heldout eval-reseed

ifeq ($(strip $(PKG_LIBS)),)
# The pkg-config probe failed: install what is missing (apt-get as root or via
# sudo; scripts/install-deps.sh says what to do otherwise), then run make again
# with the same goals so the flags are probed afresh.
GOALS := $(or $(filter-out deps,$(MAKECMDGOALS)),all)
$(GOALS): deps-then-rerun ; @:
deps-then-rerun:
ifeq ($(DIGITD_DEPS_TRIED),1)
	@echo "digitd: pkg-config still cannot find $(PKGS) after installing; check 'pkg-config --cflags $(PKGS)'" >&2; exit 1
else
	@echo "digitd: build dependencies missing ($(PKGS)); running scripts/install-deps.sh"
	scripts/install-deps.sh
	$(MAKE) --no-print-directory DIGITD_DEPS_TRIED=1 $(GOALS)
endif
.PHONY: deps-then-rerun
else
all: $(B)/digitctl $(B)/digitd

deps:
	scripts/install-deps.sh

$(B)/libdigit.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(B)/digitctl: $(CLI_OBJ) $(B)/libdigit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/digitd: $(D_OBJ) $(B)/libdigit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c -o $@ $<

# The schema is embedded with .incbin (src/store/store_schema.c): rebuild it when sql/ changes.
$(B)/src/store/store_schema.o: $(wildcard sql/*.sql)

# The network's kernels (src/nn/) rely on loop vectorisation (-O3: gcc 12's -O2
# vectorises only trivial loops) and on multiply-add contraction into FMA,
# which gcc turns off in ISO C mode (-std=c11).  Results stay deterministic.
$(B)/src/nn/%.o: CFLAGS += -O3 -ffp-contract=fast
# The segmenter's whole-image loops over binary pixels, and the imaging
# layer's C pixel loops (decoders, thresholds), are written to vectorise in
# the same way (integer only: results do not change).
$(B)/src/segment/%.o: CFLAGS += -O3
$(B)/src/imaging/%.o: CFLAGS += -O3

# Unit tests link the library plus every non-main daemon/cli object they need
# (daemon objects are linked in so spool/config logic is testable; mains excluded).
D_LIBOBJ = $(filter-out $(B)/src/daemon/digitd.o,$(D_OBJ))
C_LIBOBJ = $(filter-out $(B)/src/cli/digitctl.o,$(CLI_OBJ))
$(B)/tests/%: tests/unit/%.c $(B)/libdigit.a $(D_LIBOBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests -o $@ $< $(D_LIBOBJ) $(B)/libdigit.a $(LDFLAGS) $(LDLIBS)

# -MMD: the tools include helper headers of their own (tests/tools/*.h).
$(B)/tests/%: tests/tools/%.c $(B)/libdigit.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests -MMD -MP -o $@ $< $(B)/libdigit.a $(LDFLAGS) $(LDLIBS)

$(B)/bench/%: bench/%.c $(B)/libdigit.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(B)/libdigit.a $(LDFLAGS) $(LDLIBS)

# LD_PRELOAD fault-injection shim for the daemon scenario tests; in its own
# directory so the tests/tools/*.c wildcard does not link it as a program.
FAULTINJ = $(B)/tests/libfaultinj.so
$(FAULTINJ): tests/tools/faultinj/faultinj.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(OPT) -std=c11 $(WARN) -fPIC -shared -o $@ $< -ldl

# --- data ------------------------------------------------------------------
data: data/mnist/.verified
data/mnist/.verified: scripts/fetch-mnist.sh
	scripts/fetch-mnist.sh data/mnist

# --- tests -----------------------------------------------------------------
unit: all $(UNIT_BIN) $(TOOL_BIN) $(FAULTINJ)
unit-asan:
	$(MAKE) --no-print-directory SANITIZE=1 unit

# The gate: unit tests, the same under ASan+UBSan, then scenario tests with
# the real daemon.  tests/run.sh prints the closing "N passed, N failed" line.
check: all data $(UNIT_BIN) $(TOOL_BIN) $(FAULTINJ)
	$(MAKE) --no-print-directory SANITIZE=1 all $(patsubst $(B)/%,build-asan/%,$(UNIT_BIN) $(TOOL_BIN))
	tests/run.sh

# --- demo ------------------------------------------------------------------
demo: all data
	scripts/demo.sh

eval-samples: all
	scripts/eval-samples.sh

# The held-out evaluation: pages from tests/tools/mkpages, a generator that
# shares nothing with mksamples (other layouts, drawn afresh per page; the
# factors varied and recorded), MNIST test digits, fixed seed; scored per
# family, per factor bin, for trust and along the threshold (score-pages.js,
# docs/evaluation.md).  What was tuned on samples/ is judged here.
HELDOUT_SEED ?= 20251207
HELDOUT_PAGES ?= 90
eval-heldout: all data $(B)/tests/mkpages
	@rm -rf $(B)/heldout-pages
	$(B)/tests/mkpages --seed $(HELDOUT_SEED) --count $(HELDOUT_PAGES) data/mnist $(B)/heldout-pages
	DIGITD_BUILD=$(B) scripts/eval-pages.sh $(B)/heldout-pages

# The old check: samples/' own 18 layouts with other MNIST test digits,
# places and noise (MKSAMPLES_SEED).  It cannot see overfitting to those layouts.
RESEED_SEEDS ?= 3 4
eval-reseed: all data $(B)/tests/mksamples
	@for s in $(RESEED_SEEDS); do \
		d=$(B)/reseed-$$s; rm -rf $$d; mkdir -p $$d; \
		MKSAMPLES_SEED=$$s $(B)/tests/mksamples data/mnist $$d >/dev/null || exit 1; \
		echo "== samples' layouts, seed $$s"; \
		SAMPLES=$$d DIGITD_BUILD=$(B) scripts/eval-samples.sh | tail -n 12 || exit 1; \
	done

# samples/ (scans + ground truth) are composed from the MNIST test set by
# tests/tools/mksamples.c; data/negatives-idx3-ubyte (synthetic "not a digit"
# images for the model's eleventh class) by tests/tools/mknegatives.c.  Both
# are deterministic; samples/ is committed, the negatives are not.
samples: data $(B)/tests/mksamples
	$(B)/tests/mksamples data/mnist samples
# The candidate verifier shipped beside the default model (models/README.md):
# a network trained on page crops and a logistic regression over context
# features, both from mkpages pages written with MNIST training digits.
verifier: all data negatives $(B)/tests/mkpages
	DIGITD_BUILD=$(B) scripts/train-verifier.sh models
negatives: data/negatives-idx3-ubyte
data/negatives-idx3-ubyte: $(B)/tests/mknegatives
	$(B)/tests/mknegatives $@
.PHONY: samples negatives verifier

bench: all data $(BENCH_BIN) $(B)/tests/droplat   # droplat: bench_daemon.sh's latency probe
	DIGITD_BUILD=$(B) bench/run.sh

fuzz:
	scripts/fuzz.sh

fuzz-load:
	scripts/fuzz.sh "$${FUZZ_SECONDS:-300}" load

# --- install ---------------------------------------------------------------
# Paths are baked into the installed files: the unit runs $(BINDIR)/digitd -c
# $(SYSCONFDIR)/digitd/digitd.conf, and the config names the model under
# $(SHAREDIR).  systemd reads units, sysusers.d and tmpfiles.d under both /usr
# and /usr/local, so PREFIX=/usr/local needs nothing else.  An existing
# digitd.conf is never overwritten; the new default always lands beside the
# shared files as digitd.conf.default for comparison.
SYSTEMDLIBDIR = $(PREFIX)/lib
UNITDIR     ?= $(SYSTEMDLIBDIR)/systemd/system
SYSUSERSDIR ?= $(SYSTEMDLIBDIR)/sysusers.d
TMPFILESDIR ?= $(SYSTEMDLIBDIR)/tmpfiles.d
MANDIR      ?= $(PREFIX)/share/man
# Installed binaries are stripped of their debug information (about 2 MB of
# the 2.4 MB digitd); `make install STRIP=` keeps it.
STRIP       ?= strip
MANPAGES     = man/digitctl.1 man/digitd.conf.5 man/digitd.8
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SHAREDIR@|$(SHAREDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
CONF  = $(DESTDIR)$(SYSCONFDIR)/digitd/digitd.conf

# Objects that bake in install paths (DIGITD_SHAREDIR, DIGITD_SYSCONFDIR) are
# rebuilt when PREFIX or SYSCONFDIR change, so `make && make install
# PREFIX=/usr` never installs binaries that look under /usr/local.
PATH_SRC   := $(shell grep -l 'DIGITD_SHAREDIR\|DIGITD_SYSCONFDIR' src/*/*.c 2>/dev/null)
PATH_STAMP  = $(B)/paths.stamp
$(PATH_SRC:%.c=$(B)/%.o): $(PATH_STAMP)
$(PATH_STAMP): FORCE
	@mkdir -p $(@D)
	@echo 'PREFIX=$(PREFIX) SHAREDIR=$(SHAREDIR) SYSCONFDIR=$(SYSCONFDIR)' | cmp -s - $@ || \
		echo 'PREFIX=$(PREFIX) SHAREDIR=$(SHAREDIR) SYSCONFDIR=$(SYSCONFDIR)' > $@
.PHONY: FORCE

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/sql $(DESTDIR)$(SHAREDIR)/models \
		$(DESTDIR)$(SHAREDIR)/doc $(DESTDIR)$(SYSCONFDIR)/digitd $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(B)/digitd $(B)/digitctl $(DESTDIR)$(BINDIR)/
	$(if $(STRIP),$(STRIP) --strip-unneeded $(DESTDIR)$(BINDIR)/digitd $(DESTDIR)$(BINDIR)/digitctl)
	@for m in $(MANPAGES); do s=$${m##*.}; \
		echo "$(SUBST) $$m > $(DESTDIR)$(MANDIR)/man$$s/$${m#man/}"; \
		$(SUBST) $$m > $(DESTDIR)$(MANDIR)/man$$s/$${m#man/} && \
		chmod 644 $(DESTDIR)$(MANDIR)/man$$s/$${m#man/} || exit 1; done
	install -m 644 sql/*.sql $(DESTDIR)$(SHAREDIR)/sql/
	@for v in models/*.verifier; do [ -f "$$v" ] || continue; \
		echo "install -m 644 $$v $(DESTDIR)$(SHAREDIR)/models/"; \
		install -m 644 "$$v" $(DESTDIR)$(SHAREDIR)/models/ || exit 1; done
	@n=0; for m in models/*.model; do [ -f "$$m" ] || continue; \
		echo "install -m 644 $$m $(DESTDIR)$(SHAREDIR)/models/"; \
		install -m 644 "$$m" $(DESTDIR)$(SHAREDIR)/models/ || exit 1; n=$$((n+1)); done; \
	[ $$n -gt 0 ] || echo "install: warning: no models/*.model to install; digitd needs one (digitctl train)" >&2
	install -m 644 docs/operations.md $(DESTDIR)$(SHAREDIR)/doc/
	$(SUBST) etc/digitd.conf > $(DESTDIR)$(SHAREDIR)/digitd.conf.default
	chmod 644 $(DESTDIR)$(SHAREDIR)/digitd.conf.default
	@if [ -e $(CONF) ]; then echo "install: keeping the existing $(CONF)"; \
	else echo "install -m 644 $(DESTDIR)$(SHAREDIR)/digitd.conf.default $(CONF)"; \
		install -m 644 $(DESTDIR)$(SHAREDIR)/digitd.conf.default $(CONF); fi
	$(SUBST) systemd/digitd.service > $(DESTDIR)$(UNITDIR)/digitd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/digitd.service
	install -m 644 systemd/digitd.sysusers $(DESTDIR)$(SYSUSERSDIR)/digitd.conf
	install -m 644 systemd/digitd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/digitd.conf
	@[ -n "$(DESTDIR)" ] || printf '%s\n' "" "To run digitd as a service (docs/operations.md):" \
		"  systemd-sysusers digitd.conf && systemd-tmpfiles --create digitd.conf" \
		"  systemctl daemon-reload && systemctl enable --now digitd"

# Leaves the configuration, the spool and the database (your data) in place.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/digitd $(DESTDIR)$(BINDIR)/digitctl $(DESTDIR)$(UNITDIR)/digitd.service \
		$(DESTDIR)$(SYSUSERSDIR)/digitd.conf $(DESTDIR)$(TMPFILESDIR)/digitd.conf \
		$(DESTDIR)$(MANDIR)/man1/digitctl.1 $(DESTDIR)$(MANDIR)/man5/digitd.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/digitd.8
	rm -rf $(DESTDIR)$(SHAREDIR)
	@echo "uninstall: kept $(CONF), /var/spool/digitd and /var/lib/digitd"

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
endif

# PyTorch for bench/bench_pytorch.sh's comparison column and tesseract-ocr for
# bench/bench_tesseract.sh's; not part of set-up.
bench-deps:
	@if [ "$$(id -u)" -eq 0 ]; then apt-get install -y python3-torch tesseract-ocr; \
	else sudo apt-get install -y python3-torch tesseract-ocr; fi
.PHONY: bench-deps
