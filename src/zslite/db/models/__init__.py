"""All tables. Import from here: zslite.db.models.Image etc."""

from zslite.db.models.identity import AccessKey, Account, AccountResourceRef, Session, SharedResource
from zslite.db.models.image import Image, ImageBackupStorageRef
from zslite.db.models.infra import Cluster, Host, Zone
from zslite.db.models.job import Job, ManagementNode
from zslite.db.models.plan import ImageChangePlan, ImageChangePlanVm
from zslite.db.models.storage import BackupStorage, BackupStorageZoneRef, PrimaryStorage, PrimaryStorageClusterRef
from zslite.db.models.tag import Tag
from zslite.db.models.vm import InstanceOffering, VmInstance, Volume

__all__ = [
    "AccessKey", "Account", "AccountResourceRef", "Session", "SharedResource", "Image", "ImageBackupStorageRef",
    "Cluster", "Host", "Zone", "Job", "ManagementNode", "ImageChangePlan", "ImageChangePlanVm", "BackupStorage",
    "BackupStorageZoneRef", "PrimaryStorage", "PrimaryStorageClusterRef", "Tag", "InstanceOffering", "VmInstance",
    "Volume",
]
