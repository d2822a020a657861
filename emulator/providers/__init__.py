"""The providers the emulator serves. ``PROVIDERS`` is the only registration point."""

from . import fonedynamics, ringcentral, sendbulk
from .base import Provider

__all__ = ["PROVIDERS", "Provider", "get_provider"]

PROVIDERS: tuple[Provider, ...] = (ringcentral.PROVIDER, fonedynamics.PROVIDER, sendbulk.PROVIDER)


def get_provider(name: str) -> Provider:
    for provider in PROVIDERS:
        if provider.name == name:
            return provider
    known = ", ".join(p.name for p in PROVIDERS)
    raise KeyError(f"unknown provider {name!r} (known: {known})")
