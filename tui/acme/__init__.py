"""The ACME v2 protocol client: usable as a library, knows nothing of the dashboard."""

__version__ = "0.1.0"
