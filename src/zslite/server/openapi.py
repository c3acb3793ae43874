"""OpenAPI 3 document generated from the registry."""

from __future__ import annotations

from functools import lru_cache

from pydantic.json_schema import models_json_schema

from zslite.apispec import all_apis

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
    schemas = defs.get("$defs", {})
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
        "openapi": "3.0.3",
        "info": {"title": "zslite — ZStack REST API v1", "version": "0.1.0"},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "session": {"type": "apiKey", "in": "header", "name": "Authorization",
                        "description": "OAuth <sessionUuid>"},
            "accessKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                          "description": "ZStack <accessKeyId>:<signature>, with a Date header"}}},
    }
