"""faults.py: test-only fault injection is inert unless named."""

from __future__ import annotations

import time

import pytest

from zslite import faults


def test_off_by_default():
    faults.hit("", "job.before_commit")
    faults.hit("other.point=raise", "job.before_commit")


def test_raise_and_sleep():
    with pytest.raises(faults.InjectedFault):
        faults.hit("a=sleep:0, job.before_commit=raise", "job.before_commit")
    start = time.monotonic()
    faults.hit("job.before_commit=sleep:0.2", "job.before_commit")
    assert time.monotonic() - start >= 0.2
