"""sendsms: GET query, POST JSON or form; comma lists; mobile formats; timeToSend."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import msgspec
import pytest

from emulator.providers.sendbulk.multipart import multipart_fields

from ._helpers import APIKEY, BASE, PARTNER, SHORTCODE, balance, body, creds, dlr, get, post, send

# The virtual clock starts at 2026-01-01 00:00 UTC = 03:00 in Nairobi.
START = datetime(2026, 1, 1, tzinfo=UTC).timestamp()


def test_get_with_query_parameters(client):
    params = creds(message="Hello there", mobile="254712345678")
    data = body(get(client, "sendsms", params))
    assert data == {
        "responses": [
            {
                "response-code": 200,
                "response-description": "Success",
                "mobile": 254712345678,
                "messageid": "8290842",
                "networkid": 1,
            }
        ]
    }


@pytest.mark.parametrize("path", ["/sendsms", "/sendsms/"])
def test_post_json_with_and_without_trailing_slash(client, path):
    response = client.post(BASE + path, json=creds(message="Hi", mobile="0712345678"))
    assert response.status_code == 200
    assert body(response)["responses"][0]["mobile"] == 254712345678


def test_post_form_encoded(client):
    response = client.post(f"{BASE}/sendsms", data=creds(message="Hi", mobile="+254712345678"))
    assert response.status_code == 200
    assert body(response)["responses"][0]["response-code"] == 200


FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("endpoint", ["sendsms", "sendbulk"])
def test_json_sent_as_a_form_is_read_as_json(client, endpoint):
    """PHP's curl posting ``json_encode(...)`` without a header says it is a form."""
    fields = creds(message="Hi", mobile="0712345678")
    if endpoint == "sendbulk":
        fields = {"count": 1, "smslist": [{**fields, "pass_type": "plain", "clientsmsid": 7}]}
    content = msgspec.json.encode(fields)
    response = client.post(f"{BASE}/{endpoint}", content=b" " + content, headers=FORM)
    (row,) = body(response)["responses"]
    assert (row["response-code"], str(row["mobile"])) == (200, "254712345678")


def test_a_form_that_only_starts_like_json_is_still_a_form(client):
    content = "{x=1&" + "&".join(
        f"{k}={v}" for k, v in creds(message="Hi", mobile="0712345678").items()
    )
    response = client.post(f"{BASE}/sendsms", content=content, headers=FORM)
    assert body(response)["responses"][0]["response-code"] == 200


def test_multipart_form_data_is_a_form_too(client, emu):
    """PHP's curl posting an array, JS FormData: PHP reads the fields into ``$_POST``."""
    fields = {k: (None, v) for k, v in creds(message="Habari ✓", mobile="0712345678").items()}
    response = client.post(f"{BASE}/sendsms", files={**fields, "upload": ("a.txt", b"not a field")})
    (row,) = body(response)["responses"]
    assert (row["response-code"], row["mobile"]) == (200, 254712345678)
    assert emu.messages()[-1]["text"] == "Habari ✓"
    balance_fields = {k: (None, v) for k, v in creds().items() if k != "shortcode"}
    assert body(client.post(f"{BASE}/getbalance", files=balance_fields))["response-code"] == 200


@pytest.mark.parametrize("how", ["form", "multipart", "query"])
def test_a_mobile_array_in_a_form_or_query_is_a_row_a_number(client, how):
    """PHP registers ``mobile[]=…`` (and ``mobile[0]=…``, as ``http_build_query`` writes
    it) as an array, read as a JSON array is: a row a number."""
    fields = [*creds(message="Hi").items(), ("mobile[]", "0712345678"), ("mobile[]", "0712345679")]
    if how == "form":
        response = client.post(f"{BASE}/sendsms", content=urlencode(fields), headers=FORM)
    elif how == "multipart":
        response = client.post(f"{BASE}/sendsms", files=[(k, (None, v)) for k, v in fields])
    else:
        response = client.get(f"{BASE}/sendsms", params=fields)
    rows = body(response)["responses"]
    assert [(r["response-code"], r["mobile"]) for r in rows] == [
        (200, 254712345678),
        (200, 254712345679),
    ]


