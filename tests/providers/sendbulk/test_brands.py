"""Brand profiles: batch limit, code key spelling and JSON types, per the notes' table."""

from __future__ import annotations

import pytest

from emulator.providers.sendbulk.brands import BRANDS

from ._helpers import APIKEY, PARTNER, body, bulk, bulk_item, dlr, post, send

# brand → (limit, code keys, sendsms messageid, sendbulk messageid, sendsms mobile,
#          sendbulk mobile, networkid, clientsmsid sent as 7)
EXPECTED = {
    "advanta": (1000, ["response-code"], str, str, int, str, int, int),
    "fastmessage": (1000, ["response-code"], int, str, int, str, int, int),
    "speedocom": (1000, ["response-code"], int, str, int, str, int, int),
    "textsms": (20, ["respose-code"], str, str, str, str, str, str),
    "sunface": (20, ["respose-code"], int, int, int, str, str, str),
    "kemrut": (20, ["respose-code"], int, int, int, str, str, str),
    "teamweb": (20, ["respose-code"], int, int, int, str, str, str),
    "celcom": (20, ["respose-code", "response-code"], int, str, str, str, str, int),
    "wavesms": (1000, ["response-code"], int, int, str, str, str, str),
}
#: Code values are strings from TextSMS (live), numbers from every other brand.
CODE_TYPE = {brand: str if brand == "textsms" else int for brand in EXPECTED}
#: getdlr's code keys where they are not the brand's.
DLR_KEYS = {"textsms": ["response-code"]}


def test_every_brand_is_listed():
    assert set(EXPECTED) == set(BRANDS)


def use(emu, brand, **options):
    emu.load_scenario({"providers": {"sendbulk": {"brand": brand, **options}}})


@pytest.mark.parametrize("brand", sorted(EXPECTED))
def test_profile_types_and_code_key(client, emu, brand):
    _limit, keys, sms_id, bulk_id, sms_mobile, bulk_mobile, networkid, clientsmsid = EXPECTED[brand]
    use(emu, brand)
    row = send(client, "254712345678")
    assert [k for k in row if k.endswith("-code")] == keys
    assert all(row[k] == CODE_TYPE[brand](200) for k in keys)
    assert type(row["messageid"]) is sms_id
    assert type(row["mobile"]) is sms_mobile
    assert type(row["networkid"]) is networkid
    assert str(row["mobile"]) == "254712345678" and str(row["networkid"]) == "1"

    (bulk_row,) = body(post(client, "sendbulk", bulk([bulk_item("0712345678", clientsmsid=7)])))[
        "responses"
    ]
    assert type(bulk_row["messageid"]) is bulk_id
    assert type(bulk_row["mobile"]) is bulk_mobile
    assert type(bulk_row["clientsmsid"]) is clientsmsid
    assert str(bulk_row["clientsmsid"]) == "7"

    (otp_row,) = body(post(client, "sendotp", {**_creds(), "mobile": "0712345678"}))["responses"]
    assert type(otp_row["messageid"]) is str

    report = dlr(client, row["messageid"])
    # TextSMS's production reports: "response-code": 200 (see test_getdlr)
    assert [k for k in report if k.endswith("-code")] == DLR_KEYS.get(brand, keys)
    assert type(report["message-id"]) is str and type(report["delivery-networkid"]) is int


def _creds():
    return {"partnerID": PARTNER, "apikey": APIKEY, "shortcode": "SHOP", "message": "hi"}


@pytest.mark.parametrize("brand", sorted(EXPECTED))
def test_batch_limit(client, emu, brand):
    limit = EXPECTED[brand][0]
    use(emu, brand)
    items = [bulk_item(f"2547123{i:05d}", clientsmsid=i) for i in range(limit + 1)]
    refused = body(post(client, "sendbulk", bulk(items)))
    assert refused[EXPECTED[brand][1][0]] == CODE_TYPE[brand](1012)
    assert "responses" not in refused
    assert len(body(post(client, "sendbulk", bulk(items[:limit])))["responses"]) == limit
    # a sendsms comma list may hold 1000 numbers whatever the brand's sendbulk limit
    numbers = [f"2547{i:08d}" for i in range(1001)]
    listed = body(post(client, "sendsms", {**_creds(), "mobile": ",".join(numbers[:1000])}))
    assert len(listed["responses"]) == 1000
    refused = body(post(client, "sendsms", {**_creds(), "mobile": ",".join(numbers)}))
    assert refused[EXPECTED[brand][1][0]] == CODE_TYPE[brand](1104)
    assert "responses" not in refused


