"""Identity APIs (SPEC §6)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from zslite.apispec.params import CreateParams, Description, Name, Params, Uuid
from zslite.apispec.spec import ApiSpec, query_api
from zslite.query.resources import QueryResource, register
from zslite.services import accounts as svc
from zslite.db.models import Account

Password = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class LogInByAccountParams(Params):
    accountName: Name
    password: Password  # sha512 hex of the password, as every ZStack client sends it


class SessionParams(Params):
    sessionUuid: Annotated[str, StringConstraints(min_length=1, max_length=255)]


class CreateAccountParams(CreateParams):
    name: Name
    password: Password
    type: Literal["Normal"] = "Normal"
    description: Description | None = None


class CreateAccessKeyParams(CreateParams):
    accountUuid: Uuid | None = None
    userUuid: Uuid | None = None
    description: Description | None = None


class ShareParams(Params):
    resourceUuids: list[Uuid] = Field(min_length=1, max_length=1000)
    accountUuids: list[Uuid] | None = Field(default=None, max_length=1000)
    toPublic: bool = False


class RevokeParams(ShareParams):
    all: bool = False


register(QueryResource(
    name="account", model=Account, resource_type="AccountVO",
    fields={"uuid": "uuid", "name": "name", "type": "type", "description": "description",
            "createDate": "create_date", "lastOpDate": "last_op_date"},
    load=svc.load_accounts, visibility=svc.account_visibility))

APIS = [
    ApiSpec("LogInByAccount", "PUT", ("/accounts/login",), LogInByAccountParams, svc.log_in_by_account,
            body_key="logInByAccount", auth="none", summary="Log in with an account name and sha512 password"),
    ApiSpec("LogOut", "DELETE", ("/accounts/sessions/{sessionUuid}",), SessionParams, svc.log_out,
            auth="none", result="empty", summary="End a session"),
    ApiSpec("ValidateSession", "GET", ("/accounts/sessions/{sessionUuid}/valid",), SessionParams,
            svc.validate_session, auth="none", result="custom", summary="Tell whether a session is valid"),
    ApiSpec("CreateAccount", "POST", ("/accounts",), CreateAccountParams, svc.create_account, body_key="params",
            is_async=True, role="admin", summary="Create a normal account"),
    query_api("QueryAccount", ("/accounts", "/accounts/{uuid}"), "account", "Query accounts"),
    ApiSpec("CreateAccessKey", "POST", ("/accesskeys",), CreateAccessKeyParams, svc.create_access_key,
            body_key="params", is_async=True, reveal=svc.reveal_access_key_secret,
            summary="Create an access key (id and secret) for an account"),
    ApiSpec("ShareResource", "PUT", ("/accounts/resources/actions",), ShareParams, svc.share_resource,
            body_key="shareResource", is_async=True, result="empty",
            summary="Share resources with accounts or publicly"),
    ApiSpec("RevokeResourceSharing", "PUT", ("/accounts/resources/actions",), RevokeParams,
            svc.revoke_resource_sharing, body_key="revokeResourceSharing", is_async=True, result="empty",
            summary="Revoke sharing of resources"),
]