@pytest.mark.parametrize(("how", "kept"), [("form", 1001), ("query", 1000)])
def test_fields_past_max_input_vars_are_dropped_as_php_drops_them(client, how, kept):
    """PHP registers a URL-encoded body's first 1,001 fields and a query string's first
    1,000 (``max_input_vars``), so numbers past those are never sent."""
    given = creds(message="Hi")
    numbers = [f"0712{n:06d}" for n in range(1200)]
    fields = [*given.items(), *(("mobile[]", number) for number in numbers)]
    if how == "form":
        response = client.post(f"{BASE}/sendsms", content=urlencode(fields), headers=FORM)
    else:
        response = client.get(f"{BASE}/sendsms", params=fields)
    rows = body(response)["responses"]
    assert [r["mobile"] for r in rows] == [int("254" + n[1:]) for n in numbers[: kept - len(given)]]
    assert {r["response-code"] for r in rows} == {200}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (
            b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\r\n--xx--',
            "multipart/form-data; boundary=xx",
        ),
        (
            b'--xx\r\nContent-Disposition: form-data; name="\xff"\r\n\r\nv\r\n--xx--',
            "multipart/form-data; boundary=xx",
        ),
        (b"partnerID=1234&message=\xff", "application/x-www-form-urlencoded"),
    ],
)
def test_form_text_that_is_not_utf8_is_1009(http_scope, emu, content, content_type):
    answer = {"response-code": 1009, "response-description": "Unsupported data type"}
    assert _asgi_sendsms(http_scope, emu, content, content_type) == (200, answer)


def test_an_upload_with_no_file_has_no_body_so_the_next_part_may_start_at_once(client, emu):
    """PHP skips a ``filename=""`` part without reading a body: a boundary right after
    its headers opens the next part."""
    content = (
        b'--xx\r\nContent-Disposition: form-data; name="f"; filename=""\r\n\r\n'
        b'--xx\r\nContent-Disposition: form-data; name="message"\r\n\r\nHi\r\n--xx--\r\n'
    )
    headers = {"content-type": "multipart/form-data; boundary=xx"}
    query = creds(mobile="0712345678")
    response = client.post(f"{BASE}/sendsms", params=query, content=content, headers=headers)
    assert body_of_first_row(response)["response-code"] == 200
    assert emu.messages()[-1]["text"] == "Hi"


def test_a_part_is_a_fields_value_whatever_it_says_it_contains(client, emu):
    """A part declared multipart is not opened (a nested one of 100,000 parts took
    seconds, and PHP does not open it either): its text is the field's value."""
    nested = '--in\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n--in--'
    parts = [(k, v) for k, v in creds(mobile="0712345678").items()]
    body = "".join(
        f'--xx\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in parts
    )
    body += (
        '--xx\r\nContent-Disposition: form-data; name="message"\r\n'
        "Content-Type: multipart/mixed; boundary=in\r\n\r\n" + nested + "\r\n--xx--\r\n"
    )
    headers = {"content-type": "multipart/form-data; boundary=xx"}
    response = client.post(f"{BASE}/sendsms", content=body.encode(), headers=headers)
    assert body_of_first_row(response)["response-code"] == 200
    assert emu.messages()[-1]["text"] == nested


def body_of_first_row(response):
    return body(response)["responses"][0]


NO_PARTNER = {"response-code": 4091, "response-description": "No Partner ID is Set"}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"garbage", "multipart/form-data; boundary=xx"),  # no delimiter
        (b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\nv', "multipart/form-data"),
        (b"--\xe9\r\n", "multipart/form-data; boundary=\xe9"),
        (
            b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\nv',
            'multipart/form-data; boundary="xx',
        ),
    ],
)
def test_a_multipart_body_php_reads_no_fields_from_has_none(http_scope, emu, content, content_type):
    """No boundary, a quote left open, no delimiter: PHP's $_POST is empty, and so are the
    fields (no partner id), not an unreadable body."""
    assert _asgi_sendsms(http_scope, emu, content, content_type) == (200, NO_PARTNER)


