"""``emulator.providers``: the one registration point, and finding a provider by name."""

from __future__ import annotations

import pytest

from emulator.providers import PROVIDERS, get_provider


def test_get_provider_finds_each_registered_provider_by_its_name() -> None:
    for provider in PROVIDERS:
        assert get_provider(provider.name) is provider
    assert [p.name for p in PROVIDERS] == ["ringcentral", "fonedynamics", "sendbulk"]


@pytest.mark.parametrize("name", ["twilio", "RingCentral", ""])
def test_get_provider_refuses_an_unknown_name_listing_the_known_ones(name: str) -> None:
    with pytest.raises(KeyError) as info:
        get_provider(name)
    assert info.value.args == (
        f"unknown provider {name!r} (known: ringcentral, fonedynamics, sendbulk)",
    )
