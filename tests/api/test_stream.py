"""A list answer decoded as a stream agrees with decoding it whole, however it is cut."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.api import stream
from reconciler.api.stream import ListStream, TooLarge, read_list

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=5), inner, max_size=4), max_leaves=12)
answers = st.dictionaries(st.text(max_size=6), values, max_size=3).flatmap(
    lambda extra: st.lists(st.dictionaries(st.text(max_size=6), values, max_size=4),
                           max_size=6).map(lambda items: {**extra, "definitions": items}))


def cut(data: bytes, sizes: list[int]) -> list[bytes]:
    out, at = [], 0
    for size in sizes:
        out.append(data[at:at + size])
        at += size
    return [*out, data[at:]]


def whole_or_none(data: bytes) -> Any:
    try:
        decoded = json.loads(data)
    except ValueError:
        return "not JSON"
    return "not JSON" if decoded is None else decoded  # null is no answer either


def streamed(chunks: list[bytes]) -> Any:
    async def gen() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    got = asyncio.run(read_list(gen()))
    return "not JSON" if got is None else got


@settings(max_examples=300)
@given(answer=answers, indent=st.sampled_from([None, 1]),
       sizes=st.lists(st.integers(1, 9), max_size=40))
def test_any_answer_cut_anywhere_decodes_as_a_whole(answer: dict[str, Any], indent: int | None,
                                                   sizes: list[int]) -> None:
    data = json.dumps(answer, indent=indent, ensure_ascii=False).encode()
    assert streamed(cut(data, sizes)) == json.loads(data)


@settings(max_examples=300)
@given(data=st.binary(max_size=40) | st.text(alphabet='{}[]",:0123456789.eE-tfnrul "ab\\',
                                              max_size=40).map(str.encode),
       sizes=st.lists(st.integers(1, 5), max_size=10))
def test_anything_else_decodes_as_a_whole_does_or_is_not_json(data: bytes,
                                                              sizes: list[int]) -> None:
    whole = whole_or_none(data)
    if isinstance(whole, dict) and list(whole).count("definitions") and data.count(
            b'"definitions"') > 1:
        return  # the list twice: refused by the stream (not JSON), kept last by json.loads
    assert streamed(cut(data, sizes)) == whole


def test_the_limits_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "MAX_RECORD_BYTES", 100)
    monkeypatch.setattr(stream, "MAX_LIST_BYTES", 10_000)
    record = json.dumps({"name": "x" * 50}).encode()
    ok = b'{"definitions": [' + b", ".join([record] * 150) + b"]}"
    assert len(ok) < 10_000 and len(streamed(cut(ok, [64] * 200))["definitions"]) == 150
    big = b'{"definitions": [' + json.dumps({"name": "x" * 200}).encode() + b"]}"
    with pytest.raises(TooLarge, match="no complete value within"):
        streamed(cut(big, [16] * 20))
    huge = b'{"definitions": [' + b", ".join([record] * 200) + b"]}"
    with pytest.raises(TooLarge, match="over"):
        streamed(cut(huge, [64] * 300))


def test_a_definitions_list_twice_is_not_json() -> None:
    s = ListStream()
    with pytest.raises(stream._NotJson):
        s.feed(b'{"definitions": [], "definitions": [1]}')
        s.result()
