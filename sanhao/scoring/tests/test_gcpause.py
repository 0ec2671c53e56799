"""The engine pauses Python's collector while it builds its lists, and gives it back."""

import gc

import pytest

from sanhao.scoring import engine
from sanhao.scoring.gcpause import paused_gc


def test_it_pauses_the_collector_and_restores_it_as_it_was():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves it off: it was off
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()


def test_it_switches_the_collector_back_on_after_an_error(monkeypatch):
    def broken(*args):
        raise RuntimeError("broken")

    monkeypatch.setattr(engine, "_compute", broken)
    with pytest.raises(RuntimeError):
        engine.compute(None, None)
    assert gc.isenabled()
