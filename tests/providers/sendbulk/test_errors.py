"""Never a 500 or HTML: unknown paths, scenario faults, rate limits, the word "errors"."""

from __future__ import annotations

import json

import pytest

from emulator import Emulator
from emulator.scenario.loader import ScenarioError

from ._helpers import APIKEY, BASE, PARTNER, body, creds, post


@pytest.mark.parametrize("path", ["/nope", "/sendsms/extra", "/SENDSMS"])
def test_unknown_paths_get_a_flat_json_404(client, path):
    response = client.get(BASE + path)
    assert response.status_code == 404
    assert body(response) == {"response-code": 4093, "response-description": "Details Not Found"}


# TRACE and PROPFIND are not routed at all: they got Starlette's 405 before.
@pytest.mark.parametrize("method", ["DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"])
def test_other_methods_are_1010_at_http_200(client, method):
    response = client.request(method, f"{BASE}/getbalance")
    assert response.status_code == 200
    assert body(response)["response-code"] == 1010


@pytest.mark.parametrize(
    ("status", "code"),
    [(500, 4090), (503, 4090), (429, 4090), (401, 1006), (404, 4093), (400, 1010)],
)
def test_status_faults_answer_that_status_with_a_flat_body(client, emu, status, code):
    emu.load_scenario(
        {
            "faults": [
                {
                    "when": {"provider": "sendbulk", "endpoint": "sendsms"},
                    "respond": {"status": status},
                }
            ]
        }
    )
    response = client.post(f"{BASE}/sendsms", json=creds(mobile="254712345678", message="x"))
    assert response.status_code == status
    assert body(response)["response-code"] == code
    if status == 429:
        assert int(response.headers["retry-after"]) >= 1
    assert emu.messages(provider="sendbulk") == []


def test_fault_body_text_for_server_errors(client, emu):
    emu.load_scenario(
        {"faults": [{"when": {"endpoint": "getbalance"}, "respond": {"status": 503}}]}
    )
    response = client.post(f"{BASE}/getbalance", json={"partnerID": PARTNER, "apikey": APIKEY})
    assert body(response) == {
        "response-code": 4090,
        "response-description": "Internal Error. Try again after 5 minutes",
    }


def test_fault_on_the_nth_call_only(client, emu):
    emu.load_scenario(
        {"faults": [{"when": {"endpoint": "sendbulk"}, "calls": [2], "respond": {"status": 500}}]}
    )
    payload = {"smslist": [{**creds(), "mobile": "254712345678", "message": "x"}]}
    statuses = [client.post(f"{BASE}/sendbulk", json=payload).status_code for _ in range(3)]
    assert statuses == [200, 500, 200]


