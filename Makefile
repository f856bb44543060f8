# jira-mcp: the two commands a newcomer needs are `make run` and `make test`.
#   make            build (Release) into build/
#   make setup      install missing Debian packages with apt-get (idempotent, quiet when done)
#   make run        set up, build, and serve Streamable HTTP on 127.0.0.1:8808 (the sandbox when no
#                   Jira is configured; ARGS="..." adds flags). MCP hosts launch `jira-mcp` (stdio).
#   make test       set up, build, and run every test; ends by listing what it skipped for want
#                   of ../shared (the team's shared material: schemas, specs, conformance suite)
#   make debug      Debug build into build-debug/
#   make sanitize   ASan+UBSan build into build-asan/ and run the same tests
#   make conformance  the official MCP conformance suite against the fixture server (stdio through
#                   a bridge, then our own HTTP transport) and against jira-mcp over HTTP
#   make spec-check   Jira traffic checked against Atlassian's OpenAPI specs (Cloud and DC)
#   make oracle     our Markdown/wiki/ADF converters against Atlassian's own (npm @atlaskit
#                   packages, installed once into ~/.cache/jira-mcp-oracle; tests/content/oracle/)
#   make install    install jira-mcp, its man page, config.toml.example and the systemd unit under
#                   PREFIX (default /usr/local; DESTDIR honoured); /etc/jira-mcp/env if not there
#   make package    the Debian package build/jira-mcp_<version>_<arch>.deb (src/packaging/)
#   make fuzz       the fuzz harnesses (tests/fuzz/) built with clang for libFuzzer and run for
#                   FUZZ_SECONDS each (make test runs them deterministically, without clang)
#   make clean

SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
ARGS ?=
PREFIX ?= /usr/local
FUZZ_SECONDS ?= 60

# redis-server and haproxy are for fleet mode (issue #17); the tests start their own redis-server
# and never use the system services Debian enables on install (`systemctl disable --now
# redis-server haproxy` if you do not want them running).
# libcmark-gfm-dev and libcmark-gfm-extensions-dev also ship the static archives jira-mcp is
# linked with (JIRA_MCP_STATIC_DEPS in CMakeLists.txt: fewer shared libraries to load at start-up).
PACKAGES := build-essential cmake pkg-config ccache libcpp-httplib-dev nlohmann-json3-dev \
            libssl-dev libspdlog-dev libtomlplusplus-dev doctest-dev libcli11-dev \
            libcmark-gfm-dev libcmark-gfm-extensions-dev libbenchmark-dev \
            zlib1g-dev libbrotli-dev lld libsimdjson-dev \
            libhiredis-dev redis-server haproxy

FUZZ_PACKAGES := clang libclang-rt-14-dev

.PHONY: all build setup run test install package debug sanitize conformance spec-check oracle fuzz clean

all: build

# $(call install_missing,PACKAGES): apt-get install those not installed yet; quiet when none.
define install_missing
	@missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing $$missing" >&2; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

setup:
	$(call install_missing,$(PACKAGES))

# build/Makefile, not CMakeCache.txt, marks a configured tree: a failed configure (say, `make`
# before `make setup` on a fresh machine) leaves a cache behind but no Makefile, so the next
# make configures again instead of failing in an empty tree.
build/Makefile:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null || \
	  { echo "configure failed: if a package is missing, 'make setup' installs them" >&2; exit 1; }

build: build/Makefile
	cmake --build build -j $(JOBS)

# Only the server: the test suites, fuzz drivers and benchmarks are built by `make test`/`make`.
run: setup build/Makefile
	cmake --build build -j $(JOBS) --target jira-mcp
	./build/jira-mcp --transport http --host 127.0.0.1 --port 8808 $(ARGS)

# Ends by listing the checks skipped for want of ../shared (the team's shared material).
test: setup build
	cd build && ctest --output-on-failure -j $(JOBS); rc=$$?; \
	  cd .. && tests/support/skipped.sh build/Testing/Temporary/LastTest.log; exit $$rc

# Both build only the server and its man page.
install: setup build/Makefile
	cmake --build build -j $(JOBS) --target jira-mcp jira-mcp-man
	DESTDIR="$(DESTDIR)" cmake --install build --prefix "$(PREFIX)"

package: setup build/Makefile
	cmake --build build -j $(JOBS) --target jira-mcp jira-mcp-man
	cd build && cpack -G DEB

debug:
	cmake -S . -B build-debug -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS) >/dev/null
	cmake --build build-debug -j $(JOBS)

sanitize: setup
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DJIRA_MCP_SANITIZE=ON -DJIRA_MCP_BENCHES=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  JIRA_MCP_FUZZ_MESSAGES=4000 JIRA_MCP_FLEET_SECONDS=10 JIRA_MCP_FLEET_CACHE_ROUNDS=200 \
	  ctest --output-on-failure -j $(JOBS)

# Both need ../shared (the conformance suite, jira-spec-proxy); without it each script says in
# one line what it skipped and succeeds.
conformance: build
	tests/conformance/stdio_conformance.sh $(CURDIR)/build
	tests/conformance/http_conformance.sh $(CURDIR)/build

spec-check: build
	tests/sandbox/spec_check.sh $(CURDIR)/build

# Needs node, npm and the npm registry (once); without them it says so in one line and succeeds
# unless JIRA_MCP_REQUIRE_ORACLE is set. Differences must be judged in tests/content/oracle/reviewed.txt.
oracle: build/Makefile
	cmake --build build -j $(JOBS) --target content_convert
	tests/content/oracle/oracle_check.sh $(CURDIR)/build

fuzz: setup
	$(call install_missing,$(FUZZ_PACKAGES))
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DJIRA_MCP_LIBFUZZER=ON \
	  -DJIRA_MCP_BENCHES=OFF -DJIRA_MCP_STARTUP_ORDER=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target fuzz_message fuzz_content libfuzz_message libfuzz_content
	tests/fuzz/libfuzzer.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build build-debug build-asan build-fuzz
