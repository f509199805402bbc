"""SIGTERM and SIGINT as a request to stop at the next boundary, and the handlers put back after."""

from __future__ import annotations

import os
import signal

from feeds.signals import stopping_on_signals


def test_sigterm_sets_the_stop_and_the_old_handler_comes_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stopping_on_signals() as stop:
        assert not stop.is_set()
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(5)
    assert signal.getsignal(signal.SIGTERM) == before
