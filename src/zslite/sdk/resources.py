"""Per-family namespaces of zslite.Client, generated from the registry.

Naming rule (one place, `names()`):
- the family is the first segment of the API's canonical path, snake_cased
  (`/vm-instances/{uuid}/actions` → `vm_instances`, `/primary-storage/ceph` → `primary_storage`);
- the method is the API name without the family's noun and without a dangling preposition,
  snake_cased: ChangeVmImage → `vm_instances.change_image`, StartVmInstance → `start`,
  AddCephPrimaryStorage → `primary_storage.add_ceph`, AttachBackupStorageToZone →
  `zones.attach_backup_storage`, QueryImage → `images.query`, LogInByAccount → `accounts.log_in`;
- `EXCEPTIONS` holds the few names the rule gets wrong.

Calling convention of every method: path parameters first, then the other required parameters, in
the order the API declares them, positionally or by name; optional ones by name (snake_case or the
API's camelCase). Asynchronous APIs wait for their job unless `wait=False` (then a `Job` comes back).
Query methods take conditions positionally (`"name~=Ubuntu%"`), plus `limit`, `start`, `sort`, …;
unknown keyword arguments become `=` conditions (`images.query(state="Enabled")`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zslite.apispec import all_apis
from zslite.apispec.spec import ApiSpec
from zslite.sdk.errors import ParameterError

EXCEPTIONS: dict[str, tuple[str, str]] = {
    "GetImageCandidatesForVmToChange": ("vm_instances", "image_candidates"),
    "CreateAccessKey": ("access_keys", "create"),
}
FAMILY_EXCEPTIONS: dict[str, str] = {"accesskeys": "access_keys"}
PREPOSITIONS = {"To", "From", "For", "By", "Of", "With"}
QUERY_OPTIONS = ("limit", "start", "count", "replyWithCount", "sort", "sortBy", "sortDirection", "fields",
                 "groupBy", "filterName", "uuid", "systemTags", "userTags")


def snake(name: str) -> str:
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.replace("-", "_").lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _tokens(name: str) -> list[str]:
    return re.findall(r"[A-Z]+(?=[A-Z][a-z]|$)|[A-Z]?[a-z0-9]+|[A-Z]+", name)


def _singular(word: str) -> str:
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def family_of(spec: ApiSpec) -> str:
    first = spec.path.strip("/").split("/")[0]
    return FAMILY_EXCEPTIONS.get(first, snake(first))


def names(spec: ApiSpec) -> tuple[str, str]:
    """(family, method) of an API."""
    if spec.name in EXCEPTIONS:
        return EXCEPTIONS[spec.name]
    family = family_of(spec)
    if spec.query:
        return family, "query"
    noun_parts = [_singular(p) for p in spec.path.strip("/").split("/")[0].split("-")]
    noun_parts[-1] = _singular(noun_parts[-1])
    whole = "".join(noun_parts).lower()
    tokens = _tokens(spec.name)
    # drop the family noun as a whole run of tokens (VmInstance, BackupStorage, AccessKey) …
    for i in range(len(tokens)):
        for j in range(i + 1, len(tokens) + 1):
            if "".join(tokens[i:j]).lower() == whole:
                tokens = tokens[:i] + tokens[j:]
                break
        else:
            continue
        break
    else:
        # … or, when it is not there whole, its single words (ChangeVmImage → Change Image)
        tokens = [t for t in tokens if t.lower() not in {p.lower() for p in noun_parts}] or tokens
    while len(tokens) > 1 and tokens[-1] in PREPOSITIONS:
        tokens = tokens[:-1]
    return family, snake("".join(tokens)) if tokens else snake(spec.name)


def method_table() -> dict[str, dict[str, ApiSpec]]:
    """family → method name → spec; a clash keeps the first and names the later by its full API name."""
    table: dict[str, dict[str, ApiSpec]] = {}
    for spec in all_apis():
        family, method = names(spec)
        methods = table.setdefault(family, {})
        if method in methods:
            method = snake(spec.name)
        methods[method] = spec
    return table


def did_you_mean(name: str, choices) -> str:
    """"; did you mean x?" for the closest choice (the hint Action parameters and the CLI give), or ""."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1)
    if not close:
        lowered = {c.lower().replace("_", ""): c for c in choices}
        key = name.lower().replace("_", "")
        close = [lowered[key]] if key in lowered else []
    return f"; did you mean {close[0]}?" if close else ""


