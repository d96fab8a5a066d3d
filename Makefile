# The front door. Everything real is in CMake; these targets only chain the steps.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGUICHET_WERROR=ON

.PHONY: all setup build package test fuzz demo demo-ha demo-fleet serve surge bench compare redis-cost ha-compare sizing asan tsan clean

all: build

setup:
	bash scripts/setup.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

## The Debian package: $(BUILD)/guichet_<version>_amd64.deb (docs/operations.md "Deploying").
package: setup build
	cd $(BUILD) && cpack -G DEB
	@ls -l $(BUILD)/guichet_*_amd64.deb

## Set up, build and run every test (unit, Redis integration, server and process tests), then
## every fuzz harness for a bounded run (FUZZ_SECONDS=30 each; any finding fails).
test: setup build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300
	FUZZ_SECONDS=$${FUZZ_SECONDS:-30} bash scripts/fuzz.sh

## The libFuzzer harnesses (clang, ASan+UBSan, in build-fuzz), FUZZ_SECONDS each (default 60).
fuzz: setup
	bash scripts/fuzz.sh

## The main job: set up, build, then opening day on this machine — a private redis-server, the
## gateway with loadtest/surge.toml, FANS fans (20000) registering, the draw, the surge, the
## report and the audit; everything it started is stopped. Outputs in loadtest-out/.
demo: setup build
	bash scripts/surge.sh

## The same opening day on Redis as production runs it (a primary, two replicas, three
## redis-sentinel processes; replicas_ack = 1), with the primary killed (SIGKILL) in the middle of
## the purchases: the report shows when the gateway could not answer, the audit must still pass.
demo-ha: setup build
	bash scripts/surge.sh --ha

## The same opening day through a fleet: GATEWAYS gateways (3) sharing the Redis, behind nginx as
## load balancer and caching proxy standing in for the CDN (deploy/nginx/guichet-cdn.conf); the
## report is followed by the offload per endpoint (requests the proxy saw vs reached the gateways).
demo-fleet: setup build
	bash scripts/surge.sh --fleet $${GATEWAYS:-3}

## Set up, build, start a local redis-server and the gateway with config/dev.toml and leave them
## running for curl (Ctrl-C stops both).
serve: setup build
	bash scripts/serve.sh

## Google Benchmark micro-benchmarks of the hot paths.
bench: setup build
	bash scripts/bench.sh $(BUILD)

## guichet against nginx (and Redis) on loopback, side by side, same wrk parameters.
compare: build
	GUICHET_BENCH_TOOLS=1 bash scripts/setup.sh
	bash scripts/compare.sh $(BUILD)

## What Redis spends per fan on opening day: the `make demo` surge twice, first with nothing logged
## (Redis' CPU per admitted fan), then with every command logged (each script's calls and time).
redis-cost: setup build
	bash scripts/redis_cost.sh $(BUILD)

## The sizing numbers of docs/operations.md: memory per idle connection, CPU per request,
## N gateways behind nginx vs one, in one run.
sizing: build
	GUICHET_BENCH_TOOLS=1 bash scripts/setup.sh
	bash scripts/sizing.sh $(BUILD)

## Holds per second with redis.replicas_ack = 1 vs 0 on the same Sentinel topology, in one run.
ha-compare: build
	GUICHET_BENCH_TOOLS=1 bash scripts/setup.sh
	bash scripts/ha_compare.sh $(BUILD)

## Every test under ASan+UBSan (any UB report stops the process it is in: the test fails) and
## under TSan, each in its own build directory.
asan:
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Debug -DGUICHET_WERROR=ON -DGUICHET_SANITIZE=address -DGUICHET_BENCH=OFF"

tsan:
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(MAKE) test BUILD=build-tsan CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DGUICHET_WERROR=ON -DGUICHET_SANITIZE=thread -DGUICHET_BENCH=OFF"

clean:
	rm -rf build build-asan build-tsan build-fuzz
