"""JOSE as ACME uses it (RFC 8555 §6.2, RFC 7515, RFC 7517, RFC 7638).

Only what ACME needs: flattened JWS with RS256 / ES256 / ES384 account keys, the `jwk` or `kid`
header, and HS256 for External Account Binding (RFC 8555 §7.3.4).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from tui.acme.encoding import Jwk, Jws, b64url, b64url_decode, decode_part
from tui.acme.errors import InputError
from tui.acme.text import printable

# The encoding helpers are re-exported, so callers that sign and encode need one import.
__all__ = [
    "Jwk",
    "Jws",
    "PrivateKey",
    "PublicKey",
    "algorithm",
    "b64url",
    "b64url_decode",
    "decode_part",
    "eab_mac_key",
    "encode_payload",
    "public_jwk",
    "public_key_from_jwk",
    "sign",
    "sign_eab",
    "thumbprint",
    "verify",
]

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

# RFC 7518 §3.4: curve -> (JWK crv name, JWS alg, hash, coordinate size in bytes)
_CURVES: dict[str, tuple[str, str, hashes.HashAlgorithm, int]] = {
    "secp256r1": ("P-256", "ES256", hashes.SHA256(), 32),
    "secp384r1": ("P-384", "ES384", hashes.SHA384(), 48),
}
_CRV_TO_CURVE: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
# What verify() checks. Another public-key algorithm (ES512, EdDSA, PS256: other clients'
# traffic) is "not checked", never "does not verify": a valid ES512 signature was shown in red.
CHECKED_ALGS = ("RS256", *(info[1] for info in _CURVES.values()))


def checked(alg: object) -> bool:
    """Whether verify() can judge a JWS signed with `alg`. `none` and the MAC algorithms are
    judged (RFC 8555 §6.2 forbids them: they never verify); other public-key ones are not."""
    return alg in CHECKED_ALGS or alg == "none" or (isinstance(alg, str) and alg.startswith("HS"))


def _int_b64(value: int, length: int | None = None) -> str:
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(size, "big"))


def _b64_int(text: str) -> int:
    return int.from_bytes(b64url_decode(text), "big")


def _curve_info(curve: ec.EllipticCurve) -> tuple[str, str, hashes.HashAlgorithm, int]:
    try:
        return _CURVES[curve.name]
    except KeyError:
        raise InputError(
            f"EC curve {curve.name} is not usable for ACME accounts (use P-256 or P-384)"
        ) from None


def public_jwk(key: PrivateKey | PublicKey) -> Jwk:
    """The public JWK with exactly the RFC 7638 required members."""
    pub = (
        key.public_key() if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) else key
    )
    if isinstance(pub, rsa.RSAPublicKey):
        numbers = pub.public_numbers()
        return {"e": _int_b64(numbers.e), "kty": "RSA", "n": _int_b64(numbers.n)}
    crv, _, _, size = _curve_info(pub.curve)
    point = pub.public_numbers()
    return {"crv": crv, "kty": "EC", "x": _int_b64(point.x, size), "y": _int_b64(point.y, size)}


_THUMBPRINT_MEMBERS = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "oct": ("k", "kty"),
}


def _members(jwk: object, members: tuple[str, ...]) -> dict[str, str]:
    """The named members of a JWK that came from JSON: a JWK from a file or a server may be any
    JSON value, so anything but an object with string members is an InputError."""
    if not isinstance(jwk, dict):
        raise InputError("malformed JWK: not a JSON object")
    values = {m: jwk.get(m) for m in members}
    missing = [m for m, value in values.items() if not isinstance(value, str)]
    if missing:
        raise InputError(f"malformed JWK: member {missing[0]!r} is missing or not a string")
    return {m: str(value) for m, value in values.items()}


def _key_type(jwk: object) -> tuple[str, tuple[str, ...]]:
    kty = _members(jwk, ("kty",))["kty"]
    members = _THUMBPRINT_MEMBERS.get(kty)
    if members is None:
        raise InputError(f"unsupported JWK key type {printable(kty[:20])!r}")
    return kty, members


def thumbprint(jwk: object) -> str:
    """RFC 7638 JWK thumbprint: SHA-256 over the required members, sorted, no whitespace."""
    canonical = json.dumps(_members(jwk, _key_type(jwk)[1]), separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def public_key_from_jwk(jwk: object) -> PublicKey:
    """Rebuild a public key from a JWK (used to verify a JWS that carries its `jwk`)."""
    kty, members = _key_type(jwk)
    if kty == "oct":
        raise InputError("a symmetric (oct) JWK is not a public key")
    values = _members(jwk, members)
    try:
        if kty == "RSA":
            return rsa.RSAPublicNumbers(_b64_int(values["e"]), _b64_int(values["n"])).public_key()
        curve = _CRV_TO_CURVE.get(values["crv"])
        if curve is None:
            raise InputError(f"unsupported JWK curve {printable(values['crv'][:20])!r}")
        x, y = _b64_int(values["x"]), _b64_int(values["y"])
        return ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
    except ValueError as exc:
        raise InputError(f"malformed JWK: {exc}") from None


def algorithm(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RS256"
    return _curve_info(key.curve)[1]


def _sign_bytes(key: PrivateKey, data: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    _, _, digest, size = _curve_info(key.curve)
    # RFC 7518 §3.4: ECDSA signatures are R || S, fixed width, not DER.
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(digest)))
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def encode_payload(payload: Any) -> str:
    """RFC 8555 §6.3: POST-as-GET has the empty string as payload; anything else is JSON."""
    if payload is None:
        return ""
    return b64url(json.dumps(payload, separators=(",", ":")).encode("utf-8"))


def sign(
    key: PrivateKey,
    payload: Any,
    *,
    url: str,
    nonce: str | None,
    kid: str | None = None,
    extra_protected: dict[str, Any] | None = None,
) -> Jws:
    """A flattened JWS (RFC 8555 §6.2): `jwk` when no kid is known (newAccount, revoke by cert
    key), `kid` otherwise. `nonce=None` is for the inner JWS of a key change (§7.3.5)."""
    protected: dict[str, Any] = {"alg": algorithm(key)}
    if kid is None:
        protected["jwk"] = public_jwk(key)
    else:
        protected["kid"] = kid
    if nonce is not None:
        protected["nonce"] = nonce
    protected["url"] = url
    protected.update(extra_protected or {})
    protected_b64 = b64url(json.dumps(protected, separators=(",", ":")).encode("utf-8"))
    payload_b64 = encode_payload(payload)
    signature = _sign_bytes(key, f"{protected_b64}.{payload_b64}".encode("ascii"))
    return {"protected": protected_b64, "payload": payload_b64, "signature": b64url(signature)}


def eab_mac_key(hmac_key_b64: str) -> bytes:
    """The EAB MAC key's bytes; InputError, which never quotes the key, when it is unusable.
    Callers check it before any request, so a typo costs no round trip."""
    try:
        key = b64url_decode(hmac_key_b64.strip())
    except InputError as exc:
        raise InputError(f"the EAB MAC key is {exc}") from None
    if not key:
        raise InputError("the EAB MAC key is empty")
    return key


def sign_eab(kid: str, hmac_key_b64: str, account_key: PrivateKey, url: str) -> Jws:
    """External Account Binding (RFC 8555 §7.3.4): the account JWK signed with the CA's MAC key."""
    protected = b64url(json.dumps({"alg": "HS256", "kid": kid, "url": url}).encode("utf-8"))
    payload = b64url(json.dumps(public_jwk(account_key)).encode("utf-8"))
    mac = hmac.new(eab_mac_key(hmac_key_b64), f"{protected}.{payload}".encode(), "sha256")
    return {"protected": protected, "payload": payload, "signature": b64url(mac.digest())}


