# The two commands the README opens with: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install serve moto run test lint typecheck bench bench-server bench-null bench-lambda clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The server on the embedded default: SQLite in ./stepwell.db, http://127.0.0.1:8083.
serve: $(STAMP)
	$(BIN)/stepwell serve $(ARGS)

# A local stand-in for AWS services (SQS, SNS, DynamoDB, ...) for the examples: http://127.0.0.1:5000.
moto: $(STAMP)
	$(BIN)/moto_server -p 5000

# Runs the example state machine in process with the example functions.
run: $(STAMP)
	$(BIN)/stepwell run examples/order/order.asl.json --input-file examples/order/input.json \
		--functions examples/order/functions.py

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/engine_bench.py

# sfnbench (../shared/bench) against a fresh `stepwell serve`; results in bench/results/.
bench-server: $(STAMP)
	$(BIN)/python bench/server_bench.py

bench-null: $(STAMP)
	$(BIN)/python bench/null_server.py

bench-lambda: $(STAMP)
	$(BIN)/python bench/lambda_bench.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
