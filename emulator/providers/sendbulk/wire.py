"""Reading requests and writing response bodies in a brand's spelling and JSON types.

Requests: a GET's query string, or a POST body that is JSON (whatever the
``Content-Type`` says: clients send bogus headers) or form-encoded (when the
``Content-Type`` says so).  An empty POST body falls back to the query string.
Unknown keys are ignored (goadvanta sends ``"timeToSend;omitempty"``).
"""

from __future__ import annotations

from itertools import islice
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from ..routing import DirectResponse, read_body
from .brands import Brand, Kind
from .errors import DESCRIPTIONS, SendbulkError, UnsupportedDataType
from .mobile import classify
from .multipart import MAX_FIELDS, UnreadableForm, multipart_fields
from .php import php_fields, php_string

__all__ = [
    "MEDIA_TYPE",
    "MISSING",
    "Rows",
    "code_fields",
    "dlr_code_fields",
    "error_body",
    "flat",
    "read_fields",
    "respond",
    "typed",
]

MEDIA_TYPE = "application/json"


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: A field the client did not send (distinct from ``null``).
MISSING: Any = _Missing()


def respond(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON response as the gateway sends it."""
    return DirectResponse(msgspec.json.encode(body), status, headers, MEDIA_TYPE)


def code_fields(brand: Brand, code: int) -> dict[str, Any]:
    return dict.fromkeys(brand.code_keys, str(code) if brand.code_kind == "str" else code)


def dlr_code_fields(brand: Brand, code: int) -> dict[str, Any]:
    """getdlr's code field(s): the brand's, unless its reports spell or type them otherwise."""
    keys = brand.dlr_code_keys or brand.code_keys
    kind = brand.dlr_code_kind or brand.code_kind
    return dict.fromkeys(keys, str(code) if kind == "str" else code)


def flat(brand: Brand, code: int, description: str, **extra: Any) -> dict[str, Any]:
    """A flat (no ``responses``) body: the code key(s), the description, then ``extra``."""
    body = code_fields(brand, code)
    body["response-description"] = description
    body.update(extra)
    return body


def error_body(brand: Brand, error: SendbulkError) -> dict[str, Any]:
    extra = {}
    note = error.extra.get("note")
    if note:
        extra["emulator-note"] = note
    return flat(brand, error.code, error.description, **extra)


def typed(value: Any, kind: Kind) -> Any:
    """``value`` as the JSON type ``kind`` asks for (``echo``: unchanged).

    Text is the PHP gateway's string cast (:func:`php_string`), never Python's.
    """
    if kind == "echo":
        return value
    if kind == "str":
        return value if isinstance(value, str) else php_string(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    digits = php_string(value)
    # A leading zero would be lost in a number: such values stay strings.
    numeric = digits.isascii() and digits.isdigit() and (digits == "0" or digits[0] != "0")
    return int(digits) if numeric and len(digits) < 19 else digits


def _shown_mobile(mobile: Any, kind: Kind) -> Any:
    """A refused row's ``mobile``: a Kenyan number normalised as on success rows, else as sent."""
    if isinstance(mobile, bool) or not isinstance(mobile, str | int | float):
        return ""  # null, objects, arrays: nothing the gateway could read as a number
    number = classify(mobile)
    if number.kind == "kenyan":
        return typed(number.msisdn, kind)
    if mobile == "":
        return ""
    return typed(mobile, kind)


class Rows:
    """Writes the per-item rows of one brand and endpoint.

    Built once per scenario and endpoint (``Config.rows``) so that the
    brand's JSON types are looked up once, not once per row.
    """

    __slots__ = (
        "_brand",
        "_clientsmsid",
        "_echo_clientsmsid",
        "_endpoint",
        "_messageid_as_str",
        "_mobile_as_int",
        "_networkid_as_str",
        "_success",
    )

    def __init__(self, brand: Brand, endpoint: str) -> None:
        self._brand = brand
        self._endpoint = endpoint
        self._success = flat(brand, 200, "Success")
        self._mobile_as_int = brand.mobile_kind(endpoint) == "int"
        self._messageid_as_str = brand.messageid_kind(endpoint) == "str"
        self._networkid_as_str = brand.networkid == "str"
        self._clientsmsid = brand.clientsmsid
        self._echo_clientsmsid = brand.clientsmsid == "echo"

    def success(
        self,
        msisdn: str,
        messageid: str,
        networkid: int,
        clientsmsid: Any = MISSING,
        hashed: bool = False,
    ) -> dict[str, Any]:
        """An accepted item's row.

        ``msisdn`` is the normalised ``254…`` number, or with ``hashed`` the
        value the client sent (shown as sent); ``messageid`` is in digits.
        """
        row = self._success.copy()
        # A normalised msisdn is 12 ASCII digits without a leading zero: what
        # ``typed`` checks before making it a number.
        row["mobile"] = int(msisdn) if self._mobile_as_int and not hashed else msisdn
        row["messageid"] = messageid if self._messageid_as_str else int(messageid)
        if clientsmsid is not MISSING:
            row["clientsmsid"] = (
                clientsmsid if self._echo_clientsmsid else typed(clientsmsid, self._clientsmsid)
            )
        row["networkid"] = str(networkid) if self._networkid_as_str else networkid
        return row

    def failure(
        self,
        code: int,
        mobile: Any,
        clientsmsid: Any = MISSING,
        description: str | None = None,
        entry: Any = None,
    ) -> dict[str, Any]:
        """A refused item's row: no ``messageid`` or ``networkid``.

        ``description`` replaces the code's usual text (the 1004 row's names the
        balance).  A sendsms/sendotp 1004 row shows the number as the client sent it,
        as text (a live Advanta row: ``"mobile": "0708467001"``), not normalised like
        the other rows.  ``entry`` is the sendbulk smslist entry as sent: a WaveSMS 1004
        row's ``mobile`` is that whole object (its credentials, ``message`` and
        ``mobile`` as sent), as the WaveSMS SDK found it live.
        """
        brand, endpoint = self._brand, self._endpoint
        row = flat(brand, code, DESCRIPTIONS[code] if description is None else description)
        shown: str | dict[str, Any]
        if code == 1004 and endpoint != "sendbulk":
            shown = mobile if isinstance(mobile, str) else php_string(mobile)
        else:
            shown = _shown_mobile(mobile, brand.mobile_kind(endpoint))
        if code == 1004 and brand.low_credit_mobile_object:
            shown = entry if isinstance(entry, dict) else {"mobile": shown}
        row["mobile"] = shown
        if clientsmsid is not MISSING:
            row["clientsmsid"] = typed(clientsmsid, brand.clientsmsid)
        return row


#: PHP's ``max_input_vars``: a query string's first 1,000 fields count, and a URL-encoded
#: body's first 1,001 (``add_post_vars`` registers one before it counts past the limit).
_QUERY_FIELDS, _FORM_FIELDS = MAX_FIELDS, MAX_FIELDS + 1


def _form(raw: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise UnsupportedDataType() from None
    return php_fields(islice(pairs, _FORM_FIELDS))


#: PHP's json_decode reads a float literal past the double range (``1e400``) as INF,
#: where msgspec refuses the whole body: the item, not the request, is then refused.
_JSON = msgspec.json.Decoder(float_hook=float)


#: How deep json_decode's default ``$depth`` lets arrays and objects nest: one more
#: is "Maximum stack depth exceeded" and null (msgspec reads about twice as deep).
_PHP_JSON_DEPTH = 511


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        data = _JSON.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        # Not UTF-8 or nested past the parser: PHP's json_decode gives null here too.
        raise UnsupportedDataType() from None
    if not isinstance(data, dict):
        raise UnsupportedDataType()
    # Counting brackets (in strings too) is quick: only a body with enough looks deeper.
    if raw.count(b"[") + raw.count(b"{") > _PHP_JSON_DEPTH and _too_deep(data):
        raise UnsupportedDataType()
    return data


def _too_deep(data: dict[str, Any]) -> bool:
    """Whether arrays and objects nest past what PHP's json_decode reads (the body is 1).

    A level at a time, containers only: about 3 ms for a sendbulk list of 10,000 items.
    """
    level: list[Any] = [data]
    for _ in range(_PHP_JSON_DEPTH):  # after n rounds, the containers n + 1 deep
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) is dict or type(child) is list  # msgspec decodes to these
        ]
        if not level:
            return False
    return True


