"""security.py: salted slow password hashes; access-key secrets; ZStack's request signature."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from zslite import security


def test_hash_and_verify():
    pw = security.sha512_hex("password")
    stored = security.hash_password(pw, n=2**10)
    assert stored.startswith("scrypt$1024$8$1$")
    assert pw not in stored and "password" not in stored
    assert security.verify_password(pw, stored)
    assert not security.verify_password(security.sha512_hex("Password"), stored)
    assert not security.verify_password("", stored)


def test_hashes_are_salted():
    assert security.hash_password("x", n=2**10) != security.hash_password("x", n=2**10)


@pytest.mark.parametrize("stored", ["", "plain", "md5$a$b$c$d$e", "scrypt$x$8$1$AA==$AA==", "scrypt$1024$8$1$!!$!!",
                                    "scrypt$1024$8$1$AA==", "scrypt$3$8$1$AAAA$AAAA"])
def test_verify_refuses_malformed_hashes(stored):
    assert security.verify_password("x", stored) is False


def test_sha512_hex():
    assert security.sha512_hex("password") == hashlib.sha512(b"password").hexdigest()
    assert len(security.sha512_hex("")) == 128


def test_sign_matches_zstack_definition():
    secret, date = "s3cr3t", "Thu, 26 Nov 2026 18:00:00 Etc/UTC"
    expected = base64.b64encode(hmac.new(secret.encode(), f"GET\n{date}\n/v1/zones".encode(),
                                         hashlib.sha1).digest()).decode()
    assert security.sign(secret, "GET", date, "/v1/zones") == expected
    assert security.sign(secret, "PUT", date, "/v1/zones") != expected
    assert security.sign(secret, "GET", date, "/v1/zones/x") != expected
    assert security.sign("other", "GET", date, "/v1/zones") != expected


def test_derived_secrets_are_stable_and_distinct():
    a = security.derive_secret(b"master", "KEYID", "salt1")
    assert a == security.derive_secret(b"master", "KEYID", "salt1")
    assert a != security.derive_secret(b"master", "KEYID", "salt2")
    assert a != security.derive_secret(b"other", "KEYID", "salt1")
    assert len(a) == 40 and a.isalnum()
    kid = security.new_key_id()
    assert len(kid) == 20 and kid.isalnum() and kid != security.new_key_id()