@pytest.mark.parametrize("brand", sorted(EXPECTED))
def test_flat_refusals_use_the_brands_key(client, emu, brand):
    use(emu, brand)
    data = body(post(client, "getbalance", {"partnerID": PARTNER}))
    codes = dict.fromkeys(EXPECTED[brand][1], CODE_TYPE[brand](4092))
    assert data == {**codes, "response-description": "No API KEY Provided"}


@pytest.mark.parametrize("brand", ["sunface", "kemrut", "teamweb"])
def test_textsms_style_pages_sendbulk_row_as_published(client, emu, brand):
    # The TextSMS-style pages' sendbulk sample (items sent with "clientsmsid": 1234,
    # "mobile": "0733123456") answers
    # {"respose-code": 200, "response-description": "Success", "mobile": "254733123456",
    #  "messageid": 75085465, "clientsmsid": "1234", "networkid": "2"}
    use(emu, brand)
    (row,) = body(post(client, "sendbulk", bulk([bulk_item("0733123456", clientsmsid=1234)])))[
        "responses"
    ]
    assert row == {
        "respose-code": 200,
        "response-description": "Success",
        "mobile": "254733123456",
        "messageid": 8290842,
        "clientsmsid": "1234",
        "networkid": "2",
    }
    assert list(row) == [
        "respose-code",
        "response-description",
        "mobile",
        "messageid",
        "clientsmsid",
        "networkid",
    ]


def test_celcom_sendsms_row_as_a_live_celcom_row(client, emu):
    # A live Celcom GET sendsms answer, kept in a Business Central client:
    # {"respose-code":200,"response-code":200,"response-description":"Success",
    #  "mobile":"254728687217","messageid":213088439,"networkid":"1"}
    use(emu, "celcom")
    params = {**_creds(), "mobile": "254728687217"}
    (row,) = body(client.get("/api/services/sendsms/", params=params))["responses"]
    assert row == {
        "respose-code": 200,
        "response-code": 200,
        "response-description": "Success",
        "mobile": "254728687217",
        "messageid": 8290842,
        "networkid": "1",
    }
    assert list(row) == [
        "respose-code",
        "response-code",
        "response-description",
        "mobile",
        "messageid",
        "networkid",
    ]


def test_code_key_both(client, emu):
    use(emu, "advanta", code_key="both")
    row = send(client, "254712345678")
    assert list(row)[:3] == ["respose-code", "response-code", "response-description"]
    assert row["response-code"] == row["respose-code"] == 200
    data = body(post(client, "getbalance", {"partnerID": PARTNER, "apikey": APIKEY}))
    assert data["response-code"] == data["respose-code"] == 200


def test_code_type_override(client, emu):
    use(emu, "sunface", code_type="string")
    assert send(client, "254712345678")["respose-code"] == "200"
    use(emu, "textsms", code_type="number")
    assert send(client, "254712345678")["respose-code"] == 200
    for bad in ("str", ["string"], {"a": 1}):
        with pytest.raises(ValueError, match="code_type: must be number or string"):
            use(emu, "advanta", code_type=bad)
    with pytest.raises(ValueError, match="code_key: must be one of"):
        use(emu, "advanta", code_key=["both"])


def test_batch_limit_override(client, emu):
    use(emu, "textsms", batch_limit=2)
    items = [bulk_item("254712345678"), bulk_item("254712345679"), bulk_item("254712345670")]
    assert body(post(client, "sendbulk", bulk(items)))["respose-code"] == "1012"
    # it limits sendsms lists too, either way of the default 1000
    numbers = ",".join(item["mobile"] for item in items)
    assert body(post(client, "sendsms", {**_creds(), "mobile": numbers}))["respose-code"] == "1104"
    use(emu, "advanta", batch_limit=1500)
    many = ",".join(f"2547{i:08d}" for i in range(1200))
    assert len(body(post(client, "sendsms", {**_creds(), "mobile": many}))["responses"]) == 1200


