"""Accounts, sessions, access keys and resource sharing (SPEC §6)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import delete, literal, select, update
from sqlalchemy.exc import IntegrityError

from zslite import security
from zslite.db.models import AccessKey, Account, AccountResourceRef, Session, SharedResource
from zslite.errors import AuthenticationFailed, InvalidArgument, InvalidSession, PermissionDenied, not_found
from zslite.policy.visibility import shared_with
from zslite.services.common import ensure_new_uuid

from zslite.context import ADMIN_ACCOUNT_UUID, Caller, Ctx
from zslite.wire import inventories as inv
from zslite.wire.envelopes import Secret

SESSION_TOUCH_SECONDS = 60  # last-use time is written at most once a minute per session


# ---- bootstrap -------------------------------------------------------------------------------

def ensure_admin(db, settings, clock) -> None:
    """Create the admin account on first start; keep its password in line with ZSLITE_ADMIN_PASSWORD."""
    wanted = security.sha512_hex(settings.admin_password)
    admin = db.get(Account, ADMIN_ACCOUNT_UUID)
    now = clock.now()
    if admin is None:
        db.add(Account(uuid=ADMIN_ACCOUNT_UUID, name="admin", type="SystemAdmin",
                       password_hash=security.hash_password(wanted, settings.password_hash_n),
                       create_date=now, last_op_date=now))
    elif not security.verify_password(wanted, admin.password_hash):
        admin.password_hash = security.hash_password(wanted, settings.password_hash_n)
        admin.last_op_date = now


# ---- sessions ---------------------------------------------------------------------------------

class CredentialCache:
    """What sessions and access keys resolve to, kept in this process at most `ttl` seconds.

    SPEC §9: a logout, an expiry, a disabled key or a deleted account takes effect on every node
    within 1 second, so the time to live is at most 1 s (ZSLITE_SESSION_CACHE_SECONDS, 0 turns the
    cache off). A logout through this node forgets its session at once. A hit is used only while the
    session's last-use time is not due for a touch (then it cannot have expired either), so idle
    expiry behaves exactly as without the cache. The cache saves the session lookup on all but one
    request per session per second."""

    MAX_ENTRIES = 10_000

    def __init__(self, ttl: float, monotonic=time.monotonic):
        self.ttl = ttl
        self._monotonic = monotonic
        self._entries: dict = {}
        self._lock = threading.Lock()

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._monotonic():
            self.forget(key)
            return None
        return entry[1]

    def put(self, key, value) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                now = self._monotonic()
                self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
                if len(self._entries) >= self.MAX_ENTRIES:
                    self._entries.clear()
            self._entries[key] = (self._monotonic() + self.ttl, value)

    def forget(self, key) -> None:
        with self._lock:
            self._entries.pop(key, None)


def _expired_date(ctx_settings, s: Session) -> datetime:
    return s.last_used + timedelta(seconds=ctx_settings.session_timeout)


def log_in_by_account(ctx: Ctx, p) -> dict:
    account = ctx.db.scalar(select(Account).where(Account.name == p.accountName))
    if account is None or not security.verify_password(p.password, account.password_hash):
        raise AuthenticationFailed("wrong account name or password")
    now = ctx.now()
    s = Session(uuid=ctx.new_uuid(), account_uuid=account.uuid, user_uuid=account.uuid, create_date=now,
                last_used=now)
    ctx.db.add(s)
    return inv.session(s, _expired_date(ctx.settings, s))


def log_out(ctx: Ctx, p) -> dict:
    ctx.db.execute(delete(Session).where(Session.uuid == p.sessionUuid))
    if ctx.credentials is not None:
        ctx.credentials.forget(("session", p.sessionUuid))
    return {}


def validate_session(ctx: Ctx, p) -> dict:
    s = ctx.db.get(Session, p.sessionUuid)
    valid = s is not None and ctx.now() <= _expired_date(ctx.settings, s)
    return {"valid": valid}


def caller_from_session(database, settings, clock, session_uuid: str, cache: CredentialCache | None = None) -> Caller:
    """Resolve an OAuth session; touch its last-use time; expired or unknown → ID.1001."""
    now = clock.now()
    key = ("session", session_uuid)
    touch_after = min(SESSION_TOUCH_SECONDS, settings.session_timeout / 10)
    hit = cache.get(key) if cache is not None else None
    if hit is not None:
        caller, last_used = hit
        if (now - last_used).total_seconds() < touch_after:
            return caller
        # the last-use time is due for a touch (or the session may have expired): ask the database
    with database.read() as db:
        row = db.execute(select(Session, Account).join(Account, Account.uuid == Session.account_uuid)
                         .where(Session.uuid == session_uuid)).first()
    if row is None:
        raise InvalidSession(f"session[uuid:{session_uuid}] is not found or has been logged out")
    s, account = row
    if now > _expired_date(settings, s):
        with database.write() as db:
            db.execute(delete(Session).where(Session.uuid == session_uuid))
        raise InvalidSession(f"session[uuid:{session_uuid}] expired")
    # idle expiry restarts at each use; the write is skipped when the last one is recent
    last_used = s.last_used
    if (now - last_used).total_seconds() >= touch_after:
        with database.write() as db:
            db.execute(update(Session).where(Session.uuid == session_uuid).values(last_used=now))
        last_used = now
    caller = Caller(account.uuid, account.name, account.type == "SystemAdmin", session_uuid, s.user_uuid)
    if cache is not None:
        cache.put(key, (caller, last_used))
    return caller


def caller_from_access_key(database, settings, key_id: str,
                           cache: CredentialCache | None = None) -> tuple[Caller, str]:
    """Return the caller and the key's secret; unknown or disabled key → ID.1000."""
    key = ("access-key", key_id)
    hit = cache.get(key) if cache is not None else None
    if hit is not None:
        return hit
    with database.read() as db:
        row = db.execute(select(AccessKey, Account).join(Account, Account.uuid == AccessKey.account_uuid)
                         .where(AccessKey.key_id == key_id)).first()
    if row is None or row[0].state != "Enabled":
        raise AuthenticationFailed(f"access key[{key_id}] is not found or disabled")
    row_key, account = row
    secret = security.derive_secret(settings.master_key(), row_key.key_id, row_key.salt)
    found = Caller(account.uuid, account.name, account.type == "SystemAdmin", None, row_key.user_uuid), secret
    if cache is not None:
        cache.put(key, found)
    return found


