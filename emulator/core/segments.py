"""GSM-7 / UCS-2 detection and segment counting (160/153 and 70/67)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "NOT_PLAIN_ASCII",
    "SegmentInfo",
    "analyze",
    "count_segments",
    "plain_info",
    "split",
]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Characters sent as an escape + code: they count as two.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
_GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION
_ASCII = frozenset(chr(c) for c in range(128))
# ASCII characters outside GSM-7 altogether.
_ASCII_NON_GSM = _ASCII - _GSM7_ALL
#: Matches an ASCII character that is not one plain GSM-7 septet (non-GSM or
#: escaped): for ASCII text, ``NOT_PLAIN_ASCII.search(text) is None`` means
#: ``plain_info(len(text))`` is its analysis (one regex search in C).
NOT_PLAIN_ASCII = re.compile(
    "[" + "".join(sorted(re.escape(c) for c in _ASCII_NON_GSM | (GSM7_EXTENSION & _ASCII))) + "]"
)


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _is_gsm7(text: str) -> bool:
    if text.isascii():
        return not any(ch in _ASCII_NON_GSM for ch in text)
    return all(ch in _GSM7_ALL for ch in text)


def _units(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


@lru_cache(maxsize=1024)
def plain_info(units: int) -> SegmentInfo:
    """``analyze`` of plain GSM-7 text of ``units`` characters (one shared object per length)."""
    return SegmentInfo("GSM-7", units, 1 if units <= 160 else -(-units // 153))


@lru_cache(maxsize=4096)
def analyze(text: str) -> SegmentInfo:
    """Encoding, length in units and segment count of ``text``.

    Multi-part messages never split an escape pair or a surrogate pair, as
    handsets and SMSCs do not.
    """
    if text.isascii() and NOT_PLAIN_ASCII.search(text) is None:
        return plain_info(len(text))
    gsm = _is_gsm7(text)
    single, multi = (160, 153) if gsm else (70, 67)
    sizes = _units(text, gsm)
    units = sum(sizes)
    if units <= single:
        return SegmentInfo("GSM-7" if gsm else "UCS-2", units, 1)
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return SegmentInfo("GSM-7" if gsm else "UCS-2", units, segments)


def count_segments(text: str) -> int:
    """Number of SMS segments ``text`` needs."""
    return analyze(text).segments


def split(text: str) -> list[str]:
    """The text of each segment, in order (for display)."""
    info = analyze(text)
    if info.segments == 1:
        return [text]
    gsm = info.encoding == "GSM-7"
    multi = 153 if gsm else 67
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for ch, size in zip(text, _units(text, gsm), strict=True):
        if used + size > multi:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += size
    parts.append("".join(current))
    return parts
