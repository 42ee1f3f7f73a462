"""Which signals stop training at its next step: Ctrl-C, SIGTERM and a hangup, but not a hangup
the process was started to ignore (nohup)."""

import os
import signal

import pytest

from gan_bench.training.signals import stop_on_signals, stop_signals


@pytest.fixture
def hangup_restored():
    previous = signal.getsignal(signal.SIGHUP)
    yield
    signal.signal(signal.SIGHUP, previous)


def test_a_hangup_stops_training_at_its_next_step(hangup_restored):
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    assert stop_signals() == (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    with stop_on_signals() as stop:
        assert not stop
        os.kill(os.getpid(), signal.SIGHUP)
        assert stop and stop.signal == signal.SIGHUP
    assert signal.getsignal(signal.SIGHUP) == signal.SIG_DFL  # given back as it was


def test_a_hangup_the_process_ignores_stays_ignored(hangup_restored):
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup starts a process
    assert stop_signals() == (signal.SIGINT, signal.SIGTERM)
    with stop_on_signals() as stop:
        os.kill(os.getpid(), signal.SIGHUP)
        assert not stop
    assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
