"""A list answer read as a stream: ``{"definitions": [...]}`` decoded record by record as the
bytes arrive, so a list of 100,000 definitions never sits in memory twice (bytes and objects)
and is never refused for its size alone.

Limits stay for a hostile server: a record (or any other value) over :data:`MAX_RECORD_BYTES`,
or a list over :data:`MAX_LIST_BYTES` in all, stops the read (:class:`TooLarge`). What is not
JSON, or not an object, decodes to None, as a whole answer that is not JSON does.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncIterator
from typing import Any

MAX_RECORD_BYTES = 1024 * 1024  # one definition record, or another value of the answer
MAX_LIST_BYTES = 512 * 1024 * 1024  # the whole list
LIST_KEY = "definitions"

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"
_AFTER = ",:]}" + _SPACE  # what may follow a complete value


class TooLarge(Exception):
    """The answer (or one value in it) is over its limit."""


class _NotJson(Exception):
    pass


class ListStream:
    """Feed it the answer's bytes in chunks; :meth:`result` gives the decoded object."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._buf = ""
        self._at = 0
        self._state = "start"  # see _run
        self._key = ""
        self._result: dict[str, Any] = {}
        self._items: list[Any] = []
        self._size = 0
        self._whole: list[bytes] | None = None  # an answer that is not an object: kept whole

    def feed(self, chunk: bytes) -> None:
        """Take the next bytes."""
        self._size += len(chunk)
        if self._size > MAX_LIST_BYTES:
            raise TooLarge(f"over {MAX_LIST_BYTES // 2**20} MiB")
        if self._whole is not None:
            if self._size > MAX_RECORD_BYTES:
                raise TooLarge(f"an answer that is not an object, over"
                               f" {MAX_RECORD_BYTES // 1024} KiB")
            self._whole.append(chunk)
            return
        if self._state == "start" and not self._buf.strip(_SPACE):
            start = chunk.lstrip(_SPACE.encode())
            if start and start[:1] != b"{":
                self._whole = [chunk]
                return
        try:
            self._buf = self._buf[self._at:] + self._text.decode(chunk)
        except UnicodeDecodeError as exc:
            raise _NotJson from exc
        self._at = 0
        self._run(final=False)

    def result(self) -> Any:
        """The answer, once every byte was fed (raises :class:`_NotJson` if it is not
        JSON)."""
        if self._whole is not None:
            try:
                return json.loads(b"".join(self._whole))
            except (ValueError, RecursionError) as exc:
                raise _NotJson from exc
        self._buf = self._buf[self._at:] + self._text.decode(b"", final=True)
        self._at = 0
        self._run(final=True)
        if self._state != "end" or self._buf[self._at:].strip(_SPACE):
            raise _NotJson
        return self._result

    def _skip(self) -> str | None:
        """The next character that is not white space (None: none yet)."""
        buf, at = self._buf, self._at
        while at < len(buf) and buf[at] in _SPACE:
            at += 1
        self._at = at
        return buf[at] if at < len(buf) else None

    def _value(self, final: bool) -> tuple[bool, Any]:
        """The next JSON value, if it is all there (and, unless ``final``, something follows
        it, so that a number is not cut short)."""
        try:
            value, end = _DECODER.raw_decode(self._buf, self._at)
        except (ValueError, RecursionError) as exc:
            if final:
                raise _NotJson from exc
            if len(self._buf) - self._at > MAX_RECORD_BYTES:
                raise TooLarge(f"no complete value within {MAX_RECORD_BYTES // 1024} KiB"
                               ) from exc
            return False, None
        if end - self._at > MAX_RECORD_BYTES:
            raise TooLarge(f"a value over {MAX_RECORD_BYTES // 1024} KiB")
        if not final and (end >= len(self._buf) or self._buf[end] not in _AFTER):
            # Nothing after it yet, or a number that may go on ("1" of "1.5").
            if len(self._buf) - self._at > MAX_RECORD_BYTES:
                raise TooLarge(f"no complete value within {MAX_RECORD_BYTES // 1024} KiB")
            return False, None
        self._at = end
        return True, value

    def _run(self, final: bool) -> None:
        """Decode as far as the bytes go. States: ``{`` awaited (start); a key or ``}``
        (key-first); a key (key); ``,`` or ``}`` (key-sep); ``:`` (colon); a value (value);
        an item or ``]`` (item-first); an item (item); ``,`` or ``]`` (item-sep); end."""
        while (c := self._skip()) is not None and self._state != "end":
            state = self._state
            if state in _PUNCTUATION:
                self._state = _PUNCTUATION[state].get(c, "")
                if not self._state:
                    raise _NotJson
                self._at += 1
                if self._state == "item-first":
                    if self._key in self._result:  # the list twice
                        raise _NotJson
                    self._items = []
                    self._result[self._key] = self._items
                continue
            if state in ("key-first", "key") and c != '"':
                if state == "key-first" and c == "}":
                    self._at += 1
                    self._state = "end"
                    continue
                raise _NotJson
            if state == "item-first" and c == "]":
                self._at += 1
                self._state = "key-sep"
                continue
            if state == "value" and c == "[" and self._key == LIST_KEY:
                self._state = "open-list"
                continue
            done, value = self._value(final)
            if not done:
                return
            if state in ("key-first", "key"):
                self._key, self._state = value, "colon"
            elif state == "value":
                self._result[self._key] = value
                self._state = "key-sep"
            else:  # an item
                self._items.append(value)
                self._state = "item-sep"


# The states that take one punctuation character: what follows each character.
_PUNCTUATION: dict[str, dict[str, str]] = {
    "start": {"{": "key-first"},
    "colon": {":": "value"},
    "key-sep": {",": "key", "}": "end"},
    "open-list": {"[": "item-first"},
    "item-sep": {",": "item", "]": "key-sep"},
}


async def read_list(chunks: AsyncIterator[bytes]) -> Any:
    """The decoded answer (None when it is not a JSON object); :class:`TooLarge` when over
    a limit."""
    stream = ListStream()
    try:
        async for chunk in chunks:
            stream.feed(chunk)
        return stream.result()
    except _NotJson:
        return None
