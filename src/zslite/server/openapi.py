"""OpenAPI 3.1 document generated from the registry.

OpenAPI 3.1's schema dialect is JSON Schema 2020-12, which is what pydantic v2 emits, so the parameter
models' schemas go in as they are (`{"type": "null"}` in an `anyOf` included). A keyword that is not JSON
Schema's — the registry's own markers, from `json_schema_extra` (e.g. `split`: a query-string value
that is a comma-separated list) — becomes a vendor extension `x-<keyword>`, wherever it appears.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic.json_schema import models_json_schema

from zslite import __version__
from zslite.apispec import all_apis

OPENAPI_VERSION = "3.1.0"
# JSON Schema 2020-12 (core, applicator, validation, meta-data, format, content, unevaluated) and the
# OpenAPI 3.1 base vocabulary: every other keyword in a schema object is a vendor extension
SCHEMA_KEYWORDS = frozenset("""
$schema $id $ref $anchor $dynamicRef $dynamicAnchor $vocabulary $comment $defs
allOf anyOf oneOf not if then else dependentSchemas prefixItems items contains properties patternProperties
additionalProperties propertyNames unevaluatedItems unevaluatedProperties
type enum const multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength minLength pattern
maxItems minItems uniqueItems maxContains minContains maxProperties minProperties required dependentRequired
title description default deprecated readOnly writeOnly examples format
contentEncoding contentMediaType contentSchema
discriminator xml externalDocs example
""".split())
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_VALUES = ("items", "contains", "not", "if", "then", "else", "additionalProperties", "propertyNames",
                 "unevaluatedItems", "unevaluatedProperties", "contentSchema")


def vendor_keywords(schema):
    """A copy of a JSON schema whose non-standard keywords are renamed `x-<keyword>`."""
    if not isinstance(schema, dict):
        return schema
    out: dict = {}
    for key, value in schema.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: vendor_keywords(sub) for name, sub in value.items()}
        elif key in SCHEMA_LISTS and isinstance(value, list):
            out[key] = [vendor_keywords(sub) for sub in value]
        elif key in SCHEMA_VALUES:
            out[key] = vendor_keywords(value)
        elif key in SCHEMA_KEYWORDS or key.startswith("x-"):
            out[key] = value
        else:
            out[f"x-{key}"] = value
    return out

ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "description": {"type": "string"}, "details": {"type": "string"}}}}}
LOCATION = {"type": "object", "required": ["location"], "properties": {"location": {"type": "string"}}}


def _query_parameters(schema: dict, path_params: tuple[str, ...]) -> list[dict]:
    out = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name in path_params:
            continue
        is_list = prop.get("type") == "array" or any(a.get("type") == "array" for a in prop.get("anyOf", []))
        out.append({"name": name, "in": "query", "required": name in required, "schema": prop,
                    **({"style": "form", "explode": True} if is_list else {})})
    return out


@lru_cache(maxsize=1)
def document() -> dict:
    apis = all_apis()
    models = {spec.params for spec in apis}
    _, defs = models_json_schema([(m, "validation") for m in models], ref_template="#/components/schemas/{model}")
    schemas = {name: vendor_keywords(schema) for name, schema in defs.get("$defs", {}).items()}
    paths: dict[str, dict] = {}
    for spec in apis:
        model_schema = schemas[spec.params.__name__]
        for path in spec.paths:
            names = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
            op_key = spec.method.lower()
            entry = paths.setdefault("/zstack/v1" + path, {})
            params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]
            operation: dict = {
                "operationId": spec.name if path == spec.path else f"{spec.name}ByUuid",
                "summary": spec.summary or spec.name,
                "tags": list(spec.tags) or [spec.path.strip("/").split("/")[0]],
                "responses": {
                    "200": {"description": "success", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "400": {"description": "malformed request", "content": {"text/plain": {"schema": {"type": "string"}}}},
                    "503": {"description": "the API failed", "content": {"application/json": {"schema": ERROR}}},
                },
            }
            if spec.is_async:
                operation["responses"]["202"] = {"description": "accepted: poll the location",
                                                 "content": {"application/json": {"schema": LOCATION}}}
            if spec.auth != "none":
                operation["security"] = [{"session": []}, {"accessKey": []}]
            if spec.body_key:
                inner = {k: v for k, v in model_schema.items() if k != "title"}
                inner["properties"] = {k: v for k, v in inner.get("properties", {}).items() if k not in names}
                inner["required"] = [r for r in inner.get("required", []) if r not in names]
                if not inner["required"]:
                    del inner["required"]
                body = {"type": "object", "required": [spec.body_key], "properties": {spec.body_key: inner}}
                if op_key in entry:  # several actions share PUT …/actions: one of their bodies
                    prev = entry[op_key]["requestBody"]["content"]["application/json"]["schema"]
                    alts = prev.get("oneOf", [prev]) + [body]
                    entry[op_key]["requestBody"]["content"]["application/json"]["schema"] = {"oneOf": alts}
                    entry[op_key]["operationId"] += "Or" + spec.name
                    if spec.is_async:
                        entry[op_key]["responses"]["202"] = operation["responses"]["202"]
                    continue
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
            else:
                params += _query_parameters(model_schema, tuple(names))
            operation["parameters"] = params
            entry[op_key] = operation
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "zslite — ZStack REST API v1", "version": __version__,
                 "description": "Every API of zslite's registry, generated from it. Asynchronous APIs answer 202 "
                                "with a job location to poll (GET, no session needed). `x-split`: in a query "
                                "string, the value may also be a comma-separated list."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "session": {"type": "apiKey", "in": "header", "name": "Authorization",
                        "description": "OAuth <sessionUuid>"},
            "accessKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                          "description": "ZStack <accessKeyId>:<signature>, with a Date header"}}},
    }