@dataclass(frozen=True)
class Signature:
    positional: tuple[str, ...]
    fields: dict[str, Any]

    @classmethod
    def of(cls, spec: ApiSpec) -> Signature:
        fields = spec.params.model_fields
        if spec.query:
            return cls((), fields)
        path = re.findall(r"{(\w+)}", spec.path)
        required = [n for n, f in fields.items() if f.is_required() and n not in path]
        return cls(tuple(path + required), fields)


def bind(spec: ApiSpec, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Positional and keyword arguments of a generated method → the API's camelCase parameters."""
    sig = Signature.of(spec)
    params: dict[str, Any] = {}
    if spec.query:
        conditions = list(kwargs.pop("q", None) or [])
        conditions += [str(a) for a in args]
        for key, value in kwargs.items():
            name = key if key in sig.fields else camel(key)
            if name in QUERY_OPTIONS or (name in sig.fields and name != "q"):
                params[name] = value
            else:
                conditions.append(f"{key}={','.join(map(str, value)) if isinstance(value, list) else value}")
        if conditions:
            params["q"] = conditions
        return params
    if len(args) > len(sig.positional):
        raise ParameterError(f"invalid parameters of {spec.name}",
                             f"takes at most {len(sig.positional)} positional arguments "
                             f"({', '.join(sig.positional) or 'none'}), got {len(args)}")
    params.update(zip(sig.positional, args))
    for key, value in kwargs.items():
        name = key if key in sig.fields or key in spec.path_params else camel(key)
        if name in params:
            raise ParameterError(f"invalid parameters of {spec.name}", f"parameter[{name}] given twice")
        params[name] = value
    return params


class Resource:
    """One family of APIs on one client (sync or async: the client's `_invoke` decides)."""

    _family: str = ""
    _methods: dict[str, ApiSpec] = {}

    def __init__(self, client):
        self._client = client

    def __repr__(self) -> str:
        return f"<{self._family}: {', '.join(sorted(self._methods))}>"

    def __getattr__(self, name: str):
        # only reached for a name the family does not have: say which one was meant
        if name.startswith("_"):
            raise AttributeError(name)
        names = sorted([*self._methods, *(["get"] if any(s.query for s in self._methods.values()) else [])])
        raise AttributeError(f"{self._family} has no method {name!r}{did_you_mean(name, names)} "
                             f"(methods: {', '.join(names)})")


def _make_method(spec: ApiSpec, method: str) -> Callable:
    def call(self, *args, wait: bool = True, timeout: float | None = None, api_id: str | None = None, **kwargs):
        return self._client._invoke(spec, bind(spec, args, kwargs), wait=wait, timeout=timeout, api_id=api_id)

    sig = Signature.of(spec)
    call.__name__ = method
    call.__qualname__ = f"{family_of(spec)}.{method}"
    call.__doc__ = (f"{spec.summary or spec.name} — API {spec.name} ({spec.method} {spec.path}"
                    f"{', asynchronous' if spec.is_async else ''}).\n\n"
                    f"Positional: {', '.join(snake(p) for p in sig.positional) or '(query conditions)'}. "
                    f"Parameters: {', '.join(snake(p) for p in sig.fields)}.")
    return call


def _make_get(query_spec: ApiSpec) -> Callable:
    def get(self, uuid: str):
        """The one inventory with this uuid (ResourceNotFound when there is none you may see)."""
        return self._client._get_one(query_spec, uuid)

    return get


_classes: dict[tuple, dict[str, type[Resource]]] = {}


def resource_classes() -> dict[str, type[Resource]]:
    """family → Resource subclass with one method per API (built once per registry state)."""
    key = tuple(id(s) for s in all_apis())
    if key not in _classes:
        out: dict[str, type[Resource]] = {}
        for family, methods in method_table().items():
            attrs: dict[str, Any] = {name: _make_method(spec, name) for name, spec in methods.items()}
            query = next((s for s in methods.values() if s.query), None)
            if query is not None and "get" not in attrs:
                attrs["get"] = _make_get(query)
            attrs.update({"_family": family, "_methods": methods,
                          "__doc__": f"APIs under /{family.replace('_', '-')}: {', '.join(sorted(methods))}"})
            out[family] = type(f"{''.join(p.title() for p in family.split('_'))}Resource", (Resource,), attrs)
        _classes.clear()
        _classes[key] = out
    return _classes[key]
