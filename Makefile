# The two commands of the README. Both install what is missing, then build; run as root on Debian 12.
DEBIAN_PACKAGES := libdpdk-dev libnuma-dev libssh2-1-dev libsqlite3-dev gnuplot-nox
# The tests also run real sshd servers (the SSH library's tests, the fake Emulab nodes).
TEST_PACKAGES := openssh-server nftables procps
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SIMULATE := .build/release/masonlab simulate --system mason --quiet

.PHONY: run test deps test-deps build node-masond bench sweeps profiles fuzz

# The main job, on the local testbed (masond daemons on 127.0.1.x): the local mason figure (a small
# sweep of sequence spaces x client load), then the recovery figure (a leader kill and a sequencer
# kill); each prints its percentile table; the recovery plot goes to results/recovery.png. The
# results database is results/masonlab.sqlite; re-running resumes and skips what is stored.
run: build
	.build/release/masonlab run-figure mason
	.build/release/masonlab run-figure recovery
	.build/release/masonlab recovery-plot --out results/recovery.png

# Every test: swift test (codec properties and fuzzing, the roles, Raft scenarios, the checkers,
# simulated failovers, the command line, real daemons under faults), then the libFuzzer campaign
# and the seed sweeps below. Tests that need root,
# namespaces or OpenSSH fail here instead of skipping when those are missing.
test: deps test-deps
	swift build --build-tests
	MASONLAB_REQUIRE_ALL_TESTS=1 swift test
	$(MAKE) fuzz
	$(MAKE) sweeps
	$(MAKE) profiles

# Every geni-lib profile rendered to an RSpec with geni-lib 0.9.9.4 (from PyPI, in a throwaway
# virtualenv) and checked: nodes, hardware type, image, one LAN; bad parameters refused.
profiles:
	bash Tests/profiles/render_profiles.sh

# Seed sweeps in a release build, every invariant checked on every seed: 600 seeds of network
# faults alone, then 1,000 seeds whose schedules mix leader kills, a sequencer kill, partitions,
# drops and duplicates (one with tiny Raft logs, so snapshots ship), then 100 seeds with hostile
# frames injected beside a sequencer kill.
sweeps: build
	$(SIMULATE) --seeds 300 --duration 0.2 --drop 0.05 --duplicate 0.05 --reorder 0.2
	$(SIMULATE) --seeds 300 --duration 0.2 --drop 0.1 --reorder 0.5 --delay-us 1-500 --demand 2 --nsequence-spaces 8
	$(SIMULATE) --seeds 250 --concurrency 2 --kill-leader 0.3 --kill-sequencer 0.6 --drop 0.02 --duplicate 0.02
	$(SIMULATE) --seeds 250 --concurrency 2 --partition 0.2:0.3 --kill-leader 0.7 --drop 0.05 --duplicate 0.05 --reorder 0.1
	$(SIMULATE) --seeds 250 --concurrency 2 --kill-sequencer 0.3 --partition 0.5:0.3 --demand 2 --nsequence-spaces 8 --duplicate 0.05
	$(SIMULATE) --seeds 250 --concurrency 2 --kill-leader 0.3 --kill-sequencer 0.35 --partition 0.6:0.2 --max-log-size 64 \
		--drop 0.05 --duplicate 0.05 --reorder 0.2
	$(SIMULATE) --seeds 100 --duration 0.1 --hostile 5000 --drop 0.02 --duplicate 0.02 --kill-sequencer 0.05

# The libFuzzer campaign over every role's `handle` (Sources/ProtocolFuzz): structure-aware hostile
# frames to a warmed-up simulated cluster, 75 s; any trap fails it and leaves a crash-* input to
# replay with `.build-fuzz/release/ProtocolFuzz crash-...`. Seeds: a few random inputs, then the
# corpus it grows in .build-fuzz/corpus.
fuzz:
	swift build -c release --product ProtocolFuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING --scratch-path .build-fuzz
	mkdir -p .build-fuzz/corpus
	for i in 1 2 3 4 5 6 7 8; do head -c $$((i * 256)) /dev/urandom > .build-fuzz/corpus/seed-$$i; done
	.build-fuzz/release/ProtocolFuzz -max_total_time=75 -timeout=20 -rss_limit_mb=4096 -max_len=2048 -len_control=0 \
		-print_final_stats=1 .build-fuzz/corpus

# In-process benchmarks (release build); the README's performance section came from this.
bench: build
	.build/release/masonlab bench

build: deps
	swift build -c release --product masonlab
	swift build -c release --product masond

# The masond `masonlab setup --masond` installs on testbed nodes: Swift's runtime linked in, so a
# node needs only Debian's DPDK libraries (setup installs them when missing).
node-masond: deps
	swift build -c release --product masond --static-swift-stdlib --scratch-path .build-static

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# openssh-server without starting its service here (policy-rc.d answers "not now" while it installs).
test-deps:
	@if ! dpkg -s $(TEST_PACKAGES) >/dev/null 2>&1; then \
		echo "Installing Debian packages: $(TEST_PACKAGES)"; \
		policy=/usr/sbin/policy-rc.d; made=""; \
		if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee $$policy >/dev/null; $(SUDO) chmod 755 $$policy; made=1; fi; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEST_PACKAGES); status=$$?; \
		if [ -n "$$made" ]; then $(SUDO) rm -f $$policy; fi; exit $$status; \
	fi
