"""``multipart/form-data`` bodies read as PHP fills ``$_POST`` from them (``rfc1867.c``).

PHP's curl posting an array, a browser's or JS ``FormData``, and Python's
``requests`` with ``files=`` send this encoding; the gateway reads it like a
URL-encoded form.  As PHP does: a delimiter is a line that is exactly
``--boundary`` (a CR before its LF is dropped, so LF-only bodies read too); each
part's headers end at an empty line and may be folded; the field name is the
``Content-Disposition`` ``name`` parameter; a part with a ``filename`` is a file,
not a field; a part's body is its value, whatever it says it contains (a nested
multipart is not opened).  Linear in the body: the parts are found with one
regular-expression scan, headers with plain string work.
"""

from __future__ import annotations

import re

__all__ = ["MAX_FORM_PARTS", "UnreadableForm", "multipart_fields"]

#: Fields a body may have (PHP's default ``max_input_vars``).
MAX_FORM_PARTS = 1000
#: RFC 2046's boundary: 1 to 70 of these characters, not ending in a space.
_BOUNDARY_TEXT = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_BOUNDARY_PARAM = re.compile(r";\s*boundary\s*=\s*(?:\"([^\"]*)\"|([^;,\s]*))", re.IGNORECASE)
_PARAM = re.compile(rb';\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))')
_ESCAPED = re.compile(rb"\\(.)", re.DOTALL)


class UnreadableForm(ValueError):
    """No boundary, too many parts, or text that is not UTF-8."""


def multipart_fields(raw: bytes, content_type: str) -> dict[str, str]:
    """The fields of a ``multipart/form-data`` body (the last value of a repeated name)."""
    found = _BOUNDARY_PARAM.search(content_type)
    boundary = (found.group(1) or found.group(2)) if found else ""
    if not boundary or _BOUNDARY_TEXT.fullmatch(boundary) is None:
        raise UnreadableForm("no usable boundary")
    data = b"\n" + raw
    delimiter = re.compile(rb"\n--" + re.escape(boundary.encode("ascii")) + rb"(--|\r?\n)")
    fields: dict[str, str] = {}
    start: int | None = None
    for count, mark in enumerate(delimiter.finditer(data)):
        if count > MAX_FORM_PARTS:
            raise UnreadableForm("too many parts")
        if start is not None:
            _read_part(data[start : mark.start()], fields)
        if mark.group(1) == b"--":
            return fields
        start = mark.end()
    if start is not None:
        _read_part(data[start:], fields)  # no closing delimiter: the rest is the last part
    return fields


def _read_part(part: bytes, fields: dict[str, str]) -> None:
    if part.endswith(b"\r"):
        part = part[:-1]  # the CR of the CRLF before the next delimiter
    headers: list[list[bytes]] = []
    position = 0
    while True:
        end = part.find(b"\n", position)
        if end < 0:
            return  # the headers never end: no value
        line = part[position:end].rstrip(b"\r")
        position = end + 1
        if not line:
            break
        if line[:1] in (b" ", b"\t") and headers:
            headers[-1].append(line.strip())  # folded onto the header above
        else:
            headers.append([line])
    disposition = next(
        (
            b" ".join(pieces)
            for pieces in headers
            if pieces[0].split(b":", 1)[0].strip().lower() == b"content-disposition"
        ),
        None,
    )
    if disposition is None:
        return
    params = {}
    for match in _PARAM.finditer(disposition):
        quoted, plain = match.group(2), match.group(3)
        value = _ESCAPED.sub(rb"\1", quoted) if quoted is not None else plain.strip()
        params[match.group(1).lower()] = value
    if b"name" not in params or b"filename" in params:
        return  # no field, or a file
    try:
        fields[params[b"name"].decode("utf-8")] = part[position:].decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableForm("not UTF-8") from None
