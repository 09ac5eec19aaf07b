"""The TSIG key an RFC 2136 update is signed with (RFC 8945). The secret comes from the
environment (ACMEDASH_TSIG_SECRET) or a 0600 file (secret_file's rules), never from the command
line, where `ps` shows it to every user. The file holds the base64 secret alone, or the BIND
`key "NAME" { algorithm ...; secret "..."; };` block that `tsig-keygen` writes.

The secret is never part of a message, a repr or a remembered setting."""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field

from tui.acme.errors import InputError
from tui.acme.hooks import TSIG_SECRET_ENV
from tui.secret_file import read_secret_file
from tui.user_paths import user_path

DEFAULT_ALGORITHM = "hmac-sha256"
ALGORITHMS = (
    "hmac-sha256",
    "hmac-sha384",
    "hmac-sha512",
    "hmac-sha224",
    "hmac-sha1",
    "hmac-md5",
)

_BLOCK = re.compile(r'key\s+"?([^"\s{]+)"?\s*\{(.*?)\}\s*;?', re.DOTALL)
_ALGORITHM = re.compile(r"algorithm\s+\"?([A-Za-z0-9.-]+)\"?\s*;")
_SECRET = re.compile(r'secret\s+"([^"]+)"\s*;')


@dataclass(frozen=True)
class TsigKey:
    name: str
    algorithm: str
    secret: bytes = field(repr=False)


def _decode(secret: str, where: str) -> bytes:
    try:
        decoded = base64.b64decode("".join(secret.split()), validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if not decoded:
        raise InputError(f"{where}: the TSIG secret is not base64")
    return decoded


def _check_algorithm(algorithm: str, where: str) -> str:
    algorithm = algorithm.lower().rstrip(".")
    if algorithm not in ALGORITHMS:
        raise InputError(
            f"{where}: TSIG algorithm {algorithm!r} is not one of {', '.join(ALGORITHMS)}"
        )
    return algorithm


def parse_secret(text: str, where: str, name: str, algorithm: str) -> TsigKey:
    """`text` is a bare base64 secret or a BIND key block. A block's name and algorithm are
    used when none is given; given ones that differ from the block are refused (the server
    would answer BADKEY, which says less)."""
    block = _BLOCK.search(text)
    if block is None:
        if not name:
            raise InputError(
                f"{where}: name the TSIG key (--tsig-key NAME or the config's tsig_key)"
            )
        return TsigKey(
            name, _check_algorithm(algorithm or DEFAULT_ALGORITHM, where), _decode(text, where)
        )
    block_name, body = block.group(1).rstrip("."), block.group(2)
    secret = _SECRET.search(body)
    if secret is None:
        raise InputError(f'{where}: the key block has no `secret "...";`')
    found = _ALGORITHM.search(body)
    block_algorithm = found.group(1) if found else DEFAULT_ALGORITHM
    if name and name.rstrip(".") != block_name:
        raise InputError(f"{where}: the file holds key {block_name!r}, not {name!r}")
    if algorithm and _check_algorithm(algorithm, where) != _check_algorithm(block_algorithm, where):
        raise InputError(f"{where}: key {block_name!r} uses {block_algorithm}, not {algorithm}")
    return TsigKey(
        block_name, _check_algorithm(block_algorithm, where), _decode(secret.group(1), where)
    )


def load_tsig_key(name: str, algorithm: str, secret_file: str) -> TsigKey | None:
    """The key from $ACMEDASH_TSIG_SECRET, else from `secret_file`; None when neither is set
    and no key is named (an unsigned update, for a server that allows them by address)."""
    if from_env := os.environ.get(TSIG_SECRET_ENV, "").strip():
        return parse_secret(from_env, f"${TSIG_SECRET_ENV}", name, algorithm)
    if secret_file:
        path = user_path(secret_file)
        return parse_secret(read_secret_file(path, "TSIG secret"), str(path), name, algorithm)
    if name:
        raise InputError(
            f"TSIG key {name!r} has no secret: give --tsig-secret-file FILE (0600) "
            f"or set ${TSIG_SECRET_ENV}"
        )
    return None
