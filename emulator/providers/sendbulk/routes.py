"""``/api/services/*``: parse the wire request, call the core, write the gateway's answer.

Every answer is JSON.  Refusals are HTTP 200 with a flat body, as the real
gateway sends them; a known endpoint called with a method it does not take
answers 1010 "Unsupported request type" (HTTP 200).  Only an unknown path
(HTTP 404, 4093 "Details Not Found"), a brand's getdlr "No dlr" where it is HTTP 404
(TextSMS) and scenario faults (their HTTP status, 4090 "Internal Error. Try again
after 5 minutes" for 429/5xx, with ``Retry-After`` on 429) use another status.
An unexpected failure inside the emulator answers 1007 "Failed. System error"
with an ``emulator-note``, never a 500 page.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ...core.ratelimit import retry_after_header
from ..base import DropConnection, guarded
from ..routing import provider_app
from .auth import Account, authenticate, find_account, text
from .balance import format_units, get_balance, set_balance
from .brands import BRANDS, DEFAULT_BRAND, Brand
from .config import Config, config_for
from .errors import (
    ConfigurationError,
    InvalidChildAccount,
    NoDlr,
    SendbulkError,
    TooManyContacts,
    TooManyMessages,
    UnsupportedDataType,
    UnsupportedRequestType,
    error_for_status,
)
from .mobile import split_mobiles
from .php import php_list, php_number
from .reports import dlr_body, store_id
from .sending import Item, submit
from .wire import MISSING, code_fields, dlr_code_fields, error_body, flat, read_fields, respond

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["ENDPOINTS", "build_app"]

log = logging.getLogger(__name__)

Handler = Callable[[Request, Config], Awaitable[Response]]
_READ_METHODS = ("GET", "POST")
# Routed for every method so a wrong one gets the gateway's 1010 at HTTP 200.
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _methods(request: Request, allowed: tuple[str, ...]) -> None:
    if request.method not in allowed:
        raise UnsupportedRequestType()


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value) and not isinstance(value, dict | list)


def _handlers(emu: Emulator) -> dict[str, Handler]:
    async def send_to_list(request: Request, config: Config, endpoint: str) -> Response:
        _methods(request, _READ_METHODS)
        fields = await read_fields(request)
        account = authenticate(config.accounts, fields)
        mobiles = split_mobiles(fields.get("mobile"))
        if len(mobiles) > config.brand.sendsms_limit:
            raise TooManyContacts()
        hashed = endpoint == "sendotp" and _truthy(fields.get("hashed"))
        items = [
            Item(
                number, fields.get("message"), time_to_send=fields.get("timeToSend"), hashed=hashed
            )
            for number in mobiles or [""]
        ]
        shortcode = text(fields.get("shortcode"))
        return respond({"responses": submit(emu, config, account, shortcode, endpoint, items)})

    async def sendsms(request: Request, config: Config) -> Response:
        return await send_to_list(request, config, "sendsms")

    async def sendotp(request: Request, config: Config) -> Response:
        return await send_to_list(request, config, "sendotp")

    async def sendbulk(request: Request, config: Config) -> Response:
        _methods(request, ("POST",))
        fields = await read_fields(request, json_only=True)
        smslist = php_list(fields.get("smslist"))
        if not isinstance(smslist, list) or not smslist:
            raise UnsupportedRequestType()
        first = smslist[0]
        if not isinstance(first, dict):
            raise UnsupportedDataType()
        # The first item's credentials and sender id count for the whole list.
        account = authenticate(config.accounts, first)
        if len(smslist) > config.brand.batch_limit:
            raise TooManyMessages()
        items = [
            Item(
                entry.get("mobile"),
                entry.get("message"),
                entry.get("clientsmsid", MISSING),
                entry.get("timeToSend"),
                entry=entry,
            )
            if isinstance(entry, dict)
            else Item(None, None, malformed=True)
            for entry in smslist
        ]
        shortcode = text(first.get("shortcode"))
        return respond({"responses": submit(emu, config, account, shortcode, "sendbulk", items)})

    async def getdlr(request: Request, config: Config) -> Response:
        _methods(request, _READ_METHODS)
        fields = await read_fields(request)
        account = authenticate(config.accounts, fields)
        # messageID only, as PHP reads it: a client sending messageid gets no report,
        # as one did from TextSMS ("every DLR lookup came back empty")
        messageid = text(fields.get("messageID"))
        message = emu.store.get_message(store_id(messageid)) if messageid.isdigit() else None
        if message is None or message.tenant != account.partner_id:
            return _no_dlr(config.brand)
        return respond(dlr_body(config.brand, message, emu.time()))

    async def getbalance(request: Request, config: Config) -> Response:
        _methods(request, _READ_METHODS)
        fields = await read_fields(request)
        account = authenticate(config.accounts, fields)
        body = code_fields(config.brand, 200)
        body["credit"] = format_units(get_balance(emu, config, account))
        body["partner-id"] = account.partner_id
        return respond(body)

    async def credit(request: Request, config: Config) -> Response:
        _methods(request, ("POST",))
        fields = await read_fields(request)
        authenticate(config.accounts, fields)
        child_id = text(fields.get("childID"))
        child = (
            find_account(config.accounts, child_id)
            if config.accounts is not None
            else Account(partner_id=child_id, apikey="")
        )
        if not child_id or child is None:
            raise InvalidChildAccount()
        units = _amount(fields.get("amount"))
        # read and written under one hold, as a send's charge is: a reset (another
        # thread's) falls wholly before (the request is dropped) or after
        with emu.transaction():
            before = get_balance(emu, config, child)
            after = before + units
            if after > MAX_BALANCE:
                raise UnsupportedDataType()
            set_balance(emu, config, child, after)
        shown = str(int(units)) if units.is_integer() else format_units(units)
        body = flat(
            config.brand,
            200,
            f"Partner ID {child.partner_id} has been credited with {shown} units",
        )
        body["prev-balance"] = format_units(before)
        body["sms-units"] = shown
        body["new-balance"] = format_units(after)
        return respond(body)

    return {
        "sendsms": sendsms,
        "sendbulk": sendbulk,
        "sendotp": sendotp,
        "getdlr": getdlr,
        "getbalance": getbalance,
        "credit": credit,
    }


def _no_dlr(brand: Brand) -> Response:
    """getdlr's answer for an id with no report, spelt like its reports (TextSMS: HTTP 404)."""
    body = dlr_code_fields(brand, NoDlr.code)
    body["response-description"] = NoDlr.description
    return respond(body, brand.no_dlr_status)


