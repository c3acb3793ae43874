"""ZStack-style Actions: generated for every registry API, through the real app and database."""

from __future__ import annotations

import threading

import pytest
from starlette.testclient import TestClient

import zslite.sdk as sdk
from zslite.apispec import all_apis
from zslite.sdk import (ApiResult, CreateAccessKeyAction, CreateAccountAction, CreateZoneAction, LogInByAccountAction,
                        QueryZoneAction, configure)
from zslite.sdk.errors import ParameterError, PermissionDenied, ZStackApiError
from zslite.security import sha512_hex
from zslite.testing import free_port

# The SDK is a client of the HTTP API: one database (the APIs run on every one in tests/api).
pytestmark = pytest.mark.one_backend


def test_every_registry_api_has_an_action_class():
    missing = []
    for spec in all_apis():
        cls = getattr(sdk, f"{spec.name}Action", None)
        if cls is None:
            missing.append(spec.name)
            continue
        assert cls._spec is spec
        assert issubclass(cls.Result, ApiResult)
        assert set(spec.params.model_fields) <= set(cls.PARAMS), spec.name
        action = cls()
        for name in spec.params.model_fields:
            assert getattr(action, name) is None
    assert not missing, f"APIs without an Action class: {missing}"
    assert {f"{s.name}Action" for s in all_apis()} <= set(sdk.__all__)
    assert {f"{s.name}Action" for s in all_apis()} <= set(dir(sdk))


def test_required_and_valid_values_come_from_the_params_model():
    for spec in all_apis():
        cls = getattr(sdk, f"{spec.name}Action")
        for name, field in spec.params.model_fields.items():
            assert cls.PARAMS[name]["required"] == field.is_required(), (spec.name, name)
    assert sdk.ChangeZoneStateAction.PARAMS["stateEvent"]["valid_values"] == ("enable", "disable")


def test_unknown_attribute_is_refused_with_a_hint():
    action = CreateZoneAction()
    with pytest.raises(AttributeError, match="did you mean name"):
        action.nmae = "x"


def test_sync_and_async_calls_with_attribute_results(actions, session):
    create = CreateZoneAction()
    create.name = "zone1"
    create.description = "first"
    create.sessionId = session
    res = create.call()
    assert res.error is None and res.jobUuid
    zone = res.value.inventory
    assert zone.name == "zone1" and zone.state == "Enabled" and zone.type == "zstack"

    query = QueryZoneAction()
    query.conditions = ["name=zone1"]
    query.sessionId = session
    res = query.call()
    assert [z.uuid for z in res.value.inventories] == [zone.uuid]
    assert res.value.to_dict()["inventories"][0]["name"] == "zone1"


def test_client_side_checks_send_nothing(actions, session, http):
    action = CreateZoneAction()
    action.sessionId = session
    with pytest.raises(ParameterError, match=r"missing a mandatory parameter\[name\]"):
        action.call()
    change = sdk.ChangeZoneStateAction(uuid="0" * 32, stateEvent="explode", sessionId=session)
    with pytest.raises(ParameterError, match="stateEvent") as info:
        change.call()
    assert info.value.code == "SYS.1007" and isinstance(info.value, ValueError)
    assert QueryZoneAction(sessionId=session).call().value.inventories == []


def test_server_errors_come_back_as_error_codes(actions, session):
    res = sdk.ChangeZoneStateAction(uuid="0" * 32, stateEvent="enable", sessionId=session).call()
    assert res.value is None
    assert res.error.code == "SYS.1007" and "not found" in res.error.details and res.error.httpStatus == 503
    with pytest.raises(ZStackApiError) as info:
        res.throw_exception_if_error()
    assert info.value.code == "SYS.1007"
    with pytest.raises(ZStackApiError):
        res.throwExceptionIfError()
    bad = QueryZoneAction(sessionId="f" * 32).call()
    assert bad.error.code == "ID.1001"
    assert QueryZoneAction(sessionId=session).call().throw_exception_if_error().value.inventories == []


def test_permission_denied_maps_to_its_class(actions, session):
    CreateAccountAction(name="alice", password=sha512_hex("pw"), sessionId=session).call().throw_exception_if_error()
    login = LogInByAccountAction(accountName="alice", password=sha512_hex("pw")).call()
    alice = login.value.inventory.uuid
    res = CreateZoneAction(name="mine", sessionId=alice).call()
    assert res.error.code == "ID.1002"
    with pytest.raises(PermissionDenied):
        res.throw_exception_if_error()


def test_callback_gets_the_polled_result(actions, session):
    got: list[ApiResult] = []
    done = threading.Event()

    def cb(result):
        got.append(result)
        done.set()

    thread = CreateZoneAction(name="cb-zone", sessionId=session).call(cb)
    assert isinstance(thread, threading.Thread)
    assert done.wait(30)
    assert got[0].error is None and got[0].value.inventory.name == "cb-zone"

    failed = threading.Event()
    errors = []
    sdk.ChangeZoneStateAction(uuid="0" * 32, stateEvent="enable", sessionId=session).call(
        lambda r: (errors.append(r.error), failed.set()))
    assert failed.wait(30) and errors[0].code == "SYS.1007"


def test_api_id_becomes_the_job_uuid(actions, session):
    api_id = "a" * 32
    res = CreateZoneAction(name="z", sessionId=session, apiId=api_id).call()
    assert res.jobUuid == api_id
    progress = sdk.GetTaskProgressAction(apiId=api_id, sessionId=session).call().throw_exception_if_error()
    assert progress.value.inventories[0].taskName == "CreateZone"


def test_access_key_signing(actions, session):
    key = CreateAccessKeyAction(sessionId=session).call().throw_exception_if_error().value.inventory
    res = CreateZoneAction(name="signed", accessKeyId=key.AccessKeyID, accessKeySecret=key.AccessKeySecret).call()
    assert res.error is None, res.error
    query = QueryZoneAction(conditions=["name=signed"], accessKeyId=key.AccessKeyID,
                            accessKeySecret=key.AccessKeySecret).call()
    assert [z.name for z in query.value.inventories] == ["signed"]
    wrong = QueryZoneAction(accessKeyId=key.AccessKeyID, accessKeySecret="not-the-secret").call()
    assert wrong.error.code == "ID.1000"


def test_http_failure_is_sdk_1000():
    configure(hostname="127.0.0.1", port=free_port(), max_retries=1)
    try:
        res = QueryZoneAction(sessionId="f" * 32).call()
        assert res.error.code == "sdk.1000" and res.value is None
        assert res.error.httpStatus is None
    finally:
        configure()


def test_http_error_status_is_sdk_1000(http):
    # a wrong context path: 404 from the server is an HTTP failure, not an API error
    configure(hostname="testserver", port=None, context_path="/nope", http_client=http)
    try:
        res = QueryZoneAction(sessionId="f" * 32).call()
        assert res.error.code == "sdk.1000" and res.error.httpStatus == 404
    finally:
        configure()


def test_polling_timeout_is_sdk_1001(settings, database, session):
    from zslite.server.app import create_app
    slow = settings.model_copy(update={"fault_injection": "job.before_commit.CreateZone=sleep:1.5"})
    with TestClient(create_app(slow, database=database), base_url="http://testserver") as http:
        configure(hostname="testserver", port=None, polling_interval=0.05, polling_timeout=0.3, http_client=http)
        try:
            res = CreateZoneAction(name="slow", sessionId=session).call()
            assert res.error.code == "sdk.1001" and res.jobUuid
            res = CreateZoneAction(name="slow2", sessionId=session, timeout=10).call()
            assert res.error is None and res.value.inventory.name == "slow2"
        finally:
            configure()