def _json_object_or_none(raw: bytes) -> dict[str, Any] | None:
    try:
        return _json_object(raw)
    except UnsupportedDataType:
        return None


async def read_fields(request: Request, *, json_only: bool = False) -> dict[str, Any]:
    """The request's fields; 1009 when the body is neither a JSON object nor a form.

    Query-string fields count too, under the body's (credentials may travel
    in either).  A GET's body is read when it is a JSON object, else ignored.
    """
    # An empty query string is the usual case: skip building QueryParams for it.
    query = (
        php_fields(islice(request.query_params.multi_items(), _QUERY_FIELDS))
        if request.scope.get("query_string")
        else {}
    )
    raw = await read_body(request) or b""  # None only past a limit, and there is none
    blank = not raw or raw.isspace()  # bytes.isspace: the ASCII whitespace strip() removes
    if request.method in ("GET", "HEAD"):
        if not blank:
            try:
                query.update(_json_object(raw))
            except UnsupportedDataType:
                pass  # a GET is answered from its query string
        return query
    if blank:
        if json_only:
            raise UnsupportedDataType()
        return query
    raw_type = request.headers.get("content-type", "")
    content_type = raw_type.lower()
    if content_type.startswith("multipart/form-data") and raw.lstrip()[:1] != b"{":
        if json_only:
            raise UnsupportedDataType()
        try:
            return {**query, **multipart_fields(raw, raw_type)}
        except UnreadableForm:
            raise UnsupportedDataType() from None
    if "application/x-www-form-urlencoded" in content_type:
        # JSON whatever the Content-Type says: PHP's curl posting json_encode(...) without
        # a header sends it as a form, and the gateway decodes its raw input as JSON.
        data = _json_object_or_none(raw) if raw.lstrip()[:1] == b"{" else None
        if data is None:
            if json_only:
                raise UnsupportedDataType()
            return {**query, **_form(raw)}
    else:
        data = _json_object(raw)
    return {**query, **data} if query else data
