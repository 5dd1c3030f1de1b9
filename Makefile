# PeerDrop. The two commands for users are `make run` and `make test` (see README.md).
# Every target installs what it needs first, so they work on a fresh Debian 12, and
# every test target builds what it tests first.

BUILD_DIR   ?= build
FUZZ_DIR    ?= build-fuzz
JOBS        ?= $(shell nproc)
ARGS        ?=
FUZZ_SECONDS ?= 30
# Lab test files run at once (node --test --test-concurrency): on 2 cores, 2 nearly
# halve the lab's time (its tests mostly wait on the network); 3 add little but load.
LAB_JOBS    ?= 2

# Debian packages the build, the tests and the lab need (openssl: the lab's client
# certificates and s_client; libssl-dev does not pull it in; dbus, dunst and xvfb: the
# desktop notification tests' session bus, notification server and X server).
APT_PACKAGES := g++ cmake ninja-build pkg-config \
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
  libsodium-dev libspdlog-dev libfmt-dev libcli11-dev libsqlite3-dev libgtest-dev googletest \
  libsystemd-dev \
  clang libclang-rt-14-dev \
  iproute2 iptables procps libnetfilter-queue-dev \
  chromium libssl-dev openssl coturn \
  dbus dunst xvfb socat

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# coturn is only ever run by peerdropd (--turn), as its own child with a configuration it
# writes. Debian's coturn service (turnserver with the stock /etc/turnserver.conf, on every
# interface) must never start: it is masked before the package is installed, so the
# package's scripts can neither enable nor start it (`systemctl unmask coturn` undoes it).
MASK_COTURN_SERVICE := if command -v systemctl >/dev/null; then $(SUDO) systemctl mask coturn.service >/dev/null 2>&1 || true; fi

.PHONY: all deps web build run test check soak test-unit test-web test-lab bench fuzz clean

# One target at a time, even under make -j: cmake and ninja build in parallel by
# themselves, and the test suites must not share the cores with a build or each other.
.NOTPARALLEL:

all: build

# Installs only what is missing (one dpkg query, no apt call when all is there).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  if echo "$$missing" | grep -qx coturn; then $(MASK_COTURN_SERVICE); fi; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	@command -v node >/dev/null || { echo "Installing Node.js"; DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q nodejs; }
	@command -v npm >/dev/null || { echo "Installing npm"; DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q npm; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || \
	  { echo "The UI build and the lab need Node.js 20.19 or newer; this machine has $$(node --version)."; exit 1; }

# npm packages, exactly as locked (npm ci), reinstalled only when a lock file changes.
web/node_modules/.package-lock.json: web/package-lock.json | deps
	cd web && npm ci --no-audit --no-fund
lab/node_modules/.package-lock.json: lab/package-lock.json | deps
	cd lab && npm ci --no-audit --no-fund

# The web UI (React + TypeScript, built by Vite into web/dist, which the daemon embeds).
WEB_SOURCES := $(shell find web/src web/index.html web/public web/package.json web/tsconfig*.json web/vite.config.* -type f 2>/dev/null)
web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build
	@touch $@

web: web/dist/index.html

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps web $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Starts peerdropd with its defaults; pass flags with ARGS, e.g. make run ARGS=--loopback
run: build
	$(BUILD_DIR)/peerdropd $(ARGS)

# Every suite: C++ unit and integration tests with the fuzz corpus replays, the UI's
# Vitest suite, then the lab (its self-tests and scenarios, long ones on small files);
# fails on any failure. What CI runs.
test: test-unit test-web test-lab

# The quick loop: build, C++ tests, Vitest; no lab.
check: test-unit test-web

# The long lab scenarios (GiB files, 20 s network cuts, a lossy link, full-size resume).
soak: build lab/node_modules/.package-lock.json
	node lab/run.mjs lab/soak

test-unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-web: web/node_modules/.package-lock.json
	cd web && npm test

test-lab: build lab/node_modules/.package-lock.json
	node lab/run.mjs --test-concurrency=$(LAB_JOBS) lab/selftest lab/scenarios

bench: build lab/node_modules/.package-lock.json
	node bench/run.mjs

# Real libFuzzer runs (clang), FUZZ_SECONDS per target; new findings land in fuzz/corpus.
fuzz: deps web
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPEERDROP_LIBFUZZER=ON
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets
	@for t in $(FUZZ_DIR)/fuzz/*_fuzzer; do \
	  name=$$(basename $$t _fuzzer); mkdir -p fuzz/corpus/$$name; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS) s"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -max_len=70000 fuzz/corpus/$$name || exit 1; \
	done

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) web/dist
