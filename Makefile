# The two commands of README.md, and a few helpers around them.
.PHONY: run run-workers test test-engine bench bench-load lint

run:  ## Odoo 19 with both add-ons and the demo factory on http://127.0.0.1:8069
	scripts/run.sh

run-workers:  ## the same, served by 3 Odoo workers, a cron thread and queue_job's runner
	scripts/run.sh --workers $${PPS_WORKERS:-3}

test:  ## both add-ons' suites, each on its fresh database
	scripts/test.sh

test-engine:  ## only the scheduling engine's pure tests (no Odoo server, no database)
	scripts/test_engine.sh

bench:  ## benchmarks; results under bench/results/
	scripts/bench.sh

bench-load:  ## load and faults on a multi-process server (pps_bench_2000); bench/results/load.md
	bench/load/run.sh

lint:  ## all pre-commit hooks on all files
	pre-commit run --all-files
