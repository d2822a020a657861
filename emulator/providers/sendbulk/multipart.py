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
- past 1,000 names (``max_input_vars``) new ones are dropped, and past 1,020
  parts (``max_multipart_body_parts``) the reading stops; what was read stays.

The emulator's own bounds, so a hostile body cannot hold the server: a part with
more than 100 header lines ends the reading, and only the first 2 KB of a
``Content-Disposition`` are parsed.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_DISPOSITION",
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
#: The emulator's own bounds on one part's headers (real clients send two or three
#: short ones): lines read, and characters of ``Content-Disposition`` parsed.
MAX_HEADER_LINES = 100
MAX_DISPOSITION = 2048


class UnreadableForm(ValueError):
    """A field name or value that is not UTF-8."""


def multipart_fields(raw: bytes, content_type: str) -> dict[str, str]:
    """The fields of a ``multipart/form-data`` body (a repeated name: its last value)."""
    boundary = _boundary(content_type)
    fields: dict[str, str] = {}
    if not boundary:
        return fields
    line = re.compile(rb"(?m)^--" + re.escape(boundary) + rb"\r?$")
    value_end = b"\n--" + boundary
    position = 0
    for _ in range(MAX_PARTS):
        start = line.search(raw, position)  # lines until one is exactly --boundary
        if start is None or start.end() >= len(raw):
            break
        headers, body_start = _headers(raw, start.end() + 1)
        if body_start is None:
            break  # the headers never end
        end = raw.find(value_end, body_start)
        if end < 0:
            end = len(raw)
        value = raw[body_start:end]
        position = end + 1
        disposition = _header(headers, b"content-disposition")
        if disposition is None:
            continue
        name, filename = _names(disposition)
        if name is None and filename is None:
            break  # PHP: "File Upload Mime headers garbled"
        if name is None or filename is not None:
            continue  # a file
        if value.endswith(b"\r") and end < len(raw):
            value = value[:-1]
        try:
            key = name.decode("utf-8")
            if key in fields or len(fields) < MAX_FIELDS:
                fields[key] = value.decode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableForm("not UTF-8") from None
    return fields


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


def _headers(raw: bytes, position: int) -> tuple[list[list[bytes]], int | None]:
    """The header lines from ``position`` (continuations kept with their header) and
    where the body starts, or None when no empty line ends them."""
    headers: list[list[bytes]] = []
    while True:
        end = raw.find(b"\n", position)
        if end < 0:
            return headers, None
        text = raw[position:end]
        if text.endswith(b"\r"):
            text = text[:-1]
        position = end + 1
        if not text:
            return headers, position
        if len(headers) >= MAX_HEADER_LINES:
            return headers, None  # read as headers that never end
        if text[:1].isspace() or b":" not in text:
            if headers:
                headers[-1].append(text)
        else:
            headers.append([text])


def _header(headers: list[list[bytes]], wanted: bytes) -> bytes | None:
    for pieces in headers:
        name, _, value = b"".join(pieces).partition(b":")
        if name.lower() == wanted:
            return value.lstrip()[:MAX_DISPOSITION]
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
        if key.lower() == b"name":
            name = _word(value)
        elif key.lower() == b"filename":
            filename = _word(value)
    return name, filename


#: A quoted run (PHP's ``getword`` skips an escaped quote only), a plain run, or one
#: character (a separator).
_QUOTED_OR_PLAIN = re.compile(rb"\"(?:\\\"|[^\"])*\"?|'(?:\\'|[^'])*'?|[^\"';=]+|.", re.DOTALL)


def _split_outside_quotes(text: bytes, stop: bytes, *, once: bool = False) -> list[bytes]:
    pieces, current = [], bytearray()
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
    return re.split(rb"\s", value, maxsplit=1)[0]
