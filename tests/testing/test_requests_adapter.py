"""requests-based code reaching an in-process emulator through ``mount_emulator``."""

from __future__ import annotations

import io
import json

import pytest
import requests
from urllib3.util import Retry, Timeout

from emulator import Emulator
from emulator.testing.requests_adapter import EmulatorAdapter, mount_emulator


@pytest.fixture
def session() -> requests.Session:
    return mount_emulator(requests.Session(), Emulator())


def test_any_host_reaches_the_emulator(session: requests.Session) -> None:
    for url in ("https://quicksms.advantasms.com", "http://localhost:9"):
        response = session.get(url + "/_emulator/health")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        assert response.url == url + "/_emulator/health"


def test_status_headers_and_body_pass_through(session: requests.Session) -> None:
    response = session.post(
        "https://api.fonedynamics.com/v2/Properties/S1/Messages",
        json={"To": "+61412345678", "Text": "hi"},
    )
    assert response.status_code == 401 and response.reason == "Unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.json()["ResponseStatus"]["ErrorCode"] == "UNAUTHORIZED"
    # what HTTPAdapter.build_response sets, as code (raise_for_status, logging) reads it
    assert response.encoding == requests.utils.get_encoding_from_headers(response.headers)
    assert response.encoding is not None
    assert response.request.method == "POST"
    assert response.request.url == "https://api.fonedynamics.com/v2/Properties/S1/Messages"


def test_a_closed_session_can_still_send_as_over_a_socket(session: requests.Session) -> None:
    """``close()`` empties requests' connection pools, which fill again on use: a
    session used after it (a fixture's, closed by a ``with`` block) still sends."""
    session.close()
    assert session.get("https://x/_emulator/health").status_code == 200
    session.close()


@pytest.mark.parametrize("read", ["iter_content", "iter_lines", "raw.read"])
def test_a_streamed_response_reads_as_over_a_socket(session: requests.Session, read: str) -> None:
    """``stream=True`` code (a CSV export read line by line) works unchanged."""
    url = "https://quicksms.advantasms.com/api/services/getbalance/"
    whole = session.post(url, json={"partnerID": "1", "apikey": "k"}).content
    with session.post(url, json={"partnerID": "1", "apikey": "k"}, stream=True) as response:
        if read == "iter_content":
            body = b"".join(response.iter_content(16))
        elif read == "iter_lines":
            body = b"\n".join(response.iter_lines())
        else:
            assert response.raw.status == 200
            assert response.raw.headers["content-type"] == "application/json"
            body = response.raw.read()
    assert body == whole
    assert body.startswith(b'{"response-code"')


def test_form_bodies_are_sent(session: requests.Session) -> None:
    response = session.post(
        "https://platform.ringcentral.com/restapi/oauth/token",
        auth=("id", "secret"),
        data={"grant_type": "password", "username": "u", "password": "p"},
    )
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


def test_a_latin_1_header_value_is_sent_as_over_a_socket(session: requests.Session) -> None:
    """http.client writes a str header value in Latin-1: the emulator answers it, as a
    live server does (a Basic value that is not Base-64: Fone Dynamics' FormatException)."""
    response = session.get(
        "https://api.fonedynamics.com/v2/Messages/M1", headers={"Authorization": "Basic caf\u00e9"}
    )
    assert response.status_code == 400
    assert response.json()["ResponseStatus"]["ErrorCode"] == "FormatException"
    session.get(
        "https://quicksms.advantasms.com/api/services/getbalance", headers={"X-N": "\u00e9"}
    )
    (*_, entry) = session.get("http://x/_emulator/requests").json()["requests"]
    assert entry["request_headers"]["x-n"] == "\u00e9"


def test_a_generator_body_of_str_chunks_is_sent_as_utf_8(session: requests.Session) -> None:
    """urllib3 sends a str chunk of a chunked upload in UTF-8."""

    def chunks():
        yield '{"partnerID": "1", "apikey": "k", "shortcode": "SHOP", '
        yield '"mobile": "254712345678", "message": "Asante\u2019"}'

    response = session.post("https://quicksms.advantasms.com/api/services/sendsms", data=chunks())
    assert response.json()["responses"][0]["response-code"] == 200
    (message,) = session.get("http://x/_emulator/messages").json()["messages"]
    assert message["text"] == "Asante\u2019"


def test_a_dropped_connection_is_a_requests_connection_error() -> None:
    emu = Emulator(
        scenario={"faults": [{"when": {"provider": "sendbulk"}, "respond": {"drop": True}}]}
    )
    session = mount_emulator(requests.Session(), emu)
    with pytest.raises(requests.ConnectionError):
        session.post("https://x/api/services/getbalance", json={"partnerID": "1", "apikey": "k"})


def test_a_delay_longer_than_the_timeout_is_a_requests_read_timeout() -> None:
    emu = Emulator(
        scenario={"faults": [{"when": {"provider": "sendbulk"}, "respond": {"delay": "300ms"}}]}
    )
    session = mount_emulator(requests.Session(), emu)
    credentials = {"partnerID": "1", "apikey": "k"}
    with pytest.raises(requests.ReadTimeout):
        session.post("https://x/api/services/getbalance", json=credentials, timeout=0.05)
    with pytest.raises(requests.ReadTimeout):
        session.post("https://x/api/services/getbalance", json=credentials, timeout=(1, 0.05))
    url = "https://x/api/services/getbalance"
    styles = (Timeout(connect=1, read=0.05), Timeout(total=0.05), Timeout(read=5, total=0.05))
    for urllib3_style in styles:  # total caps read
        with pytest.raises(requests.ReadTimeout):
            session.post(url, json=credentials, timeout=urllib3_style)
    waits = session.post("https://x/api/services/getbalance", json=credentials, timeout=Timeout())
    assert waits.status_code == 200
    assert session.post("https://x/api/services/getbalance", json=credentials).status_code == 200


