"""Certificates: download with alternate chains (RFC 8555 §7.4.2), revocation (§7.6), renewal
information (RFC 9773), and what a certificate says about itself."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from tui.acme import jose
from tui.acme.bodies import json_object, parse_links
from tui.acme.core import ClientCore
from tui.acme.encoding import b64url
from tui.acme.errors import InputError, ProtocolError
from tui.acme.models import RenewalInfo
from tui.acme.retries import parse_retry_after
from tui.acme.text import printable
from tui.acme.wire import PEM_CHAIN

# RFC 5280 §5.3.1 reason codes, by the names people type: only those CAs accept for TLS
# certificates. The CA/Browser Forum Baseline Requirements (§7.2.2) forbid certificateHold (6)
# for them, removeFromCRL (8) only undoes a hold, and Let's Encrypt refuses all but these five
# with badRevocationReason; offering the others only sets up a refusal.
REASONS = {
    "unspecified": 0,
    "keyCompromise": 1,
    "affiliationChanged": 3,
    "superseded": 4,
    "cessationOfOperation": 5,
}
BAD_REVOCATION_REASON = "urn:ietf:params:acme:error:badRevocationReason"


def reason_code(value: str) -> int:
    """A reason by name (case-insensitive) or number, one of REASONS."""
    if value.isdigit() and int(value) in REASONS.values():
        return int(value)
    for name, code in REASONS.items():
        if name.lower() == value.lower():
            return code
    offered = ", ".join(f"{name} ({code})" for name, code in REASONS.items())
    raise InputError(f"revocation reason {value!r} is not one CAs accept; one of {offered}")


def reason_name(code: int) -> str:
    return next((name for name, value in REASONS.items() if value == code), str(code))


@dataclass(frozen=True)
class Chain:
    """One chain the CA sent, as parsed certificates: the leaf first, then its issuers. It keeps
    no text of the CA's: what is saved is serialised again from these certificates, so the
    files hold exactly what was checked (the traffic record keeps the bytes as received)."""

    url: str
    certificates: tuple[x509.Certificate, ...] = field(repr=False)

    @property
    def top_issuer(self) -> str:
        """The issuer CN of the last certificate: what "preferred chain" options match."""
        return common_name(self.certificates[-1].issuer) if self.certificates else ""


def to_pem(certificates: Iterable[x509.Certificate]) -> bytes:
    """Certificates as PEM, serialised by us."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


# Alternate chains fetched at most. CAs offer one or two (Let's Encrypt: one cross-signed
# chain); the CA chooses how many links to send, and each chain may be PEM_LIMIT (4 MiB) in the
# traffic record: 100 links were 1.3 GiB. Five leaves room for any real CA's choice of roots.
MAX_ALTERNATES = 5


def distinct_alternates(url: str, links: list[str]) -> list[str]:
    """The first MAX_ALTERNATES distinct alternate URLs, the default chain's own left out."""
    return [link for link in dict.fromkeys(links) if link != url][:MAX_ALTERNATES]


def common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


# What cryptography raises for a certificate it cannot read, when loading it or on first use of
# a part it parses lazily.
_UNREADABLE = (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType)


def _read_whole(certificate: x509.Certificate) -> x509.Certificate:
    """The certificate with its names and extensions parsed now. cryptography parses them on
    first use, so a subjectAltName that is not valid DER raised ValueError later, deep in a
    name check or a print (exit 70); read here, it is an error of the certificate's source."""
    _ = certificate.subject, certificate.issuer, certificate.extensions
    return certificate


def _reason(exc: Exception) -> str:
    return printable(str(exc))[:200]


# RFC 8555 §9.1: application/pem-certificate-chain is RFC 7468's strict encoding, certificates
# only and no explanatory text. The base64 class has no "-", so a block ends at its END line.
_CERTIFICATE_BLOCK = re.compile(
    rb"-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*)-----END CERTIFICATE-----"
)


def parse_chain(url: str, data: bytes) -> Chain:
    """Only CERTIFICATE blocks and whitespace between them, or a ProtocolError: anything else
    (text with a stray END line, a TRUSTED CERTIFICATE or PRIVATE KEY block) is what other
    PEM readers may take differently from us, so a chain with it is refused, not cleaned."""
    blocks = _CERTIFICATE_BLOCK.findall(data)
    if not blocks or _CERTIFICATE_BLOCK.sub(b"", data).strip():
        raise ProtocolError(
            f"{url} did not return a PEM certificate chain (RFC 8555 §9.1: CERTIFICATE "
            "blocks only, no other text); refusing it"
        )
    try:
        certificates = tuple(
            _read_whole(
                x509.load_der_x509_certificate(base64.b64decode(b"".join(b.split()), validate=True))
            )
            for b in blocks
        )
    except _UNREADABLE as exc:
        raise ProtocolError(
            f"{url} sent a certificate that cannot be read ({_reason(exc)}); refusing it"
        ) from None
    return Chain(url=url, certificates=certificates)


