# Watchroom: the two commands a newcomer needs are `make demo` and `make test`.
# Both install the Debian packages they need (with sudo when not root) when missing.

SWIFT       ?= swift
PREFIX      ?= /usr/local
DESTDIR     ?=
APT_PACKAGES = libmodbus-dev pkg-config mbpoll socat sqlite3 libsqlite3-dev systemd
BIN          = .build/debug/watchroomd
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build release demo test bench clean

all: build

# Install the system packages that are missing (dpkg -s is fast and needs no network).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The newcomer's main job: simulator + daemon + scripted scenario on loopback, no root.
demo: build
	$(BIN) demo --config devices/sites/demo.yaml --scenario devices/sites/demo.scenario

# The whole test suite (unit, loopback integration, RTU over socat ptys, mbpoll interop).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product watchroom-bench
	.build/release/watchroom-bench

clean:
	rm -rf .build demo-state
