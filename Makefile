# The two commands of the README. Both install what is missing, then build; run as root on Debian 12.
DEBIAN_PACKAGES := libdpdk-dev libnuma-dev libssh2-1-dev libsqlite3-dev gnuplot-nox
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build bench

# The main job: a Mason simulation with network faults, its invariants checked, its table printed.
run: build
	.build/release/masonlab simulate --system mason --seeds 8 --drop 0.05 --duplicate 0.05 --reorder 0.2

# Every test: codec properties and fuzzing, the roles, the invariant checkers, 540 simulated seeds
# across fault mixes, and the command line.
test: deps
	swift build --build-tests
	swift test

# In-process benchmarks (release build); the README's performance section came from this.
bench: build
	.build/release/masonlab bench

build: deps
	swift build -c release --product masonlab

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
