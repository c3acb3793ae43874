"""THE registry: every ZStack API declared once (see spec.ApiSpec). all_apis() lists them."""

from __future__ import annotations

import importlib
from functools import lru_cache

from zslite.apispec.spec import ApiSpec

# one module per API family; each defines APIS: list[ApiSpec]
FAMILIES = ("accounts", "zones", "jobs", "infra", "storage", "images", "vms", "tags", "simulator", "candidates",
            "management_nodes", "plans")


@lru_cache(maxsize=1)
def all_apis() -> tuple[ApiSpec, ...]:
    apis: list[ApiSpec] = []
    for family in FAMILIES:
        try:
            module = importlib.import_module(f"zslite.apispec.{family}")
        except ModuleNotFoundError as exc:
            if exc.name == f"zslite.apispec.{family}":
                continue  # family not written yet
            raise
        apis.extend(module.APIS)
    names = [a.name for a in apis]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise RuntimeError(f"APIs declared twice: {sorted(dupes)}")
    return tuple(apis)


def api(name: str) -> ApiSpec:
    for spec in all_apis():
        if spec.name == name:
            return spec
    raise KeyError(name)
