"""A small fake ACME server (RFC 8555) on 127.0.0.1 that can lie, for the security tests.

Why a fake: Pebble is a well-behaved CA. It never sends an authorization for a name nobody
asked for, a challenge token with `../` in it, or a certificate for another key or other names,
and it cannot be told to. These tests need exactly such a CA, so this one speaks just enough of
RFC 8555 (directory, newNonce, newAccount, newOrder, authorization, challenge, finalize,
certificate download) for `tui.acme.issuance.issue`, `tui.workflow.issue` and
`acmedash cert issue` to run to the end, and has knobs (the attributes of `Hostility`) to inject
hostile values. It validates nothing (every challenge the client answers becomes valid, unless
`invalid` names it) and checks no JWS signature: it is the client's behaviour under test here,
not the server's. Certificates are signed on the fly with `cryptography` by a throwaway root.

Plain http:// on loopback, as acmedash allows for local test CAs; a thread runs the server, so
it serves the CLI in a subprocess as well as async tests in the pytest process.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import itertools
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID

from tests.certs_for_tests import make_certificate

MAX_BODY = 1 << 20


@dataclass
class Hostility:
    """What the server lies about; the defaults make it an honest CA.

    `authz_identifier`: the identifier object every authorization names (its `wildcard` flag too,
    when the object has a "wildcard" key). `order_identifiers`: what the order object says it is
    for. `token`: every challenge's token. `cert_names`: the SANs of the issued certificate
    instead of the CSR's. `cert_other_key`: certify a key of the server's own, not the CSR's.
    `invalid`: names (as ordered) whose authorization fails validation. `chain_text`: rewrites
    the PEM chain (leaf, then root) before it is served. `alternate_links`: the Link
    rel="alternate" targets sent with a certificate, from its URL; every path below that URL
    serves the same chain. `cert_san_der`: the raw value of the certificate's subjectAltName
    extension instead of the names (for DER that does not parse). `authz_per_name`:
    distinct authorizations made for each identifier ordered; `authz_urls`: rewrites the list
    of authorization URLs the order names (repeats one, say). `on_challenge`: called with the
    challenge type when the client answers a challenge, before the answer (to connect to the
    client's responder, say). `order_status`, `authz_status`: the status every order and
    authorization shows instead of its own. `account_location`: the Location newAccount
    answers with. `directory_extra`: directory entries added or replaced.
    `new_order_problem`: a problem document (400) newOrder answers with instead of an order.
    `account_contact`: the contact list the account object names (none when None).
    """

    authz_identifier: dict[str, Any] | None = None
    order_identifiers: list[dict[str, str]] | None = None
    token: str | None = None
    cert_names: list[str] | None = None
    cert_other_key: bool = False
    invalid: set[str] = field(default_factory=set)
    chain_text: Callable[[bytes], bytes] | None = None
    alternate_links: Callable[[str], list[str]] | None = None
    cert_san_der: bytes | None = None
    authz_per_name: int = 1
    authz_urls: Callable[[list[str]], list[str]] | None = None
    on_challenge: Callable[[str], None] | None = None
    order_status: str | None = None
    authz_status: str | None = None
    account_location: str | None = None
    directory_extra: dict[str, str] = field(default_factory=dict)
    new_order_problem: dict[str, Any] | None = None
    account_contact: list[str] | None = None


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _root() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    root = make_certificate("Hostile Fake Root", signing_key=key, start=start, days=30, ca=True)
    return key, root


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


@dataclass
class _Order:
    identifiers: list[dict[str, str]]
    authorizations: list[str]
    status: str = "pending"
    certificate: str = ""


@dataclass
class _Authorization:
    identifier: dict[str, str]
    wildcard: bool
    token: str
    status: str = "pending"
    error: dict[str, Any] | None = None


class HostileAcme:
    """Start with `start()` (or as a context manager); `directory_url` is what clients use."""

    def __init__(self) -> None:
        self.hostility = Hostility()
        self._ca_key, self._ca_cert = _root()
        self._ids = itertools.count(1)
        self._orders: dict[str, _Order] = {}
        self._authorizations: dict[str, _Authorization] = {}
        self._certificates: dict[str, bytes] = {}
        # The path of every signed POST, in order: what a test counts requests by.
        self.posted: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop to notice, 0.5 s by default.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.directory_url = f"{self.base}/directory"

    def start(self) -> HostileAcme:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> HostileAcme:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- ACME resources -----------------------------------------------------------------------

    def _directory(self) -> dict[str, Any]:
        return {
            "newNonce": f"{self.base}/new-nonce",
            "newAccount": f"{self.base}/new-account",
            "newOrder": f"{self.base}/new-order",
            "revokeCert": f"{self.base}/revoke",
            "keyChange": f"{self.base}/key-change",
            **self.hostility.directory_extra,
        }

    def _new_order(self, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        asked = [i for i in payload.get("identifiers", []) if isinstance(i, dict)]
        order_id = str(next(self._ids))
        urls = []
        for identifier in asked * self.hostility.authz_per_name:
            value = str(identifier.get("value", ""))
            forced = self.hostility.authz_identifier
            wildcard = value.startswith("*.")
            authz_identifier = {"type": str(identifier.get("type")), "value": value[2:]}
            if not wildcard:
                authz_identifier["value"] = value
            if forced is not None:
                authz_identifier = {"type": forced["type"], "value": forced["value"]}
                wildcard = bool(forced.get("wildcard", False))
            authorization = _Authorization(
                identifier=authz_identifier,
                wildcard=wildcard,
                token=secrets.token_urlsafe(32)
                if self.hostility.token is None
                else self.hostility.token,
            )
            if value in self.hostility.invalid:
                authorization.error = {
                    "type": "urn:ietf:params:acme:error:unauthorized",
                    "detail": f"the fake CA fails {value} on purpose",
                }
            authz_id = str(next(self._ids))
            self._authorizations[authz_id] = authorization
            urls.append(f"{self.base}/authz/{authz_id}")
        self._orders[order_id] = _Order(identifiers=asked, authorizations=urls)
        return f"{self.base}/order/{order_id}", self._order_json(order_id)

    def _order_json(self, order_id: str) -> dict[str, Any]:
        order = self._orders[order_id]
        if order.status == "pending" and all(
            self._authorizations[url.rsplit("/", 1)[1]].status == "valid"
            for url in order.authorizations
        ):
            order.status = "ready"
        rewrite = self.hostility.authz_urls
        body: dict[str, Any] = {
            "status": self.hostility.order_status or order.status,
            "identifiers": self.hostility.order_identifiers or order.identifiers,
            "authorizations": rewrite(order.authorizations) if rewrite else order.authorizations,
            "finalize": f"{self.base}/finalize/{order_id}",
        }
        if order.certificate:
            body["certificate"] = order.certificate
        return body

    def _authz_json(self, authz_id: str) -> dict[str, Any]:
        authorization = self._authorizations[authz_id]
        challenges = []
        for kind in ("http-01", "dns-01", "tls-alpn-01"):
            challenge: dict[str, Any] = {
                "type": kind,
                "url": f"{self.base}/chall/{authz_id}/{kind}",
                "status": authorization.status,
                "token": authorization.token,
            }
            if authorization.error and authorization.status == "invalid":
                challenge["error"] = authorization.error
            challenges.append(challenge)
        body: dict[str, Any] = {
            "status": self.hostility.authz_status or authorization.status,
            "identifier": authorization.identifier,
            "challenges": challenges,
        }
        if authorization.wildcard:
            body["wildcard"] = True
        return body

    def _respond(self, authz_id: str, kind: str) -> dict[str, Any]:
        if self.hostility.on_challenge is not None:
            self.hostility.on_challenge(kind)
        authorization = self._authorizations[authz_id]
        authorization.status = "invalid" if authorization.error else "valid"
        challenges: list[dict[str, Any]] = self._authz_json(authz_id)["challenges"]
        return next(c for c in challenges if c["type"] == kind)

    def _finalize(self, order_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        order = self._orders[order_id]
        csr = x509.load_der_x509_csr(_b64decode(str(payload.get("csr", ""))))
        asked = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names: list[x509.GeneralName] = list(asked)
        if self.hostility.cert_names is not None:
            names = [_general_name(n) for n in self.hostility.cert_names]
        public_key = csr.public_key()
        if self.hostility.cert_other_key:
            public_key = ec.generate_private_key(ec.SECP256R1()).public_key()
        san: x509.ExtensionType = x509.SubjectAlternativeName(names)
        if self.hostility.cert_san_der is not None:
            oid = ExtensionOID.SUBJECT_ALTERNATIVE_NAME
            san = x509.UnrecognizedExtension(oid, self.hostility.cert_san_der)
        leaf = make_certificate(
            "fake leaf",
            san,
            issuer=self._ca_cert.subject,
            signing_key=self._ca_key,
            public_key=public_key,
            start=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5),
            days=7,
        )
        pem = leaf.public_bytes(serialization.Encoding.PEM) + self._ca_cert.public_bytes(
            serialization.Encoding.PEM
        )
        if self.hostility.chain_text is not None:
            pem = self.hostility.chain_text(pem)
        cert_id = str(next(self._ids))
        self._certificates[cert_id] = pem
        order.status = "valid"
        order.certificate = f"{self.base}/cert/{cert_id}"
        return self._order_json(order_id)

    def dispatch(self, path: str, payload: Any) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for a signed POST to `path` with this decoded payload."""
        parts = path.strip("/").split("/")
        with self._lock:
            self.posted.append(path)
            if parts[0] == "new-account":
                headers = {"Location": self.hostility.account_location or f"{self.base}/account/1"}
                return 200, headers, _json({"status": "valid", "orders": ""})
            if parts[0] == "account":
                contact = self.hostility.account_contact
                return (
                    200,
                    {},
                    _json({"status": "valid"} | ({} if contact is None else {"contact": contact})),
                )
            if parts[0] == "new-order":
                if (problem := self.hostility.new_order_problem) is not None:
                    return 400, {"Content-Type": "application/problem+json"}, _json(problem)
                url, body = self._new_order(payload)
                return 201, {"Location": url}, _json(body)
            if parts[0] == "order":
                return 200, {}, _json(self._order_json(parts[1]))
            if parts[0] == "authz":
                return 200, {}, _json(self._authz_json(parts[1]))
            if parts[0] == "chall":
                return 200, {}, _json(self._respond(parts[1], parts[2]))
            if parts[0] == "finalize":
                return 200, {}, _json(self._finalize(parts[1], payload))
            if parts[0] == "cert":
                headers = {"Content-Type": "application/pem-certificate-chain"}
                if self.hostility.alternate_links is not None:
                    links = self.hostility.alternate_links(f"{self.base}/cert/{parts[1]}")
                    headers["Link"] = ", ".join(f'<{u}>;rel="alternate"' for u in links)
                return 200, headers, self._certificates[parts[1]]
        return 404, {}, _json({"type": "urn:ietf:params:acme:error:malformed", "detail": path})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                self.send_header("Replay-Nonce", secrets.token_urlsafe(16))
                self.send_header("Cache-Control", "no-store")
                headers.setdefault("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self) -> None:
                self._send(200, {}, b"")

            def do_GET(self) -> None:
                if self.path == "/directory":
                    self._send(200, {}, _json(server._directory()))
                else:
                    self._send(204 if self.path == "/new-nonce" else 404, {}, b"")

            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length", "0")), MAX_BODY)
                jws = json.loads(self.rfile.read(length))
                encoded = jws.get("payload", "")
                payload = json.loads(_b64decode(encoded)) if encoded else None
                self._send(*server.dispatch(self.path, payload))

        return Handler


def _json(obj: Any) -> bytes:
    return json.dumps(obj).encode()
