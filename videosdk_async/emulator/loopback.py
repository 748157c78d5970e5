"""What counts as this machine: the one rule for the bind host and for webhook targets.

Loopback is ``localhost``, any ``*.localhost`` name (RFC 6761 reserves them for loopback),
and loopback IP addresses: 127.0.0.0/8, ``::1`` and IPv4-mapped ``::ffff:127.x.y.z``, with
or without IPv6 brackets. Nothing is resolved through DNS, and nothing else qualifies.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def _is_localhost_name(name: str) -> bool:
    if name == "localhost":
        return True
    if not name.endswith(".localhost"):
        return False
    labels = name[: -len(".localhost")].split(".")
    return all(labels)  # no empty label: ".localhost" and "a..localhost" are not names


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an IP address, IPv6 optionally in brackets) is loopback."""
    name = host.lower()
    bracketed = name.startswith("[") and name.endswith("]")
    if bracketed:
        name = name[1:-1]
    elif _is_localhost_name(name):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if bracketed and not isinstance(address, ipaddress.IPv6Address):
        return False  # brackets belong to IPv6 only
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` targets this machine by the rule of `is_loopback_host`."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return bool(host) and is_loopback_host(host or "")
