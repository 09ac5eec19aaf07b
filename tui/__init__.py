"""acmedash: a terminal dashboard and headless client for ACME v2 (RFC 8555)."""

from tui.acme import __version__

__all__ = ["__version__"]
