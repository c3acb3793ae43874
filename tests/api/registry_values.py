"""What the registry's parameters name, for the registry-driven tests: which parameters are
resource uuids and what kind of resource each names, and valid values for the others."""

from __future__ import annotations

import typing

from tests.support import ApiClient
from zslite.apispec.spec import ApiSpec
from zslite.ids import UUID_RE
from zslite.sdk.core import is_list, valid_values

GIB = 1024**3

# what a uuid-bearing field names, by field name ("uuid" goes by the API's path, below)
FIELD_KINDS = {
    "vmInstanceUuid": "vm", "imageUuid": "image", "zoneUuid": "zone", "clusterUuid": "cluster",
    "hostUuid": "host", "primaryStorageUuid": "ps", "primaryStorageUuidForRootVolume": "ps",
    "backupStorageUuid": "bs", "backupStorageUuids": "bs", "instanceOfferingUuid": "instanceOffering",
    "accountUuid": "account", "accountUuids": "account", "userUuid": "account", "resourceUuids": "shareable",
    "l3NetworkUuids": "l3Network", "defaultL3NetworkUuid": "l3Network", "sessionUuid": "session",
    "apiId": "job", "vmInstanceUuids": "vm",
}
PATH_KINDS = (("/accounts/sessions/", "session"), ("/accounts/", "account"), ("/zones/", "zone"),
              ("/clusters/", "cluster"), ("/hosts/", "host"), ("/primary-storage/", "ps"),
              ("/backup-storage/", "bs"), ("/images/", "image"), ("/vm-instances/", "vm"), ("/volumes/", "volume"),
              ("/instance-offerings/", "instanceOffering"), ("/system-tags/", "tag"), ("/user-tags/", "tag"),
              ("/tags/", "tag"), ("/simulator/resources/", "agent"), ("/task-progresses/", "job"),
              ("/management-nodes/", "managementNode"), ("/image-change-plans/", "plan"))

# values for required fields that are not uuids (others come from their type)
VALID = {"name": "oracle", "url": "http://example.com/oracle.qcow2", "managementIp": "10.99.0.1",
         "username": "root", "password": ApiClient.hash("pw"), "monUrls": ["root:pw@10.99.0.2"],
         "hostname": "bs.example", "tag": "oracle::tag", "accountName": "nobody", "cpuNum": 1,
         "memorySize": GIB}


def _names_uuid(obj) -> bool:
    if getattr(obj, "pattern", None) == UUID_RE.pattern:
        return True
    return any(_names_uuid(a) for a in typing.get_args(obj)) or any(
        _names_uuid(m) for m in getattr(obj, "__metadata__", ()))


def uuid_fields(spec: ApiSpec) -> list[str]:
    """Path parameters and every field typed Uuid, Uuid | None or list[Uuid]."""
    out = list(spec.path_params)
    for name, info in spec.params.model_fields.items():
        if name not in out and (_names_uuid(info.annotation) or any(_names_uuid(m) for m in info.metadata)):
            out.append(name)
    return out


def kind_of(spec: ApiSpec, name: str) -> str | None:
    if name == "uuid":
        path = spec.paths[-1]
        return next((kind for prefix, kind in PATH_KINDS if path.startswith(prefix)), None)
    if name == "resourceUuid":
        # the resource a tag goes on, or a creation's caller-chosen uuid (SPEC §6's one exception)
        return "taggable" if "resourceType" in spec.params.model_fields else "new"
    return FIELD_KINDS.get(name)


def value_for(spec: ApiSpec, name: str):
    info = spec.params.model_fields[name]
    if name in VALID:
        return VALID[name]
    choices = valid_values(info.annotation)
    if choices:
        return choices[0]
    if info.annotation is bool:
        return False
    if info.annotation is int:
        return next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), 1)
    return ["oracle"] if is_list(info.annotation) else "oracle"


def _bound(metadata, *names):
    for m in metadata:
        for n in names:
            value = getattr(m, n, None)
            if value is not None:
                return value + {"gt": 1, "lt": -1}.get(n, 0)
    return None


def int_fields(spec: ApiSpec) -> dict[str, tuple[int | None, int | None]]:
    """Every integer parameter (int, int | None, list[int]) with its declared (lowest, highest) value."""
    out = {}
    for name, info in spec.params.model_fields.items():
        stack, metadata = [info.annotation], list(info.metadata)
        found = False
        while stack:
            ann = stack.pop()
            if ann is int:
                found = True
            for m in getattr(ann, "__metadata__", ()):  # Annotated[int, Field(ge=…)] inside a union
                metadata += [m, *getattr(m, "metadata", ())]
            stack += [a for a in typing.get_args(ann) if not isinstance(a, (str, int, float))]
        if found and info.annotation is not bool:
            out[name] = (_bound(metadata, "ge", "gt"), _bound(metadata, "le", "lt"))
    return out