# ---- accounts ---------------------------------------------------------------------------------

def create_account(ctx: Ctx, p) -> dict:
    now = ctx.now()
    uuid = p.resourceUuid or ctx.new_uuid()
    if ctx.db.scalar(select(Account.uuid).where(Account.name == p.name)) is not None:
        raise InvalidArgument(f"an account named [{p.name}] already exists")
    account = Account(uuid=uuid, name=p.name, type=p.type, description=p.description,
                      password_hash=security.hash_password(p.password, ctx.settings.password_hash_n),
                      create_date=now, last_op_date=now)
    ctx.db.add(account)
    try:
        ctx.db.flush()
    except IntegrityError:
        raise InvalidArgument(f"an account named [{p.name}] or with uuid [{uuid}] already exists") from None
    return inv.account(account)


def load_accounts(db, rows) -> list:
    return [inv.account(a) for a in rows]


def account_visibility(caller: Caller, model):
    return None if caller.is_admin else model.uuid == caller.account_uuid


# ---- access keys ------------------------------------------------------------------------------

def create_access_key(ctx: Ctx, p) -> dict:
    account_uuid = p.accountUuid or ctx.caller.account_uuid
    # another account does not exist for a normal account: the same answer as an unknown uuid
    if (account_uuid != ctx.caller.account_uuid and not ctx.caller.is_admin) \
            or ctx.db.get(Account, account_uuid) is None:
        raise not_found("accountUuid", account_uuid)
    if p.userUuid is not None and p.userUuid != account_uuid:
        raise not_found("userUuid", p.userUuid)  # no IAM users here: an account's only user is itself
    if p.resourceUuid:
        ensure_new_uuid(ctx, AccessKey, p.resourceUuid)
    now = ctx.now()
    key = AccessKey(uuid=p.resourceUuid or ctx.new_uuid(), account_uuid=account_uuid,
                    user_uuid=account_uuid, key_id=security.new_key_id(), salt=security.new_salt(),
                    description=p.description, state="Enabled", create_date=now, last_op_date=now)
    ctx.db.add(key)
    ctx.db.flush()
    return inv.access_key(key, Secret(security.derive_secret(ctx.settings.master_key(), key.key_id, key.salt)))


