"""`make bench`: run every benchmark script in bench/ (never part of `make test`)."""
import pathlib
import runpy
import sys

here = pathlib.Path(__file__).resolve().parent
for script in sorted(here.glob("bench_*.py")):
    print(f"\n=== {script.name} ===", flush=True)
    sys.argv = [str(script)]
    runpy.run_path(str(script), run_name="__main__")