def _asgi_sendsms(http_scope, emu, content, content_type):
    headers = [(b"content-type", content_type.encode("latin-1"))]
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": content, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(emu.app(http_scope(f"{BASE}/sendsms", headers), receive, send))
    return sent[0]["status"], msgspec.json.decode(sent[1]["body"])


def _multipart(parts, n="\r\n", boundary="xx"):
    """A body of (header lines, value) parts, each after a --boundary line."""
    text = "".join(f"--{boundary}{n}" + "".join(h + n for h in hs) + n + v + n for hs, v in parts)
    return (text + f"--{boundary}--{n}").encode()


def _field(name, value, quote='"'):
    return ([f"Content-Disposition: form-data; name={quote}{name}{quote}"], value)


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_multipart_lines_may_end_in_lf_alone_and_a_value_ends_at_any_delimiter(
    client, emu, newline
):
    """PHP splits lines at LF (dropping a CR before it); a value ends at the first
    "--boundary" starting a line, padded or not, and the next part at an exact one."""
    parts = [_field(k, v) for k, v in creds(mobile="0712345678").items()]
    parts.append(_field("message", f"one{newline}--xx  {newline}two"))
    headers = {"content-type": 'multipart/form-data; boundary="xx"'}
    body_text = _multipart(parts, newline)
    response = client.post(f"{BASE}/sendsms", content=body_text, headers=headers)
    assert body(response)["responses"][0]["response-code"] == 200
    assert emu.messages()[-1]["text"] == "one"


def test_multipart_reading_goes_on_past_the_closing_delimiter_as_php_does(client, emu):
    early = [_field(k, v) for k, v in creds().items()]
    late = [_field("mobile", "0712345678"), _field("message", "after the close")]
    content = _multipart(early) + _multipart(late)  # a --xx-- line, then more parts
    headers = {"content-type": "multipart/form-data; boundary=xx"}
    response = client.post(f"{BASE}/sendsms", content=content, headers=headers)
    assert body(response)["responses"][0]["response-code"] == 200
    assert emu.messages()[-1]["text"] == "after the close"


def test_a_part_with_neither_name_nor_filename_ends_the_reading(client):
    """PHP stops at "headers garbled": the credentials after it never reach $_POST."""
    parts = [(["Content-Disposition: form-data"], "x")]
    parts += [_field(k, v) for k, v in creds(mobile="0712345678", message="hi").items()]
    headers = {"content-type": "multipart/form-data; boundary=xx"}
    response = client.post(f"{BASE}/sendsms", content=_multipart(parts), headers=headers)
    assert body(response) == NO_PARTNER


def test_content_disposition_is_read_as_php_reads_it(client, emu):
    parts = [_field(k, v, quote="'") for k, v in creds(mobile="0712345678").items()]
    parts.append((["Content-Disposition: name=message trailing words"], "unquoted"))
    parts.append((['Content-Disposition: form-data; name="upload"; filename="a.txt"'], "a file"))
    headers = {"content-type": "multipart/form-data; boundary=xx"}
    response = client.post(f"{BASE}/sendsms", content=_multipart(parts), headers=headers)
    assert body(response)["responses"][0]["response-code"] == 200
    assert emu.messages()[-1]["text"] == "unquoted"


def test_past_a_thousand_field_parts_later_ones_are_dropped_not_the_request(client, emu):
    """PHP's max_input_vars counts every field part, a repeated name too: a warning,
    and the fields already read stand."""
    parts = [_field(k, v) for k, v in creds(mobile="0712345678", message="kept").items()]
    parts += [_field(f"extra{i}", "x") for i in range(1100)]
    parts.append(_field("message", "dropped"))
    headers = {"content-type": "multipart/form-data; boundary=xx"}
    response = client.post(f"{BASE}/sendsms", content=_multipart(parts), headers=headers)
    assert body(response)["responses"][0]["response-code"] == 200
    assert emu.messages()[-1]["text"] == "kept"


