"""What the machine running the tests offers on loopback."""

from __future__ import annotations

import socket


def ipv6_loopback() -> bool:
    """Whether a socket can bind ``::1`` here (some containers have no IPv6)."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True
