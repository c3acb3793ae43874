"""A fleet for the image change plan tests (API, CLI, SDK, live servers): rows straight into the database,
with capacities that add up, and the invariants every plan test checks at the end."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import func, select

from tests import factories as f
from tests.e2e.changes import invariants as change_invariants
from tests.api.test_candidates import scene
from zslite.db import models as m


@dataclass
class Fleet:
    sc: object                # the candidate tests' scene: zone, cluster, host, ceph_ps, ceph_bs, store_bs, vm
    old_image: str            # what the VMs run ("CentOS-7")
    image: str                # the target ("Rocky-9"), a candidate for every VM of the fleet
    vms: list[str] = field(default_factory=list)      # in the plan's order (by name)
    running: set[str] = field(default_factory=set)


def fleet(database, n: int = 4, running: int = 0, owner: str | None = None, image_owner: str | None = None,
          prefix: str = "vm") -> Fleet:
    """n VMs named <prefix>-00, <prefix>-01, … on one Ceph primary storage, the first `running` of them
    Running (their host's capacity held), all from CentOS-7; Rocky-9 is a candidate for each."""
    with database.write() as s:
        sc = scene(s, vm_owner=owner)
        old = f.image(s, name="CentOS-7", account_uuid=image_owner, backup_storage_uuids=[sc.ceph_bs.uuid])
        new = f.image(s, name="Rocky-9", account_uuid=image_owner, size=2 * 1024**3,
                      backup_storage_uuids=[sc.ceph_bs.uuid])
        s.execute(m.VmInstance.__table__.update().where(m.VmInstance.uuid == sc.vm.uuid)
                  .values(name=f"{prefix}-00", image_uuid=old.uuid))
        s.execute(m.Volume.__table__.update().where(m.Volume.uuid == sc.vm.root_volume_uuid)
                  .values(root_image_uuid=old.uuid))
        vms = [sc.vm.uuid] + [f.vm(s, sc.cluster, sc.host, sc.ceph_ps, image=old, account_uuid=owner,
                                   name=f"{prefix}-{i:02d}").uuid for i in range(1, n)]
        for vm in vms[:running]:
            row = s.get(m.VmInstance, vm)
            row.state, row.host_uuid = "Running", sc.host.uuid
            host = s.get(m.Host, sc.host.uuid)
            host.available_cpu_capacity -= row.cpu_num
            host.available_memory_capacity -= row.memory_size
        settle_capacity(s, sc.ceph_ps.uuid)
        return Fleet(sc, old.uuid, new.uuid, vms, set(vms[:running]))


def settle_capacity(s, ps_uuid: str) -> None:
    used = s.scalar(select(func.sum(m.Volume.size)).where(m.Volume.primary_storage_uuid == ps_uuid)) or 0
    s.get(m.PrimaryStorage, ps_uuid).available_capacity = f.TIB - used


def invariants(database, ps_uuid: str) -> dict[str, m.VmInstance]:
    """tests/e2e/changes.invariants, host capacities included (the fleet's hosts start consistent)."""
    return change_invariants(database, ps_uuid, hosts=True)


def wait_plan(get, uuid: str, until=lambda p: p["state"] not in ("Running",), timeout: float = 60.0) -> dict:
    """Poll get(uuid) → plan inventory until `until` holds."""
    deadline = time.monotonic() + timeout
    while True:
        plan = get(uuid)
        if until(plan) or time.monotonic() > deadline:
            return plan
        time.sleep(0.05)
