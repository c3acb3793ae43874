"""Every integer parameter of every API has a lower and an upper bound that its database column (or
SQL clause) can hold, so an out-of-range value is a SYS.1007 naming it, never a database error."""

from __future__ import annotations

from tests.api.registry_values import int_fields
from zslite.apispec import all_apis

INT64 = (-(2**63), 2**63 - 1)


def test_every_integer_parameter_is_bounded():
    unbounded, too_wide, seen = [], [], 0
    for spec in all_apis():
        for name, (low, high) in int_fields(spec).items():
            seen += 1
            if low is None or high is None:
                unbounded.append(f"{spec.name}.{name} (lowest {low}, highest {high})")
            elif low < INT64[0] or high > INT64[1]:
                too_wide.append(f"{spec.name}.{name} ({low}..{high})")
    assert seen >= 10  # the registry has integer parameters, and they are found
    assert not unbounded, f"integer parameters without both bounds (pydantic Field(ge=, le=)): {unbounded}"
    assert not too_wide, f"integer parameters wider than a signed 64-bit column: {too_wide}"