def _fields_of(content: bytes) -> dict:
    return multipart_fields(content, "multipart/form-data; boundary=xx")


def test_multipart_ends_as_php_reads_a_body_cut_short():
    head = b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\n'
    assert _fields_of(head + b"KEY\r\n") == {"a": "KEY"}  # no closing delimiter
    assert _fields_of(head + b"KEY\r\n--x") == {"a": "KEY"}  # the start of one
    assert _fields_of(head + b"KEY\r\n--xx") == {"a": "KEY"}
    headers_only = b'--xx\r\nContent-Disposition: form-data; name="b"\r\nrest'
    assert _fields_of(headers_only) == {"b": "rest"}  # headers end with the data


def test_a_part_whose_body_php_does_not_read_can_hold_the_next_part():
    content = (
        b"--xx\r\nX-Note: no disposition\r\n\r\n"
        b"--xx\r\nContent-Disposition: form-data; name==message\r\n\r\nhi\r\n--xx--\r\n"
    )
    assert _fields_of(content) == {"message": "hi"}  # and name==message is name=message


def test_sendbulk_is_json_only_even_as_multipart(client):
    response = client.post(f"{BASE}/sendbulk", files={"count": (None, "1")})
    assert body(response) == {
        "response-code": 1009,
        "response-description": "Unsupported data type",
    }


def test_plus_in_an_unencoded_query_string_is_read_as_plus(client):
    query = f"apikey={APIKEY}&partnerID={PARTNER}&shortcode={SHORTCODE}&message=Hi"
    response = client.get(f"{BASE}/sendsms?{query}&mobile=+254712345678")
    assert body(response)["responses"][0]["mobile"] == 254712345678


def test_goadvanta_junk_key_is_ignored(client):
    row = send(client, "254712345678", **{"timeToSend;omitempty": ""})
    assert row["response-code"] == 200


@pytest.mark.parametrize(
    ("given", "normalised", "networkid"),
    [
        ("254712345678", 254712345678, 1),
        ("+254712345678", 254712345678, 1),
        ("0712345678", 254712345678, 1),
        (" 0712345678 ", 254712345678, 1),
        (254712345678, 254712345678, 1),
        ("0110123456", 254110123456, 1),
        ("254110123456", 254110123456, 1),
        ("0733123456", 254733123456, 2),
        ("0100123456", 254100123456, 2),
        ("0780123456", 254780123456, 2),
        ("0772123456", 254772123456, 3),
    ],
)
def test_mobile_forms_are_normalised_with_the_operators_networkid(
    client, given, normalised, networkid
):
    row = send(client, given)
    assert row["response-code"] == 200
    assert row["mobile"] == normalised
    assert row["networkid"] == networkid


@pytest.mark.parametrize("given", ["712345678", "07123456789", "2547123456", "abc", "", "+254"])
def test_malformed_mobiles_are_1003(client, given):
    row = send(client, given)
    assert row["response-code"] == 1003
    assert row["response-description"] == "Invalid mobile number"


@pytest.mark.parametrize(
    "given", ["07\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", "0712345\uff16\uff17\uff18"]
)
def test_non_ascii_digits_are_not_a_mobile_number(client, emu, given):
    """Arabic-Indic or full-width digits are not the gateway's 07… form: 1003, never sent."""
    row = send(client, given)
    assert (row["response-code"], row["mobile"]) == (1003, given)
    assert [m["status"] for m in emu.messages(provider="sendbulk")] == ["rejected"]


@pytest.mark.parametrize(
    "given",
    [
        "+447700900123",
        "14155550123",
        "0747123456",  # JTL (Faiba)
        "0744123456",  # Homeland Media
        "0124123456",  # Finserve
        "0109123456",  # unassigned
        "0190123456",  # unassigned
    ],
)
def test_foreign_numbers_and_prefixes_of_no_operator_are_1002(client, given):
    row = send(client, given)
    assert (row["response-code"], row["response-description"]) == (1002, "Network not allowed")


