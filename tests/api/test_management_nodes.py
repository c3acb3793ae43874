"""ZStack's management-node APIs (SPEC §9) against the real app: QueryManagementNode, IsReadyToGo,
GetVersion, GetCurrentTime."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

import zslite
from zslite.db.models import ManagementNode


def test_query_lists_this_node_for_admin_only(api, http, as_account):
    rt = http.app.state.zs
    [node] = api.query("QueryManagementNode")
    assert node["uuid"] == rt.node.uuid and node["hostName"] == rt.node.name
    assert set(node) >= {"uuid", "hostName", "joinDate", "heartBeat"}
    body = api.ok("QueryManagementNode")
    assert body["schema"]["inventories[0]"] == "org.zstack.header.managementnode.ManagementNodeInventory"
    # by uuid, and with the query language
    assert api.ok("QueryManagementNode", uuid=rt.node.uuid)["inventories"][0]["uuid"] == rt.node.uuid
    assert api.query("QueryManagementNode", f"hostName={rt.node.name}")[0]["uuid"] == rt.node.uuid
    assert api.query("QueryManagementNode", "hostName=elsewhere") == []
    tenant = as_account("alice")
    assert tenant.fail("QueryManagementNode", "ID.1002")


def test_query_drops_a_node_that_stopped_beating(api, http, database):
    rt = http.app.state.zs
    with database.write() as s:
        s.add(ManagementNode(uuid="d" * 32, name="gone:8080", join_date=rt.clock.now(),
                             heartbeat=rt.clock.now().replace(year=2020)))
    assert len(api.query("QueryManagementNode")) == 2
    rt.node.recover_dead()  # what every node's heartbeat does
    assert [n["uuid"] for n in api.query("QueryManagementNode")] == [rt.node.uuid]


def test_is_ready_to_go_needs_no_session(http):
    rt = http.app.state.zs
    r = http.get("/zstack/v1/management-nodes/ready")
    assert r.status_code == 200 and r.json() == {"managementNodeId": rt.node.uuid}
    assert http.get("/v1/management-nodes/ready").json() == {"managementNodeId": rt.node.uuid}


def test_is_ready_to_go_is_503_when_the_schema_is_not_at_the_head(http, database):
    with database.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    try:
        r = http.get("/zstack/v1/management-nodes/ready")
        assert r.status_code == 503
        err = r.json()["error"]
        assert err["code"] == "SYS.1006" and err["description"] == "not ready" and "migration" in err["details"]
    finally:
        from zslite.db.migrate import head_revisions
        [head] = head_revisions()
        with database.write() as s:
            s.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert http.get("/zstack/v1/management-nodes/ready").status_code == 200


@pytest.mark.parametrize("prefix", ["/zstack/v1", "/v1"])
def test_get_version_needs_no_session(http, prefix):
    r = http.put(prefix + "/management-nodes/actions", json={"getVersion": {}})
    assert r.status_code == 200 and r.json() == {"version": zslite.__version__}


def test_get_current_time(api, http):
    before = time.time()
    now = api.ok("GetCurrentTime")["currentTime"]
    after = time.time()
    assert before * 1000 - 1 <= now["MillionSeconds"] <= after * 1000 + 1
    assert now["Seconds"] == now["MillionSeconds"] // 1000
    # a session is needed (SPEC §9 lists only GetVersion and IsReadyToGo as session-free)
    r = http.put("/zstack/v1/management-nodes/actions", json={"getCurrentTime": {}})
    assert r.status_code == 400
    r = http.put("/zstack/v1/management-nodes/actions", json={"getCurrentTime": {}},
                 headers={"Authorization": "OAuth " + "0" * 32})
    assert r.status_code == 503 and r.json()["error"]["code"] == "ID.1001"


def test_one_body_key_per_call_on_the_shared_actions_url(http):
    r = http.put("/zstack/v1/management-nodes/actions", json={"getVersion": {}, "getCurrentTime": {}})
    assert r.status_code == 400
    r = http.put("/zstack/v1/management-nodes/actions", json={"nothing": {}})
    assert r.status_code == 400 and "getVersion" in r.text


def unreachable_url(backend: str, tmp_path) -> str:
    from zslite.testing import free_port
    return {"sqlite": f"sqlite:///{tmp_path}/no/such/dir/zslite.db",
            "postgresql": f"postgresql://postgres@127.0.0.1:{free_port()}/test",
            "mariadb": f"mysql://root@127.0.0.1:{free_port()}/test"}[backend]


def test_is_ready_to_go_is_503_when_the_database_does_not_answer(backend, settings, tmp_path):
    from starlette.testclient import TestClient

    from zslite.db.engine import Database
    from zslite.server.app import create_app

    database = Database(unreachable_url(backend, tmp_path))
    app = create_app(settings, database=database, prepared=True)
    with TestClient(app) as http:
        r = http.get("/zstack/v1/management-nodes/ready")
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "SYS.1006" and r.json()["error"]["details"] == "the database does not answer"
        assert http.put("/zstack/v1/management-nodes/actions", json={"getVersion": {}}).status_code == 200
    database.dispose()