def verify(jws: object, key: PublicKey | PrivateKey | None = None) -> bool:
    """True when the signature is valid for `key`, or for the `jwk` in the header when no key is
    given. A kid-signed JWS needs the account key passed in. A JWS that is not even shaped like
    one (from a file or a server: any JSON) is an InputError."""
    if not isinstance(jws, dict) or not all(
        isinstance(jws.get(part), str) for part in ("protected", "payload", "signature")
    ):
        raise InputError("not a flattened JWS: protected, payload and signature strings expected")
    header = decode_part(jws["protected"])
    if not isinstance(header, dict):
        raise InputError("the JWS protected header is not a JSON object")
    if key is None:
        if "jwk" not in header:
            raise InputError("JWS uses a kid: pass the account's public key to verify it")
        pub: PublicKey = public_key_from_jwk(header["jwk"])
    else:
        pub = (
            key.public_key()
            if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
            else key
        )
    if header.get("alg") != algorithm(pub):
        return False
    b64url_decode(jws["payload"])  # the signing input must be base64url, so ASCII, too
    data = f"{jws['protected']}.{jws['payload']}".encode("ascii")
    signature = b64url_decode(jws["signature"])
    try:
        if isinstance(pub, rsa.RSAPublicKey):
            pub.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            _, _, digest, size = _curve_info(pub.curve)
            if len(signature) != 2 * size:
                return False
            r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
            pub.verify(encode_dss_signature(r, s), data, ec.ECDSA(digest))
    except InvalidSignature:
        return False
    return True