def test_wavesms_low_credit_row_carries_the_smslist_entry_as_its_mobile(client, emu):
    # The WaveSMS SDK, after a live send (Nabcellent/wavesms 92065f0), typed the row
    # with the entry's apikey, pass_type, message, partnerID and shortcode and spread
    # the row's `mobile` object into it: that object is the smslist entry as sent.
    use(emu, "wavesms", default_balance=0)
    entry = {
        "apikey": APIKEY,
        "partnerID": PARTNER,
        "pass_type": "plain",
        "clientsmsid": 0,
        "mobile": 254712345678,
        "message": "#WaveSMSTest",
        "shortcode": "SHOP",
    }
    (row,) = body(post(client, "sendbulk", bulk([entry])))["responses"]
    assert row == {
        "response-code": 1004,
        "response-description": (
            "Low credit units to send message, Current balance 0.00, Required 1"
        ),
        "mobile": entry,
        "clientsmsid": "0",
    }
    assert list(row["mobile"]) == list(entry)  # in the order it was sent


def test_brand_names_are_case_insensitive(client, emu):
    use(emu, "TextSMS")
    assert "respose-code" in send(client, "254712345678")


def test_default_brand_is_advanta(client):
    row = send(client, "254712345678")
    assert next(iter(row)) == "response-code"
    assert type(row["messageid"]) is str and type(row["mobile"]) is int


#: JSON values of ``clientsmsid`` and the text PHP's string cast gives them.
PHP_CASTS = [
    (None, ""),
    (True, "1"),
    (False, ""),
    ({"a": 1}, "Array"),
    ([1, 2], "Array"),
    (1.0, "1"),
    (1.5, "1.5"),
    (0.1 + 0.2, "0.3"),
    (1e20, "1.0E+20"),
    (100000000000005.0, "1.0000000000000E+14"),
    (1e-5, "1.0E-5"),
    (-0.0, "-0"),
    (12345678901234567890, "12345678901234567890"),
    ("07", "07"),
]


@pytest.mark.parametrize("brand", ["textsms", "wavesms", "sunface"])
def test_string_clientsmsid_is_cast_as_the_php_gateway_casts_it(client, emu, brand):
    use(emu, brand)
    items = [bulk_item("0712345678", clientsmsid=value) for value, _ in PHP_CASTS]
    items.append(bulk_item("12", clientsmsid=None))  # a refused row casts it too
    rows = body(post(client, "sendbulk", bulk(items)))["responses"]
    assert [r["clientsmsid"] for r in rows] == [text for _, text in PHP_CASTS] + [""]
    assert [r["response-description"] for r in rows] == ["Success"] * len(PHP_CASTS) + [
        "Invalid mobile number"
    ]


@pytest.mark.parametrize("brand", ["advanta", "celcom"])
def test_echoed_clientsmsid_keeps_the_json_value_sent(client, emu, brand):
    use(emu, brand)
    values = [None, True, {"a": 1}, 1.5]
    items = [bulk_item("0712345678", clientsmsid=value) for value in values]
    rows = body(post(client, "sendbulk", bulk(items)))["responses"]
    assert [r["clientsmsid"] for r in rows] == values


@pytest.mark.parametrize(("brand", "shown"), [("advanta", "1.0E-5"), ("textsms", "1.0E-5")])
def test_a_float_mobile_in_a_refused_row_is_spelled_as_php_prints_it(client, emu, brand, shown):
    use(emu, brand)
    row = send(client, 1e-5)
    assert row["mobile"] == shown
    assert row["response-description"] == "Invalid mobile number"


@pytest.mark.parametrize(
    ("partner", "shown"), [(1e-5, "1.0E-5"), (1e20, "1.0E+20"), (1234.0, "1234"), (1e14, "1.0E+14")]
)
def test_a_float_partner_id_is_shown_as_php_prints_it(client, partner, shown):
    data = body(post(client, "getbalance", {"partnerID": partner, "apikey": APIKEY}))
    assert data["partner-id"] == shown
