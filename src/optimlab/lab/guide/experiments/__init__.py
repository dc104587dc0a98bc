"""The guide's experiments: each module computes one set of measurements (through the
store) and draws one figure; several claims of the article's table can read the same one.

Every module has ``NAME``, ``TITLE``, ``run(ctx) -> dict`` (plain values, JSON-safe) and
``figure(results, path)`` (a PNG).
"""
