# Gatehouse — the two commands:
#   make run    install what is missing, build, start on an embedded SQLite database
#   make test   every test: Rust (SQLite + PostgreSQL), end-to-end, web (real browser),
#               SCIM compliance (scim2-cli)
# make lint: formatting, clippy with warnings as errors, and the console's type check and linter.
.PHONY: run test lint deps test-deps web build rust-test web-test scim-compliance fuzz-build scim-bench schema clean

SHELL := /bin/bash
CARGO ?= cargo
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
GATEHOUSE := $(TARGET_DIR)/debug/gatehouse
export CARGO_TERM_COLOR ?= never

run: deps web build
	@echo "Starting Gatehouse (database: $${DATABASE_URL:-./data/gatehouse.sqlite}). Stop with Ctrl-C."
	$(GATEHOUSE) serve

deps:
	@scripts/ensure-deps.sh run

test-deps:
	@scripts/ensure-deps.sh test

# The console (web/), built into web/dist and served by the binary.
web:
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; fi

build:
	$(CARGO) build -p gatehouse-server --bin gatehouse

# Rust unit + integration tests on SQLite and PostgreSQL, and the end-to-end tests
# against the real binary (built first).
rust-test: build
	@if command -v cargo-nextest >/dev/null; then \
		$(CARGO) nextest run --workspace --no-fail-fast; \
	else \
		$(CARGO) test --workspace --no-fail-fast; \
	fi

web-test: build
	@if [ -f web/package.json ]; then cd web && npm test && GATEHOUSE_BIN=$(abspath $(GATEHOUSE)) npm run e2e; fi

# The independent SCIM compliance suite (scim2-cli from PyPI, in .venv/) against the real
# binary on a fresh SQLite database; fails unless every check passes.
scim-compliance: build
	SCIM_COMPLIANCE_BIN=$(abspath $(GATEHOUSE)) scripts/scim-compliance.sh

# The SAML and SCIM fuzz targets must keep building (running them is manual:
# crates/saml/fuzz/README.md, crates/scim/fuzz/README.md).
fuzz-build:
	$(CARGO) check --locked --manifest-path crates/saml/fuzz/Cargo.toml --bins --target-dir $(TARGET_DIR)/fuzz-check
	$(CARGO) check --locked --manifest-path crates/scim/fuzz/Cargo.toml --bins --target-dir $(TARGET_DIR)/fuzz-check

test: test-deps web rust-test web-test scim-compliance fuzz-build

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	@if [ -f web/package.json ]; then cd web && npx tsc -p . --noEmit && npm run lint; fi

# SCIM creates and PATCHes per second on SQLite and PostgreSQL (see BENCHMARKS.md).
scim-bench:
	$(CARGO) build --release -p gatehouse-server -p gatehouse-e2e --bins
	GATEHOUSE_BIN=$${CARGO_TARGET_DIR:-target}/release/gatehouse $${CARGO_TARGET_DIR:-target}/release/scim_bench --backend sqlite --users 2000 --concurrency 8
	GATEHOUSE_BIN=$${CARGO_TARGET_DIR:-target}/release/gatehouse $${CARGO_TARGET_DIR:-target}/release/scim_bench --backend postgres --users 2000 --concurrency 8

# Regenerate the committed GraphQL schema after changing the API.
schema: build
	$(GATEHOUSE) schema > schema.graphql

clean:
	$(CARGO) clean
	rm -rf web/dist web/node_modules test-artifacts
