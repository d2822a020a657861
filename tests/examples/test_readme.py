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


def _readme() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_first_messages_with_curl(sms_emulator_server):
    """The README's first message to each provider: its curl block, run as written
    (against this live server instead of port 8787)."""
    import json
    import re
    import shutil
    import subprocess

    import pytest

    if shutil.which("curl") is None or shutil.which("python3") is None:
        pytest.skip("the README's block needs curl and python3")
    (block,) = re.findall(r"```sh\n(U=http://127\.0\.0\.1:8787\n.*?)```", _readme(), re.S)
    script = block.replace("http://127.0.0.1:8787", sms_emulator_server.url, 1)
    run = subprocess.run(
        ["bash", "-e", "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    *answers, listing = run.stdout.replace("}{", "}\n{").splitlines()
    assert json.loads(answers[0])["batchSize"] == 1  # RingCentral's batch
    assert json.loads(answers[1])["Message"]["MessageSid"]  # Fone Dynamics' message
    assert json.loads(answers[2])["responses"][0]["response-code"] == 200  # sendbulk's row
    delivered = json.loads(listing)["messages"]
    assert [m["provider"] for m in delivered] == ["ringcentral", "fonedynamics", "sendbulk"]


def test_clock_answer_is_the_one_shown():
    """The answer the README shows for its `POST /_emulator/clock?wait=true` curl."""
    import json

    (shown,) = [line[2:] for line in _readme().splitlines() if line.startswith('# {"now"')]
    answer = (
        Emulator(clock="virtual")
        .client()
        .post("/_emulator/clock?wait=true", content='{"advance": "1m"}')
    )
    assert answer.json() == json.loads(shown)


def test_hypothesis_example():
    """The README's Hypothesis example, as written (there without the examples' own variations)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from emulator.testing.helpers import InProcessEmulator
    from emulator.testing.invariants import check_recipients_accounted
    from emulator.testing.strategies import e164_numbers, invalid_e164_numbers, sms_texts
    from examples.ringcentral_client import RingCentralSms

    invalid_for_ringcentral = invalid_e164_numbers(
        kinds=("short", "long", "leading_zero", "letter")
    )

    @settings(max_examples=10, deadline=None)
    @given(
        recipients=st.lists(st.one_of(e164_numbers(), invalid_for_ringcentral), min_size=1),
        text=sms_texts(),
    )
    def test_every_recipient_is_accepted_or_rejected(recipients, text):
        emu = InProcessEmulator()
        client = RingCentralSms("unused", "id", "secret", "jwt", http=emu.client())
        result = client.send_batch("+16505550100", recipients, text)
        delivered = [m["to"][0] for m in client.messages(result.id)]
        check_recipients_accounted(recipients, delivered, [(i, to) for i, to, _ in result.rejected])

    test_every_recipient_is_accepted_or_rejected()


def test_docs_scenario_examples_are_valid():
    """Every YAML example in docs/ loads, except the outline of every key (its `[...]`
    stand for sections, as the page says)."""
    import re
    from pathlib import Path

    from emulator.scenario.loader import load_scenario

    docs = Path(__file__).resolve().parents[2] / "docs"
    blocks = []
    for page in sorted(docs.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^( *)```yaml\n(.*?)^\1```", text, re.S | re.M):
            indent = len(match.group(1))
            block = "\n".join(line[indent:] for line in match.group(2).splitlines())
            blocks.append((page.name, block))
    assert len(blocks) >= 8
    for page, block in blocks:
        if "[...]" in block:
            continue
        try:
            load_scenario(block)
        except ValueError as error:
            raise AssertionError(f"a YAML example in {page} does not load: {error}") from None
