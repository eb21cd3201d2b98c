# The two commands a newcomer needs: `make run` and `make test`.
SWIFT ?= swift
MFA := .build/debug/mfa

.PHONY: run demo test build deps deps-test bench bench-http clean

## run: install what is missing, build, and serve the HTTP API on the embedded default (SQLite and the
## master key in ./data) in development mode: it makes a tenant "demo" and an API key (kept in
## ./data/dev-api-key) and prints them with a curl walk-through. Foreground; Ctrl-C stops it.
## Pass options with ARGS, e.g. `make run ARGS="--port 9090 --log-format json"`.
run: deps build
	@scripts/dev-serve.sh $(MFA) $(ARGS)

## demo: the CLI demo without a server (a TOTP secret, its code, verify).
demo: deps build
	@scripts/demo.sh $(MFA)

## test: install what is missing and run every test. The PostgreSQL tests get a throwaway cluster
## (scripts/pg-test.sh) that is always stopped afterwards; the exit status is the tests'.
test: deps-test
	@MFA_PG_TEST_STATE=.build/pg-test/make-$$$$; export MFA_PG_TEST_STATE; \
	trap 'scripts/pg-test.sh stop' EXIT; trap 'exit 130' INT TERM; set -e; \
	MFA_TEST_POSTGRES_URL=$$(scripts/pg-test.sh start); export MFA_TEST_POSTGRES_URL; \
	echo "test: PostgreSQL at $$MFA_TEST_POSTGRES_URL"; \
	echo "$(SWIFT) build --build-tests"; $(SWIFT) build --build-tests; \
	echo "$(SWIFT) test --skip-build"; $(SWIFT) test --skip-build

build:
	$(SWIFT) build --product mfa

deps:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

## bench: release build of mfa-bench, then run it.
bench: deps
	$(SWIFT) build -c release --product mfa-bench
	.build/release/mfa-bench

## bench-http: release build of mfa, then wrk against `mfa serve` on 127.0.0.1 (scripts/bench-http.sh).
bench-http: deps
	@scripts/bench-http.sh

clean:
	rm -rf .build
