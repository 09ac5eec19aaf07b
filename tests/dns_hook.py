"""A dns-01 hook for the tests: `dns_hook.py set|clear NAME VALUE` publishes or removes the
TXT record in pebble-challtestsrv (its management port in CHALLTESTSRV_MANAGEMENT)."""

import json
import os
import sys
import urllib.request

action, name = sys.argv[1], sys.argv[2]
value = sys.argv[3] if len(sys.argv) > 3 else ""
path, body = (
    ("/set-txt", {"host": f"{name}.", "value": value})
    if action == "set"
    else (
        "/clear-txt",
        {"host": f"{name}."},
    )
)
port = os.environ["CHALLTESTSRV_MANAGEMENT"]
request = urllib.request.Request(
    f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST"
)
with urllib.request.urlopen(request, timeout=5):  # noqa: S310
    pass
