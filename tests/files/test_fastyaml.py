"""The fast bulk loader gives exactly what ruamel.yaml's safe loader gives, or steps aside:
a differential test on generated documents full of YAML's traps, and on the example tree."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from reconciler.files.fastyaml import Unsupported, load_fast

ROOT = Path(__file__).resolve().parents[2]
RUAMEL = YAML(typ="safe", pure=False)
RUAMEL.allow_duplicate_keys = False
PURE = YAML(typ="safe", pure=True)
PURE.allow_duplicate_keys = False

# Plain scalars whose type YAML 1.1 and 1.2 (and PyYAML and ruamel.yaml) disagree about.
TRAPS = ["yes", "No", "ON", "off", "y", "n", "true", "True", "TRUE", "tRue", "false", "~",
         "null", "Null", "NULL", "nULL", "04:00", "12:30:00", "190:20:30", "0o14", "014",
         "0x1F", "0X1F", "0b101", "1_000", "1__2", "-_1", "_1", "0_", "00", "-0", "+12",
         "1e3", "1E3", "1.", ".5", "-.5", "1.0e+3", "1e", "e3", ".inf", "-.Inf", "+.INF",
         ".nan", ".NaN", "2026-01-03", "2026-01-03 00:00:00", "2026-01-03T00:00",
         "2026-1-3", "=", "<<", "0.0", "3.14_15", "1:2", "0x_1", "0o", "0b", "Infinity",
         "NaN", "@x", "`x", "a b", "x: y", "#c", "", "'single'", '"double"', '"\\t"', "é",
         "-", "--", "?", "!", "&a", "*a", "%x", "|", ">"]

# Times of day, and things near them, as a flow mapping may hold them unquoted.
TIMES = ["06:00", "6:00", "00:00", "23:59:59", "24:00", "99:99", "1:2", "06:00:00:00",
         "006:00", "06:0", "06:00x", "06: 00", "-06:00", "+06:00", "06:00.5", "0x6:00",
         "'06:00'", '"06:00"']

keys = st.sampled_from(["name", "status", "a", "b", "on", "yes", "1", "0o1", "null", "~",
                        "true", "2026-01-03"])


def scalar() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(TRAPS), st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\x85"
                               "\u2028\u2029\ufeff"), max_size=6))


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> str:
    """A block mapping (sometimes with a duplicate key, a comment or a flow collection)."""
    lines = []
    indent = "  " * depth
    names = draw(st.lists(keys, min_size=1, max_size=4))
    for key in names:
        kind = draw(st.sampled_from(["scalar", "scalar", "flow", "flowmap", "list", "map",
                                     "comment"]))
        if kind == "scalar":
            lines.append(f"{indent}{key}: {draw(scalar())}")
        elif kind == "flow":
            items = draw(st.lists(st.sampled_from(TRAPS[:50]), max_size=3))
            lines.append(f"{indent}{key}: [{', '.join(items)}]")
        elif kind == "flowmap":  # a window written inline, its time unquoted or not
            pairs = draw(st.lists(st.tuples(keys, st.sampled_from(TIMES + TRAPS[:50])),
                                  max_size=3, unique_by=lambda p: p[0]))
            spacing = draw(st.sampled_from([", ", ",", " , "]))
            lines.append(f"{indent}{key}: {{{spacing.join(f'{k}: {v}' for k, v in pairs)}}}")
        elif kind == "list":
            lines.append(f"{indent}{key}:")
            for item in draw(st.lists(scalar(), min_size=1, max_size=3)):
                lines.append(f"{indent}  - {item}")
        elif kind == "map" and depth < 2:
            lines.append(f"{indent}{key}:")
            lines.append(draw(block(depth + 1)))
        else:
            lines.append(f"{indent}# {draw(scalar())}")
            lines.append(f"{indent}{key}: {draw(scalar())}")
    return "\n".join(lines)


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN and bools never equal to ints."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def check(text: str) -> str:
    """'fast' when the fast loader read it (and agreed), 'ruamel' when it stepped aside."""
    try:
        fast = load_fast(text)
    except Unsupported:
        return "ruamel"
    try:
        reference = RUAMEL.load(text)
    except YAMLError:  # what the C loader refuses, the tool reads with ruamel's own parser
        reference = PURE.load(text)  # must not raise: the fast loader read it
    assert same(fast, reference), (text, fast, reference)
    return "fast"


@settings(max_examples=400, deadline=None)
@given(block())
def test_generated_documents_read_the_same(text: str) -> None:
    check(text)


@pytest.mark.parametrize("trap", TRAPS)
def test_every_trap_alone(trap: str) -> None:
    check(f"a: {trap}\n")


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",                      # duplicate key
    "<<: {b: 1}\nc: 2\n",                # merge key
    "%YAML 1.1\n---\na: yes\n",          # a version directive
    "a: !!binary aGk=\n",
    "a: !!set {x}\n",
    "a: 2026-01-03\n",                   # a timestamp
    "? [a]\n: 1\n",                      # an unhashable key
    "a: [1\n",                           # a syntax error, positioned by ruamel
    "a: 1\n---\nb: 2\n",                 # two documents
])
def test_rare_documents_step_aside(text: str) -> None:
    assert check(text) == "ruamel"


def test_the_example_tree_reads_the_same_and_fast() -> None:
    files = sorted((ROOT / "streaks.d").rglob("*.yaml"))
    assert files and all(check(p.read_text()) == "fast" for p in files)


def paths(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path into ``data``, and one that goes past its end."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str):
                found += paths(value, (*prefix, key))
        found.append((*prefix, "missing"))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += paths(value, (*prefix, i))
        found.append((*prefix, len(data)))
    return found


@pytest.mark.filterwarnings("ignore::ruamel.yaml.error.ReusedAnchorWarning")
@settings(max_examples=300, deadline=None)
@given(block())
def test_positions_from_libyaml_are_ruamels(text: str) -> None:
    from reconciler.files.fastyaml import locate as fast_locate
    from reconciler.files.yamlio import Document, YamlProblem, locate, parse

    try:
        doc: Document = parse(text)
    except YamlProblem:
        return  # no positions to compare: the error itself carries one
    for path in paths(doc.data):
        found = fast_locate(text, path)
        assert found is None or found == locate(doc.tree, path), (text, path)


def test_the_example_tree_positions_agree() -> None:
    from reconciler.files.fastyaml import locate as fast_locate
    from reconciler.files.yamlio import locate, parse

    for file in sorted((ROOT / "streaks.d").rglob("*.yaml")):
        doc = parse(file.read_text())
        for path in paths(doc.data):
            assert fast_locate(doc.text, path) == locate(doc.tree, path), (file, path)


@pytest.mark.parametrize("time", TIMES)
def test_times_in_flow_mappings(time: str) -> None:
    check(f"window: {{type: calendar, period: daily, timezone: UTC, reset_time: {time}}}\n")
    check(f"times: [{time}, {time}]\n")


def test_an_unquoted_time_in_a_flow_mapping_stays_on_the_fast_path() -> None:
    for text in ("w: {reset_time: 06:00, a: 1}\n", "w: [6:00:30, 23:59]\n"):
        assert check(text) == "fast"


def test_the_resolvers_are_ruamels_own() -> None:
    from ruamel.yaml.resolver import implicit_resolvers

    from reconciler.files.fastyaml import BOOL, FLOAT, INT, NULL, RARE, RESOLVERS

    theirs = [(tag, regexp.pattern, regexp.flags, first)
              for versions, tag, regexp, first in implicit_resolvers
              if (1, 2) in versions and tag in (BOOL, INT, FLOAT, NULL, *RARE)]
    assert [(tag, regexp.pattern, regexp.flags, first)
            for tag, regexp, first in RESOLVERS] == theirs
