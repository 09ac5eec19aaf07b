"""ACME resources parsed leniently: known fields typed, the whole object kept in `.raw`.

CAs add fields (Let's Encrypt even adds a random directory key on purpose, to catch strict
clients), so nothing unknown is ever an error. A known field of the wrong JSON type is read as
absent. The body itself may be any JSON value (a hostile or broken server sends what it likes):
anything but an object is a ProtocolError with a one-line message, never another exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from tui.acme.errors import ProtocolError


def _str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""


# How many entries of a list field are read. A 1 MiB answer holds 349,000 `{}`: parsed into
# models, one such answer took 195 MiB and fifty of them 13 GiB (attacker review). Real CAs
# send a handful of challenges and at most a few hundred names (Let's Encrypt: 100).
MAX_ENTRIES = 1000
MAX_CHALLENGES = 32
MAX_SUBPROBLEMS = 100  # more are not shown: one line each on a terminal


def _list(obj: dict[str, Any], key: str, limit: int = MAX_ENTRIES) -> list[Any]:
    """The list under `key` ([] when it is not one), refused past `limit` entries."""
    value = obj.get(key)
    if not isinstance(value, list):
        return []
    if len(value) > limit:
        raise ProtocolError(f"`{key}` lists {len(value)} entries; more than {limit} are refused")
    return value


def _str_list(obj: dict[str, Any], key: str) -> list[str]:
    return [v for v in _list(obj, key) if isinstance(v, str)]


def _object(obj: Any, what: str) -> dict[str, Any]:
    """The body of a resource, which RFC 8555 §7.1 says is a JSON object."""
    if not isinstance(obj, dict):
        raise ProtocolError(f"the {what} is not a JSON object (RFC 8555 §7.1)")
    return obj


@dataclass(frozen=True)
class DirectoryMeta:
    terms_of_service: str = ""
    website: str = ""
    caa_identities: list[str] = field(default_factory=list)
    external_account_required: bool = False
    profiles: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: Any) -> DirectoryMeta:
        if not isinstance(obj, dict):
            return cls()
        profiles = obj.get("profiles")
        return cls(
            terms_of_service=_str(obj, "termsOfService"),
            website=_str(obj, "website"),
            caa_identities=_str_list(obj, "caaIdentities"),
            external_account_required=obj.get("externalAccountRequired") is True,
            profiles={k: v for k, v in profiles.items() if isinstance(v, str)}
            if isinstance(profiles, dict)
            else {},
        )


@dataclass(frozen=True)
class Directory:
    """RFC 8555 §7.1.1; `renewalInfo` is RFC 9773 (ARI)."""

    new_nonce: str
    new_account: str
    new_order: str
    revoke_cert: str
    key_change: str
    new_authz: str = ""
    renewal_info: str = ""
    meta: DirectoryMeta = field(default_factory=DirectoryMeta)
    raw: dict[str, Any] = field(default_factory=dict)

    REQUIRED = ("newNonce", "newAccount", "newOrder")

    @classmethod
    def from_json(cls, body: Any) -> Directory:
        obj = _object(body, "directory")
        return cls(
            new_nonce=_str(obj, "newNonce"),
            new_account=_str(obj, "newAccount"),
            new_order=_str(obj, "newOrder"),
            revoke_cert=_str(obj, "revokeCert"),
            key_change=_str(obj, "keyChange"),
            new_authz=_str(obj, "newAuthz"),
            renewal_info=_str(obj, "renewalInfo"),
            meta=DirectoryMeta.from_json(obj.get("meta")),
            raw=obj,
        )


@dataclass(frozen=True)
class Account:
    """RFC 8555 §7.1.2. `url` comes from the Location header, not the body."""

    url: str
    status: str
    contact: list[str]
    orders: str = ""
    created_at: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    # newAccount answers 201 for a new account and 200 for the key's existing one (§7.3.1).
    created: bool = False

    @classmethod
    def from_json(cls, url: str, body: Any, *, created: bool = False) -> Account:
        obj = _object(body, "account object")
        return cls(
            url=url,
            created=created,
            status=_str(obj, "status"),
            contact=_str_list(obj, "contact"),
            orders=_str(obj, "orders"),
            created_at=_str(obj, "createdAt"),
            raw=obj,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "contact": self.contact,
            "orders": self.orders,
            "createdAt": self.created_at,
            "created": self.created,
            "raw": self.raw,
        }


@dataclass(frozen=True)
class Identifier:
    type: str
    value: str

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


@dataclass(frozen=True)
class Problem:
    """RFC 7807 problem document with ACME's subproblems (RFC 8555 §6.7.1)."""

    type: str
    detail: str = ""
    status: int | None = None
    identifier: Identifier | None = None
    subproblems: tuple[Problem, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def short_type(self) -> str:
        """`urn:ietf:params:acme:error:badNonce` -> `badNonce`."""
        return self.type.rsplit(":", 1)[-1] if self.type.startswith("urn:") else self.type

    @classmethod
    def from_json(cls, obj: Any, status: int | None = None) -> Problem:
        """Any JSON value is a problem: what is not an object is one without a type. Only one
        level of subproblems is read (RFC 8555 §6.7.1 has no deeper ones), so no nesting a
        server sends can exhaust the stack."""
        problem = cls._one(obj, status)
        subs = obj.get("subproblems") if isinstance(obj, dict) else None
        if not isinstance(subs, list):
            return problem
        shown = tuple(cls._one(s, None) for s in subs[:MAX_SUBPROBLEMS])
        if len(subs) > MAX_SUBPROBLEMS:
            more = f"and {len(subs) - MAX_SUBPROBLEMS} more subproblems, not shown"
            shown += (cls(type="about:blank", detail=more),)
        return replace(problem, subproblems=shown)

    @classmethod
    def _one(cls, obj: Any, status: int | None) -> Problem:
        if not isinstance(obj, dict):
            detail = obj[:200] if isinstance(obj, str) else "problem document is not a JSON object"
            return cls(type="about:blank", detail=detail, status=status)
        raw_status = obj.get("status")
        return cls(
            type=_str(obj, "type") or "about:blank",
            detail=_str(obj, "detail"),
            status=raw_status
            if isinstance(raw_status, int) and not isinstance(raw_status, bool)
            else status,
            identifier=_identifier(ident)
            if isinstance(ident := obj.get("identifier"), dict)
            else None,
            raw=obj,
        )

    @classmethod
    def from_body(cls, body: bytes, status: int | None) -> Problem:
        """From an application/problem+json body; one that does not parse still is a problem."""
        try:
            return cls.from_json(json.loads(body), status)
        except (ValueError, RecursionError):
            return cls(type="about:blank", detail="unparseable problem document", status=status)

    def headline(self) -> str:
        """Type, status and detail, for a front end that says the subproblems a line each."""
        text = f"{self.short_type}"
        if self.status is not None:
            text += f" ({self.status})"
        if self.detail:
            text += f": {self.detail}"
        return text

    def summary(self) -> str:
        """One line: type, status, detail, and each subproblem with its identifier."""
        text = self.headline()
        for sub in self.subproblems:
            who = f" [{sub.identifier}]" if sub.identifier else ""
            text += f"; {sub.short_type}{who}: {sub.detail}"
        return text


def _identifier(obj: Any) -> Identifier:
    return (
        Identifier(_str(obj, "type"), _str(obj, "value"))
        if isinstance(obj, dict)
        else Identifier("", "")
    )


def _problem(obj: Any) -> Problem | None:
    return Problem.from_json(obj) if isinstance(obj, dict) else None


@dataclass(frozen=True)
class Challenge:
    """RFC 8555 §8. `token` is absent from some challenge types; kept as ""."""

    type: str
    url: str
    status: str
    token: str = ""
    validated: str = ""
    error: Problem | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: Any) -> Challenge:
        obj = _object(body, "challenge object")
        return cls(
            type=_str(obj, "type"),
            url=_str(obj, "url"),
            status=_str(obj, "status"),
            token=_str(obj, "token"),
            validated=_str(obj, "validated"),
            error=_problem(obj.get("error")),
            raw=obj,
        )


