"""Orders, authorizations and challenges (RFC 8555 §7.4, §7.5, §8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tui.acme import identifiers
from tui.acme.core import ClientCore, json_object, parse_links
from tui.acme.encoding import b64url
from tui.acme.errors import ORDER_NOT_READY, InputError, ProblemError, ProtocolError, StateError
from tui.acme.models import Account, Authorization, Challenge, Identifier, Order

PENDING = ("pending", "processing")
# States from which no request leads on (RFC 8555 §7.1.6): an authorization's, and an order's
# `invalid` (some CAs give orders the authorization states too; Pebble: `deactivated`).
FINAL = ("invalid", "deactivated", "expired", "revoked")
# The CA decides how many pages and URLs an orders list has: endless rel="next" pages were
# 1.6 GiB within 20 s, one 1 MiB page 349k entries. A page is at most JSON_LIMIT (1 MiB), so
# 100 pages bound what is read; 10,000 URLs are more orders than anyone reads in a terminal.
MAX_ORDER_PAGES = 100
MAX_ORDER_URLS = 10_000


@dataclass(frozen=True)
class OrderList:
    """An account's order URLs, distinct, in the CA's order. `complete` is False when pages or
    URLs were left unread at the caps: there are more orders than `urls`."""

    urls: list[str]
    complete: bool


def identifier_for(name: str) -> Identifier:
    """The identifier to order for a name the user typed: normalised and checked by
    `identifiers.identifier_for`, the one place that does it (the CSR uses it too)."""
    return identifiers.identifier_for(name)


def unfinalizable(order: Order) -> StateError:
    """An order the CA has made `invalid`, which no request can bring back (§7.1.6), or put in
    a state RFC 8555 does not have (Pebble: `deactivated`), with the CA's reason when the
    order carries one."""
    why = f": {order.error.summary()[:300]}" if order.error else ""
    return StateError(f"the CA's order {order.url} is {order.status!r}{why}; not finalized")


class OrderOperations(ClientCore):
    async def new_order(
        self,
        identifiers: list[Identifier],
        *,
        not_before: str = "",
        not_after: str = "",
        profile: str = "",
        replaces: str = "",
    ) -> Order:
        """RFC 8555 §7.4. `profile` is checked against the directory's meta.profiles first, so
        a typo is a clear local error rather than a CA's malformed; `replaces` is the ARI
        certID of the certificate this order renews (RFC 9773 §5)."""
        directory = await self.directory()
        if profile and profile not in directory.meta.profiles:
            offered = ", ".join(directory.meta.profiles) or "none"
            raise InputError(f"profile {profile!r} is not offered by this CA (offered: {offered})")
        payload: dict[str, Any] = {
            "identifiers": [{"type": i.type, "value": i.value} for i in identifiers]
        }
        for key, value in (
            ("notBefore", not_before),
            ("notAfter", not_after),
            ("profile", profile),
            ("replaces", replaces),
        ):
            if value:
                payload[key] = value
        response = await self.post(directory.new_order, payload)
        location = response.headers.get("Location")
        if not location:
            raise ProtocolError("newOrder response has no Location header (RFC 8555 §7.4)")
        return Order.from_json(location, json_object(response, "newOrder"))

    async def fetch_order(self, url: str) -> Order:
        return Order.from_json(url, json_object(await self.post_as_get(url), "order"))

    async def fetch_authorization(self, url: str) -> Authorization:
        response = await self.post_as_get(url)
        return Authorization.from_json(url, json_object(response, "authorization"))

    async def deactivate_authorization(self, url: str) -> Authorization:
        """RFC 8555 §7.5.2."""
        response = await self.post(url, {"status": "deactivated"})
        return Authorization.from_json(url, json_object(response, "authorization"))

    async def respond(self, challenge: Challenge) -> Challenge:
        """RFC 8555 §7.5.1: an empty object says "ready, validate now"."""
        response = await self.post(challenge.url, {})
        return Challenge.from_json(json_object(response, "challenge"))

    async def wait_authorization(self, url: str, deadline: float | None = None) -> Authorization:
        """Poll until the authorization leaves `pending` (valid, invalid, ...)."""

        def settled(response: httpx.Response) -> bool:
            return json_object(response, "authorization").get("status") not in PENDING

        response = await self.poll(url, settled, deadline=deadline)
        return Authorization.from_json(url, json_object(response, "authorization"))

    async def finalize(self, order: Order, csr_der: bytes, deadline: float | None = None) -> Order:
        """RFC 8555 §7.4: send the CSR, then poll while the order is `processing`.

        Repeated after a network error or a 5xx (idempotent), since the RFC makes a second
        finalize harmless: "A request to finalize an order will result in an error if the
        order is not in the "ready" state. In such cases, the server MUST return a 403
        (Forbidden) error with a problem document of type "orderNotReady". The client should
        then send a POST-as-GET request to the order resource to obtain its current state."
        So orderNotReady for an order already `processing` (or `valid`: the first finalize
        went through but its answer was lost) is followed, not reported.

        Nothing is sent for an order already `valid` (it has its certificate) or `processing`
        (finalized already): it is returned or waited for; nor for one in a FINAL state,
        which is said locally."""
        if order.status == "valid":
            return order
        if order.status == "processing":
            return await self.wait_order(order.url, deadline)
        if order.status in FINAL:
            raise unfinalizable(order)
        try:
            response = await self.post(order.finalize, {"csr": b64url(csr_der)}, idempotent=True)
        except ProblemError as exc:
            if exc.type != ORDER_NOT_READY:
                raise
            current = await self.fetch_order(order.url)
            if current.status == "processing":
                return await self.wait_order(order.url, deadline)
            if current.status == "valid":
                return current
            if current.status in FINAL:
                raise unfinalizable(current) from None
            raise
        finalized = Order.from_json(order.url, json_object(response, "finalize"))
        if finalized.status not in PENDING:
            return finalized
        return await self.wait_order(order.url, deadline)

    async def wait_order(self, url: str, deadline: float | None = None) -> Order:
        def settled(response: httpx.Response) -> bool:
            return json_object(response, "order").get("status") not in PENDING

        response = await self.poll(url, settled, deadline=deadline)
        return Order.from_json(url, json_object(response, "order"))

    async def list_orders(self, account: Account) -> OrderList:
        """RFC 8555 §7.1.2.1: the account's order URLs, following Link rel="next" pages, as far
        as MAX_ORDER_PAGES pages and MAX_ORDER_URLS distinct URLs go."""
        if not account.orders:
            # §7.1.2: `orders` is REQUIRED in an account object. Without it there is no list to
            # read, which is not the same as an empty one: "no orders" would be false.
            raise ProtocolError(
                f"the CA gave no orders list for the account {account.url} (its account object "
                "has no `orders` URL, which RFC 8555 §7.1.2 requires)"
            )
        urls: dict[str, None] = {}  # an ordered set
        page = account.orders
        seen: set[str] = set()
        while page and page not in seen:
            if len(seen) == MAX_ORDER_PAGES:
                return OrderList(list(urls), complete=False)
            seen.add(page)
            response = await self.post_as_get(page)
            orders = json_object(response, "orders list").get("orders")
            for url in orders if isinstance(orders, list) else []:
                if isinstance(url, str) and url:
                    urls[url] = None
                    if len(urls) > MAX_ORDER_URLS:
                        return OrderList(list(urls)[:MAX_ORDER_URLS], complete=False)
            following = parse_links(response, "next")
            page = following[0] if following else ""
        return OrderList(list(urls), complete=True)
