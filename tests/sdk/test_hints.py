"""A misspelt Client family or method gets the same "did you mean" hint as a misspelt Action parameter
(nothing is sent: the client needs no server for this)."""

from __future__ import annotations

import pytest

import zslite
from zslite.sdk import CreateZoneAction


@pytest.mark.parametrize("client_class", [zslite.Client, zslite.AsyncClient])
@pytest.mark.parametrize("reach, hint", [
    (lambda zs: zs.vm_instances.change_imag, "vm_instances has no method 'change_imag'; did you mean change_image?"),
    (lambda zs: zs.vm_instances.changeImage, "did you mean change_image?"),
    (lambda zs: zs.images.qurey, "images has no method 'qurey'; did you mean query?"),
    (lambda zs: zs.vm_instance, "has no API family 'vm_instance'; did you mean vm_instances?"),
    (lambda zs: zs.VmInstances, "did you mean vm_instances?"),
])
def test_misspelt_names_get_a_hint(client_class, reach, hint):
    zs = client_class("http://127.0.0.1:9", session="0" * 32)
    with pytest.raises(AttributeError) as err:
        reach(zs)
    assert hint in str(err.value)


def test_no_hint_when_nothing_is_close_but_the_choices_are_listed():
    zs = zslite.Client("http://127.0.0.1:9", session="0" * 32)
    with pytest.raises(AttributeError) as err:
        zs.zones.xyzzy
    assert "did you mean" not in str(err.value) and "methods: " in str(err.value) and "create" in str(err.value)
    assert not hasattr(zs.zones, "xyzzy") and hasattr(zs.zones, "create") and hasattr(zs.zones, "get")


def test_the_action_hint_reads_the_same():
    with pytest.raises(AttributeError, match="did you mean name"):
        CreateZoneAction().nmae = "x"