@dataclass(frozen=True)
class Authorization:
    """RFC 8555 §7.1.4."""

    url: str
    status: str
    identifier: Identifier
    challenges: tuple[Challenge, ...] = ()
    wildcard: bool = False
    expires: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, url: str, body: Any) -> Authorization:
        obj = _object(body, "authorization object")
        challenges = _list(obj, "challenges", MAX_CHALLENGES)
        return cls(
            url=url,
            status=_str(obj, "status"),
            identifier=_identifier(obj.get("identifier")),
            challenges=tuple(Challenge.from_json(c) for c in challenges if isinstance(c, dict)),
            wildcard=obj.get("wildcard") is True,
            expires=_str(obj, "expires"),
            raw=obj,
        )

    def challenge(self, kind: str) -> Challenge | None:
        return next((c for c in self.challenges if c.type == kind), None)


@dataclass(frozen=True)
class Order:
    """RFC 8555 §7.1.3; `profile` (draft-aaron-acme-profiles) and `replaces` (RFC 9773 ARI)."""

    url: str
    status: str
    identifiers: tuple[Identifier, ...]
    authorizations: tuple[str, ...]
    finalize: str
    certificate: str = ""
    expires: str = ""
    not_before: str = ""
    not_after: str = ""
    profile: str = ""
    replaces: str = ""
    error: Problem | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, url: str, body: Any) -> Order:
        obj = _object(body, "order object")
        identifiers = _list(obj, "identifiers")
        return cls(
            url=url,
            status=_str(obj, "status"),
            identifiers=tuple(_identifier(i) for i in identifiers),
            authorizations=tuple(_str_list(obj, "authorizations")),
            finalize=_str(obj, "finalize"),
            certificate=_str(obj, "certificate"),
            expires=_str(obj, "expires"),
            not_before=_str(obj, "notBefore"),
            not_after=_str(obj, "notAfter"),
            profile=_str(obj, "profile"),
            replaces=_str(obj, "replaces"),
            error=_problem(obj.get("error")),
            raw=obj,
        )


@dataclass(frozen=True)
class RenewalInfo:
    """RFC 9773 §4.2: the window in which the CA suggests renewing."""

    start: str
    end: str
    explanation_url: str = ""
    retry_after: float | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: Any, retry_after: float | None = None) -> RenewalInfo:
        obj = _object(body, "renewalInfo object")
        window = obj.get("suggestedWindow")
        window = window if isinstance(window, dict) else {}
        return cls(
            start=_str(window, "start"),
            end=_str(window, "end"),
            explanation_url=_str(obj, "explanationURL"),
            retry_after=retry_after,
            raw=obj,
        )
