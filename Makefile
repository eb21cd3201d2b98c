# The two commands a newcomer needs: `make run` and `make test`.
SWIFT ?= swift
MFA := .build/debug/mfa

.PHONY: run test build deps deps-test bench clean

## run: install what is missing, build, and show the CLI demo (the server comes with `mfa serve`).
run: deps build
	@scripts/demo.sh $(MFA)

## test: install what is missing and run every test.
test: deps-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

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

clean:
	rm -rf .build
