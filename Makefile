# aims: one GNU Makefile. `make` builds build/aims; `make run` serves the demo;
# `make check` runs every test (also under ASan+UBSan); `make bench` runs the benchmarks.

CC      ?= cc
PKGS    := libmicrohttpd sqlite3 libpq jansson libsodium libcrypto xlsxwriter
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wformat=2 -Wvla -Isrc -Ibuild/gen
CFLAGS  ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

SRC      := $(sort $(shell find src -name '*.c'))
LIB_SRC  := $(filter-out src/main.c,$(SRC))
ASSETS   := $(sort $(shell find web migrations catalogs -type f 2>/dev/null))
OBJ      := $(LIB_SRC:%.c=build/obj/%.o) build/obj/gen/assets.o
ASAN_OBJ := $(LIB_SRC:%.c=build/asan/obj/%.o) build/asan/obj/gen/assets.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)
UNIT_ASAN_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

.PHONY: all run check bench bench-fair deps clean unit api e2e asan
all: build/aims

deps:
	@bash tools/install-deps.sh

build/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

# The list of embedded files, rewritten only when it changes: a file added with an
# old mtime (moved in, unpacked) or removed must rebuild the table too.
ASSET_LIST := build/gen/assets.list
$(shell mkdir -p build/gen && (echo '$(ASSETS)' | cmp -s - $(ASSET_LIST) || echo '$(ASSETS)' > $(ASSET_LIST)))

build/gen/assets.c: build/embed $(ASSETS) $(ASSET_LIST)
	@mkdir -p $(@D)
	build/embed $@ $(ASSETS)

build/obj/gen/assets.o: build/gen/assets.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -c -o $@ $<

build/asan/obj/gen/assets.o: build/gen/assets.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) -c -o $@ $<

build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

build/asan/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

build/libaims.a: $(OBJ)
	ar rcs $@ $^

build/asan/libaims.a: $(ASAN_OBJ)
	ar rcs $@ $^

build/aims: build/obj/src/main.o build/libaims.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

build/asan/aims: build/asan/obj/src/main.o build/asan/libaims.a
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS)

build/tests/%: tests/unit/%.c build/libaims.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< build/libaims.a $(LIBS) -lcmocka

build/asan/tests/%: tests/unit/%.c build/asan/libaims.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) $(PKG_CFLAGS) -o $@ $< build/asan/libaims.a $(LIBS) -lcmocka

asan: build/asan/aims $(UNIT_ASAN_BIN)

# ---- run ------------------------------------------------------------------
DB ?= var/demo.db
LISTEN ?= 127.0.0.1:8080
# deps first, then a fresh make: pkg-config flags are read when make starts.
run: deps
	@$(MAKE) --no-print-directory build/aims
	@bash tools/run-demo.sh build/aims $(DB) $(LISTEN)

# ---- tests ----------------------------------------------------------------
check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) asan build/fuzz/fuzz_csv
	@bash tests/run-all.sh

bench: deps
	@$(MAKE) --no-print-directory build/aims
	@bash tests/bench/all.sh build/aims
	@bash tests/bench/fair.sh build/aims

bench-fair: deps
	@$(MAKE) --no-print-directory build/aims
	@bash tests/bench/fair.sh build/aims

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- fuzzing (libFuzzer; clang) -------------------------------------------
FUZZ_SRC := src/fair/csv.c src/fair/scan.c src/base/text.c
build/fuzz/fuzz_csv: tests/fuzz/fuzz_csv.c $(FUZZ_SRC)
	@mkdir -p $(@D)
	clang $(CFLAGS_BASE) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$(PKG_CFLAGS) -o $@ tests/fuzz/fuzz_csv.c $(FUZZ_SRC) -lm
