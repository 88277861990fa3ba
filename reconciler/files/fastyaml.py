"""The bulk parse: PyYAML's C loader, taught YAML 1.2 exactly as ruamel.yaml reads it.

ruamel.yaml's safe loader builds every value in Python; PyYAML's ``CSafeLoader`` does the
same work about three times faster. Both parse with libyaml; what differs is how plain
scalars are typed, so this loader takes ruamel's own YAML 1.2 resolver patterns and mirrors
ruamel's constructors for integers, floats, booleans and nulls. Anything rarer (timestamps,
merge keys, ``=`` values, ``!!binary``, ``!!set``, duplicate keys, a ``%YAML`` directive, a
plain scalar with a colon inside a flow collection other than a time of day, which libyaml
versions read differently, any parser or constructor error) raises :class:`Unsupported`,
and the caller reads that file with ruamel.yaml instead, so results are identical by
construction. A differential test compares
the two on hypothesis-generated documents and on the benchmark's whole realistic tree.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
NULL = "tag:yaml.org,2002:null"
STR = "tag:yaml.org,2002:str"
RARE = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:merge",
        "tag:yaml.org,2002:value", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:set",
        "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs")


class Unsupported(Exception):
    """This document needs ruamel.yaml (something rare in it, or an error to position)."""


class _Loader(yaml.CSafeLoader):
    """libyaml's parser with ruamel.yaml's YAML 1.2 typing of plain scalars."""

    yaml_implicit_resolvers = {}  # noqa: RUF012 (PyYAML's class-level table: ruamel's, below)

    def construct_sequence(self, node: Any, deep: bool = False) -> list[Any]:
        _flow_check(node, [item for item in node.value])
        return list(super().construct_sequence(node, deep=deep))

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        _flow_check(node, [part for pair in node.value for part in pair])
        texts = [k.value for k, _ in node.value
                 if isinstance(k, yaml.ScalarNode) and k.tag == STR]
        if len(texts) == len(node.value) and len(set(texts)) == len(texts):
            return dict(super().construct_mapping(node, deep=deep))  # string keys, no repeat
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag in RARE:
                raise Unsupported
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise Unsupported  # a duplicate key: ruamel positions the error
            except TypeError:
                raise Unsupported from None  # an unhashable key
            seen.add(key)
        return dict(super().construct_mapping(node, deep=deep))


def _flow_check(node: Any, children: list[Any]) -> None:
    """A plain scalar holding ':' inside a flow collection (``[a:b]``): libyaml versions
    disagree whether that is legal, so ruamel's decides; but a time of day (``{reset_time:
    06:00}``, ``[6:00:30]``) is read alike by both, as a string, and stays here."""
    if node.flow_style and any(isinstance(c, yaml.ScalarNode) and not c.style
                               and ":" in c.value and not _TIME.fullmatch(c.value)
                               for c in children):
        raise Unsupported


_TIME = re.compile(r"[0-9]{1,2}(?::[0-9]{2}){1,2}")


# ruamel.yaml's YAML 1.2 resolvers of these tags, as it writes them (its table is not
# imported: ruamel.yaml costs start-up time a plan of cached files does not need; a test
# keeps this copy equal to it).
RESOLVERS: list[tuple[str, re.Pattern[str], list[str]]] = [
    (BOOL, re.compile("^(?:true|True|TRUE|false|False|FALSE)$", re.X),
     list("tTfF")),
    (FLOAT, re.compile("""^(?:
         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$""", re.X), list("-+0123456789.")),
    (INT, re.compile("""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", re.X), list("-+0123456789")),
    ("tag:yaml.org,2002:merge", re.compile("^(?:<<)$"), ["<"]),
    (NULL, re.compile("""^(?: ~
        |null|Null|NULL
        | )$""", re.X), ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp", re.compile("""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \\t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?
        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X), list("0123456789")),
    ("tag:yaml.org,2002:value", re.compile("^(?:=)$"), ["="]),
]
for _tag, _regexp, _first in RESOLVERS:
    _Loader.add_implicit_resolver(_tag, _regexp, _first)


def _int(loader: _Loader, node: Any) -> int:
    """ruamel.yaml's YAML 1.2 integer: underscores ignored, 0b/0x/0o prefixes, else decimal."""
    text = str(loader.construct_scalar(node)).replace("_", "")
    sign = -1 if text[0] == "-" else 1
    if text[0] in "+-":
        text = text[1:]
    if text == "0":
        return 0
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if text.startswith(prefix):
            return sign * int(text[2:], base)
    return sign * int(text)


def _float(loader: _Loader, node: Any) -> float:
    """ruamel.yaml's YAML 1.2 float: underscores ignored, .inf and .nan in any case."""
    text = str(loader.construct_scalar(node)).replace("_", "").lower()
    sign = -1 if text[0] == "-" else 1
    if text[0] in "+-":
        text = text[1:]
    if text == ".inf":
        return sign * float("inf")
    if text == ".nan":
        return float("nan")
    return sign * float(text)


def _bool(loader: _Loader, node: Any) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


def _null(loader: _Loader, node: Any) -> None:
    loader.construct_scalar(node)


def _rare(loader: _Loader, node: Any) -> Any:
    raise Unsupported


_Loader.add_constructor(INT, _int)
_Loader.add_constructor(FLOAT, _float)
_Loader.add_constructor(BOOL, _bool)
_Loader.add_constructor(NULL, _null)
for _tag in RARE:
    _Loader.add_constructor(_tag, _rare)


def load_fast(text: str) -> Any:
    """The data of one YAML document, as ruamel.yaml's safe loader would give it; raises
    :class:`Unsupported` when only ruamel.yaml should read it."""
    if "%YAML" in text:
        raise Unsupported  # a version directive may switch to YAML 1.1 typing
    try:
        return yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        raise Unsupported from None


def locate(text: str, path: tuple[str | int, ...]) -> tuple[int, int] | None:
    """The 1-based position of ``path`` (as :func:`reconciler.files.yamlio.locate` gives it
    from ruamel.yaml's tree: a collection's key, a scalar's value, a list item) from libyaml's
    nodes, which are much faster to build; None when the text cannot be composed."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    if node is None:
        return 1, 1
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)
                         and k.value == part and isinstance(part, str)), None)
            if pair is None:
                break
            key, node = pair
            if isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style:
                return None  # an empty value: where it "is" differs; ask ruamel's tree
            mark = key.start_mark if isinstance(node, yaml.CollectionNode) else node.start_mark
        elif (isinstance(node, yaml.SequenceNode) and isinstance(part, int)
              and 0 <= part < len(node.value)):
            node = node.value[part]
            if isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style:
                return None
            mark = node.start_mark
        else:
            break
        line, col = mark.line + 1, mark.column + 1
    return line, col