def reveal_access_key_secret(db, settings, body: dict) -> dict:
    """The stored result of CreateAccessKey lacks the secret (never stored); derive it again for the reader."""
    found = body.get("inventory") or {}
    key = db.scalar(select(AccessKey).where(AccessKey.key_id == found.get("AccessKeyID")))
    if key is not None:
        found["AccessKeySecret"] = security.derive_secret(settings.master_key(), key.key_id, key.salt)
    return body


# ---- sharing ----------------------------------------------------------------------------------

def _shareable(ctx: Ctx, uuid: str) -> AccountResourceRef:
    """A resource the caller owns (or any, for admin). One the caller may not see answers exactly as an
    unknown uuid (SPEC §6); one it sees (shared with it, or public) but does not own is ID.1002."""
    ref = ctx.db.get(AccountResourceRef, uuid)
    if ref is None:
        raise not_found("resourceUuids", uuid)
    if ctx.caller.is_admin or ref.account_uuid == ctx.caller.account_uuid:
        return ref
    if not ctx.db.scalar(select(shared_with(ctx.caller, literal(uuid)))):
        raise not_found("resourceUuids", uuid)
    raise PermissionDenied(f"only the owner or admin may share resource[uuid:{uuid}]")


def _receivers(ctx: Ctx, account_uuids) -> list[str]:
    """The accounts named that exist. Admin sees every account, so an unknown one is not found; a normal
    account sees no other account, so it cannot be told whether one exists (SPEC §6): the ones that do
    not are left out, and the answer is the same."""
    wanted = list(dict.fromkeys(account_uuids or ()))
    found = set(ctx.db.scalars(select(Account.uuid).where(Account.uuid.in_(wanted)))) if wanted else set()
    if ctx.caller.is_admin:
        for a in wanted:
            if a not in found:
                raise not_found("accountUuids", a)
    return [a for a in wanted if a in found]


def share_resource(ctx: Ctx, p) -> dict:
    if not p.toPublic and not p.accountUuids:
        raise InvalidArgument("either toPublic or accountUuids must be given")
    refs = [_shareable(ctx, u) for u in dict.fromkeys(p.resourceUuids)]
    receivers = _receivers(ctx, p.accountUuids)
    now = ctx.now()
    for ref in refs:
        targets = [(r, False) for r in receivers] + ([("", True)] if p.toPublic else [])
        for receiver, public in targets:
            exists = ctx.db.scalar(select(SharedResource.id).where(
                SharedResource.resource_uuid == ref.resource_uuid,
                SharedResource.receiver_account_uuid == receiver, SharedResource.to_public == public))
            if exists is None:
                ctx.db.add(SharedResource(resource_uuid=ref.resource_uuid, resource_type=ref.resource_type,
                                          owner_account_uuid=ref.account_uuid, receiver_account_uuid=receiver,
                                          to_public=public, create_date=now))
    return {}


def revoke_resource_sharing(ctx: Ctx, p) -> dict:
    refs = [_shareable(ctx, u) for u in dict.fromkeys(p.resourceUuids)]
    receivers = _receivers(ctx, p.accountUuids)
    for ref in refs:
        base = delete(SharedResource).where(SharedResource.resource_uuid == ref.resource_uuid)
        if p.all:
            ctx.db.execute(base)
            continue
        if receivers:
            ctx.db.execute(base.where(SharedResource.receiver_account_uuid.in_(receivers)))
        if p.toPublic:
            ctx.db.execute(base.where(SharedResource.to_public.is_(True)))
    return {}


