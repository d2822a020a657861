"""RingCentral end to end with ringcentral-extensible (``@rc-ex/core``), RingCentral's
other JavaScript SDK, generated from its API spec, run by node.

Installed with the official SDK by ``npm ci --prefix tests/e2e/js``. Its calls differ
from the official SDK's: ``client_id`` in the token form beside the Basic header, array
filters sent as repeated query parameters (``status=Completed&status=Processing``), the
``/restapi/v2/.../sms/consents`` family (``PATCH``, ``search``, ``history``, ``export``),
and a ``RestException`` holding the error answer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

JS = Path(__file__).parent / "js"


def _rcex(script: str, server_url: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the rc-ex SDK tests need Node.js 18+")
    if not (JS / "node_modules" / "@rc-ex" / "core").is_dir():
        pytest.fail(
            "@rc-ex/core is not installed: run `npm ci --prefix tests/e2e/js` first",
            pytrace=False,
        )
    done = subprocess.run(
        [node, str(JS / script), server_url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stderr}\n{done.stdout}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_rcex_sends_lists_and_reads_consents_and_their_history(sms_emulator_server: Any) -> None:
    got = _rcex("rcex_a2p.mjs", sms_emulator_server.url)
    assert "access_token" in got["token"] and "refresh_token" in got["token"]
    created = got["created"]
    assert (created["batchSize"], created["status"]) == (2, "Processing")
    assert created["rejected"] == [
        {
            "index": 3,
            "to": ["+1415555"],
            "errorCode": "SMS-RC-410",
            "description": "The recipient number is invalid",
        }
    ]
    assert got["batches"] == [[created["id"], "Completed"]]
    (first,) = got["page"]["records"]
    assert first["text"] == "Own text" and first["messageStatus"] == "Delivered"
    assert isinstance(first["id"], int)  # the list's id: int64 in the spec
    assert got["next"] == ["+14155550100"]
    assert got["one"]["id"] == str(first["id"])  # one message's id: a string
    assert got["statuses"]["delivered"] == {"count": 2, "cost": 0.014}
    assert got["patched"] == {}
    assert [(r["to"], r["optStatus"]) for r in got["searched"]] == [("+14155550199", "OptIn")]
    assert [(r["optStatus"], r["source"]) for r in got["history"]] == [
        ("OptIn", "Recipient"),
        ("OptOut", "Api"),
    ]
    assert got["exported"].splitlines()[1].startswith("+14155550199,+16505550100,OptIn,")
    assert got["unknownBatch"]["type"] == "RestException"
    assert (got["unknownBatch"]["status"], got["unknownBatch"]["body"]["errorCode"]) == (
        404,
        "CMN-102",
    )
    bad = got["badFilter"]
    assert (bad["status"], bad["body"]["errors"][0]["parameterName"]) == (400, "status")

    journal = httpx.get(
        f"{sms_emulator_server.url}/_emulator/requests", params={"provider": "ringcentral"}
    ).json()["requests"]
    login = journal[0]
    assert login["path"] == "/restapi/oauth/token"
    assert "client_id=rcex-client-id" in login["request_body"]
    assert login["request_headers"]["authorization"].startswith("Basic ")
    listed = next(
        e for e in journal if e["path"].endswith("/a2p-sms/batches") and e["method"] == "GET"
    )
    assert listed["query"] == "status=Completed&status=Processing"
