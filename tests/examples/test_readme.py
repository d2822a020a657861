"""The README's examples, run as written (keep the two in step)."""

from __future__ import annotations

from ringcentral import SDK

from emulator import Emulator


def test_batch_completes(sms_emulator):
    client = sms_emulator.client()
    token = client.post(
        "/restapi/oauth/token",
        auth=("id", "secret"),
        data={"grant_type": "password", "username": "u", "password": "p"},
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    batch = client.post(
        "/restapi/v1.0/account/~/a2p-sms/batches",
        headers=headers,
        json={"from": "+16505550100", "text": "Hello", "messages": [{"to": ["+14155550100"]}]},
    ).json()
    sms_emulator.advance("1m")
    done = client.get(f"/restapi/v1.0/account/~/a2p-sms/batches/{batch['id']}", headers=headers)
    assert done.json()["status"] == "Completed"


def test_with_the_official_sdk(sms_emulator_server):
    sdk = SDK("client-id", "client-secret", sms_emulator_server.url)
    platform = sdk.platform()
    platform.login(jwt="any-jwt")
    response = platform.post(
        "/restapi/v1.0/account/~/a2p-sms/batches",
        {"from": "+16505550100", "text": "Hi", "messages": [{"to": ["+14155550100"]}]},
    )
    assert response.response().status_code == 201
    sms_emulator_server.advance("1m")
    assert [m["status"] for m in sms_emulator_server.messages()] == ["delivered"]


def test_from_python():
    emu = Emulator(scenario="mixed-delivery", clock="virtual", seed=7)
    client = emu.client()
    assert client.get("/_emulator/health").json()["status"] == "ok"
    before = emu.now
    emu.advance("30s")
    assert (emu.now - before).total_seconds() == 30
    emu.advance(seconds=30)
    assert emu.messages(provider="ringcentral", status="delivered") == []
    reply = emu.inbound("ringcentral", "+14155550100", "+16505550100", "STOP")
    assert reply["direction"] == "inbound"
    emu.load_scenario("carrier-failures")
    emu.reset()
    assert emu.messages() == []
    assert callable(emu.app)


def test_readme_scenario_example_is_valid():
    from pathlib import Path

    from emulator.scenario.loader import load_scenario

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```yaml\n")[1:]]
    assert blocks, "README has a YAML scenario example"
    for block in blocks:
        scenario = load_scenario(block)
        assert scenario.rules and scenario.faults and scenario.rate_limits
