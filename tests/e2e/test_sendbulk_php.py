"""The sendbulk gateway called from PHP with curl, as most of its clients call it.

``tests/e2e/php/sendbulk.php`` sends the seed's PHP sample (``json_encode`` and a
``Content-Type: application/json`` header), an array to ``CURLOPT_POSTFIELDS`` (multipart),
``http_build_query`` (a form) and the GET form, then prints what PHP's
``json_decode`` made of each answer, with each field's PHP type: a client comparing
``$row["response-code"] == 200`` or reading ``messageid`` must get what it expects.
Needs ``php`` with the curl extension (Debian: ``apt-get install php-cli php-curl``;
``.ci/run`` installs them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).parent / "php" / "sendbulk.php"


def php(server: Any, mode: str) -> dict[str, Any]:
    binary = shutil.which("php")
    if binary is None:
        pytest.fail(
            "the PHP client tests need php with curl: apt-get install php-cli php-curl",
            pytrace=False,
        )
    done = subprocess.run(
        [binary, str(SCRIPT), server.url, mode],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_seed_s_php_sample_reads_every_row_as_php_sees_it(sms_emulator_server: Any) -> None:
    got = php(sms_emulator_server, "json")
    assert (got["status"], got["content_type"], got["json_error"]) == (
        200,
        "application/json",
        "No error",
    )
    rows = got["body"]["responses"]
    assert [(r["response-code"], r["clientsmsid"], r["mobile"]) for r in rows] == [
        (200, 1, "254712345678"),
        (200, 2, "254733123456"),
    ]
    row_types = {
        "response-code": "integer",
        "response-description": "string",
        "mobile": "string",
        "messageid": "string",
        "clientsmsid": "integer",
        "networkid": "integer",
    }
    assert got["types"]["responses"] == [row_types, row_types]
    stored = {m["to"]: m["text"] for m in sms_emulator_server.messages(provider="sendbulk")}
    assert stored["+254712345678"] == "Habari 😀\nline two"  # UTF-8 and a line break, intact
    assert stored["+254733123456"].count("\nReply STOP to end. ") == 30


@pytest.mark.parametrize(
    ("mode", "mobile", "text"),
    [
        ("multipart", "+254712345678", "From a form & more"),
        ("urlencoded", "+254712345678", "Urlencoded + plus"),
        ("getsms", "+254712345678", "Hello & welcome"),
    ],
)
def test_php_s_other_ways_of_posting_send_one_message(
    sms_emulator_server: Any, mode: str, mobile: str, text: str
) -> None:
    got = php(sms_emulator_server, mode)
    assert (got["status"], got["json_error"]) == (200, "No error")
    [row] = got["body"]["responses"]
    assert (row["response-code"], row["response-description"]) == (200, "Success")
    assert got["types"]["responses"][0]["response-code"] == "integer"
    assert got["types"]["responses"][0]["messageid"] == "string"
    [message] = sms_emulator_server.messages(provider="sendbulk")
    assert (message["to"], message["text"]) == (mobile, text)
    assert message["id"] == f"sendbulk-{row['messageid']}"


def test_a_refusal_reads_as_php_expects(sms_emulator_server: Any) -> None:
    got = php(sms_emulator_server, "badkey")
    assert got["status"] == 200  # the gateway refuses in the body, not the status
    assert got["body"] == {"response-code": 4092, "response-description": "No API KEY Provided"}
    assert got["types"] == {"response-code": "integer", "response-description": "string"}
    assert sms_emulator_server.messages(provider="sendbulk") == []
