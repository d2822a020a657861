"""``guarded()``: scenario rate limits and faults around a provider handler.

A tiny provider app stands in for the real ones, so these tests pin the
mechanism; tests/scenarios/ shows it through each real provider.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from emulator import Emulator
from emulator._transport import InProcessTransport
from emulator.core.delays import Delays
from emulator.providers import base
from emulator.providers.base import guarded

PROVIDER = "fonedynamics"
#: Per provider, the real endpoint names (and groups) the two test routes stand for.
ROUTES = {
    "fonedynamics": (("send_message", None), ("get_message", None)),
    "ringcentral": (("create_batch", "light"), ("token", "auth")),
}


def render(status: int, retry_after: float | None) -> Response:
    headers = {} if retry_after is None else {"Retry-After": str(round(retry_after))}
    return JSONResponse({"fake_error": status}, status_code=status, headers=headers)


def client_for(
    scenario: dict[str, Any], provider: str = PROVIDER
) -> tuple[Emulator, httpx.Client, list[str]]:
    emu = Emulator(scenario)
    (send_name, send_group), (auth_name, auth_group) = ROUTES[provider]
    handled: list[str] = []

    async def send(request: Request) -> Response:
        handled.append("send")
        limit = request.scope[base.RATE_LIMIT]
        remaining = "-" if limit is None else str(limit.remaining)
        return JSONResponse({"accepted": True, "n": len(handled)}, headers={"X-Left": remaining})

    async def auth(request: Request) -> Response:
        handled.append("auth")
        return JSONResponse({"token": "t"})

    # A bare Router: no error middleware turning a DropConnection into a 500
    # (the real app keeps it from doing so too).
    app = Router(
        routes=[
            Route(
                "/send",
                guarded(emu, provider, send_name, render, group=send_group)(send),
                methods=["POST"],
            ),
            Route(
                "/auth",
                guarded(emu, provider, auth_name, render, group=auth_group)(auth),
                methods=["POST"],
            ),
        ]
    )
    return emu, httpx.Client(transport=InProcessTransport(app), base_url="http://t"), handled


def test_status_fault_uses_the_providers_renderer_and_skips_the_handler() -> None:
    _, client, handled = client_for({"faults": [{"calls": [2], "respond": {"status": 503}}]})
    assert client.post("/send").status_code == 200
    second = client.post("/send")
    assert second.status_code == 503
    assert second.json() == {"fake_error": 503}
    assert "retry-after" not in second.headers
    assert client.post("/send").status_code == 200
    assert handled == ["send", "send"]


def test_429_fault_gets_a_retry_after() -> None:
    _, client, _ = client_for({"faults": [{"first": 1, "respond": {"status": 429}}]})
    assert client.post("/send").headers["retry-after"] == "1"
    _, client, _ = client_for(
        {"faults": [{"first": 1, "respond": {"status": 429, "retry_after": "30s"}}]}
    )
    assert client.post("/send").headers["retry-after"] == "30"


def test_drop_before_raises_remote_protocol_error_and_processes_nothing() -> None:
    _, client, handled = client_for({"faults": [{"calls": [1], "respond": {"drop": True}}]})
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/send")
    assert handled == []
    assert client.post("/send").status_code == 200


def test_drop_after_processes_then_drops() -> None:
    _, client, handled = client_for({"faults": [{"calls": [1], "respond": {"drop": "after"}}]})
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/send")
    assert handled == ["send"]


def test_truncate_sends_half_the_body_with_a_matching_length() -> None:
    _, client, handled = client_for({"faults": [{"first": 1, "respond": {"truncate": True}}]})
    response = client.post("/send")
    full = b'{"accepted":true,"n":1}'
    assert response.status_code == 200
    assert response.content == full[: len(full) // 2]
    assert response.headers["content-length"] == str(len(full) // 2)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-left"] == "-"  # the handler's own headers survive
    assert handled == ["send"]  # the request was processed
    with pytest.raises(ValueError):
        response.json()


def test_malformed_keeps_status_and_headers_but_is_not_json() -> None:
    _, client, _ = client_for({"faults": [{"first": 1, "respond": {"malformed": True}}]})
    response = client.post("/send")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    # not even to a lenient parser (Gson's, Json.NET's), which reads '…' strings
    assert response.content == b"{'accepted':true,'n':1}}{"
    with pytest.raises(ValueError):
        response.json()


@pytest.mark.parametrize("status", [204, 304])
@pytest.mark.parametrize("respond", [{"malformed": True}, {"truncate": True}])
def test_an_answer_that_has_no_body_is_left_as_it_is(status: int, respond: dict) -> None:
    """A 204 (RingCentral's subscription delete) got ``}{`` and a Content-Length of 2,
    which a client reads as the start of its next answer on the connection."""
    answer = Response(status_code=status, headers={"X-Kept": "1"})
    assert base.spoil(respond, answer) is answer


def test_delay_waits_then_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_wait(self: Delays, seconds: float, stale: object = None) -> bool:
        slept.append(seconds)
        return True  # the whole delay passed

    monkeypatch.setattr(Delays, "wait", fake_wait)
    _, client, handled = client_for({"faults": [{"every": 2, "respond": {"delay": "1500ms"}}]})
    assert [client.post("/send").status_code for _ in range(4)] == [200] * 4
    assert slept == [1.5, 1.5]
    assert len(handled) == 4


def test_delay_can_precede_a_status() -> None:
    _, client, handled = client_for(
        {"faults": [{"first": 1, "respond": {"delay": "10ms", "status": 500}}]}
    )
    assert client.post("/send").status_code == 500
    assert handled == []


def test_faults_match_provider_and_endpoint() -> None:
    scenario = {
        "faults": [
            {"when": {"provider": "ringcentral"}, "respond": {"status": 500}},
            {"when": {"endpoint": "get_message"}, "respond": {"status": 401}},
        ]
    }
    _, client, _ = client_for(scenario)
    assert client.post("/send").status_code == 200
    assert client.post("/auth").status_code == 401


def test_rate_limit_answers_429_with_retry_after_and_refills_on_the_clock() -> None:
    emu, client, handled = client_for({"rate_limits": {PROVIDER: {"requests": 2, "per": "10s"}}})
    first, second, third = (client.post("/send") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert (first.headers["x-left"], second.headers["x-left"]) == ("1", "0")
    assert third.json() == {"fake_error": 429}
    assert third.headers["retry-after"] == "5"  # one token comes back every 5s
    assert handled == ["send", "send"]
    emu.advance("5s")
    assert client.post("/send").status_code == 200
    assert client.post("/send").status_code == 429


def test_provider_limit_counts_each_group_separately_group_limit_its_own() -> None:
    """RingCentral counts its groups separately: a plain provider limit gives the
    ``auth`` group a bucket of that size of its own (it used to share one)."""
    rc = "ringcentral"
    _, client, _ = client_for({"rate_limits": {rc: {"requests": 2, "per": "60s"}}}, rc)
    codes = [client.post(p).status_code for p in ("/send", "/auth", "/send", "/auth", "/send")]
    assert codes == [200, 200, 200, 200, 429]
    assert client.post("/auth").status_code == 429
    _, client, _ = client_for(
        {
            "rate_limits": {
                rc: {"requests": 1, "per": "60s"},
                f"{rc}.auth": {"requests": 1, "per": "60s"},
            }
        },
        rc,
    )
    codes = [client.post(p).status_code for p in ("/send", "/auth", "/send", "/auth")]
    assert codes == [200, 200, 429, 429]


def test_penalty_blocks_and_each_refused_call_restarts_it() -> None:
    emu, client, _ = client_for(
        {"rate_limits": {PROVIDER: {"requests": 1, "per": "1s", "penalty": "60s"}}}
    )
    assert client.post("/send").status_code == 200
    refused = client.post("/send")
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "60")
    emu.advance("59s")
    assert client.post("/send").status_code == 429  # restarts the 60s
    emu.advance("59s")
    assert client.post("/send").status_code == 429
    emu.advance("60s")
    assert client.post("/send").status_code == 200


def test_a_zero_penalty_is_no_penalty_retry_after_is_the_refill_wait() -> None:
    """``penalty: 0s`` turns RingCentral's default 60 s penalty off: Retry-After said
    1 s while the bucket stayed empty for 20 s."""
    rc = "ringcentral"
    emu, client, _ = client_for(
        {"rate_limits": {rc: {"requests": 3, "per": "60s", "penalty": "0s"}}}, rc
    )
    assert [client.post("/send").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.post("/send")
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "20")
    emu.advance("19s")
    assert client.post("/send").status_code == 429
    emu.advance("1s")
    assert client.post("/send").status_code == 200


def test_rate_limit_comes_before_faults_and_refused_calls_do_not_count() -> None:
    _, client, _ = client_for(
        {
            "rate_limits": {PROVIDER: {"requests": 1, "per": "60s"}},
            "faults": [{"calls": [2], "respond": {"status": 503}}],
        }
    )
    assert [client.post("/send").status_code for _ in range(3)] == [200, 429, 429]


def test_endpoint_name_is_recorded_for_the_journal() -> None:
    emu = Emulator()
    seen: dict[str, Any] = {}

    async def handler(request: Request) -> Response:
        seen["endpoint"] = request.scope["sms_emulator.endpoint"]
        return Response(b"")

    app = Router(routes=[Route("/x", guarded(emu, PROVIDER, "list_messages", render)(handler))])
    httpx.Client(transport=InProcessTransport(app), base_url="http://t").get("/x")
    assert seen == {"endpoint": "list_messages"}


def test_an_endpoint_the_provider_does_not_declare_cannot_be_guarded() -> None:
    """A scenario naming it would be refused as unknown: a guarded endpoint cannot
    be missing from the list."""
    with pytest.raises(ValueError, match=r"'do_x' is not in its Provider\.endpoints"):
        guarded(Emulator(), PROVIDER, "do_x", render)


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "auth"),
    [
        ("getbalance", "POST", "/api/services/getbalance", None),
        ("token", "POST", "/restapi/oauth/token", ("id", "secret")),
        ("get_message", "GET", "/v2/Messages/M1", ("AC1", "token")),
    ],
)
def test_a_fault_with_retry_after_0s_says_retry_at_once(
    endpoint: str, method: str, path: str, auth: tuple[str, str] | None
) -> None:
    """It said ``Retry-After: 1`` whatever the fault asked: no way to test a client
    that retries at once."""
    fault = {"when": {"endpoint": endpoint}, "respond": {"status": 429, "retry_after": "0s"}}
    emu = Emulator({"faults": [fault]})
    with emu.client() as client:
        response = client.request(method, path, auth=auth, json={"partnerID": "1"})
    assert (response.status_code, response.headers["retry-after"]) == (429, "0")
