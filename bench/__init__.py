"""Benchmarks at catalog scale (issue 6): `python -m bench.run` or `make bench`.

- dataset.py: throwaway databases and a catalog loaded in bulk (not through HTTP), with probe VMs
  whose candidate answer is fixed (100 and 10 images) whatever the catalog size;
- measure.py: the rule engine in-process, the driver floor, ZStack's plan, a live uvicorn server
  under a Python load generator, ChangeVmImage jobs/s, QueryImage, EXPLAIN plans;
- report.py: JSON per database, a Markdown summary with the targets met or missed, a PNG plot;
- run.py: the command line.
"""
