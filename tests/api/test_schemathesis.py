"""Property-based fuzzing of every operation in the served OpenAPI document (schemathesis 4), through
the ASGI app with an admin session: no input yields a 500, and a 5xx is only ever our 503 with an
ErrorCode other than SYS.1000 (internal error). Bounded; runs on one database (it is about the HTTP
layer, and the three databases are covered by test_malformed)."""

from __future__ import annotations

import os

import httpx
import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, reject, settings
from schemathesis.generation.modes import GenerationMode

MAX_EXAMPLES = int(os.environ.get("ZSLITE_FUZZ_EXAMPLES", "4"))



# fuzzing is about the HTTP layer: once, on the first database (SQLite by default); the three
# databases are covered by test_malformed
pytestmark = pytest.mark.one_backend


def check(response, label: str) -> None:
    assert response.status_code != 500, f"{label}: 500 {response.text[:300]}"
    if response.status_code >= 500:
        assert response.status_code == 503, f"{label}: {response.status_code} {response.text[:300]}"
        body = orjson.loads(response.content)
        assert "error" in body and body["error"]["code"] != "SYS.1000", f"{label}: internal error {body}"
    if response.status_code == 202:
        assert response.json()["location"].startswith("http://testserver/zstack/v1/api-jobs/")


def test_openapi_document_is_valid_and_complete(http):
    doc = http.get("/zstack/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    schema = schemathesis.openapi.from_dict(doc)
    operations = [r.ok() for r in schema.get_all_operations()]  # .ok() raises on an invalid operation
    assert len(operations) >= 10
    assert http.get("/v1/openapi.json").json() == doc


def test_fuzz_every_operation(api, http):
    schema = schemathesis.openapi.from_asgi("/zstack/v1/openapi.json", http.app)
    auth = {"Authorization": f"OAuth {api.session}"}
    failures = []
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                kwargs = case.as_transport_kwargs(base_url="http://testserver")
                headers = {**(kwargs.pop("headers", None) or {}), **auth}
                headers.pop("Authorization".lower(), None)
                try:
                    response = http.request(kwargs.pop("method"), kwargs.pop("url"), headers=headers,
                                            **{k: v for k, v in kwargs.items() if k in ("params", "json",
                                                                                        "content", "data",
                                                                                        "files")})
                except httpx.InvalidURL:
                    reject()  # the client itself cannot send it (e.g. a query over httpx's URL limit)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                check(response, f"{operation.label} {mode}")

            try:
                run()
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0])
            except Exception as exc:  # an operation schemathesis cannot generate for is a document bug
                failures.append(f"{operation.label} {mode}: {type(exc).__name__}: {exc}"[:300])
    assert not failures, "\n".join(failures)
    # the generated requests reach the APIs: some succeed, some start jobs, some are refused
    assert statuses.get(200) and statuses.get(202) and (statuses.get(400) or statuses.get(503)), statuses
