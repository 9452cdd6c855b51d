"""Fuzzing a real ``stepwell serve``: model-driven requests, protocol oddities, mutated definitions.

Run with ``.venv/bin/python -m pytest tests/fuzz -q`` (scale with ``STEPWELL_FUZZ_EXAMPLES``; see
conftest.py). Every test sends its requests as raw HTTP and collects what breaks the oracle
(``oracle.py``) instead of stopping at the first: a failing test lists every distinct finding with
a reproducer.
"""
