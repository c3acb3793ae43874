"""The SQLite write gate (db/sqlite_gate.py): one writer at a time; a waiting api write (a 202, a login)
goes before a waiting job transaction, so that accepting never waits behind the queue of jobs."""

from __future__ import annotations

import threading
import time

from zslite.db.sqlite_gate import WriteGate


def _enter_and_record(gate, lane, order, started):
    started.set()
    with gate.enter(lane):
        order.append(lane)


def test_a_waiting_api_write_goes_before_waiting_jobs(tmp_path):
    gate = WriteGate(str(tmp_path / "z.db"))
    order: list[str] = []
    threads = []
    with gate.enter("job"):  # a job transaction in progress
        for lane in ("job", "job", "api", "job"):
            started = threading.Event()
            t = threading.Thread(target=_enter_and_record, args=(gate, lane, order, started))
            t.start()
            started.wait(5)
            time.sleep(0.05)  # it is now waiting at the gate
            threads.append(t)
    for t in threads:
        t.join(10)
    # the api write arrived third, behind two waiting jobs, and went first; the jobs then in turn
    assert order[0] == "api" and sorted(order) == ["api", "job", "job", "job"], order
    gate.close()


def test_one_writer_at_a_time_across_lanes(tmp_path):
    gate = WriteGate(str(tmp_path / "z.db"))
    inside = 0
    most = 0
    lock = threading.Lock()

    def write(lane):
        nonlocal inside, most
        for _ in range(20):
            with gate.enter(lane):
                with lock:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.001)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=write, args=(lane,)) for lane in ("api", "job", "api", "job")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most == 1
    gate.close()
