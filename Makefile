# PeerDrop. The two commands for users are `make run` and `make test` (see README.md).
# Every target installs what it needs first, so they work on a fresh Debian 12.

BUILD_DIR   ?= build
FUZZ_DIR    ?= build-fuzz
JOBS        ?= $(shell nproc)
ARGS        ?=
FUZZ_SECONDS ?= 30

# Debian packages the build, the tests and the lab need.
APT_PACKAGES := g++ cmake ninja-build pkg-config \
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
  libsodium-dev libspdlog-dev libfmt-dev libcli11-dev libsqlite3-dev libgtest-dev googletest \
  clang libclang-rt-14-dev \
  iproute2 iptables procps

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run test test-unit test-lab bench fuzz clean

all: build

# Installs only what is missing (one dpkg query, no apt call when all is there).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	@command -v node >/dev/null || { echo "Installing Node.js"; DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q nodejs; }

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Starts peerdropd with its defaults; pass flags with ARGS, e.g. make run ARGS=--loopback
run: build
	$(BUILD_DIR)/peerdropd $(ARGS)

# Unit tests, fuzz corpus replays and the lab scenarios; fails on any failure.
test: build
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-lab

test-unit:
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-lab:
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=10)?0:1)' || \
	  { echo "The lab needs Node.js 20.10 or newer (its WebSocket client); this machine has $$(node --version)."; exit 1; }
	node lab/run.mjs lab/selftest lab/scenarios

bench: build
	node bench/run.mjs

# Real libFuzzer runs (clang), FUZZ_SECONDS per target; new findings land in fuzz/corpus.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPEERDROP_LIBFUZZER=ON
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets
	@for t in $(FUZZ_DIR)/fuzz/*_fuzzer; do \
	  name=$$(basename $$t _fuzzer); mkdir -p fuzz/corpus/$$name; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS) s"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -max_len=70000 fuzz/corpus/$$name || exit 1; \
	done

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
