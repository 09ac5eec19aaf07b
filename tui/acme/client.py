"""AcmeClient: every ACME operation over one transport core.

Split by resource as mholt/acmez is: core.py sends (nonces, signing, retries), account.py,
orders.py and certificates.py hold the operations. Import AcmeClient from here.
"""

from __future__ import annotations

from tui.acme.account import AccountOperations
from tui.acme.certificates import CertificateOperations
from tui.acme.options import ClientOptions
from tui.acme.orders import OrderOperations
from tui.acme.retries import parse_retry_after

__all__ = ["AcmeClient", "ClientOptions", "parse_retry_after"]


class AcmeClient(AccountOperations, OrderOperations, CertificateOperations):
    """An async ACME v2 client for one directory URL and (optionally) one account key."""
