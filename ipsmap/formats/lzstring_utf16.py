"""LZ-based string compression in the "UTF-16" form PRSM uses for .prsm files.

Written from the algorithm's description (an LZW variant whose codes grow one bit at a time,
packed 15 bits per output character offset by 32, so every character is printable and in
the Basic Multilingual Plane), not from any existing implementation.

The compressor works on UTF-16 code units, as JavaScript strings do, so text with
characters outside the BMP compresses to what the JavaScript decompressor expects.

Stream layout (bit fields are written least significant bit first):

* a code of the current width: 0 = a new 8-bit character follows, 1 = a new 16-bit
  character follows, 2 = end of stream, 3 and up = a dictionary entry;
* the code width starts at 2 bits (compressor) / 3 bits after the first character
  (decompressor) and grows by one whenever the dictionary reaches the next power of two;
* each output character carries 15 bits, most significant first, plus 32.
"""

from __future__ import annotations

import re

BITS_PER_CHAR = 15
OFFSET = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


class LZStringError(ValueError):
    """The text is not a valid compressed stream; ``position`` is the character index."""

    def __init__(self, position: int, problem: str) -> None:
        self.position = position
        self.problem = problem
        super().__init__(f"character {position}: {problem}")


def _code_units(text: str) -> str:
    """The text as UTF-16 code units (characters beyond the BMP become surrogate pairs)."""
    if all(ord(ch) < 0x10000 for ch in text):
        return text
    raw = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(raw[i] | (raw[i + 1] << 8)) for i in range(0, len(raw), 2))


_REVERSED: list[int] = []


def _reversed_table() -> list[int]:
    """Each 15-bit value with its bits in reverse order (built once, on first use)."""
    if not _REVERSED:
        table = [0] * (1 << BITS_PER_CHAR)
        for value in range(1, 1 << BITS_PER_CHAR):
            table[value] = (table[value >> 1] >> 1) | ((value & 1) << (BITS_PER_CHAR - 1))
        _REVERSED.extend(table)
    return _REVERSED


class _BitWriter:
    """Writes fields least significant bit first into characters filled from the top bit."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.buffer = 0
        self.count = 0
        self.table = _reversed_table()

    def write(self, value: int, width: int) -> None:
        self.buffer |= (value & ((1 << width) - 1)) << self.count
        self.count += width
        while self.count >= BITS_PER_CHAR:
            self.out.append(chr(self.table[self.buffer & 0x7FFF] + OFFSET))
            self.buffer >>= BITS_PER_CHAR
            self.count -= BITS_PER_CHAR

    def finish(self) -> str:
        # Like the original, always close with one (possibly all-padding) character.
        self.out.append(chr(self.table[self.buffer] + OFFSET))
        return "".join(self.out)


def compress_to_utf16(text: str) -> str:
    """Compress ``text``; the result holds only characters from U+0020 to U+801F."""
    units = _code_units(text)
    writer = _BitWriter()
    dictionary: dict[str, int] = {}
    pending: set[str] = set()  # single characters not yet sent literally
    next_code = 3
    width = 2
    until_wider = 2
    current = ""

    def emit(phrase: str) -> None:
        nonlocal width, until_wider
        if phrase in pending:
            code = ord(phrase)
            if code < 256:
                writer.write(0, width)
                writer.write(code, 8)
            else:
                writer.write(1, width)
                writer.write(code, 16)
            until_wider -= 1
            if until_wider == 0:
                until_wider = 1 << width
                width += 1
            pending.discard(phrase)
        else:
            writer.write(dictionary[phrase], width)
        until_wider -= 1
        if until_wider == 0:
            until_wider = 1 << width
            width += 1

    for ch in units:
        if ch not in dictionary:
            dictionary[ch] = next_code
            next_code += 1
            pending.add(ch)
        extended = current + ch
        if extended in dictionary:
            current = extended
            continue
        emit(current)
        dictionary[extended] = next_code
        next_code += 1
        current = ch
    if current:
        emit(current)
    writer.write(2, width)
    # The JavaScript original ends the UTF-16 form with a space; keep it for compatibility.
    return writer.finish() + " "


class _BitReader:
    """Reads fields least significant bit first from characters filled most significant first.

    Each character's 15 bits are reversed and appended to an integer buffer, so a field of
    any width is a mask and a shift rather than a loop over its bits.
    """

    def __init__(self, data: str) -> None:
        self.data = data
        self.index = 0  # the next character to load
        self.buffer = 0
        self.count = 0  # bits in the buffer
        self.table = _reversed_table()

    def read(self, width: int) -> int:
        while self.count < width:
            if self.index >= len(self.data):
                raise LZStringError(self.index, "the compressed text ends too early")
            value = ord(self.data[self.index]) - OFFSET
            if not 0 <= value < (1 << BITS_PER_CHAR):
                raise LZStringError(self.index, f"unexpected character U+{value + OFFSET:04X}")
            self.buffer |= self.table[value] << self.count
            self.count += BITS_PER_CHAR
            self.index += 1
        result = self.buffer & ((1 << width) - 1)
        self.buffer >>= width
        self.count -= width
        return result


class LZStringTooLong(LZStringError):
    """The text would decompress to more than the caller allows (a bomb, or not a map)."""

    def __init__(self, position: int, limit: int) -> None:
        super().__init__(position, f"decompresses to more than {limit:,} characters")
        self.limit = limit


def decompress_from_utf16(data: str, max_chars: int | None = None) -> str:
    """Decompress text made by ``compress_to_utf16``; raise LZStringError if it is not.

    With ``max_chars``, stop with LZStringTooLong as soon as the output passes it: a few
    kilobytes of codes can describe gigabytes of text, and the dictionary grows with it.
    """
    if not data:
        raise LZStringError(0, "no compressed data")
    reader = _BitReader(data)
    entries: list[str] = ["", "", ""]
    width = 2
    first = reader.read(width)
    if first == 2:
        return ""
    if first not in (0, 1):
        raise LZStringError(reader.index, f"invalid first code {first}")
    current = chr(reader.read(8 if first == 0 else 16))
    entries.append(current)
    result = [current]
    produced = len(current)
    width = 3
    until_wider = 4
    while True:
        at = reader.index
        code = reader.read(width)
        if code in (0, 1):
            entries.append(chr(reader.read(8 if code == 0 else 16)))
            code = len(entries) - 1
            until_wider -= 1
            if until_wider == 0:
                until_wider = 1 << width
                width += 1
        elif code == 2:
            break
        if code < len(entries):
            entry = entries[code]
        elif code == len(entries):
            entry = current + current[0]
        else:
            raise LZStringError(at, f"code {code} refers to no dictionary entry")
        produced += len(entry)
        if max_chars is not None and produced > max_chars:
            raise LZStringTooLong(at, max_chars)
        result.append(entry)
        entries.append(current + entry[0])
        current = entry
        until_wider -= 1
        if until_wider == 0:
            until_wider = 1 << width
            width += 1
    text = "".join(result)
    if _SURROGATE.search(text):
        try:
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError as exc:
            raise LZStringError(reader.index, "the decompressed text is not valid UTF-16") from exc
    return text
