"""The plan driver: every node carries running fleet image change plans on (SPEC §11), over the database
only, like the job queue (queue.py) it sits beside.

A loop thread claims Pending VMs of Running plans while this node has a free plan worker
(services/plans.claim: under the plan's row lock, never more than maxConcurrency VMs of a plan out of
service across all nodes) and hands each to a worker thread, which takes it through its steps:

    Stopping  (stopRunningVms and the VM is Running)  StopVmInstance's service
    Changing                                           ChangeVmImage's service: exactly its transaction
    Starting  (the plan stopped it)                    StartVmInstance's service
    → Succeeded or Failed

Each step is one transaction holding both the step's effect and the VM row's move (a compare-and-set on
the row: still in that state, still this node's), so a crash leaves either both or neither. Every
heartbeat interval the loop also adopts the VMs of dead nodes (silent for node_timeout seconds, as
jobs/nodes.py judges them): a change under way there never committed, so the VM ends Failed
("interrupted") with its old root volume; a VM the plan had stopped is started again by this node.

Fault-injection points (zslite.faults): Plan.before_stop, Plan.before_change, Plan.before_change_commit
(inside the change's transaction), Plan.before_start; ChangeVmImage's own points apply inside a change.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import orjson
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError

from zslite import faults
from zslite.apispec.candidates import ChangeVmImageParams
from zslite.apispec.vms import StopVmInstanceParams, VmActionParams
from zslite.context import Ctx
from zslite.db import retry
from zslite.db.models import ManagementNode, VmInstance
from zslite.errors import ZStackError
from zslite.ids import new_uuid
from zslite.rules.states import PLAN_VM_ACTIVE
from zslite.services import candidates, plans as svc, vms

log = logging.getLogger("zslite.plans")
AWAY = (OperationalError, InterfaceError)  # the database is unreachable: try the step again later


class PlanDriver:
    def __init__(self, database, settings, clock, node):
        self.database = database
        self.settings = settings
        self.clock = clock
        self.node = node
        self.workers = settings.plan_workers
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="zslite-plan")
        self._busy = 0
        self._lock = threading.Lock()
        self._nudge = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="zslite-plans", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Claim no more; let the VMs under way here reach their end (wait=True)."""
        self._stop.set()
        self._nudge.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.pool.shutdown(wait=wait)

    def nudge(self) -> None:
        self._nudge.set()

    # ---- the loop -----------------------------------------------------------------------------

    def _loop(self) -> None:
        next_sweep = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + self.settings.heartbeat_interval
                    for item in self.recover():
                        self._submit(*item)
                free = self.workers - self._busy
                if free > 0:
                    for item in self.claim(free):
                        self._submit(*item)
            except Exception:  # the database may be briefly away
                log.exception("the plan driver could not claim or recover")
            self._nudge.wait(self.settings.job_poll_interval)
            self._nudge.clear()

    def claim(self, free: int) -> list[tuple[str, int]]:
        with self.database.read() as s:
            candidates_ = svc.runnable(s)
        out: list[tuple[str, int]] = []
        for plan_uuid in candidates_:
            if len(out) >= free or self._stop.is_set():
                break
            seqs = self._tx(lambda s, p=plan_uuid: svc.claim(s, p, self.node.uuid, free - len(out),
                                                             self.clock.now()))
            out += [(plan_uuid, seq) for seq in seqs]
        return out

    def recover(self) -> list[tuple[str, int]]:
        """Adopt the VMs of dead nodes; end the plans that have nothing left (returns the VMs to drive here)."""
        now = self.clock.now()
        alive = select(ManagementNode.uuid).where(ManagementNode.heartbeat >= now - timedelta(
            seconds=self.settings.node_timeout))
        with self.database.read() as s:
            orphans = svc.orphans_exist(s, self.node.uuid, alive)
            ended = svc.unsettled(s)
        mine: list[tuple[str, int]] = []
        if orphans:
            mine = self._tx(lambda s: svc.adopt_orphans(s, self.node.uuid, alive, now,
                                                        skip_locked=self.database.backend != "sqlite"))
            if mine:
                log.warning("took over %d VM(s) of fleet image change plans from dead management node(s)", len(mine))
        for plan_uuid in ended:
            self._tx(lambda s, p=plan_uuid: svc.settle(s, p, now))
        return mine

    def _submit(self, plan_uuid: str, seq: int) -> None:
        with self._lock:
            self._busy += 1
        self.pool.submit(self._drive, plan_uuid, seq)

    # ---- one VM -------------------------------------------------------------------------------

    def _drive(self, plan_uuid: str, seq: int) -> None:
        failures = 0
        try:
            while True:
                try:
                    state = self._step(plan_uuid, seq)
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("plan[uuid:%s] vm #%d: a step could not be taken (attempt %d)", plan_uuid, seq,
                                  failures)
                    if self._stop.is_set() and failures >= 3:
                        return  # this node is leaving: another one adopts the VM once it is gone
                    time.sleep(min(5.0, 0.5 * failures))
                    continue
                if state not in PLAN_VM_ACTIVE:
                    return
        finally:
            with self._lock:
                self._busy -= 1
            self._nudge.set()

    def _tx(self, work):
        """work(session) in one job-lane transaction; deadlocks and serialization failures run it again."""
        for attempt in range(retry.ATTEMPTS):
            try:
                with self.database.write(lane="job") as s:
                    return work(s)
            except Exception as exc:
                if retry.is_transient(exc) and attempt + 1 < retry.ATTEMPTS:
                    retry.backoff(attempt)
                    continue
                raise

    def _ctx(self, s, caller) -> Ctx:
        return Ctx(db=s, caller=caller, settings=self.settings, clock=self.clock, new_uuid=new_uuid,
                   database=self.database, node=self.node)

    def _step(self, plan_uuid: str, seq: int) -> str | None:
        """Take the VM's next step; returns its new state (None: not ours any more)."""
        with self.database.read() as s:
            row, plan = svc.row_of(s, plan_uuid, seq), svc.plan_of(s, plan_uuid)
        me = self.node.uuid
        if row is None or plan is None or row.node_uuid != me or row.state not in PLAN_VM_ACTIVE:
            return None
        caller = svc.caller_of(plan)
        spec = self.settings.fault_injection
        vm_uuid = row.vm_instance_uuid

        if row.state == svc.STOPPING:
            faults.hit(spec, "Plan.before_stop")

            def stop(s):
                vm = s.get(VmInstance, vm_uuid)
                stopped = vm is not None and vm.state == "Running"
                if stopped:
                    vms.stop_vm_instance(self._ctx(s, caller), StopVmInstanceParams(uuid=vm_uuid))
                svc.move_vm(s, row, me, svc.CHANGING, self.clock.now(), stopped_by_plan=stopped)
                return svc.CHANGING

            return self._attempt(row, stop, svc.FAILED)

        if row.state == svc.CHANGING:
            faults.hit(spec, "Plan.before_change")
            after = svc.STARTING if row.stopped_by_plan else svc.SUCCEEDED

            def change(s):
                vm = candidates.change_vm_image(self._ctx(s, caller), ChangeVmImageParams(
                    vmInstanceUuid=vm_uuid, imageUuid=plan.image_uuid))
                svc.move_vm(s, row, me, after, self.clock.now(), new_root_volume_uuid=vm["rootVolumeUuid"])
                faults.hit(spec, "Plan.before_change_commit")
                return after

            return self._attempt(row, change, svc.STARTING if row.stopped_by_plan else svc.FAILED)

        faults.hit(spec, "Plan.before_start")  # Starting: the plan stopped it; start it again
        changed = row.error is None

        def start(s):
            vms.start_vm_instance(self._ctx(s, caller), VmActionParams(uuid=vm_uuid))
            target = svc.SUCCEEDED if changed else svc.FAILED
            svc.move_vm(s, row, me, target, self.clock.now())
            return target

        return self._attempt(row, start, svc.FAILED)

    def _attempt(self, row, work, on_error: str) -> str | None:
        """Run a step; a refusal (ZStackError) or an unexpected error moves the VM to on_error with the error,
        in a transaction of its own (the step's rolled back whole)."""
        try:
            return self._tx(work)
        except svc.Lost:
            return None
        except AWAY:
            raise
        except ZStackError as err:
            error = err.to_dict()
        except Exception as exc:
            error = svc.internal(exc).to_dict()
        if row.error is not None and on_error == svc.FAILED:  # the restart failed after a failed change
            error["cause"] = orjson.loads(row.error)
        body = orjson.dumps(error).decode()
        try:
            self._tx(lambda s: svc.move_vm(s, row, self.node.uuid, on_error, self.clock.now(), error=body))
        except svc.Lost:
            return None
        return on_error
