"""The OpenAPI document is valid OpenAPI 3.1 (openapi-spec-validator), registry markers are `x-` vendor
keywords, and /docs serves a browsable reference of it from vendored assets only."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel, Field

from zslite.server import openapi
from zslite.server.docs import STATIC

pytestmark = pytest.mark.one_backend  # the HTTP layer; the databases are covered elsewhere


def schema_objects(node, path="#"):
    """Every schema object in a JSON schema tree (keywords only, never property names)."""
    if not isinstance(node, dict):
        return
    yield path, node
    for key, value in node.items():
        if key in openapi.SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from schema_objects(sub, f"{path}/{key}/{name}")
        elif key in openapi.SCHEMA_LISTS and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from schema_objects(sub, f"{path}/{key}/{i}")
        elif key in openapi.SCHEMA_VALUES:
            yield from schema_objects(value, f"{path}/{key}")


def every_schema(doc):
    for name, schema in doc["components"]["schemas"].items():
        yield from schema_objects(schema, f"components/{name}")
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                yield from schema_objects(param["schema"], f"{method} {path} ?{param['name']}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                yield from schema_objects(media["schema"], f"{method} {path} body")


def test_document_is_valid_openapi_3_1(http):
    doc = http.get("/zstack/v1/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    validate(doc)  # raises on any error
    assert http.get("/v1/openapi.json").json() == doc


def test_only_json_schema_keywords_and_vendor_extensions(http):
    doc = http.get("/zstack/v1/openapi.json").json()
    found = 0
    for where, schema in every_schema(doc):
        found += 1
        odd = [k for k in schema if k not in openapi.SCHEMA_KEYWORDS and not k.startswith("x-")]
        assert not odd, f"{where}: {odd}"
    assert found > 500


def test_the_split_marker_is_a_vendor_keyword_on_query_fields(http):
    """Query's `fields` is a comma-separated list in a query string: the registry's `split` marker shows as
    `x-split` there (whichever other parameters carry the marker)."""
    doc = http.get("/zstack/v1/openapi.json").json()
    params = {p["name"]: p for p in doc["paths"]["/zstack/v1/images"]["get"]["parameters"]}
    fields = params["fields"]["schema"]
    assert fields.get("x-split") is True or any(a.get("x-split") for a in fields.get("anyOf", []))
    assert '"split"' not in http.get("/zstack/v1/openapi.json").text


def test_vendor_keywords_are_renamed_at_any_depth_and_property_names_kept():
    Deep = Annotated[list[str], Field(json_schema_extra={"split": True})]

    class Inner(BaseModel):
        type: str = Field(json_schema_extra={"colour": "blue"})   # a property named like a keyword

    class Outer(BaseModel):
        values: Deep | None = None
        inner: Inner
        items: list[Inner] = Field(default_factory=list, json_schema_extra={"x-already": 1})

    schema = openapi.vendor_keywords(Outer.model_json_schema())
    text = str(schema)
    assert "'split'" not in text and "'colour'" not in text
    assert schema["properties"]["values"]["anyOf"][0]["x-split"] is True  # inside the anyOf of an Optional
    assert schema["$defs"]["Inner"]["properties"]["type"]["x-colour"] == "blue"
    assert schema["properties"]["items"]["x-already"] == 1
    assert set(schema["properties"]) == {"values", "inner", "items"}


def test_docs_page_uses_only_assets_it_serves(http):
    r = http.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "the page must not load anything from elsewhere"
    assets = re.findall(r"(?:src|href)=\"(/[^\"]+)\"", page)
    assert "/docs/static/swagger-ui-bundle.js" in assets and "/docs/static/swagger-ui.css" in assets
    for asset in assets:
        got = http.get(asset)
        assert got.status_code == 200, asset
        assert len(got.content) > 0
    assert 'data-openapi="/zstack/v1/openapi.json"' in page
    init = http.get("/docs/static/docs-init.js").text
    assert "validatorUrl: null" in init  # Swagger UI would otherwise call validator.swagger.io
    assert http.get("/docs/static/swagger-ui-bundle.js").headers["content-type"].startswith(
        ("application/javascript", "text/javascript"))


def test_vendored_assets_ship_with_their_licence():
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt",
                 "VENDORED.md"):
        assert (STATIC / name).is_file(), name
    assert "Apache License" in (STATIC / "LICENSE").read_text()
