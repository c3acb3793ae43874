"""The heart of the product: GetImageCandidatesForVmToChange and ChangeVmImage (SPEC §4, §5)."""

from __future__ import annotations

from zslite.apispec.params import PageLimit, PageStart, Params, Uuid
from zslite.apispec.spec import ApiSpec
from zslite.services import candidates as svc


class GetImageCandidatesParams(Params):
    vmInstanceUuid: Uuid
    explain: bool = False
    limit: PageLimit | None = None
    start: PageStart = 0
    replyWithCount: bool = False


class ChangeVmImageParams(Params):
    vmInstanceUuid: Uuid
    imageUuid: Uuid


APIS = [
    ApiSpec("GetImageCandidatesForVmToChange", "GET", ("/vm-instances/{vmInstanceUuid}/image-candidates",),
            GetImageCandidatesParams, svc.get_image_candidates, result="inventories",
            summary="List the images a VM's root volume may be switched to (explain=true: why the others not)"),
    ApiSpec("ChangeVmImage", "PUT", ("/vm-instances/{vmInstanceUuid}/actions",), ChangeVmImageParams,
            svc.change_vm_image, body_key="changeVmImage", is_async=True,
            summary="Switch a stopped VM's root volume to a new one made from an image"),
]
