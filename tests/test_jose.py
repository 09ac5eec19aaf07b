from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tui.acme import jose, keys
from tui.acme.errors import InputError

# RFC 7638 §3.1: the example RSA key and its thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs"
        "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5h"
        "ajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    ),
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}


def test_rfc7638_thumbprint_vector() -> None:
    assert jose.thumbprint(RFC7638_JWK) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_b64url_has_no_padding_and_round_trips() -> None:
    for data in (b"", b"a", b"ab", b"abc", bytes(range(256))):
        encoded = jose.b64url(data)
        assert "=" not in encoded and "+" not in encoded and "/" not in encoded
        assert jose.b64url_decode(encoded) == data


def test_b64url_decode_rejects_garbage() -> None:
    with pytest.raises(InputError):
        jose.b64url_decode("a")


@pytest.mark.parametrize(
    ("key_type", "alg", "sig_len"),
    [
        ("ec256", "ES256", 64),
        ("ec384", "ES384", 96),
        ("rsa2048", "RS256", 256),
        ("rsa3072", "RS256", 384),
    ],
)
def test_sign_and_verify_each_algorithm(key_type: str, alg: str, sig_len: int) -> None:
    key = keys.generate_key(key_type)
    jws = jose.sign(key, {"hello": "world"}, url="https://ca/new", nonce="n1")
    protected = jose.decode_part(jws["protected"])
    assert protected == {
        "alg": alg,
        "jwk": jose.public_jwk(key),
        "nonce": "n1",
        "url": "https://ca/new",
    }
    assert jose.decode_part(jws["payload"]) == {"hello": "world"}
    assert len(jose.b64url_decode(jws["signature"])) == sig_len
    assert jose.verify(jws)
    assert jose.verify(jws, key.public_key())
    tampered = {**jws, "payload": jose.encode_payload({"hello": "mallory"})}
    assert not jose.verify(tampered)


def test_ec_signature_is_raw_r_s_verified_independently() -> None:
    """Check the R||S encoding with cryptography's own DER verifier, not with our verify()."""
    key = keys.generate_key("ec256")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    jws = jose.sign(key, None, url="u", nonce="n", kid="https://ca/acct/1")
    raw = jose.b64url_decode(jws["signature"])
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.public_key().verify(
        der, f"{jws['protected']}.{jws['payload']}".encode(), ec.ECDSA(hashes.SHA256())
    )


def test_rsa_signature_verified_independently() -> None:
    key = keys.generate_key("rsa2048")
    jws = jose.sign(key, {"a": 1}, url="u", nonce="n")
    key.public_key().verify(  # type: ignore[call-arg, union-attr]
        jose.b64url_decode(jws["signature"]),
        f"{jws['protected']}.{jws['payload']}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def test_kid_header_and_post_as_get_payload() -> None:
    key = keys.generate_key("ec256")
    jws = jose.sign(key, None, url="https://ca/acct/1", nonce="n", kid="https://ca/acct/1")
    protected = jose.decode_part(jws["protected"])
    assert "jwk" not in protected and protected["kid"] == "https://ca/acct/1"
    assert jws["payload"] == ""
    with pytest.raises(InputError):
        jose.verify(jws)
    assert jose.verify(jws, key)
    assert not jose.verify(jws, keys.generate_key("ec256"))


def test_verify_rejects_algorithm_mismatch() -> None:
    key = keys.generate_key("ec256")
    jws = jose.sign(key, {}, url="u", nonce="n", kid="k")
    assert not jose.verify(jws, keys.generate_key("rsa2048"))


def test_jwk_round_trip_to_public_key() -> None:
    for key_type in ("ec256", "ec384", "rsa2048"):
        key = keys.generate_key(key_type)
        jwk = jose.public_jwk(key)
        assert jose.public_jwk(jose.public_key_from_jwk(jwk)) == jwk


def test_ec_coordinates_are_fixed_width() -> None:
    for _ in range(20):
        jwk = jose.public_jwk(keys.generate_key("ec256"))
        assert len(jose.b64url_decode(jwk["x"])) == 32 and len(jose.b64url_decode(jwk["y"])) == 32


def test_eab_is_hs256_over_account_jwk() -> None:
    account_key = keys.generate_key("ec256")
    mac_key = jose.b64url(b"0123456789abcdef0123456789abcdef")
    eab = jose.sign_eab("kid-1", mac_key, account_key, "https://ca/new-acct")
    assert jose.decode_part(eab["protected"]) == {
        "alg": "HS256",
        "kid": "kid-1",
        "url": "https://ca/new-acct",
    }
    assert jose.decode_part(eab["payload"]) == jose.public_jwk(account_key)
    expected = hmac.new(
        b"0123456789abcdef0123456789abcdef",
        f"{eab['protected']}.{eab['payload']}".encode(),
        hashlib.sha256,
    ).digest()
    assert jose.b64url_decode(eab["signature"]) == expected
    assert mac_key not in json.dumps(eab)
