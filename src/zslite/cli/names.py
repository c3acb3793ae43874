"""Names where uuids are expected: `zslite change-image demo-vm TinyLinux`, `zslite candidates demo-vm`,
`zslite api StopVmInstance uuid=demo-vm`.

A value that is not a uuid (32 lowercase hex digits), given for a parameter whose resource type is known,
is looked up by name through that type's Query API with the user's own credentials — so a tenant resolves
only what it may see. Exactly one match: its uuid is sent. None, or several: the command stops with exit
code 2 and says so (listing the uuids that match). Client side only: the server still takes uuids.

Which Query API: `<type>Uuid` / `<type>Uuids` / `<type>UuidFor…` parameters use `Query<Type>` when the
registry has it (vmInstanceUuid → QueryVmInstance, backupStorageUuids → QueryBackupStorage,
primaryStorageUuidForRootVolume → QueryPrimaryStorage); a plain `uuid` uses the Query API of the API's
own path (`PUT /vm-instances/{uuid}/actions` → QueryVmInstance). Parameters of no known type
(resourceUuid, resourceUuids, sessionUuid, …) are sent as given.
"""

from __future__ import annotations

import re
from typing import Any

from zslite.apispec import all_apis
from zslite.apispec.spec import ApiSpec
from zslite.ids import UUID_RE

SHOWN = 10  # uuids listed when a name is ambiguous
_TYPED = re.compile(r"^(?P<stem>[a-z][A-Za-z0-9]*?)Uuids?(?:For[A-Z]\w*)?$")


class NameNotResolved(Exception):
    """A name that matches no resource, or several (exit code 2)."""


def _queries() -> dict[str, ApiSpec]:
    return {s.name: s for s in all_apis() if s.query}


def query_for(spec: ApiSpec, param: str) -> ApiSpec | None:
    """The Query API that finds the resources a parameter names, or None when its type is not known."""
    queries = _queries()
    if param == "uuid":
        family = "/" + spec.path.strip("/").split("/")[0]
        return next((q for q in queries.values() if q.path == family), None)
    m = _TYPED.match(param)
    if not m:
        return None
    stem = m.group("stem")
    return queries.get("Query" + stem[0].upper() + stem[1:])


def label(query: ApiSpec) -> str:
    """QueryVmInstance → "VM instance", QueryBackupStorage → "backup storage"."""
    words = re.findall(r"[A-Z][a-z0-9]*", query.name.removeprefix("Query"))
    return " ".join(w if len(w) > 2 and w.isupper() else ("VM" if w == "Vm" else w.lower()) for w in words)


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))


def resolve(zs, query: ApiSpec, value: str) -> str:
    """The uuid of the one resource of this type named `value` that the caller may see."""
    if is_uuid(value) or not isinstance(value, str) or not value:
        return value
    body = zs.call_raw(query.name, q=[f"name={value}"], fields=["uuid", "name"], limit=SHOWN, replyWithCount=True)
    found = [i["uuid"] for i in body.get("inventories", [])]
    total = body.get("total", len(found))
    what = label(query)
    if not found:
        raise NameNotResolved(f"no {what} named [{value}] that you can see: give its uuid or an existing name")
    if total > 1:
        more = f" and {total - len(found)} more" if total > len(found) else ""
        raise NameNotResolved(f"{total} {what}s are named [{value}]: {', '.join(found)}{more}; give the uuid")
    return found[0]


def resolve_params(zs, spec: ApiSpec, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters with every resolvable name replaced by its uuid (lists element by element)."""
    out = dict(params)
    for name, value in params.items():
        if name == "q":
            continue
        query = query_for(spec, name)
        if query is None:
            continue
        if isinstance(value, list):
            out[name] = [resolve(zs, query, v) for v in value]
        else:
            out[name] = resolve(zs, query, value)
    return out


def resolve_one(zs, api_name: str, param: str, value: str) -> str:
    """One parameter of one API (the friendly commands)."""
    from zslite.apispec import api as spec_of

    query = query_for(spec_of(api_name), param)
    return resolve(zs, query, value) if query is not None else value
