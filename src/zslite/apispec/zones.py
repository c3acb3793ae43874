"""Zone APIs."""

from __future__ import annotations

from typing import Literal

from zslite.apispec.params import CreateParams, DeleteParams, Description, Name, UuidParams
from zslite.apispec.spec import ApiSpec, query_api
from zslite.db.models import Zone
from zslite.policy.visibility import public_filter
from zslite.query.resources import QueryResource, register
from zslite.services import zones as svc


class CreateZoneParams(CreateParams):
    name: Name
    description: Description | None = None
    isDefault: bool = False


class UpdateZoneParams(UuidParams):
    name: Name | None = None
    description: Description | None = None


class ChangeZoneStateParams(UuidParams):
    stateEvent: Literal["enable", "disable"]


register(QueryResource(
    name="zone", model=Zone, resource_type=svc.RESOURCE_TYPE, load=svc.load, visibility=public_filter,
    fields={"uuid": "uuid", "name": "name", "description": "description", "state": "state", "type": "type",
            "isDefault": "is_default", "createDate": "create_date", "lastOpDate": "last_op_date"}))

APIS = [
    ApiSpec("CreateZone", "POST", ("/zones",), CreateZoneParams, svc.create_zone, body_key="params",
            is_async=True, role="admin", summary="Create a zone"),
    query_api("QueryZone", ("/zones", "/zones/{uuid}"), "zone", "Query zones"),
    ApiSpec("UpdateZone", "PUT", ("/zones/{uuid}/actions",), UpdateZoneParams, svc.update_zone,
            body_key="updateZone", is_async=True, role="admin", summary="Update a zone's name or description"),
    ApiSpec("ChangeZoneState", "PUT", ("/zones/{uuid}/actions",), ChangeZoneStateParams, svc.change_zone_state,
            body_key="changeZoneState", is_async=True, role="admin", summary="Enable or disable a zone"),
    ApiSpec("DeleteZone", "DELETE", ("/zones/{uuid}",), DeleteParams, svc.delete_zone, is_async=True,
            role="admin", result="empty", summary="Delete a zone (refused while it has clusters or storage)"),
]