@pytest.mark.parametrize(
    ("given", "networkid"),
    [
        ("0749123456", 1),  # Safaricom's newer ranges
        ("0116123456", 1),
        ("0141123456", 1),
        ("0185123456", 1),
        ("0105123456", 2),  # Airtel's, Equitel's 0763-0766 included
        ("0137123456", 2),
        ("0760123456", 2),
        ("0764123456", 2),
        ("0120123456", 3),  # Telkom's
        ("0761123456", 3),
    ],
)
def test_every_range_of_the_three_operators_is_sent_with_its_networkid(client, given, networkid):
    row = send(client, given)
    assert (row["response-code"], row["networkid"]) == (200, networkid)


def test_comma_list_gives_one_row_per_number_in_order(client):
    rows = body(post(client, "sendsms", creds(message="Hi", mobile="0712345678, 0733123456,x")))
    assert [(r["response-code"], r["mobile"]) for r in rows["responses"]] == [
        (200, 254712345678),
        (200, 254733123456),
        (1003, "x"),
    ]


def test_comma_list_past_the_limit_is_a_flat_1104(client):
    numbers = ",".join(f"2547123{i:05d}" for i in range(1001))
    data = body(post(client, "sendsms", creds(message="Hi", mobile=numbers)))
    assert data == {
        "response-code": 1104,
        "response-description": "Too many comma separated contacts",
    }


def test_comma_list_at_the_limit_is_accepted(client):
    numbers = ",".join(f"2547123{i:05d}" for i in range(1000))
    rows = body(post(client, "sendsms", creds(message="Hi", mobile=numbers)))["responses"]
    assert len(rows) == 1000


def test_missing_mobile_is_a_1003_row(client):
    data = body(post(client, "sendsms", creds(message="Hi")))
    assert data["responses"][0]["response-code"] == 1003


def test_put_is_unsupported_request_type(client):
    response = client.put(f"{BASE}/sendsms", json=creds(message="Hi", mobile="254712345678"))
    assert response.status_code == 200
    assert body(response) == {
        "response-code": 1010,
        "response-description": "Unsupported request type",
    }


@pytest.mark.parametrize(
    "when",
    [
        "2026-01-01 05:00",  # Nairobi time = 02:00 UTC
        "2026-01-01 05:00:00",
        "2026-01-01T02:00:00+00:00",
        START + 7200,
        str(int(START + 7200)),
        int(START + 7200) * 1000,  # milliseconds
        # other forms PHP's strtotime reads (Advanta: "a date string that resolves to a
        # Unix timestamp")
        "2026/01/01 05:00",
        "2026-1-1 5:00",
        "01-01-2026 05:00",  # day first with dashes
        "01.01.2026 05:00:00",
        "1/1/2026 5:00 AM",  # month first with slashes
        "1/1/26 5am",
        "1 January 2026 05:00",
        "01-Jan-2026 05:00",
        "January 1st, 2026 5:00 a.m.",
        "January 1st.2026 05:00",  # a dot or a tab between the day and the year, or
        "January 1\t2026 05:00",  # nothing after st/nd/rd/th, as in timelib
        "Jan 1st2026 05:00",
        "Jan-01-2026 05:00",  # dashes: a three-letter month and a two-digit day
        "2026/01/01 02:00 +0000",
        "2026/01/01 02:00 UTC",
        "2026/01/01 05:00 EAT",
        "2026/01/01 06:00 GMT+4",
        "2026/01/01 05:00 +3",
        "2026/01/01 02:00 UTC+3",  # to PHP a second zone, ignored: UTC
        "2026/01/01 02:00 gmt+3",  # only a capital GMT joins an offset: gmt, then +3 ignored
        "2026/01/01 05:00 EAT soon",  # a second zone is not even looked up
        "1-Jan-26 5:00 AM",
        # a leading day name (RFC 2822, HTTP dates, PHP's date("r")) and commas
        "Thu, 01 Jan 2026 02:00:00 GMT",
        "Thu, 01 Jan 2026 05:00:00 +0300",
        "thursday, January 1, 2026 5:00 AM",
        "1 January 2026, 05:00",
        "2026/01/01 02:00, UTC,",
        # a tz database name
        "2026-01-01 05:00 Africa/Nairobi",
        "2026-01-01T03:00:00 Europe/Paris",
        "2026-01-01 05:00 Africa/NAIROBI",  # looked up in any case, as PHP does
        "2026-01-01 02:00 Etc/GMT+3",  # to PHP Etc/GMT, then +3 as a second zone
        # a dot between the parts of a time is a colon to PHP (Python's ISO reader
        # would read 05.00 as five o'clock and no hundredths)
        "2026-01-01 05.00",
        "2026-01-01T05.00.00",
        "2026-01-01 5.00 AM",
        "1 January 2026 05.00",
        "20260101 05:00",  # a compact date before a time
        "20260101 02.00Z",
        "2026-01-01 04:00 IST",  # Israel's to PHP, not India's
    ],
)
def test_time_to_send_schedules_the_message(client, emu, when):
    row = send(client, "254712345678", timeToSend=when)
    assert row["response-code"] == 200
    emu.advance("1h59m")
    assert dlr(client, row["messageid"])["delivery-description"] == "Scheduled"
    emu.advance("1m")
    emu.advance("1s")
    assert dlr(client, row["messageid"])["delivery-description"] == "SentToNetwork"
    emu.advance("5s")
    report = dlr(client, row["messageid"])
    assert report["delivery-description"] == "DeliveredToTerminal"
    assert report["delivery-time"] == "2026-01-01 05:00:06"


