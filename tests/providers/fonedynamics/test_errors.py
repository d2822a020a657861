"""Everything inside /v2 answers in the ResponseStatus shape: routing errors, faults, limits."""

from __future__ import annotations

import httpx
import pytest

from emulator import Emulator

from .conftest import MESSAGES, PROPERTY

BODY = {"From": "MyShop", "To": "+61488023555", "Text": "hi"}


def assert_status(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["ResponseStatus"]
    assert body["ResponseStatus"]["ErrorCode"] == code
    assert isinstance(body["ResponseStatus"]["Message"], str)


@pytest.mark.parametrize("path", ["/v2/Nothing", "/v2/Properties/S1", "/v2/Properties/S1/Calls"])
def test_unknown_paths_are_404_in_provider_shape(client: httpx.Client, path: str) -> None:
    assert_status(client.get(path), 404, "NOT_FOUND")


def test_wrong_method_is_405_in_provider_shape(client: httpx.Client) -> None:
    assert_status(client.delete(MESSAGES), 405, "METHOD_NOT_ALLOWED")
    assert_status(client.put("/v2/Messages/MABC"), 405, "METHOD_NOT_ALLOWED")
    assert_status(client.get(f"/v2/Properties/{PROPERTY}/BatchMessages"), 405, "METHOD_NOT_ALLOWED")


def test_fixed_path_segments_are_case_insensitive(client: httpx.Client) -> None:
    response = client.post(f"/v2/properties/{PROPERTY}/messages", json=BODY)
    assert response.status_code == 200
    sid = response.json()["Message"]["MessageSid"]
    assert client.get(f"/v2/MESSAGES/{sid}").status_code == 200
    batch = client.post(f"/v2/properties/{PROPERTY}/batchmessages", json={"Messages": [BODY]})
    assert batch.status_code == 200
    # the version segment too
    upper = client.post(f"/V2/PROPERTIES/{PROPERTY}/MESSAGES", json=BODY)
    assert upper.status_code == 200
    assert client.get(f"http://sms-emulator.test//V2//Messages/{sid}/").status_code == 200
    assert_status(client.get("/V2/Nothing"), 404, "NOT_FOUND")


def test_trailing_slash_and_double_slash_route(client: httpx.Client) -> None:
    assert client.post(f"/v2/Properties/{PROPERTY}/Messages/", json=BODY).status_code == 200
    assert (
        client.post(
            f"http://sms-emulator.test//v2/Properties/{PROPERTY}/Messages", json=BODY
        ).status_code
        == 200
    )


def test_url_encoded_sid_segments(client: httpx.Client) -> None:
    response = client.post("/v2/Properties/S%20WITH%20SPACE/Messages", json=BODY)
    assert response.json()["Message"]["PropertySid"] == "S WITH SPACE"


@pytest.mark.sms_scenario({"rate_limits": {"fonedynamics": {"requests": 1, "per": "60s"}}})
def test_rate_limit_is_429_with_retry_after(client: httpx.Client) -> None:
    assert client.post(MESSAGES, json=BODY).status_code == 200
    response = client.post(MESSAGES, json=BODY)
    assert_status(response, 429, "TOO_MANY_REQUESTS")
    assert int(response.headers["retry-after"]) >= 1


@pytest.mark.sms_scenario(
    {
        "faults": [
            {
                "when": {"provider": "fonedynamics", "endpoint": "send_batch"},
                "calls": [1],
                "respond": {"status": 503},
            }
        ]
    }
)
def test_scenario_fault_answers_in_provider_shape(emu: Emulator, client: httpx.Client) -> None:
    batch = f"/v2/Properties/{PROPERTY}/BatchMessages"
    assert_status(client.post(batch, json={"Messages": [BODY]}), 503, "SERVICE_UNAVAILABLE")
    assert emu.messages() == []
    assert client.post(batch, json={"Messages": [BODY]}).status_code == 200


@pytest.mark.sms_scenario(
    {"faults": [{"when": {"endpoint": "get_message"}, "respond": {"status": 401}}]}
)
def test_fault_401_carries_the_challenge(client: httpx.Client) -> None:
    response = client.get("/v2/Messages/MABC")
    assert_status(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == 'Basic realm="/auth/basic"'


def test_unexpected_error_is_a_500_in_provider_shape(
    emu: Emulator, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("store exploded")

    monkeypatch.setattr(emu.store, "get_message", broken)
    response = client.get("/v2/Messages/MABC")
    assert_status(response, 500, "RuntimeError")
    assert response.json()["ResponseStatus"]["Message"] == "store exploded"


def test_requests_are_journalled_with_endpoint_names(emu: Emulator, client: httpx.Client) -> None:
    client.post(MESSAGES, json=BODY)
    client.get(MESSAGES)
    entries = emu.journal.entries(provider="fonedynamics")
    assert [e["endpoint"] for e in entries] == ["send_message", "list_messages"]


def test_405_lists_the_allowed_methods(client: httpx.Client) -> None:
    # Always in this order: it followed the hash seed, changing from run to run.
    assert client.delete(MESSAGES).headers["allow"] == "GET, HEAD, POST"
    assert client.put("/v2/Messages/MABC").headers["allow"] == "GET, HEAD"
