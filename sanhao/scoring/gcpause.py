"""`paused_gc()`: no automatic garbage collection inside the block.

Building half a million small lists and tuples (the reasons of every candidate, the exact
indicator values) makes Python's collector run over and over across every object already
alive: a third of the time of such a loop. The engine makes no reference cycles, so
nothing waits for the collector; it is switched back on, as it was, at the end.

The switch is the process's: blocks in two threads at once (two what-ifs of one web worker)
end with the collector on if it was on before either began, whatever their order.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
