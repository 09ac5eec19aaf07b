from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given
from hypothesis import strategies as st

from tests.json_strategies import json_values
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


# Property-based: what a file or a server hands the JOSE code is any JSON; the round trips hold
# for any bytes and any payload. Keys are made once: generating one per example is slow.
_EC_KEY = keys.generate_key("ec256")
_RSA_KEY = keys.generate_key("rsa2048")
_B64URL_TEXT = st.text(alphabet="ABCxyz019-_=+/ .", max_size=12)


@given(st.binary(max_size=200))
def test_b64url_round_trips_any_bytes(data: bytes) -> None:
    encoded = jose.b64url(data)
    assert jose.b64url_decode(encoded) == data
    assert jose.b64url_decode(encoded + "=" * (-len(encoded) % 4)) == data


@given(_B64URL_TEXT | st.text(max_size=12) | json_values)
def test_b64url_decode_is_bytes_or_input_error(text: object) -> None:
    try:
        data = jose.b64url_decode(text)
    except InputError:
        return
    assert isinstance(text, str)
    assert jose.b64url(data) == jose.b64url(
        base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    )


@pytest.mark.parametrize("text", ["a+b/", "QQ=x", "Q", "QQ=", "QUJD===", "QU JD", "QUJD\n"])
def test_b64url_decode_refuses_what_is_not_base64url(text: str) -> None:
    """The standard alphabet, stray characters and wrong padding were once dropped silently."""
    with pytest.raises(InputError):
        jose.b64url_decode(text)


@given(json_values.filter(lambda v: v is not None))
def test_sign_verify_and_decode_round_trip_any_payload(payload: object) -> None:
    for key in (_EC_KEY, _RSA_KEY):
        jws = jose.sign(key, payload, url="https://ca/x", nonce="n")
        assert jose.verify(jws) and jose.decode_part(jws["payload"]) == payload


@given(st.one_of(json_values, st.fixed_dictionaries({"kty": st.sampled_from(["EC", "RSA"])})))
def test_any_json_as_a_jwk_is_a_key_or_input_error(jwk: object) -> None:
    for parse in (jose.thumbprint, jose.public_key_from_jwk):
        with contextlib.suppress(InputError):
            parse(jwk)


@given(json_values, json_values)
def test_any_json_as_a_jws_verifies_or_is_input_error(protected: object, jwk: object) -> None:
    """A header carrying any JSON as its jwk, and JWS objects of any shape."""
    header = jose.b64url(json.dumps({"alg": "ES256", "jwk": jwk}).encode())
    for jws in ({"protected": header, "payload": "", "signature": "AA"}, protected):
        with contextlib.suppress(InputError):
            assert isinstance(jose.verify(jws), bool)


def test_jwk_with_non_string_members() -> None:
    """The review's case: numbers where base64url strings belong."""
    good = jose.public_jwk(_EC_KEY)
    for member in ("x", "y", "crv", "kty"):
        for value in (5, None, ["P-256"], {"a": 1}):
            with pytest.raises(InputError, match=r"malformed JWK|unsupported"):
                jose.public_key_from_jwk({**good, member: value})
            with pytest.raises(InputError):
                jose.thumbprint({**good, member: value})


@given(st.text(max_size=40))
def test_eab_mac_key_error_never_quotes_the_key(mac_key: str) -> None:
    try:
        jose.eab_mac_key(mac_key)
    except InputError as exc:
        assert len(mac_key.strip()) < 4 or mac_key.strip() not in str(exc)
