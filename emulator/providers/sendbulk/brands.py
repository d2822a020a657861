"""Brand profiles: what differs between the white-label gateways built on one platform.

Every brand serves the same paths and fields; they differ in the batch limit,
the spelling of the code key (``response-code`` or TextSMS's ``respose-code``)
and the JSON types of a few response fields.  A scenario picks one with
``providers: {sendbulk: {brand: textsms}}`` and may override single traits
(``code_key: both``, ``batch_limit: 50``).

Type kinds: ``"int"`` (a JSON number when the value is all digits), ``"str"``
(always a string) and ``"echo"`` (the JSON type the client sent).

Choices where sources disagree (see docs/providers/sendbulk.md):

- ``advanta`` follows the strictest real client (goadvanta): ``messageid`` a
  string everywhere, ``mobile`` a number on sendsms/sendotp rows, ``networkid``
  a number, ``clientsmsid`` echoed.
- ``fastmessage`` and ``speedocom`` share Advanta's published docs and follow
  them literally: sendsms ``messageid`` is "integer for this API".
- ``textsms`` follows TextSMS's live responses: ``respose-code``, its value and
  every id a string, TAT as ``"0.24 sec"``; its getdlr reports are spelt and typed
  as documented (``"response-code": 200``) and "No dlr" is HTTP 404, as production
  reports captured from TextSMS show.
- ``sunface``, ``kemrut`` and ``teamweb`` follow the TextSMS-style pages they
  publish: ``respose-code``, numeric ``messageid``/``mobile`` on sendsms rows,
  a numeric ``messageid`` and a string ``clientsmsid`` on sendbulk rows,
  ``networkid`` a string. ``celcom`` is the same but writes both code keys
  (the typo first) and a string sendsms ``mobile``, as a live Celcom row shows;
  Celcom publishes no sendbulk answer, so its sendbulk rows keep the platform
  docs' types (``messageid`` a string, ``clientsmsid`` echoed).
- ``wavesms`` follows the WaveSMS SDK's fixtures, including the ``1004`` row
  whose ``mobile`` is an object.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from ...core.suggest import did_you_mean

__all__ = [
    "BRANDS",
    "CODE_KEY",
    "DEFAULT_BRAND",
    "SENDSMS_LIST_LIMIT",
    "TYPO_CODE_KEY",
    "Brand",
    "BrandConfigError",
    "Kind",
    "brand_from_options",
]

Kind = Literal["int", "str", "echo"]
TatStyle = Literal["clock", "seconds"]

CODE_KEY = "response-code"
TYPO_CODE_KEY = "respose-code"
_CODE_KEY_CHOICES = {
    CODE_KEY: (CODE_KEY,),
    TYPO_CODE_KEY: (TYPO_CODE_KEY,),
    # the order of a live Celcom row: {"respose-code":200,"response-code":200,...}
    "both": (TYPO_CODE_KEY, CODE_KEY),
}


class BrandConfigError(ValueError):
    """The scenario's ``providers.sendbulk`` options cannot be used (``option``: which)."""

    def __init__(self, reason: str, option: str) -> None:
        super().__init__(reason)
        self.option = option


#: Most numbers in one sendsms/sendotp comma list (1104 past it), every brand: the
#: platform documents 1000, and the smaller brands' 20 is only said of sendbulk.
SENDSMS_LIST_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Brand:
    """One gateway brand's wire traits."""

    name: str
    title: str
    host: str
    #: Most items per sendbulk request (1012 past it).
    batch_limit: int
    #: Code key(s) written in every response, in this order.
    code_keys: tuple[str, ...]
    #: JSON type of ``messageid`` on rows, by endpoint.
    sendsms_messageid: Kind
    sendbulk_messageid: Kind
    sendotp_messageid: Kind
    #: JSON type of ``mobile`` on sendsms/sendotp rows and on sendbulk rows.
    sendsms_mobile: Kind
    sendbulk_mobile: Kind
    networkid: Kind
    clientsmsid: Kind
    #: JSON type of the code values: numbers (docs) or strings (TextSMS live: a
    #: client's ``code === 200`` recorded 112 delivered messages as failed).
    code_kind: Kind = "int"
    #: ``delivery-tat`` as ``"00:02:30"`` (docs) or ``"0.24 sec"`` (TextSMS live).
    tat_style: TatStyle = "clock"
    #: getdlr's code key(s) and code type where they are not the brand's (None: the
    #: brand's): TextSMS's production reports carry ``"response-code": 200``.
    dlr_code_keys: tuple[str, ...] | None = None
    dlr_code_kind: Kind | None = None
    #: HTTP status of getdlr's "No dlr" answer (TextSMS production: 404).
    no_dlr_status: int = 200
    #: The 1004 row's ``mobile`` is an object (the WaveSMS SDK reads its ``mobile``): a
    #: sendbulk row echoes the smslist entry as sent, a sendsms row ``{"mobile": ...}``.
    low_credit_mobile_object: bool = False
    #: Most numbers in one sendsms/sendotp comma list (1104 past it).
    sendsms_limit: int = SENDSMS_LIST_LIMIT

    def messageid_kind(self, endpoint: str) -> Kind:
        if endpoint == "sendbulk":
            return self.sendbulk_messageid
        if endpoint == "sendotp":
            return self.sendotp_messageid
        return self.sendsms_messageid

    def mobile_kind(self, endpoint: str) -> Kind:
        return self.sendbulk_mobile if endpoint == "sendbulk" else self.sendsms_mobile