@pytest.mark.parametrize(
    ("when", "sent_at"),
    [
        ("2026/01/01 noon", "2026-01-01 12:00:00"),
        ("February 2026 midnight", "2026-02-01 00:00:00"),  # a month alone: its first day
        ("2026/01/01 24:00", "2026-01-02 00:00:00"),  # hour 24: the next day's midnight
        ("2026/02/29 10:00", "2026-03-01 10:00:00"),  # a day past the month's end
        ("02/31/2026 10:00", "2026-03-03 10:00:00"),
        ("Mon, 01 Jan 2026 10:00", "2026-01-05 10:00:00"),  # not the date's day: the next one
        ("Thu, 01 Jan 2026 24:00", "2026-01-08 00:00:00"),  # rolled to a Friday first
        ("Fri, 01 Jan 2026 23:30 -0500", "2026-01-03 07:30:00"),  # the day where it is said
        ("2026-03-29 01:30 Europe/London", "2026-03-29 04:30:00"),  # a skipped hour: as GMT
        ("2026-01-01 10.30", "2026-01-01 10:30:00"),  # not 10:00:00.30
        ("2026-01-01 10.5", "2026-01-01 10:05:00"),  # one-digit minutes and seconds
        ("2026-01-01 10:30.5", "2026-01-01 10:30:05"),
        ("2026-01-01 10:30:00.5", "2026-01-01 10:30:00"),  # a fraction of a second
        ("2026/01/01 23:59:60", "2026-01-02 00:00:00"),  # a leap second rolls over
        ("2026-01-01 7:5:30 pm", "2026-01-01 19:05:30"),  # one digit before the seconds
        ("2026-01-01 7.05 pm", "2026-01-01 19:05:00"),
        ("2026-01-01 10:30:5", "2026-01-01 10:30:05"),  # one-digit seconds, 24-hour
    ],
)
def test_time_to_send_rolls_over_as_php_does(client, emu, when, sent_at):
    row = send(client, "254712345678", timeToSend=when)
    assert row["response-code"] == 200
    emu.advance("90d")
    delivered = datetime.fromisoformat(sent_at) + timedelta(seconds=6)
    assert dlr(client, row["messageid"])["delivery-time"] == f"{delivered:%Y-%m-%d %H:%M:%S}"


def test_time_to_send_in_the_past_sends_now(client, emu):
    """Now, not back then: queued as any message, and its report dated from today."""
    row = send(client, "254712345678", timeToSend="2019-09-01 18:00")
    assert dlr(client, row["messageid"])["delivery-description"] == "Scheduled"
    emu.advance("10s")
    report = dlr(client, row["messageid"])
    assert report["delivery-description"] == "DeliveredToTerminal"
    assert (report["delivery-tat"], report["delivery-time"]) == ("00:00:06", "2026-01-01 03:00:08")