def load_certificate(data: bytes, source: str) -> x509.Certificate:
    """The first certificate of a PEM file (a fullchain.pem works) or a DER file. Why not, in
    a person's words: the parser's own (`ParseError { kind: ShortData ... }`) told them
    nothing."""
    pem = b"-----BEGIN" in data
    try:
        certificate = (
            x509.load_pem_x509_certificates(data)[0]
            if pem
            else x509.load_der_x509_certificate(data)
        )
    except _UNREADABLE:
        why = (
            "its PEM holds no readable CERTIFICATE block"
            if pem
            else "it is neither PEM (-----BEGIN CERTIFICATE-----) nor DER"
        )
        raise InputError(f"{source} is not a certificate: {why}") from None
    try:
        return _read_whole(certificate)
    except _UNREADABLE as exc:
        raise InputError(
            f"{source}: a certificate with a name or extension that cannot be read ({_reason(exc)})"
        ) from None


def ari_cert_id(certificate: x509.Certificate) -> str:
    """RFC 9773 §4.1: base64url(AKI keyIdentifier) "." base64url(serial number DER bytes)."""
    try:
        aki = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    except x509.ExtensionNotFound:
        raise InputError("certificate has no Authority Key Identifier: no ARI certID") from None
    key_id = aki.value.key_identifier
    if key_id is None:
        raise InputError("certificate's Authority Key Identifier has no keyIdentifier")
    serial = certificate.serial_number
    # DER INTEGER contents: big-endian, with a leading 0 byte when the high bit is set.
    serial_bytes = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
    return f"{b64url(key_id)}.{b64url(serial_bytes)}"


def names_of(certificate: x509.Certificate) -> list[str]:
    """The SANs (dns names and IP addresses), in order; the CN when there are none."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return [common_name(certificate.subject)]
    names: list[str] = [str(n) for n in san.value.get_values_for_type(x509.DNSName)]
    names += [str(ip) for ip in san.value.get_values_for_type(x509.IPAddress)]
    return names


def days_left(certificate: x509.Certificate, now: datetime) -> int:
    """Whole days until notAfter, rounded down (timedelta.days): 12 hours left is 0, never 1,
    so the count never promises a day the certificate does not have; -1 in the first day after
    it expired. `cert info`, `cert list` and the dashboard all say this number."""
    return (certificate.not_valid_after_utc - now).days


def describe(certificate: x509.Certificate, now: datetime | None = None) -> dict[str, object]:
    """What `cert info` prints (public data only); days left counted from `now` (default: the
    time now)."""
    return {
        "subject": certificate.subject.rfc4514_string(),
        "names": names_of(certificate),
        "issuer": certificate.issuer.rfc4514_string(),
        "serial": f"{certificate.serial_number:x}",
        "not_before": certificate.not_valid_before_utc.isoformat(),
        "not_after": certificate.not_valid_after_utc.isoformat(),
        "days_left": days_left(certificate, now or datetime.now().astimezone()),
    }


class CertificateOperations(ClientCore):
    async def download_certificate(self, url: str) -> Chain:
        """POST-as-GET with Accept: application/pem-certificate-chain (§7.4.2)."""
        response = await self.post_as_get(url, accept=PEM_CHAIN)
        return parse_chain(url, response.content)

    async def download_chains(self, url: str) -> list[Chain]:
        """The default chain first, then its Link rel="alternate" ones (§7.4.2), fetched
        together: the first failure cancels the rest and is raised."""
        response = await self.post_as_get(url, accept=PEM_CHAIN)
        default = parse_chain(url, response.content)
        alternates = distinct_alternates(url, parse_links(response, "alternate"))
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self.download_certificate(a)) for a in alternates]
        except ExceptionGroup as failure:
            raise failure.exceptions[0] from None
        return [default, *(task.result() for task in tasks)]

    async def revoke(
        self,
        certificate: x509.Certificate,
        reason: int = 0,
        certificate_key: jose.PrivateKey | None = None,
    ) -> None:
        """§7.6: signed by the account (kid), or by the certificate's own key (jwk), which
        proves control without any account."""
        directory = await self.directory()
        der = certificate.public_bytes(serialization.Encoding.DER)
        payload = {"certificate": b64url(der), "reason": reason}
        await self.post(directory.revoke_cert, payload, signer=certificate_key)

    async def renewal_info(self, certificate: x509.Certificate) -> RenewalInfo | None:
        """RFC 9773 §4: an unsigned GET; None when the CA offers no renewalInfo."""
        directory = await self.directory()
        if not directory.renewal_info:
            return None
        url = f"{directory.renewal_info.rstrip('/')}/{ari_cert_id(certificate)}"
        response = await self._get(url)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RenewalInfo.from_json(json_object(response, "renewalInfo"), retry_after)
