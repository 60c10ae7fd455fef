"""`make bench`: run every benchmark script in bench/ (never part of `make test`).

The two long reproductions (bench_global.py: 100 min on 2 cores; bench_white_noise.py) run
with ``--quick`` unless ``BENCH_FULL=1`` is set in the environment (``BENCH_FULL=1 make
bench``); their tables in bench/README.md are from full runs.
"""
import os
import pathlib
import runpy
import sys

LONG = {"bench_global.py", "bench_white_noise.py"}

here = pathlib.Path(__file__).resolve().parent
full = os.environ.get("BENCH_FULL") == "1"
for script in sorted(here.glob("bench_*.py")):
    args = [] if full or script.name not in LONG else ["--quick"]
    print(f"\n=== {script.name} {' '.join(args)} ===", flush=True)
    sys.argv = [str(script), *args]
    runpy.run_path(str(script), run_name="__main__")
