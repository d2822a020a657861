"""``multipart/form-data`` bodies read as PHP fills ``$_POST`` from them (``rfc1867.c``).

PHP's curl posting an array, a browser's or JS ``FormData``, and Python's
``requests`` with ``files=`` send this encoding; the gateway reads it like a
URL-encoded form.  PHP's reading, followed here:

- the boundary is the text after the first ``boundary`` in the ``Content-Type``
  and its ``=``, up to ``,`` or ``;`` (or between quotes); without one, no fields;
- a part starts after a line that is exactly ``--boundary`` (a CR before the LF is
  dropped; anything else, ``--boundary--`` included, is skipped), and its headers
  end at an empty line; a line starting with a space or without a ``:`` continues
  the header above, as it is;
- ``Content-Disposition`` is split at ``;`` (outside quotes) into ``key=value``;
  ``name`` and ``filename`` are the keys (any case), a value quoted with ``"`` or
  ``'`` (where only ``\\\\`` and an escaped quote are escapes) or running to the next
  space; a part with neither stops the reading ("headers garbled"), one with a
  ``filename`` is a file, not a field, one without the header is skipped;
- a value runs to the next ``\\n--boundary``, wherever it is, less a CR before it;
- past 1,000 field parts (``max_input_vars``) later ones are dropped, and past
  1,020 parts with a ``Content-Disposition`` (``max_multipart_body_parts``) the
  reading stops; what was read stays;
- without a closing delimiter, a start of ``\\n--boundary`` that the data ends
  with still ends the last value.

The emulator's own bounds, so a hostile body cannot hold the server: a part's
headers end after 100 lines, and the reading ends once a body's
``Content-Disposition`` headers pass a megabyte.  PHP also splits lines longer
than 5,120 bytes, which this reader does not.
"""

from __future__ import annotations

import re
from typing import Any

from .php import php_fields

__all__ = [
    "DISPOSITION_BUDGET",
    "MAX_FIELDS",
    "MAX_HEADER_LINES",
    "MAX_PARTS",
    "UnreadableForm",
    "multipart_fields",
]

#: PHP's ``max_input_vars`` default.
MAX_FIELDS = 1000
#: PHP's ``max_multipart_body_parts`` default: ``max_input_vars`` + ``max_file_uploads``.
MAX_PARTS = 1020
#: The emulator's own bounds (real clients send two or three short headers a part):
#: header lines read a part, and ``Content-Disposition`` characters parsed a body.
MAX_HEADER_LINES = 100
DISPOSITION_BUDGET = 1024 * 1024


class UnreadableForm(ValueError):
    """A field name or value that is not UTF-8."""


def multipart_fields(raw: bytes, content_type: str) -> dict[str, Any]:
    """The fields of a ``multipart/form-data`` body (a repeated name: its last value;
    ``name[]`` and ``name[key]`` arrays, as PHP registers names: ``php_fields``)."""
    boundary = _boundary(content_type)
    fields: list[tuple[str, str]] = []
    if not boundary:
        return {}
    line = re.compile(rb"(?m)^--" + re.escape(boundary) + rb"\r?$")
    value_end = b"\n--" + boundary
    position = 0
    parts = field_parts = 0
    budget = DISPOSITION_BUDGET
    while True:
        start = line.search(raw, position)  # lines until one is exactly --boundary
        if start is None or start.end() >= len(raw):
            break
        headers, body_start = _headers(raw, start.end() + 1)
        disposition = _header(headers, b"content-disposition")
        if disposition is None:
            position = body_start  # PHP reads no body here: the next part may start in it
            continue
        parts += 1
        budget -= len(disposition)
        if parts > MAX_PARTS or budget < 0:
            break
        name, filename = _names(disposition)
        if name is None and filename is None:
            break  # PHP: "File Upload Mime headers garbled"
        if filename == b"":
            position = body_start  # an upload with no file: its body is not read
            continue
        end, found = _value_end(raw, value_end, body_start)
        position = end + 1
        if filename is not None or name is None:
            continue  # a file
        field_parts += 1
        if field_parts > MAX_FIELDS:
            continue  # PHP counts every field part against max_input_vars
        value = raw[body_start:end]
        if found and value.endswith(b"\r"):
            value = value[:-1]
        try:
            fields.append((name.decode("utf-8"), value.decode("utf-8")))
        except UnicodeDecodeError:
            raise UnreadableForm("not UTF-8") from None
    return php_fields(fields)