@pytest.mark.parametrize(
    "when",
    [
        "next tuesday",  # a relative phrase: read against the wall clock, not emulated
        "2026/02/32 05:00",  # past 31 even PHP refuses
        "13/01/2026 05:00",  # slashes put the month first
        "2026/01/01 13:00 PM",
        "2026/01/01 05:00 +99:00",
        "2026/01/01 05:00 then",
        "2026/01/01 \u0660\u0665:00",  # Arabic-Indic digits: PHP reads ASCII digits only
        "January, 2026",  # PHP reads 2026 as 20:26 today: a wall-clock time, not read
        "1 January, 2026 05:00",
        "2026/01/01 T 05:00",  # a T apart is military zone T (UTC-7) to PHP: not read
        "2026/01/01 05:00 soon",  # a zone PHP would not know
        "2026/01/01 05:00 EAT sat",  # PHP reads sat as a day, moving the date
        "2026/01/01 EAT noon",
        "2026/01/01 noonZ",  # to PHP one zone, noonZ, which it does not know
        "2026/01/01 noonEAT",
        "January 1-2026 05:00",  # PHP takes no dash between a month's day and the year
        "2026-01/01 05:00",  # nor two separators in one date
        "2026-01-01a05:00",  # Python's ISO reader takes any separator; PHP a zone A
        "1_767_300_000",  # Python's float() reads these two as a unix time; PHP does not
        "\uff11\uff17\uff16\uff17\uff13\uff10\uff10\uff10\uff10\uff10",
        "Tues, 06 Jan 2026 05:00",  # PHP knows three-letter and full day names only
        "2026/01/01 02:00 UT",  # not a zone to PHP
        "2026/01/01 05:00 africa/nairobi",  # PHP's rule wants a tz name's first letter capital
        "2026/01/01 05:00 America/Argentina",  # a directory of zones, not a zone
        "2026/01/01 05:00 Africa/" + "A" * 300,
        "2026/01/01 10pm, UTC",  # am/pm ends at a space or the end
        "2026/01/01 10pmGMT",
        "2026-01-01T10pm",  # no am/pm after T
        "MonJan 1 2026",  # a day name run into the month
        "2026/01/01 05:00 US/Eastern",  # nor does PHP's rule read this one
        "2026/01/01 05:00 Africa/Atlantis",
        "2026-01-01 05:00:00,5",  # a comma before a fraction: Python's ISO reader, not PHP
        # with am/pm PHP wants two-digit minutes (without seconds) and seconds, no fraction
        "2026-01-01 7:5 pm",
        "2026-01-01 7.5 pm",
        "2026-01-01 7:05:3 pm",
        "2026-01-01 7:05:30.5 pm",
        "2026-01-01 10",  # an hour alone: a time to Python's ISO reader, not to PHP
        "20260101 10 +0300",
    ],
)
def test_unreadable_time_to_send_refuses_the_row(client, when):
    row = send(client, "254712345678", timeToSend=when)
    assert row["response-code"] == 1009
    assert row["response-description"] == "Unsupported data type"


@pytest.mark.parametrize("when", [1e300, "9999-12-31 23:59:58", 10**17])
def test_time_to_send_past_the_calendar_is_refused_not_half_accepted(client, emu, when):
    """A time no report date could be written for is refused in its row, nothing charged."""
    emu.load_scenario({"providers": {"sendbulk": {"dlr_callback_url": "http://127.0.0.1:9/dlr"}}})
    before = balance(client)
    row = send(client, "254712345678", timeToSend=when)
    assert (row["response-code"], row["response-description"]) == (1009, "Unsupported data type")
    assert balance(client) == before
    assert [m["status"] for m in emu.messages(provider="sendbulk")] == ["rejected"]


