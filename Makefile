# Two commands for a fresh machine: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# No network but the package registries: never phone home, never try a model hub.
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export OMP_WAIT_POLICY := PASSIVE
export TOKENIZERS_PARALLELISM := false

.PHONY: install run serve ingest lint test test-fast chromium eval train bench fuzz load clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: this takes the CPU wheel instead of a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	# llama-cpp-python compiles from source; a portable build runs on any x86-64 with AVX2.
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

ingest: install
	$(BIN)/policyqa ingest

run: install
	$(BIN)/policyqa ingest --if-stale
	$(BIN)/policyqa serve

serve: run

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }
	@fc-list 2>/dev/null | grep -qi "noto.*cjk" || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-noto-cjk >/dev/null; }

# Fast, so it runs before the tests: a lint failure costs seconds, not the whole suite.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install chromium lint
	$(BIN)/python -m pytest

test-fast: install lint
	$(BIN)/python -m pytest -m "not slow and not browser"

eval: install
	$(BIN)/policyqa ingest --if-stale
	$(BIN)/policyqa eval --set test --baseline

# Refit the reader on the dev questions (rag/data/reader.json, versioned): same store → same file.
train: install
	$(BIN)/policyqa ingest --if-stale
	$(BIN)/policyqa train-reader

bench: install
	$(BIN)/policyqa ingest --if-stale
	$(BIN)/python -m bench.run

fuzz: install
	$(BIN)/python -m pytest tests/ui/test_schemathesis.py --fuzz-examples=500

load: install
	$(BIN)/python -m bench.load

clean:
	rm -rf data .pytest_cache .hypothesis