_ADVANTA = Brand(
    name="advanta",
    title="Advanta Africa",
    host="quicksms.advantasms.com",
    batch_limit=1000,
    code_keys=(CODE_KEY,),
    sendsms_messageid="str",
    sendbulk_messageid="str",
    sendotp_messageid="str",
    sendsms_mobile="int",
    sendbulk_mobile="str",
    networkid="int",
    clientsmsid="echo",
)
_DOCUMENTED = dataclasses.replace(_ADVANTA, sendsms_messageid="int")
_TEXTSMS = Brand(
    name="textsms",
    title="TextSMS",
    host="sms.textsms.co.ke",
    batch_limit=20,
    code_keys=(TYPO_CODE_KEY,),
    sendsms_messageid="str",
    sendbulk_messageid="str",
    sendotp_messageid="str",
    sendsms_mobile="str",
    sendbulk_mobile="str",
    networkid="str",
    clientsmsid="str",
    code_kind="str",
    tat_style="seconds",
    dlr_code_keys=(CODE_KEY,),
    dlr_code_kind="int",
    no_dlr_status=404,
)
# The TextSMS-style pages' sendbulk sample answers items sent with "clientsmsid": 1234
# with {"respose-code": 200, "response-description": "Success", "mobile": "254733123456",
# "messageid": 75085465, "clientsmsid": "1234", "networkid": "2"}: a numeric messageid
# and the clientsmsid as a string.
_TEXTSMS_PAGES = Brand(
    name="sunface",
    title="Sunface",
    host="sms.sunfacegroup.co.ke",
    batch_limit=20,
    code_keys=(TYPO_CODE_KEY,),
    sendsms_messageid="int",
    sendbulk_messageid="int",
    sendotp_messageid="str",
    sendsms_mobile="int",
    sendbulk_mobile="str",
    networkid="str",
    clientsmsid="str",
)

#: Every known brand profile by scenario name.
BRANDS: dict[str, Brand] = {
    b.name: b
    for b in (
        _ADVANTA,
        dataclasses.replace(_DOCUMENTED, name="fastmessage", title="FastMessage", host=""),
        dataclasses.replace(_DOCUMENTED, name="speedocom", title="Speedocom", host=""),
        _TEXTSMS,
        _TEXTSMS_PAGES,
        dataclasses.replace(_TEXTSMS_PAGES, name="kemrut", title="Kemrut", host="sms.kemrut.com"),
        dataclasses.replace(
            _TEXTSMS_PAGES, name="teamweb", title="Teamweb", host="sms.teamweb.africa"
        ),
        # A live Celcom sendsms row (kept in a Business Central client):
        # {"respose-code":200,"response-code":200,"response-description":"Success",
        #  "mobile":"254728687217","messageid":213088439,"networkid":"1"}: both keys,
        # the typo first, a numeric messageid and a string mobile. Celcom publishes no
        # sendbulk answer: its sendbulk rows keep the platform docs' types (a string
        # messageid, clientsmsid echoed).
        dataclasses.replace(
            _TEXTSMS_PAGES,
            name="celcom",
            title="Celcom Africa",
            host="isms.celcomafrica.com",
            code_keys=(TYPO_CODE_KEY, CODE_KEY),
            sendsms_messageid="int",
            sendsms_mobile="str",
            sendbulk_messageid="str",
            clientsmsid="echo",
        ),
        Brand(
            name="wavesms",
            title="WaveSMS",
            host="login.wavesms.com",
            batch_limit=1000,
            code_keys=(CODE_KEY,),
            sendsms_messageid="int",
            sendbulk_messageid="int",
            sendotp_messageid="str",
            sendsms_mobile="str",
            sendbulk_mobile="str",
            networkid="str",
            clientsmsid="str",
            low_credit_mobile_object=True,
        ),
    )
}
DEFAULT_BRAND = "advanta"


def brand_from_options(options: dict[str, Any]) -> Brand:
    """The profile a scenario's ``providers.sendbulk`` options select, overrides applied."""
    name = options.get("brand", DEFAULT_BRAND)
    if not isinstance(name, str) or name.lower() not in BRANDS:
        hint = did_you_mean(name, list(BRANDS), listing="known")
        raise BrandConfigError(f"unknown brand {name!r}{hint}", "brand")
    brand = BRANDS[name.lower()]
    if "code_key" in options:
        choice = options["code_key"]
        keys = _CODE_KEY_CHOICES.get(choice) if isinstance(choice, str) else None
        if keys is None:
            choices = ", ".join(_CODE_KEY_CHOICES)
            raise BrandConfigError(f"must be one of {choices}", "code_key")
        brand = dataclasses.replace(brand, code_keys=keys, dlr_code_keys=None)
    if "code_type" in options:
        choice = options["code_type"]
        kind = {"number": "int", "string": "str"}.get(choice) if isinstance(choice, str) else None
        if kind is None:
            raise BrandConfigError("must be number or string", "code_type")
        brand = dataclasses.replace(brand, code_kind=kind, dlr_code_kind=None)
    if "batch_limit" in options:
        limit = options["batch_limit"]
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise BrandConfigError("must be a positive integer", "batch_limit")
        brand = dataclasses.replace(brand, batch_limit=limit, sendsms_limit=limit)
    return brand
