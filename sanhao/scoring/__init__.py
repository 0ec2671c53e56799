"""The scoring engine: pure Python (and numpy), no Django. import-linter enforces it.

The engine itself is issue #3; this package starts with the number rules of
SCORING.md that every later step shares.
"""
