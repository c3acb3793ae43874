"""Password hashing (scrypt, salted), access-key secrets (derived, never stored), and sealing of data at
rest that holds secrets (a queued job's parameters), all from the master key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

_ALNUM = string.ascii_letters + string.digits


def hash_password(password: str, n: int = 2**14) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, dklen=32)
    return f"scrypt${n}$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expect = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expect))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expect)


def new_key_id() -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(20))


def new_salt() -> str:
    return secrets.token_hex(16)


def derive_secret(master: bytes, key_id: str, salt: str) -> str:
    raw = hmac.new(master, f"{key_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.b64encode(raw).decode().rstrip("=").replace("+", "x").replace("/", "y")[:40]


def sign(secret: str, method: str, date: str, path: str) -> str:
    """ZStack's access-key signature: base64(HMAC-SHA1(secret, METHOD\\nDate\\n/v1<path>))."""
    mac = hmac.new(secret.encode(), f"{method}\n{date}\n{path}".encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def sha512_hex(password: str) -> str:
    return hashlib.sha512(password.encode()).hexdigest()


@lru_cache(maxsize=8)
def _fernet(master: bytes) -> Fernet:
    key = hmac.new(master, b"zslite sealed data v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(master: bytes, data: bytes) -> str:
    """Encrypt and authenticate data with a key derived from the master key (Fernet: AES-CBC + HMAC)."""
    return _fernet(master).encrypt(data).decode()


def unseal(master: bytes, token: str) -> bytes:
    """The data sealed by seal(); ValueError when it was sealed with another master key or altered."""
    try:
        return _fernet(master).decrypt(token.encode())
    except InvalidToken:
        raise ValueError("sealed data cannot be opened with this master key") from None
