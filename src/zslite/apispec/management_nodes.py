"""ZStack's management-node APIs (SPEC §9)."""

from __future__ import annotations

from zslite.apispec.params import Params
from zslite.apispec.spec import ApiSpec, query_api
from zslite.db.models import ManagementNode
from zslite.query.resources import QueryResource, register
from zslite.services import management_nodes as svc

register(QueryResource(
    name="managementNode", model=ManagementNode, resource_type=svc.RESOURCE_TYPE, load=svc.load,
    visibility=lambda caller, model: None,  # admin only: the API's role says so
    fields={"uuid": "uuid", "hostName": "name", "joinDate": "join_date", "heartBeat": "heartbeat"}))


class EmptyParams(Params):
    pass


APIS = [
    query_api("QueryManagementNode", ("/management-nodes", "/management-nodes/{uuid}"), "managementNode",
              "Query the live management nodes", role="admin"),
    ApiSpec("IsReadyToGo", "GET", ("/management-nodes/ready",), EmptyParams, svc.is_ready_to_go, auth="none",
            result="custom", summary="Whether this management node can serve (database up, schema current)"),
    ApiSpec("GetVersion", "PUT", ("/management-nodes/actions",), EmptyParams, svc.get_version,
            body_key="getVersion", auth="none", writes=False, result="custom", summary="The server's version"),
    ApiSpec("GetCurrentTime", "PUT", ("/management-nodes/actions",), EmptyParams, svc.get_current_time,
            body_key="getCurrentTime", writes=False, result="custom", summary="The server's current time"),
]
