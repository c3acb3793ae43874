"""List parameters in a query string (GET, and DELETE without a body) come as repeated keys, each value
kept whole, commas included (SPEC §2: `bootOrder::CdRom,HardDisk` is one tag), for every such API and
list parameter of the registry; Query's `fields=a,b` is the one documented comma list. Our SDK sends
lists that way (the CLI's side: tests/cli/test_cli.py::test_cli_lists_split_as_zstack_cli_does)."""

from __future__ import annotations

import re

import pytest

import zslite
from tests.api.registry_values import is_list
from zslite.apispec import all_apis
from zslite.apispec.spec import ApiSpec

COMMA_LISTS = {"fields"}  # SPEC §2: fields=a,b
WITH_COMMAS = ["bootOrder::CdRom,HardDisk", "a,b,c", ","]


def list_params(spec: ApiSpec) -> list[str]:
    return [n for n, info in spec.params.model_fields.items()
            if is_list(info.annotation) and n not in spec.path_params]


QUERY_STRING_APIS = [s.name for s in all_apis() if not s.body_key and list_params(s)]


def test_the_registry_has_query_string_list_parameters():
    assert {"QueryZone", "GetImageCandidatesForVmToChange", "DeleteZone"} <= set(QUERY_STRING_APIS)


@pytest.mark.parametrize("name", QUERY_STRING_APIS)
def test_each_value_arrives_whole(api, arrived, name):
    spec = next(s for s in all_apis() if s.name == name)
    path = "/zstack/v1" + re.sub(r"{\w+}", "0" * 32, spec.path)
    for param in list_params(spec):
        arrived.clear()
        r = api.request(spec.method, path, params=[(param, v) for v in WITH_COMMAS] + [(param, "plain")])
        assert r.status_code != 500, r.text
        [data] = arrived
        expected = WITH_COMMAS + ["plain"]
        if param in COMMA_LISTS:
            expected = [part for v in expected for part in v.split(",") if part]
        assert data["api"] == name and data[param] == expected, (param, data.get(param))


def test_a_tag_with_commas_is_one_tag_not_257(api, arrived):
    """One value holding 256 commas is one element, not a list over the 256-element limit."""
    tag = "t" + ",t" * 255  # 511 characters, 256 elements if it were split
    r = api.request("GET", "/zstack/v1/zones", params={"systemTags": tag})
    assert r.status_code == 200 and arrived[-1]["systemTags"] == [tag]
    r = api.request("GET", "/zstack/v1/zones", params=[("systemTags", "t")] * 257)
    assert r.status_code == 503 and "field[systemTags]" in r.json()["error"]["details"]


def test_sdk_sends_list_values_whole(http, arrived):
    with zslite.Client("http://testserver", account="admin", password="password", http_client=http) as zs:
        zs.call("QueryZone", systemTags=["bootOrder::CdRom,HardDisk", "x"], fields=["uuid", "name"])
        zs.zones.query(fields=["name", "uuid"])
    first, second = [d for d in arrived if d["api"] == "QueryZone"]
    assert first["systemTags"] == ["bootOrder::CdRom,HardDisk", "x"]
    assert first["fields"] == ["uuid", "name"] and second["fields"] == ["name", "uuid"]