def test_empty_time_to_send_sends_now(client, emu):
    row = send(client, "254712345678", timeToSend="")
    emu.advance("10s")
    assert dlr(client, row["messageid"])["delivery-description"] == "DeliveredToTerminal"


def test_messageids_increase(client):
    ids = [int(send(client, "254712345678")["messageid"]) for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


@pytest.mark.parametrize("given", ["0712345678", "+254712345678", 254712345678])
def test_refused_rows_show_a_valid_number_normalised_like_success_rows(client, given):
    """A 1001 row for 07… shows 254712345678, never 712345678 (a leading zero dropped)."""
    row = send(client, given, shortcode="")
    assert (row["response-code"], row["mobile"]) == (1001, 254712345678)


@pytest.mark.parametrize("given", ["07123", "0712345678901"])
def test_refused_rows_keep_leading_zeros_of_invalid_numbers(client, given):
    row = send(client, given)
    assert (row["response-code"], row["mobile"]) == (1003, given)


@pytest.mark.parametrize("given", [{"number": ["0712345678"]}, [["0712345678"]], True])
def test_refused_rows_never_show_a_python_repr_of_odd_mobiles(client, given):
    row = send(client, given)
    assert (row["response-code"], row["mobile"]) == (1003, "")


def test_mobile_as_a_whole_json_float_is_that_number(client):
    """JSON has one number type: 254712345678.0 is the number 254712345678."""
    response = client.post(
        f"{BASE}/sendsms",
        content=(
            b'{"partnerID": "1234", "apikey": "k", "shortcode": "SHOP",'
            b' "mobile": 254712345678.0, "message": "Hi"}'
        ),
        headers={"Content-Type": "application/json"},
    )
    row = body(response)["responses"][0]
    assert (row["response-code"], row["mobile"], row["networkid"]) == (200, 254712345678, 1)


def test_credentials_in_the_query_string_with_a_json_body(client):
    """Credentials may travel in the query string while the message is in the body."""
    query = {"partnerID": PARTNER, "apikey": APIKEY}
    response = client.post(
        f"{BASE}/sendsms",
        params=query,
        json={"shortcode": SHORTCODE, "mobile": "0712345678", "message": "Hi"},
    )
    assert body(response)["responses"][0]["response-code"] == 200


def test_body_fields_win_over_the_query_string(client):
    response = client.post(f"{BASE}/getbalance", params={"partnerID": "nobody"}, json=creds())
    assert body(response)["partner-id"] == PARTNER


def test_a_post_with_no_body_is_answered_from_its_query_string(client):
    response = client.post(f"{BASE}/getbalance", params={"partnerID": PARTNER, "apikey": APIKEY})
    assert body(response) == {"response-code": 200, "credit": "10000.00", "partner-id": PARTNER}


def test_get_with_a_json_body_reads_the_body(client):
    """Some clients put GET parameters in a JSON body; nothing they sent is ignored."""
    response = client.request(
        "GET", f"{BASE}/getbalance", json={"partnerID": PARTNER, "apikey": APIKEY}
    )
    data = body(response)
    assert (data["response-code"], data["partner-id"]) == (200, PARTNER)


def test_get_with_an_unreadable_body_still_reads_the_query(client):
    response = client.request(
        "GET",
        f"{BASE}/getbalance",
        params={"partnerID": PARTNER, "apikey": APIKEY},
        content=b"\xff{",
        headers={"Content-Type": "application/json"},
    )
    assert body(response)["response-code"] == 200


@pytest.mark.parametrize("endpoint", ["sendsms", "sendotp"])
def test_a_mobile_list_json_encode_wrote_as_an_object_gives_one_row_per_number(client, endpoint):
    # json_encode(array_unique([...])) writes {"0": ..., "2": ...}: to the PHP gateway
    # that is the same array as a JSON list.
    payload = creds(mobile={"0": "0712345678", "2": "0733123456"}, message="Hi")
    rows = body(post(client, endpoint, payload))["responses"]
    assert [(row["response-code"], str(row["mobile"])) for row in rows] == [
        (200, "254712345678"),
        (200, "254733123456"),
    ]
