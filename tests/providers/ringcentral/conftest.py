"""Shared helpers for RingCentral contract tests: a logged-in client and the spec's schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from emulator import Emulator

SCHEMAS = json.loads(
    (Path(__file__).parents[2] / "data" / "ringcentral" / "a2p-schemas.json").read_text("utf-8")
)
A2P = "/restapi/v1.0/account/~/a2p-sms"
SENDER = "+16505550100"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: The client ``login`` authenticates as (HTTP Basic).
CLIENT = ("client-id", "client-secret")


def check_schema(name: str, body: Any) -> None:
    """Validate ``body`` against ``#/components/schemas/<name>`` (or a response)."""
    section = "responses" if name == "OauthInvalidRequest" else "schemas"
    ref = f"#/components/{section}/{name}"
    if section == "responses":
        ref += "/content/application~1json/schema"
    schema = {**SCHEMAS, "$ref": ref}
    jsonschema.validate(body, schema, cls=jsonschema.Draft7Validator)


def login(client: httpx.Client, **form: str) -> dict[str, Any]:
    data = {"grant_type": JWT_GRANT, "assertion": "any-jwt", **form}
    response = client.post("/restapi/oauth/token", auth=CLIENT, data=data)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(
    client: httpx.Client, *, auth: tuple[str, str] = CLIENT, assertion: str = "any-jwt"
) -> dict[str, str]:
    """``Authorization`` headers for a JWT login as the ``auth`` client."""
    response = client.post(
        "/restapi/oauth/token", auth=auth, data={"grant_type": JWT_GRANT, "assertion": assertion}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class RC:
    """An in-process client logged in with a JWT, plus shortcuts for the a2p API."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.http = emu.client()
        self.relogin()

    def relogin(self) -> None:
        self.token = login(self.http)
        self.headers = {"Authorization": f"Bearer {self.token['access_token']}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.http.get(A2P + path, headers=headers, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.http.post(A2P + path, headers=headers, **kwargs)

    def send(self, numbers: list[str], text: str = "Hello", **extra: Any) -> dict[str, Any]:
        body = {"from": SENDER, "text": text, "messages": [{"to": [n]} for n in numbers], **extra}
        response = self.post("/batches", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def messages(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("/messages", params=params)
        assert response.status_code == 200, response.text
        return response.json()["records"]


@pytest.fixture
def rc(sms_emulator: Emulator) -> RC:
    return RC(sms_emulator)
