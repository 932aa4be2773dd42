# Watchroom: the two commands a newcomer needs are `make demo` and `make test`.
# Both install the Debian packages they need (with sudo when not root) when missing.

SWIFT       ?= swift
PREFIX      ?= /usr/local
DESTDIR     ?=
# Build and demo: the C libraries the daemon links. Tests add the independent tools they check
# against: a Modbus master, pty pairs, a real MQTT broker, promtool, a real browser, Python's bcrypt.
APT_BUILD    = libmodbus-dev libmosquitto-dev pkg-config sqlite3 libsqlite3-dev systemd
APT_TEST     = mbpoll socat mosquitto mosquitto-clients prometheus chromium chromium-driver \
               fonts-noto-cjk python3-bcrypt python3-selenium python3-prometheus-client
APT_PACKAGES = $(APT_BUILD)
BIN          = .build/debug/watchroomd
SHELL        = /bin/bash
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps test-deps build release demo test bench clean install uninstall

all: build

# Install the system packages that are missing (dpkg -s is fast and needs no network).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# The test tools, on top of the build's (same rule, more packages).
test-deps:
	@$(MAKE) --no-print-directory deps APT_PACKAGES="$(APT_BUILD) $(APT_TEST)"

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product watchroomd
	$(SWIFT) build -c release --product watchroomctl

# The newcomer's main job: simulator + daemon + scripted scenario on loopback, no root.
demo: build
	$(BIN) demo --config devices/sites/demo.yaml --scenario devices/sites/demo.scenario

# The whole test suite (unit, loopback integration, RTU over socat ptys, mbpoll interop), in
# parallel (Swift Testing runs tests concurrently in one process; --parallel does the same for any
# XCTest case). Suites that must not overlap say `.serialized`; see docs/PERFORMANCE.md for the time.
# The run's log is kept in .build/test.log; failures are repeated at the end so a CI tail shows them.
test: test-deps
	$(SWIFT) build --build-tests
	@set -o pipefail; $(SWIFT) test --skip-build --parallel 2>&1 | tee .build/test.log; status=$$?; \
	if [ $$status -ne 0 ]; then echo "=== failures (full log: .build/test.log) ==="; \
	  grep -E '✘|error:|recorded an issue|Fatal|crashed' .build/test.log | grep -v '^✘ Test run' | tail -40; fi; exit $$status

bench: deps
	$(SWIFT) build -c release --product watchroom-bench
	.build/release/watchroom-bench

# Install (PREFIX and DESTDIR honoured): binaries, device profiles, units and timers, sysusers
# and tmpfiles entries, docs, and an example /etc/watchroom/site.yaml (never overwritten).
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	  $(DESTDIR)$(PREFIX)/share/watchroom/devices/sites $(DESTDIR)$(PREFIX)/share/doc/watchroom $(DESTDIR)/etc/watchroom
	install -m 0755 .build/release/watchroomd .build/release/watchroomctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 devices/*.yaml $(DESTDIR)$(PREFIX)/share/watchroom/devices/
	install -m 0644 devices/sites/* $(DESTDIR)$(PREFIX)/share/watchroom/devices/sites/
	for u in systemd/*.service systemd/*.timer; do \
	  sed 's|/usr/local/bin/|$(PREFIX)/bin/|g; s|/usr/local/share/|$(PREFIX)/share/|g' $$u > $(DESTDIR)$(UNITDIR)/$$(basename $$u); \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$u); done
	install -m 0644 systemd/watchroom.sysusers $(DESTDIR)$(SYSUSERSDIR)/watchroom.conf
	install -m 0644 systemd/watchroom.tmpfiles $(DESTDIR)$(TMPFILESDIR)/watchroom.conf
	install -m 0644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/watchroom/
	[ -e $(DESTDIR)/etc/watchroom/site.yaml ] || install -m 0640 devices/sites/example-site.yaml $(DESTDIR)/etc/watchroom/site.yaml
	@# The timers at the site's local time (OnCalendar=... Asia/Shanghai), from the config's site.timezone.
	.build/release/watchroomd install-units --config $(DESTDIR)/etc/watchroom/site.yaml --dir $(DESTDIR)$(UNITDIR) || \
	  echo "timers left at host time: fix /etc/watchroom/site.yaml, then: watchroomd install-units --config /etc/watchroom/site.yaml --dir $(UNITDIR)"
	@if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
	  systemd-sysusers $(SYSUSERSDIR)/watchroom.conf; systemd-tmpfiles --create $(TMPFILESDIR)/watchroom.conf || true; \
	  chgrp watchroom /etc/watchroom/site.yaml || true; systemctl daemon-reload 2>/dev/null || true; fi
	@echo "installed; next: edit /etc/watchroom/site.yaml, then"
	@echo "  systemctl enable --now watchroomd watchroom-zone-selftest.timer watchroom-equipment-check.timer"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/watchroomd $(DESTDIR)$(PREFIX)/bin/watchroomctl
	rm -f $(DESTDIR)$(UNITDIR)/watchroomd.service $(DESTDIR)$(UNITDIR)/watchroom-*.service $(DESTDIR)$(UNITDIR)/watchroom-*.timer
	rm -f $(DESTDIR)$(SYSUSERSDIR)/watchroom.conf $(DESTDIR)$(TMPFILESDIR)/watchroom.conf
	rm -rf $(DESTDIR)$(PREFIX)/share/watchroom $(DESTDIR)$(PREFIX)/share/doc/watchroom

clean:
	rm -rf .build demo-state
