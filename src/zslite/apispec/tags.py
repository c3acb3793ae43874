"""System and user tag APIs (SPEC §8)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from zslite.apispec.params import DeleteParams, Params, Tag, Uuid
from zslite.apispec.spec import ApiSpec, query_api
from zslite.db.models import Tag as TagRow
from zslite.query.resources import QueryResource, register
from zslite.services import tags as svc

ResourceType = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class CreateTagParams(Params):
    resourceType: ResourceType
    resourceUuid: Uuid
    tag: Tag


FIELDS = {"uuid": "uuid", "resourceUuid": "resource_uuid", "resourceType": "resource_type", "tag": "tag",
          "type": "type", "createDate": "create_date", "lastOpDate": "last_op_date"}

register(QueryResource(name="systemTag", model=TagRow, resource_type="SystemTagVO", load=svc.load,
                       visibility=svc.visibility_of("System"), fields={**FIELDS, "inherent": "inherent"}))
register(QueryResource(name="userTag", model=TagRow, resource_type="UserTagVO", load=svc.load,
                       visibility=svc.visibility_of("User"), fields=FIELDS))

APIS = [
    ApiSpec("CreateSystemTag", "POST", ("/system-tags",), CreateTagParams, svc.create_system_tag,
            body_key="params", is_async=True, summary="Attach a system tag to a resource"),
    ApiSpec("CreateUserTag", "POST", ("/user-tags",), CreateTagParams, svc.create_user_tag, body_key="params",
            is_async=True, summary="Attach a user tag to a resource"),
    ApiSpec("DeleteTag", "DELETE", ("/tags/{uuid}",), DeleteParams, svc.delete_tag, is_async=True, result="empty",
            summary="Delete a system or user tag"),
    query_api("QuerySystemTag", ("/system-tags", "/system-tags/{uuid}"), "systemTag", "Query system tags"),
    query_api("QueryUserTag", ("/user-tags", "/user-tags/{uuid}"), "userTag", "Query user tags"),
]