#: Highest balance a top-up may reach: cents stay exact and "545.00" stays a plain decimal.
MAX_BALANCE = 1e12


def _amount(value: Any) -> float:
    """The credit API's ``amount`` (KES, string or number) as units at the default rate of 1."""
    amount = php_number(text(value))
    if amount is None or not math.isfinite(amount):
        raise UnsupportedDataType()
    units = round(amount, 2)
    if units <= 0:  # 0.001 is a credit of nothing, as 0 is
        raise UnsupportedDataType()
    return units


#: The endpoint names, also the scenario's ``endpoint`` values for faults and rules.
ENDPOINTS = ("sendsms", "sendbulk", "sendotp", "getdlr", "getbalance", "credit")


def build_app(emu: Emulator) -> ASGIApp:
    """The gateway's app, mounted at ``/api/services``."""

    def brand() -> Brand:
        try:
            return config_for(emu.scenario).brand
        except ConfigurationError:
            return BRANDS[DEFAULT_BRAND]

    def answer(error: SendbulkError, headers: dict[str, str] | None = None) -> Response:
        return respond(error_body(brand(), error), error.http_status, headers)

    def render_status(status: int, retry_after: float | None) -> Response:
        headers = None
        if retry_after is not None:  # a fault's retry_after: any status
            headers = {"Retry-After": retry_after_header(retry_after)}
        elif status == 429:
            headers = {"Retry-After": "300"}
        return answer(error_for_status(status), headers)

    def endpoint(name: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                return await handler(request, config_for(emu.scenario))
            except SendbulkError as exc:
                return answer(exc)
            except DropConnection:
                raise
            except Exception as exc:  # never a 500 page
                log.exception("sendbulk %s failed", name)
                return answer(SendbulkError(note=f"emulator bug: {type(exc).__name__}: {exc}"))

        run.__name__ = name
        return guarded(emu, "sendbulk", name, render_status)(run)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:  # a method not in _ALL_METHODS (TRACE, PROPFIND...): as any other
            return answer(UnsupportedRequestType())
        return answer(error_for_status(status))

    async def server_error(request: Request, exc: Exception) -> Response:
        return answer(SendbulkError(note=f"emulator bug: {type(exc).__name__}"))

    handlers = _handlers(emu)
    routes = [
        Route(f"/{name}", endpoint(name, handlers[name]), methods=_ALL_METHODS)
        for name in ENDPOINTS
    ]
    return provider_app(routes, {HTTPException: http_error, Exception: server_error})
