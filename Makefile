# Build and install the C library of certchain: libcertchain.a, libcertchain.so, certchain.h and
# the pkg-config file certchain.pc.
#
#   make                                    build the library (cargo, release profile)
#   make install PREFIX=/usr/local          install the static and the shared library
#   make install-static PREFIX=...          only libcertchain.a (+ header, certchain.pc)
#   make install-shared PREFIX=...          only libcertchain.so (+ header, certchain.pc)
#   make uninstall PREFIX=...               remove what install put there
#
# DESTDIR stages an install (files go to $(DESTDIR)$(PREFIX)/..., certchain.pc still says
# PREFIX). LIBDIR, INCLUDEDIR and PKGCONFIGDIR override the usual places. PROFILE picks the cargo
# profile (release by default; "debug" for the dev profile), TARGET_DIR the cargo target directory.
#
# Libs.private of certchain.pc is what rustc prints for the static library
# (`--print native-static-libs`), captured at build time, so it is right for this toolchain and
# target. The shared library has no SONAME (0.x: no ABI promise across minor versions yet).

PREFIX       ?= /usr/local
DESTDIR      ?=
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CARGO        ?= cargo
PROFILE      ?= release
TARGET_DIR   ?= $(if $(CARGO_TARGET_DIR),$(CARGO_TARGET_DIR),target)
INSTALL      ?= install

ifeq ($(PROFILE),debug)
PROFILE_FLAG :=
else
PROFILE_FLAG := --profile $(PROFILE)
endif
OUT     := $(TARGET_DIR)/$(PROFILE)
VERSION := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)

.PHONY: all build install install-static install-shared install-common uninstall

all: build

# One cargo invocation builds the rlib, libcertchain.a and libcertchain.so (the crate types of
# Cargo.toml) and asks rustc for the static library's native dependencies. Cargo replays the note
# when the library is up to date, so this is cheap to repeat.
build:
	@mkdir -p $(OUT)
	@$(CARGO) rustc --lib $(PROFILE_FLAG) --target-dir $(TARGET_DIR) --color never \
		-- --print native-static-libs \
		2> $(OUT)/rustc-notes.txt; status=$$?; \
		grep -v -e '^note: ' -e '^$$' $(OUT)/rustc-notes.txt >&2; exit $$status
	@sed -n 's/^note: native-static-libs: //p' $(OUT)/rustc-notes.txt | tail -n 1 \
		> $(OUT)/native-static-libs.txt
	@test -s $(OUT)/native-static-libs.txt || \
		{ echo "make: rustc printed no native-static-libs note" >&2; exit 1; }
	@test -f $(OUT)/libcertchain.a && test -f $(OUT)/libcertchain.so
	@echo "built $(OUT)/libcertchain.a and $(OUT)/libcertchain.so (static link: $$(cat $(OUT)/native-static-libs.txt))"

install: install-static install-shared

install-static: install-common
	$(INSTALL) -m 644 $(OUT)/libcertchain.a $(DESTDIR)$(LIBDIR)/libcertchain.a

install-shared: install-common
	$(INSTALL) -m 755 $(OUT)/libcertchain.so $(DESTDIR)$(LIBDIR)/libcertchain.so

install-common: build
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 644 include/certchain.h $(DESTDIR)$(INCLUDEDIR)/certchain.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' -e "s|@LIBS_PRIVATE@|$$(cat $(OUT)/native-static-libs.txt)|" \
		certchain.pc.in > $(OUT)/certchain.pc
	$(INSTALL) -m 644 $(OUT)/certchain.pc $(DESTDIR)$(PKGCONFIGDIR)/certchain.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libcertchain.a $(DESTDIR)$(LIBDIR)/libcertchain.so \
		$(DESTDIR)$(INCLUDEDIR)/certchain.h $(DESTDIR)$(PKGCONFIGDIR)/certchain.pc
