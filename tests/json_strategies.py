"""Hypothesis strategies for what a hostile server or file can hold: any JSON value, with
objects that often use the member names our parsers look for, so the tests reach the code
that reads them and not only the "not an object" branch."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

# No example database in the work tree, and no per-example deadline: the machine is shared and
# a slow example is not a failure. Every module with property tests imports this one.
settings.register_profile("acmedash", database=None, deadline=None)
settings.load_profile("acmedash")

KNOWN_MEMBERS = (
    "status", "type", "detail", "identifier", "identifiers", "subproblems", "value", "url",
    "token", "challenges", "authorizations", "finalize", "certificate", "error", "contact",
    "orders", "meta", "profiles", "termsOfService", "caaIdentities", "externalAccountRequired",
    "newNonce", "newAccount", "newOrder", "suggestedWindow", "start", "end", "wildcard",
    "kty", "crv", "x", "y", "n", "e", "d", "p", "q", "dp", "dq", "qi", "k", "jwk", "alg",
    "protected", "payload", "signature",
)  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["pending", "valid", "P-256", "EC", "RSA", "AQAB", "", "dns", "ip"])
)
member_names = st.sampled_from(KNOWN_MEMBERS) | st.text(max_size=8)

json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(member_names, children, max_size=6)
    ),
    max_leaves=25,
)
json_objects: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    member_names, json_values, max_size=8
)
anything = json_values | json_objects
