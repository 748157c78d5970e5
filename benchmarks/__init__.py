"""The benchmark suite: measurements of the SDK beside bare httpx, and the page that publishes them.

Run ``python -m benchmarks --size full --out docs/benchmarks.md`` (or ``nox -s bench``). Each
benchmark is a module with ``run(size) -> dict``, run by :mod:`benchmarks.run` in its own
subprocess; :mod:`benchmarks.report` and :mod:`benchmarks.charts` turn the results into
Markdown and SVG and measure nothing themselves.
"""