def _retrying(emu: Emulator, **policy: object) -> requests.Session:
    """A session with a retry policy mounted before the emulator, as an app builds it."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(max_retries=Retry(backoff_factor=0, **policy))
    session.mount("https://", adapter)
    return mount_emulator(session, emu)


def _faulty(respond: dict[str, object], first: int = 2) -> Emulator:
    fault = {"when": {"endpoint": "getbalance"}, "first": first, "respond": respond}
    return Emulator(scenario={"faults": [fault]})


BALANCE = "https://x/api/services/getbalance"
CREDENTIALS = {"partnerID": "1", "apikey": "k"}


@pytest.mark.parametrize("respond", [{"status": 502}, {"drop": True}])
def test_the_sessions_retry_policy_is_kept(respond: dict[str, object]) -> None:
    """It was dropped with the adapter mount_emulator replaced: retry code that works
    against the live server failed in-process."""
    emu = _faulty(respond)
    session = _retrying(emu, total=3, status_forcelist=[502], allowed_methods=None)
    assert session.post(BALANCE, json=CREDENTIALS).status_code == 200
    assert [e["status"] for e in emu.journal.entries()] == [
        None if "drop" in respond else 502,
        None if "drop" in respond else 502,
        200,
    ]


class _RecordingRetry(Retry):
    """A policy that notes each wait it is asked for (``new()`` keeps the class)."""

    waits: list[str] = []

    def sleep(self, response: object = None) -> None:
        self.waits.append("answer" if response is not None else "error")


@pytest.mark.parametrize(
    ("respond", "wait"), [({"status": 502}, "answer"), ({"drop": True}, "error")]
)
def test_the_policys_backoff_is_waited_before_each_retry(
    respond: dict[str, object], wait: str
) -> None:
    """As urllib3 does over a socket: backoff and ``Retry-After`` pace the retries."""
    _RecordingRetry.waits = []
    session = requests.Session()
    policy = _RecordingRetry(total=3, status_forcelist=[502], allowed_methods=None)
    session.mount("https://", requests.adapters.HTTPAdapter(max_retries=policy))
    mount_emulator(session, _faulty(respond))
    assert session.post(BALANCE, json=CREDENTIALS).status_code == 200
    assert _RecordingRetry.waits == [wait, wait]


def test_a_retry_policy_that_runs_out_ends_as_over_a_socket() -> None:
    emu = _faulty({"status": 502}, first=5)
    with pytest.raises(requests.exceptions.RetryError, match="/api/services/getbalance"):
        _retrying(emu, total=2, status_forcelist=[502], allowed_methods=None).post(
            BALANCE, json=CREDENTIALS
        )
    answered = _retrying(
        emu, total=1, status_forcelist=[502], allowed_methods=None, raise_on_status=False
    ).post(BALANCE, json=CREDENTIALS)
    assert answered.status_code == 502
    with pytest.raises(requests.ConnectionError):
        _retrying(_faulty({"drop": True}, first=5), total=2, allowed_methods=None).post(
            BALANCE, json=CREDENTIALS
        )


def test_a_post_is_not_retried_unless_the_policy_allows_it() -> None:
    """urllib3's default ``allowed_methods`` leaves POST out: a message is never sent twice."""
    emu = _faulty({"status": 502})
    response = _retrying(emu, total=3, status_forcelist=[502]).post(BALANCE, json=CREDENTIALS)
    assert response.status_code == 502 and len(emu.journal.entries()) == 1
    with pytest.raises(requests.ConnectionError):
        _retrying(_faulty({"drop": True}), total=3).post(BALANCE, json=CREDENTIALS)


def test_an_adapter_built_alone_raises_a_timeout_as_requests_does() -> None:
    """With requests' own default policy: a GET that times out is a ReadTimeout, not
    ``ConnectionError("Max retries exceeded")``."""
    emu = _faulty({"delay": "300ms"})
    session = requests.Session()
    session.mount("https://", EmulatorAdapter(emu))
    with pytest.raises(requests.ReadTimeout):
        session.get(BALANCE, params=CREDENTIALS, timeout=0.05)


def test_an_adapter_built_alone_sends_once_as_requests_does() -> None:
    """requests' default policy retries nothing, not even a 429 with ``Retry-After``."""
    emu = _faulty({"status": 429}, first=1)
    session = requests.Session()
    session.mount("https://", EmulatorAdapter(emu))
    response = session.get(BALANCE, params=CREDENTIALS)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert len(emu.journal.entries()) == 1


def test_a_file_body_is_sent_whole_on_every_attempt() -> None:
    """Read at the first attempt, it went empty on the retry (4091: no partner id)."""
    emu = _faulty({"status": 502}, first=1)
    session = _retrying(emu, total=2, status_forcelist=[502], allowed_methods=None)
    body = io.BytesIO(json.dumps(CREDENTIALS).encode())
    response = session.post(BALANCE, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and "credit" in response.json()


def test_an_adapter_mounted_for_a_host_is_replaced_too() -> None:
    """requests picks the longest prefix: that host's calls went to the real network."""
    session = requests.Session()
    host = "https://quicksms.advantasms.com"
    session.mount(host, requests.adapters.HTTPAdapter(max_retries=Retry(total=1)))
    mount_emulator(session, Emulator())
    adapter = session.get_adapter(host + "/api/services/getbalance")
    assert isinstance(adapter, EmulatorAdapter) and adapter.max_retries.total == 1
    response = session.post(host + "/api/services/getbalance", json=CREDENTIALS)
    assert response.status_code == 200