def test_rate_limit_answers_429_with_retry_after(client, emu):
    emu.load_scenario({"rate_limits": {"sendbulk": {"requests": 2, "per": "60s"}}})
    payload = {"partnerID": PARTNER, "apikey": APIKEY}
    responses = [client.post(f"{BASE}/getbalance", json=payload) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert body(responses[2])["response-code"] == 4090
    assert int(responses[2].headers["retry-after"]) > 0


def test_a_faults_retry_after_comes_with_any_status(client, emu):
    """As RingCentral and Fone Dynamics send it: a 503 asking to come back in 10 s."""
    emu.load_scenario(
        {
            "faults": [
                {
                    "when": {"endpoint": "getbalance"},
                    "calls": [1],
                    "respond": {"status": 503, "retry_after": "10s"},
                }
            ]
        }
    )
    response = client.post(f"{BASE}/getbalance", json={"partnerID": PARTNER, "apikey": APIKEY})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "10"


def test_loading_a_scenario_restarts_the_rate_limit_buckets(client, emu):
    limits = {"rate_limits": {"sendbulk": {"requests": 1, "per": "60s"}}}
    emu.load_scenario(limits)
    payload = {"partnerID": PARTNER, "apikey": APIKEY}
    assert [client.post(f"{BASE}/getbalance", json=payload).status_code for _ in range(2)] == [
        200,
        429,
    ]
    emu.load_scenario(limits)  # as the README says: buckets restart when a scenario loads
    assert client.post(f"{BASE}/getbalance", json=payload).status_code == 200


def test_bad_brand_is_refused_when_the_scenario_loads():
    with pytest.raises(ScenarioError, match="advnta"):
        Emulator(scenario={"providers": {"sendbulk": {"brand": "advnta"}}})


def test_bad_account_list_is_refused_when_the_scenario_loads():
    with pytest.raises(ScenarioError, match=r"accounts\.sendbulk"):
        Emulator(
            scenario={"accounts": {"sendbulk": [{"partnerID": "1", "apikey": "k", "balanse": 3}]}}
        )


@pytest.mark.parametrize("flag", ["false", "no", 0, 1, {"a": 1}])
def test_inbound_interactive_must_be_true_or_false(flag):
    """A quoted "false" would otherwise switch the webhook to the interactive shape."""
    account = {"partnerID": "1", "apikey": "k", "inbound_interactive": flag}
    with pytest.raises(ScenarioError, match=r"\[0\]\.inbound_interactive: must be true or false"):
        Emulator(scenario={"accounts": {"sendbulk": [account]}})


@pytest.mark.parametrize("url", ["not a url", "ftp://host/x", "127.0.0.1:9000/in", 42, ["x"]])
@pytest.mark.parametrize("key", ["dlr_callback_url", "inbound_url"])
def test_a_callback_url_that_cannot_be_called_is_refused_when_the_scenario_loads(key, url):
    """Not loaded only to fail at every callback: the option is named, with its value."""
    with pytest.raises(ScenarioError, match=f"providers.sendbulk.{key}") as scenario_wide:
        Emulator(scenario={"providers": {"sendbulk": {key: url}}})
    assert repr(url) in str(scenario_wide.value)
    account = {"partnerID": "1", "apikey": "k", key: url}
    with pytest.raises(ScenarioError, match=rf"accounts\.sendbulk.*\[0\]\.{key}"):
        Emulator(scenario={"accounts": {"sendbulk": [account]}})
    fine = {"partnerID": "1", "apikey": "k", key: " https://example.test/cb?x=1 ", "username": "u"}
    for none in ("", "  ", False, None):  # as before: no callback
        scenario = {"accounts": {"sendbulk": [fine]}, "providers": {"sendbulk": {key: none}}}
        Emulator(scenario=scenario).close()


@pytest.mark.parametrize(
    "payload",
    [
        {"partnerID": {"a": 1}, "apikey": ["x"], "mobile": {"n": 1}, "message": 5},
        {"partnerID": True, "apikey": 1.5, "mobile": [None, True, 1.5, {}], "message": None},
        {
            "partnerID": "1",
            "apikey": "k",
            "mobile": "254712345678",
            "message": "x",
            "timeToSend": [1],
        },
        {
            "partnerID": "1",
            "apikey": "k",
            "mobile": "254712345678",
            "message": "x",
            "timeToSend": 1e300,
        },
        {"partnerID": "1", "apikey": "k", "pass_type": "bm5"},
    ],
)
@pytest.mark.parametrize(
    "endpoint", ["sendsms", "sendotp", "sendbulk", "getdlr", "getbalance", "credit"]
)
def test_odd_json_never_breaks_the_gateway(client, endpoint, payload):
    if endpoint == "sendbulk":
        payload = {"smslist": [payload, payload]}
    response = client.post(f"{BASE}/{endpoint}", json=payload)
    assert response.status_code == 200
    data = body(response)
    assert isinstance(data, dict)
    assert "emulator-note" not in data  # no emulator bug reached


def test_no_response_body_contains_the_word_errors(client, emu):
    send_payload = creds(mobile="254712345678,x,+447700900123", message="errors are fine in text")
    for endpoint, payload in [
        ("sendsms", send_payload),
        ("sendbulk", {"smslist": [send_payload]}),
        ("getdlr", {**creds(), "messageID": "8290842"}),
        ("getbalance", creds()),
        ("credit", {**creds(), "childID": "x", "amount": "1"}),
    ]:
        body(post(client, endpoint, payload))


@pytest.mark.parametrize(("levels", "code"), [(511, 200), (512, 1009)])
def test_json_nested_past_php_json_decode_depth_is_a_flat_1009(client, levels, code):
    """json_decode's default depth (512) refuses arrays or objects 512 deep, the body's
    own object counted: such a body is "Unsupported data type", one a level less is read."""
    payload = json.dumps({**creds(), "mobile": "0712345678", "message": "Hello", "extra": 0})
    nested = "[" * (levels - 1) + "]" * (levels - 1)
    raw = payload.replace('"extra": 0', f'"extra": {nested}')
    response = client.post(
        f"{BASE}/sendsms", content=raw, headers={"Content-Type": "application/json"}
    )
    data = body(response)
    if code == 1009:
        assert data == {"response-code": 1009, "response-description": "Unsupported data type"}
    else:
        assert data["responses"][0]["response-code"] == code


@pytest.mark.parametrize(
    "raw",
    [
        b'{"partnerID": "1", "apikey": "k", "mobile": "0712345678", "message": "caf\xe9"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"smslist": ' + b"[" * 50_000,
    ],
    ids=["latin-1 bytes", "nested too deep", "unclosed deep nesting"],
)
@pytest.mark.parametrize("endpoint", ["sendsms", "sendbulk", "getbalance"])
def test_unreadable_json_bodies_are_a_flat_1009(client, endpoint, raw):
    """Bytes json_decode cannot read get "Unsupported data type", not an emulator bug."""
    response = client.post(
        f"{BASE}/{endpoint}", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert body(response) == {
        "response-code": 1009,
        "response-description": "Unsupported data type",
    }
