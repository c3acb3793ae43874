"""A small registry-driven test client over Starlette's TestClient (the SDK has its own tests).

api.call("CreateZone", name="z") builds the request from the API's spec, as the SDKs do, and for
asynchronous APIs polls the job to its end. It returns (status, body).
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, datetime

from zslite.apispec import api as spec_of


class ApiClient:
    def __init__(self, http):
        self.http = http
        self.session: str | None = None
        self.account_uuid: str | None = None
        self.headers: dict[str, str] = {}

    @staticmethod
    def hash(password: str) -> str:
        return hashlib.sha512(password.encode()).hexdigest()

    def login(self, name: str, password: str) -> dict:
        r = self.http.put("/zstack/v1/accounts/login",
                          json={"logInByAccount": {"accountName": name, "password": self.hash(password)}})
        assert r.status_code == 200, r.text
        inv = r.json()["inventory"]
        self.session = inv["uuid"]
        self.account_uuid = inv["accountUuid"]
        return inv

    def auth_headers(self) -> dict:
        h = dict(self.headers)
        if self.session:
            h["Authorization"] = f"OAuth {self.session}"
        return h

    def request(self, method: str, path: str, *, json=None, params=None, headers=None, content=None):
        h = self.auth_headers()
        h.update(headers or {})
        return self.http.request(method, path, json=json, params=params, headers=h, content=content)

    def wait(self, location: str, timeout: float = 30.0):
        path = re.sub(r"^https?://[^/]+", "", location)
        deadline = time.monotonic() + timeout
        while True:
            r = self.http.get(path)
            if r.status_code != 202 or time.monotonic() > deadline:
                return r
            time.sleep(0.01)

    def build(self, name: str, params: dict, /):
        """(method, path, json body or None, query params or None) for an API call."""
        spec = spec_of(name)
        params = dict(params)
        path = spec.path
        if "uuid" in params and "{uuid}" not in spec.path and len(spec.paths) > 1 and spec.method == "GET":
            path = spec.paths[1]
        for pname in re.findall(r"{(\w+)}", path):
            path = path.replace("{" + pname + "}", str(params.pop(pname)))
        path = "/zstack/v1" + path
        if spec.body_key:
            return spec.method, path, {spec.body_key: params}, None
        return spec.method, path, None, params

    def call(self, name: str, /, headers=None, **params):
        method, path, body, query = self.build(name, params)
        r = self.request(method, path, json=body, params=query, headers=headers)
        if r.status_code == 202:
            r = self.wait(r.json()["location"])
        return r.status_code, (r.json() if r.headers.get("content-type", "").startswith("application/json")
                               else r.text)

    def ok(self, name: str, /, **params) -> dict:
        status, body = self.call(name, **params)
        assert status == 200, f"{name} failed: {status} {body}"
        return body

    def fail(self, name: str, code: str | None = None, /, **params) -> dict:
        """Call an API expected to fail with 503 (and the given ZStack code); return the error."""
        status, body = self.call(name, **params)
        assert status == 503, f"{name} should have failed: {status} {body}"
        if code:
            assert body["error"]["code"] == code, body
        return body["error"]

    def query(self, name: str, /, *conds: str, **params) -> list[dict]:
        return self.ok(name, q=list(conds), **params)["inventories"]


# the threads of a node that poll the database by themselves (the job dispatcher and heartbeat, the plan
# driver, the pool gauges), whatever a test does
BACKGROUND_THREADS = ("zslite-dispatch", "zslite-heartbeat", "zslite-plan", "zslite-pool-gauges")


_CREDENTIAL_TABLES = re.compile(r"\b(sessions|access_keys)\b")


def statements(database, fn, credentials: bool = False) -> list[str]:
    """The SQL statements fn() sends, through either of the database's engines (reads have their own
    on PostgreSQL and MariaDB), BEGIN and PRAGMA left out, and none from the node's background threads.
    The caller's credential lookup and touch are left out too unless asked for: they go through a cache
    of at most 1 s, so whether a request pays them depends on how fast the machine ran the one before."""
    from sqlalchemy import event

    import threading

    seen: list[str] = []

    def before(conn, cursor, statement, params, context, executemany):
        if threading.current_thread().name.startswith(BACKGROUND_THREADS):
            return  # the node polls the database on its own meanwhile
        if statement.strip().upper().startswith(("BEGIN", "PRAGMA")):
            return
        if not credentials and _CREDENTIAL_TABLES.search(statement):
            return
        seen.append(statement)

    engines = {id(e): e for e in (database.engine, database.read_engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before)
    return seen
# ---- the Date headers of ZStack's official SDKs (access-key signing) ----------------------------

def java_sdk_date(instant: datetime, zone_id: str) -> str:
    """ZStack's Java SDK: 'EEE, dd MMM yyyy HH:mm:ss zzz' in the JVM's zone, written with its id."""
    local = instant.replace(tzinfo=UTC).astimezone(_zone(zone_id))
    return local.strftime("%a, %d %b %Y %H:%M:%S ") + zone_id


def python_sdk_date(instant: datetime, local_zone: str, monkeypatch) -> str:
    """ZStack's Python SDK (zssdk): time.strftime('%a, %d %b %Y %H:%M:%S') + ' CST', its machine's local
    wall-clock time, always labelled CST. Run here as written, with the machine's zone set to local_zone
    and the clock time.strftime reads at `instant`."""
    real_localtime = time.localtime
    with monkeypatch.context() as mp:
        mp.setenv("TZ", local_zone)
        time.tzset()
        mp.setattr(time, "localtime", lambda secs=None: real_localtime(
            instant.replace(tzinfo=UTC).timestamp() if secs is None else secs))
        try:
            return time.strftime("%a, %d %b %Y %H:%M:%S", time.localtime()) + " CST"
        finally:
            mp.undo()
            time.tzset()


def _zone(zone_id: str):
    from zslite.server.auth import zone_of
    return zone_of(zone_id, datetime(2026, 11, 26), "UTC")
