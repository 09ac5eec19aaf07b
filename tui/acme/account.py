"""Account operations (RFC 8555 §7.3): create, look up, read, update."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from tui.acme import jose
from tui.acme.core import ClientCore, json_object
from tui.acme.errors import ProtocolError
from tui.acme.models import Account


class AccountOperations(ClientCore):
    def _account_from(self, response: httpx.Response, url: str) -> Account:
        body = json_object(response, "account")
        return Account.from_json(url, body, created=response.status_code == 201)

    async def _answered_account(self, response: httpx.Response) -> Account:
        """The account newAccount answered with. Its Location is checked when it arrives
        (origins.py), not only when first used: it becomes the `kid` of every request and is
        remembered in the config. §7.3.1 says an existing account is answered with its
        object, but some CAs send an empty body: then the account is fetched, so that status
        and contacts are the CA's, not blanks."""
        location = response.headers.get("Location")
        if not location:
            raise ProtocolError("account response has no Location header (RFC 8555 §7.3)")
        await self.check_ca_url(location, "the account URL")
        self.account_url = location
        if response.content.strip():
            return self._account_from(response, location)
        fetched = self._account_from(await self.post_as_get(location), location)
        return replace(fetched, created=response.status_code == 201)

    async def new_account(
        self,
        contact: list[str],
        *,
        terms_agreed: bool | None,
        eab: tuple[str, str] | None = None,
    ) -> Account:
        """RFC 8555 §7.3. `terms_agreed=None` leaves the field out (a CA without terms).
        `eab` is (key id, base64url MAC key) for §7.3.4; the MAC key only signs, it is never
        stored or logged."""
        directory = await self.directory()
        payload: dict[str, Any] = {"contact": contact}
        if terms_agreed is not None:
            payload["termsOfServiceAgreed"] = terms_agreed
        if eab is not None:
            payload["externalAccountBinding"] = jose.sign_eab(
                eab[0], eab[1], self.require_key(), directory.new_account
            )
        # RFC 8555 §7.3: "If the server already has an account registered with the provided
        # account key, then it MUST return a response with status code 200 (OK) and provide
        # the URL of that account in the Location header field." Repeating it creates nothing.
        response = await self.post(directory.new_account, payload, use_jwk=True, idempotent=True)
        return await self._answered_account(response)

    async def find_account(self) -> Account:
        """RFC 8555 §7.3.1: onlyReturnExisting finds this key's account without creating one."""
        directory = await self.directory()
        # §7.3.1: with onlyReturnExisting "the server MUST NOT create a new account": a lookup.
        response = await self.post(
            directory.new_account, {"onlyReturnExisting": True}, use_jwk=True, idempotent=True
        )
        return await self._answered_account(response)

    async def known_account_url(self) -> str:
        """The kid for this key here, looked up (§7.3.1) the first time it is needed."""
        if self.account_url is not None:
            return self.account_url
        return (await self.find_account()).url

    async def fetch_account(self) -> Account:
        """POST-as-GET to the account URL (RFC 8555 §7.3.3 allows it for reading)."""
        url = await self.known_account_url()
        return self._account_from(await self.post_as_get(url), url)

    async def update_account(self, contact: list[str]) -> Account:
        """RFC 8555 §7.3.2: only the fields sent are changed."""
        url = await self.known_account_url()
        return self._account_from(await self.post(url, {"contact": contact}), url)

    async def change_key(self, new_key: jose.PrivateKey) -> None:
        """RFC 8555 §7.3.5 key rollover: an inner JWS signed by the new key (jwk header, no
        nonce) naming the account and its old key, inside an outer JWS signed by the old key.
        From then on this client signs with the new key."""
        directory = await self.directory()
        url = await self.known_account_url()
        inner = jose.sign(
            new_key,
            {"account": url, "oldKey": jose.public_jwk(self.require_key())},
            url=directory.key_change,
            nonce=None,
        )
        await self.post(directory.key_change, inner)
        self.key = new_key

    async def deactivate_account(self) -> Account:
        """RFC 8555 §7.3.6: final; the CA refuses the account from then on."""
        url = await self.known_account_url()
        return self._account_from(await self.post(url, {"status": "deactivated"}), url)
