"""Account and certificate keys: generate, load (PEM in every common wrapping, certbot's JWK),
save. Loading never echoes file content in an error, so no key material can leak through one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from tui.acme.errors import InputError, PassphraseRequired
from tui.acme.fileio import atomic_write
from tui.acme.identifiers import identifier_for
from tui.acme.jose import PrivateKey, b64url_decode
from tui.acme.key_types import DEFAULT_KEY_TYPE, KEY_TYPES
from tui.acme.text import printable


def generate_key(key_type: str = DEFAULT_KEY_TYPE) -> PrivateKey:
    if key_type == "ec256":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "ec384":
        return ec.generate_private_key(ec.SECP384R1())
    if key_type in ("rsa2048", "rsa3072", "rsa4096"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(key_type[3:]))
    raise InputError(f"unknown key type {key_type!r}; choose one of {', '.join(KEY_TYPES)}")


def describe_key(key: PrivateKey) -> str:
    """The key type in the names the CLI accepts (ec256, rsa2048, ...)."""
    if isinstance(key, rsa.RSAPrivateKey):
        return f"rsa{key.key_size}"
    return {"secp256r1": "ec256", "secp384r1": "ec384"}.get(key.curve.name, key.curve.name)


def _check_supported(key: PrivateKeyTypes, source: str) -> PrivateKey:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise InputError(
                f"{source}: RSA key of {key.key_size} bits is too small (2048 minimum)"
            )
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if key.curve.name not in ("secp256r1", "secp384r1"):
            raise InputError(
                f"{source}: EC curve {key.curve.name} is not accepted by CAs (use P-256 or P-384)"
            )
        return key
    kind = type(key).__name__.removeprefix("_").replace("PrivateKey", "")
    raise InputError(
        f"{source}: {kind} keys are not accepted by ACME CAs; use an RSA or EC (P-256/P-384) key"
    )


def _load_jwk(data: dict[str, Any], source: str) -> PrivateKeyTypes:
    """certbot stores account keys as a private JWK (RFC 7518 §6.3.2 / §6.2.2). The file is
    JSON of any shape: a member that is missing, not a string or not base64url is an
    InputError that names the member, never its value."""

    def num(name: str) -> int:
        if name not in data:
            raise InputError(f"{source}: JWK lacks private member {name!r}")
        try:
            return int.from_bytes(b64url_decode(data[name]), "big")
        except InputError:
            raise InputError(f"{source}: JWK member {name!r} is not a base64url string") from None

    kty, crv = data.get("kty"), data.get("crv")
    try:
        if kty == "RSA":
            public = rsa.RSAPublicNumbers(num("e"), num("n"))
            private = rsa.RSAPrivateNumbers(
                num("p"), num("q"), num("d"), num("dp"), num("dq"), num("qi"), public
            )
            return private.private_key()
        if kty == "EC":
            curve = _JWK_CURVES.get(crv) if isinstance(crv, str) else None
            if curve is None:
                raise InputError(f"{source}: JWK curve {_shown(crv)} is not supported")
            return ec.derive_private_key(num("d"), curve)
    except ValueError:
        raise InputError(f"{source}: JWK private key values are inconsistent") from None
    raise InputError(f"{source}: JWK key type {_shown(kty)} is not supported")


_JWK_CURVES: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}


def _shown(value: object) -> str:
    """A JWK member's value, for an error message: a short string, or only its JSON type."""
    return (
        repr(printable(value[:20])) if isinstance(value, str) else f"of type {type(value).__name__}"
    )


def _looks_encrypted(data: bytes) -> bool:
    return b"ENCRYPTED" in data[:200]


def parse_key(data: bytes, source: str, passphrase: bytes | None = None) -> PrivateKey:
    """Parse a private key from PEM (PKCS#1, PKCS#8, SEC1, encrypted PKCS#8), DER or JWK JSON."""
    stripped = data.lstrip()
    if stripped.startswith(b"{"):
        try:
            obj = json.loads(stripped)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise InputError(f"{source}: looks like JSON but does not parse as a JWK") from None
        if not isinstance(obj, dict) or "d" not in obj:
            raise InputError(f"{source}: JSON is not a private JWK (no 'd' member)")
        return _check_supported(_load_jwk(obj, source), source)
    loader = (
        serialization.load_pem_private_key
        if stripped.startswith(b"-----")
        else serialization.load_der_private_key
    )
    try:
        key = loader(data, password=passphrase)
    except TypeError:
        # cryptography: "Password was not given but private key is encrypted" or the reverse.
        if passphrase is None:
            raise PassphraseRequired(
                f"{source}: the key is encrypted; a passphrase is needed"
            ) from None
        key = loader(data, password=None)
    except ValueError:
        if passphrase is not None and _looks_encrypted(data):
            raise PassphraseRequired(f"{source}: wrong passphrase") from None
        raise InputError(
            f"{source}: not a readable private key (PEM, DER or JWK expected)"
        ) from None
    except Exception:
        raise InputError(f"{source}: unsupported or corrupt private key") from None
    return _check_supported(key, source)


def load_key(path: Path, passphrase: bytes | None = None) -> PrivateKey:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: key file does not exist") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a key file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read key file ({exc.strerror})") from None
    return parse_key(data, str(path), passphrase)


def key_to_pem(key: PrivateKey, passphrase: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def save_key(key: PrivateKey, path: Path, passphrase: bytes | None = None) -> None:
    """PKCS#8 PEM, mode 0600, atomically; an existing file is never replaced."""
    if path.exists() or path.is_symlink():
        raise InputError(f"{path}: already exists; refusing to overwrite a key file")
    try:
        atomic_write(path, key_to_pem(key, passphrase), mode=0o600, overwrite=False)
    except FileExistsError:
        raise InputError(f"{path}: already exists; refusing to overwrite a key file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot write key file ({exc.strerror})") from None


def make_csr(key: PrivateKey, names: list[str]) -> bytes:
    """A DER CSR for `names` (dns names and IP addresses as SANs), normalised as the order's
    identifiers are (`identifiers.identifier_for`), so that `Name.Example.` in both is
    `name.example`. The CN is the first dns name when it fits (64 characters); CAs take the
    names from the SANs anyway."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    if not names:
        raise InputError("a CSR needs at least one name")
    sans: list[x509.GeneralName] = []
    dns_names: list[str] = []
    for identifier in map(identifier_for, names):
        if identifier.type == "ip":
            sans.append(x509.IPAddress(ipaddress.ip_address(identifier.value)))
        else:
            sans.append(x509.DNSName(identifier.value))
            dns_names.append(identifier.value)
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, n) for n in dns_names[:1] if len(n) <= 64]
    builder = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name(subject))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