def _value_end(raw: bytes, value_end: bytes, start: int) -> tuple[int, bool]:
    """Where a value from ``start`` ends, and whether a boundary ends it: the next
    ``\\n--boundary``, or a start of one the data ends with (PHP counts that too)."""
    end = raw.find(value_end, start)
    if end >= 0:
        return end, True
    for size in range(min(len(value_end) - 1, len(raw) - start), 0, -1):
        if raw.endswith(value_end[:size]):
            return len(raw) - size, True
    return len(raw), False


def _boundary(content_type: str) -> bytes:
    try:
        text = content_type.encode("latin-1")
    except UnicodeEncodeError:
        return b""
    at = text.find(b"boundary")
    if at < 0:
        at = text.lower().find(b"boundary")
    equals = text.find(b"=", at) if at >= 0 else -1
    if equals < 0:
        return b""
    text = text[equals + 1 :]
    if text.startswith(b'"'):
        closing = text.find(b'"', 1)
        return text[1:closing] if closing > 0 else b""
    return re.split(rb"[,;]", text, maxsplit=1)[0]


def _headers(raw: bytes, position: int) -> tuple[list[list[bytes]], int]:
    """The header lines from ``position`` (continuations kept with their header) and
    where the body starts (at a last line with no LF when no empty line ends them)."""
    headers: list[list[bytes]] = []
    while True:
        end = raw.find(b"\n", position)
        if end < 0 or len(headers) >= MAX_HEADER_LINES:
            return headers, position  # PHP: the headers end with the data; the rest is the value
        text = raw[position:end]
        if text.endswith(b"\r"):
            text = text[:-1]
        position = end + 1
        if not text:
            return headers, position
        if text[:1].isspace() or b":" not in text:
            if headers:
                headers[-1].append(text)
        else:
            headers.append([text])


def _header(headers: list[list[bytes]], wanted: bytes) -> bytes | None:
    for pieces in headers:
        name, _, value = b"".join(pieces).partition(b":")
        if name.lower() == wanted:
            return value.lstrip()
    return None


def _names(disposition: bytes) -> tuple[bytes | None, bytes | None]:
    """``name`` and ``filename`` of a ``Content-Disposition`` value, as PHP reads them."""
    name = filename = None
    for pair in _split_outside_quotes(disposition, b";"):
        pair = pair.lstrip()
        pieces = _split_outside_quotes(pair, b"=", once=True)
        if len(pieces) < 2:
            continue  # no = outside quotes: no key
        key, value = pieces
        value = value.lstrip(b"=")  # PHP's getword skips every = after the key
        if key.lower() == b"name":
            name = _word(value)
        elif key.lower() == b"filename":
            filename = _word(value)
    return name, filename


#: A quoted run (PHP's ``getword`` skips an escaped quote only), a plain run, or one
#: character (a separator).
_QUOTED_OR_PLAIN = re.compile(rb"\"(?:\\\"|[^\"])*\"?|'(?:\\'|[^'])*'?|[^\"';=]+|.", re.DOTALL)


def _split_outside_quotes(text: bytes, stop: bytes, *, once: bool = False) -> list[bytes]:
    pieces: list[bytes] = []
    current = bytearray()
    for token in _QUOTED_OR_PLAIN.findall(text):
        if token == stop and not (once and pieces):
            pieces.append(bytes(current))
            current = bytearray()
        else:
            current += token
    pieces.append(bytes(current))
    return pieces


def _word(value: bytes) -> bytes:
    """PHP's ``getword_conf``: a quoted value (only ``\\\\`` and the quote escaped), or
    the text up to the first space."""
    value = value.lstrip()
    if value[:1] in (b'"', b"'"):
        quote = value[:1]
        out, i = bytearray(), 1
        while i < len(value) and value[i : i + 1] != quote:
            if value[i : i + 1] == b"\\" and value[i + 1 : i + 2] in (b"\\", quote):
                i += 1
            out += value[i : i + 1]
            i += 1
        return bytes(out)
    return re.split(rb"\s", value, maxsplit=1)[0].replace(b"\\\\", b"\\")
