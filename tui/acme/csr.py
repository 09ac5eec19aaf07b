"""A certificate signing request of the user's own (`cert issue --csr`, the config's
csr_file): read at issuance and again at each renewal of its certificate, so a CSR the user
replaced (a new key, new names) is what the renewal orders. The key behind it is never ours."""

from __future__ import annotations

from pathlib import Path

from tui.acme.errors import InputError


def read_csr_file(path: Path) -> tuple[bytes, list[str]]:
    """(DER, the names of its subjectAltName as written). Checked here, before any request:
    a CSR that does not parse or whose signature does not verify is the user's to fix."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read CSR ({exc.strerror})") from None
    try:
        csr = (x509.load_pem_x509_csr if b"-----BEGIN" in data else x509.load_der_x509_csr)(data)
    except ValueError:
        raise InputError(f"{path}: not a PEM or DER certificate signing request") from None
    if not csr.is_signature_valid:
        raise InputError(f"{path}: the CSR's signature does not verify")
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        names = []
    except ValueError:  # extensions are parsed on first use: a SAN that is not valid DER
        raise InputError(f"{path}: the CSR's subjectAltName extension does not parse") from None
    return csr.public_bytes(serialization.Encoding.DER), names
