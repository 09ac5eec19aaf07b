"""Certificates the tests make themselves, where no CA is wanted (a stored certificate of a
chosen age, a chain of a chosen layout, a fake CA's root) or where the certificate must be
one no CA would issue. One builder, so each test says only what is particular to it."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import NameOID


def common_name(name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])


def make_certificate(
    subject: str,
    *extensions: x509.ExtensionType,
    issuer: str | x509.Name | None = None,
    signing_key: CertificateIssuerPrivateKeyTypes | None = None,
    public_key: CertificatePublicKeyTypes | None = None,
    start: datetime.datetime | None = None,
    days: float = 1,
    serial: int | None = None,
    ca: bool = False,
) -> x509.Certificate:
    """`subject`'s certificate, valid `days` from `start` (now), signed by `signing_key` (a
    fresh EC key) in the name of `issuer` (the subject: self-signed), for `public_key` (the
    signing key's). `extensions` are not critical; `ca` adds the critical BasicConstraints of
    a CA. `serial`: a random one unless a test needs to know it."""
    key = signing_key or ec.generate_private_key(ec.SECP256R1())
    if start is None:
        start = datetime.datetime.now(datetime.UTC)
    issuer_name = issuer if isinstance(issuer, x509.Name) else common_name(issuer or subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(common_name(subject))
        .issuer_name(issuer_name)
        .public_key(public_key or key.public_key())
        .serial_number(x509.random_serial_number() if serial is None else serial)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
    )
    if ca:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(key, hashes.SHA256())
