"""Parameter models. Field names are ZStack's camelCase names, so one name runs through every layer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from zslite.ids import UUID_RE

# common field types
Uuid = Annotated[str, StringConstraints(pattern=UUID_RE.pattern)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Description = Annotated[str, StringConstraints(max_length=2048)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=512)]
# In a query string a list comes as repeated keys, each value whole (a tag may hold commas:
# bootOrder::CdRom,HardDisk), as in ZStack. The one exception is Query's fields=a,b (SPEC §2).
SPLIT = {"split": True}

# Every integer parameter has both bounds, chosen to fit the column or SQL clause it reaches
# (tests/api/test_registry_bounds.py): sizes up to the signed 64-bit columns (BIGINT), counts, pages,
# speeds and sort keys to the signed 32-bit ones (INTEGER, and LIMIT/OFFSET on every database).
MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1
PageLimit = Annotated[int, Field(ge=0, le=100_000)]  # rows in one answer
PageStart = Annotated[int, Field(ge=0, le=MAX_INT32)]  # rows skipped (OFFSET)


class Params(BaseModel):
    """Every API accepts systemTags and userTags. Unknown fields are ignored, as ZStack does."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    systemTags: list[Tag] | None = Field(default=None, max_length=256)
    userTags: list[Tag] | None = Field(default=None, max_length=256)


class CreateParams(Params):
    """Creation APIs may name the new resource's uuid (ZStack's resourceUuid)."""

    resourceUuid: Uuid | None = None


class UuidParams(Params):
    uuid: Uuid


class DeleteParams(UuidParams):
    deleteMode: Literal["Permissive", "Enforcing"] = "Permissive"


class QueryParams(Params):
    q: list[Annotated[str, StringConstraints(max_length=4096)]] = Field(default_factory=list, max_length=64)
    limit: PageLimit = 1000
    start: PageStart = 0
    count: bool = False
    replyWithCount: bool = False
    sort: str | None = Field(default=None, max_length=255)
    sortBy: str | None = Field(default=None, max_length=255)
    sortDirection: Literal["asc", "desc"] = "asc"
    fields: list[Annotated[str, StringConstraints(max_length=255)]] | None = Field(
        default=None, max_length=128, json_schema_extra=SPLIT)
    groupBy: str | None = Field(default=None, max_length=255)
    filterName: str | None = Field(default=None, max_length=255)
    uuid: str | None = Field(default=None, max_length=255)  # from GET /<resources>/{uuid}
