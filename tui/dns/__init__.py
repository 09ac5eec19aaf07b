"""dns-01 without hand work: the TXT record published by an RFC 2136 dynamic update (built in,
dnspython) or by a DNS provider's API (dns-lexicon, an optional extra), checked on every
authoritative server of the zone, removed afterwards.

Not ACME protocol, so not in tui/acme: the solver here only fulfils tui.acme's Solver protocol.
The protocol library never depends on dnspython or lexicon.
"""
