"""ZStack's management-node APIs (SPEC §9): the live nodes, readiness, version and time."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

import zslite
from zslite.context import Ctx
from zslite.db.migrate import schema_at_head
from zslite.errors import OperationError
from zslite.wire.schema import Inv

log = logging.getLogger("zslite.nodes")
RESOURCE_TYPE = "ManagementNodeVO"


def load(db, rows) -> list:
    return [Inv("ManagementNode", {"uuid": n.uuid, "hostName": n.name, "joinDate": n.join_date,
                                   "heartBeat": n.heartbeat}) for n in rows]


def is_ready_to_go(ctx: Ctx, p) -> dict:
    """200 when this node can serve: the database answers and its schema is at the head migration."""
    try:
        current = schema_at_head(ctx.db.connection())
    except SQLAlchemyError as exc:
        log.warning("IsReadyToGo: the database does not answer: %s", exc.__class__.__name__)
        raise OperationError("the database does not answer", description="not ready") from None
    if not current:
        raise OperationError("the database schema is not at the head migration (run `zslite db upgrade`)",
                             description="not ready")
    return {"managementNodeId": ctx.node.uuid}


def get_version(ctx: Ctx, p) -> dict:
    return {"version": zslite.__version__}


def get_current_time(ctx: Ctx, p) -> dict:
    ms = ctx.clock.millis()
    return {"currentTime": {"MillionSeconds": ms, "Seconds": ms // 1000}}
