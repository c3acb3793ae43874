"""wire/schema.py: the "schema" map — JSON path → ZStack class, parents before children."""

from __future__ import annotations

from zslite.wire.envelopes import Secret, redact
from zslite.wire.schema import CLASSES, Inv, schema_of


def image(n_refs: int) -> Inv:
    return Inv("Image", {"uuid": "i", "backupStorageRefs": [Inv("ImageBackupStorageRef", {"id": k})
                                                            for k in range(n_refs)]})


def test_one_entry_per_list_element_and_nested_object_parents_first():
    body = {"inventories": [image(2), image(0), image(1)]}
    schema = schema_of(body)
    assert list(schema.items()) == [
        ("inventories[0]", "org.zstack.header.image.ImageInventory"),
        ("inventories[0].backupStorageRefs[0]", "org.zstack.header.image.ImageBackupStorageRefInventory"),
        ("inventories[0].backupStorageRefs[1]", "org.zstack.header.image.ImageBackupStorageRefInventory"),
        ("inventories[1]", "org.zstack.header.image.ImageInventory"),
        ("inventories[2]", "org.zstack.header.image.ImageInventory"),
        ("inventories[2].backupStorageRefs[0]", "org.zstack.header.image.ImageBackupStorageRefInventory"),
    ]
    keys = list(schema)
    for i, key in enumerate(keys):  # every parent path comes before its children
        parent = key.rsplit(".", 1)[0] if "." in key else None
        if parent:
            assert parent in keys[:i]


def test_single_inventory_and_specific_classes():
    assert schema_of({"inventory": Inv("KVMHost", {"uuid": "h"})}) == {"inventory": "org.zstack.kvm.KVMHostInventory"}
    vm = Inv("VmInstance", {"allVolumes": [Inv("Volume", {}), Inv("Volume", {})], "vmNics": []})
    assert schema_of({"inventory": vm}) == {
        "inventory": "org.zstack.header.vm.VmInstanceInventory",
        "inventory.allVolumes[0]": "org.zstack.header.volume.VolumeInventory",
        "inventory.allVolumes[1]": "org.zstack.header.volume.VolumeInventory",
    }


def test_plain_objects_and_empty_bodies_have_no_entries():
    assert schema_of({}) == {}
    assert schema_of({"total": 3}) == {}
    assert schema_of({"inventories": []}) == {}
    assert schema_of({"valid": True, "x": {"y": [1, 2]}}) == {}


def test_every_class_name_is_a_java_class():
    for name in CLASSES.values():
        assert name.startswith("org.zstack.") and name.endswith("Inventory")


def test_redact_drops_secrets_and_keeps_classes():
    body = {"inventory": Inv("AccessKey", {"AccessKeyID": "id", "AccessKeySecret": Secret("s3")})}
    out = redact(body)
    assert out == {"inventory": {"AccessKeyID": "id"}}
    assert isinstance(out["inventory"], Inv) and out["inventory"].zclass == "AccessKey"
    assert body["inventory"]["AccessKeySecret"] == "s3"  # the original is untouched
