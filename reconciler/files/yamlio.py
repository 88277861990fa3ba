"""YAML reading and writing, with fixed settings, in one place.

Files are read as YAML 1.2 (so ``yes`` and ``04:00`` stay strings), with duplicate keys
rejected, and turned into plain Python values. Aliases to mappings or sequences are refused:
a definition file has no use for them and they are how alias-expansion bombs work.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.files.fastyaml import Unsupported, load_fast
from reconciler.files.fastyaml import locate as locate_fast
from reconciler.limits import TooLarge, read_bounded, too_deep

if TYPE_CHECKING:  # ruamel.yaml is imported when a file needs it, not at start-up
    from ruamel.yaml import YAML

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64  # a definition needs about six levels
MAX_INDENT = 256  # columns of leading spaces on one line (a definition needs about 12)


class YamlProblem(Exception):
    """A file that cannot be read as one YAML document (line and col are 1-based)."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col

    def __reduce__(self) -> tuple[type[YamlProblem], tuple[str, int, int]]:
        return YamlProblem, (self.message, self.line, self.col)  # whole across processes


class Document:
    """A parsed file: plain data for validation, and positions on demand.

    :func:`load` reads with the fast C-backed safe loader; the round-trip tree that knows
    where each key is written is only built when a position is asked for, which happens
    when there is something to report.
    """

    def __init__(self, text: str, data: Any, tree: Any = None, *,
                 data_json: str | None = None) -> None:
        self.text = text
        self._data = data
        self._data_json = data_json  # the data as JSON, decoded on first use (a cached file)
        self._tree = tree

    @property
    def data(self) -> Any:
        """The plain data (dicts, lists, scalars)."""
        if self._data_json is not None:
            self._data, self._data_json = json.loads(self._data_json), None
        return self._data

    @property
    def tree(self) -> Any:
        """The round-trip tree (parsed on first use; empty if it cannot be built, so a
        position falls back to 1:1 rather than failing)."""
        if self._tree is None:
            from ruamel.yaml.comments import CommentedMap
            from ruamel.yaml.error import YAMLError

            try:
                self._tree = _round_trip().load(self.text)
            except (YAMLError, RecursionError):
                self._tree = CommentedMap()
        return self._tree

    def position(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        """The 1-based (line, col) best describing ``path``; the deepest existing node wins.
        From libyaml's nodes when they can be built (fast), else from the round-trip tree."""
        if self._tree is None:
            found = locate_fast(self.text, path)
            if found is not None:
                return found
        return locate(self.tree, path)


def _round_trip() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.preserve_quotes = True
    yaml.representer.add_representer(type(None), _represent_null)
    return yaml


def _represent_null(representer: Any, _: None) -> Any:
    """Write null as ``null`` (ruamel's default writes nothing, which reads badly)."""
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def decode(raw: bytes) -> str:
    """Bytes of a file as text: UTF-8 only, size-limited, BOM tolerated."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(f"file is {len(raw)} bytes, over the {MAX_FILE_BYTES}-byte limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(f"file is not UTF-8 (byte 0x{raw[exc.start]:02x})", line, col) from exc
    return text.removeprefix("\ufeff")


_FAST: YAML | None = None


def _fast() -> YAML:
    """The safe loader, C-backed when ruamel.yaml.clib is installed (YAML 1.2 either way)."""
    global _FAST
    if _FAST is None:
        from ruamel.yaml import YAML

        _FAST = YAML(typ="safe", pure=False)
        _FAST.allow_duplicate_keys = False
    return _FAST


def read_limited(path: Path) -> bytes:
    """A file's bytes, refusing one over :data:`MAX_FILE_BYTES` before reading it (and
    stopping at the limit should it grow while being read)."""
    try:
        return read_bounded(path, MAX_FILE_BYTES)
    except TooLarge as exc:
        raise YamlProblem(str(exc)) from exc
    except OSError as exc:
        raise YamlProblem(f"cannot read file: {exc.strerror}") from exc


def check_nesting(text: str) -> None:
    """Refuse deep nesting of every form before any parser sees it: the C parser recurses
    once per level, and a file of ``[[[[``, ``{a: {a:``, ``- - - -`` or ever deeper
    indentation would exhaust its stack (a crash, not an error)."""
    _check_flow_depth(text)
    deep = _DEEP_INDENT.search(text)
    if deep is not None:
        raise YamlProblem(f"YAML nesting is too deep (a line indented more than {MAX_INDENT}"
                          " columns)", text.count("\n", 0, deep.start()) + 1, MAX_INDENT + 1)
    chain = _BLOCK_CHAIN.search(text)
    if chain is not None:
        raise YamlProblem(f"YAML nesting is too deep (more than {MAX_DEPTH} levels of '- ' or"
                          " '? ' on one line)", text.count("\n", 0, chain.start()) + 1, 1)


_DEEP_INDENT = re.compile(rf"^ {{{MAX_INDENT + 1}}}", re.MULTILINE)
_BLOCK_CHAIN = re.compile(rf"^[ \t]*(?:[-?](?:[ \t]+|$)){{{MAX_DEPTH + 1}}}", re.MULTILINE)


def load(text: str) -> Document:
    """Parse one YAML document quickly; problems are raised with their position."""
    check_nesting(text)
    try:
        data = load_fast(text)
    except Unsupported:
        from ruamel.yaml.error import YAMLError

        try:
            data = _fast().load(text)
        except (YAMLError, RecursionError):
            return parse(text)  # the round-trip parser raises the same problem, positioned
    if "*" not in text:  # no alias (``*name``): no container is reached twice
        _check_depth(data)  # the cheaper walk
    elif _shared_container(data):
        return parse(text)  # raises the alias problem with its position
    return Document(text, data)


def _check_flow_depth(text: str) -> None:
    """Refuse deeply nested [ and { before any parser sees them: the C parser recurses per
    level and a file of brackets would exhaust its stack."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            raise YamlProblem(f"YAML nesting is too deep (more than {MAX_DEPTH} levels)",
                              line, col)


_BRACKETS = re.compile(r"[\[\]{}]")


def _shared_container(data: Any) -> bool:
    """Whether a mapping or list is reached twice (an alias); refuse absurd nesting."""
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise YamlProblem(f"YAML nesting is too deep (more than {MAX_DEPTH} levels)")
        if isinstance(value, dict | list):
            if id(value) in seen:
                return True
            seen.add(id(value))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((v, (*path, k)) for k, v in items)
    return False


def _check_depth(data: Any) -> None:
    """Refuse absurd nesting, as :func:`_shared_container` does."""
    if too_deep(data, MAX_DEPTH):
        raise YamlProblem(f"YAML nesting is too deep (more than {MAX_DEPTH} levels)")


def parse(text: str) -> Document:
    """Parse one YAML document with positions; raise :class:`YamlProblem` on any failure."""
    check_nesting(text)
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        tree = _round_trip().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if "duplicate key" in problem:
            problem = problem.split(" with value")[0]
        if "'\\t'" in problem:
            problem += "; YAML indents with spaces, not tabs: use spaces"
        raise YamlProblem(f"YAML syntax error: {problem}", line, col) from exc
    except YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}") from exc
    except RecursionError as exc:
        raise YamlProblem(f"YAML nesting is too deep (more than {MAX_DEPTH} levels)") from exc
    return Document(text, to_plain(tree), tree)


def to_plain(node: Any) -> Any:
    """Copy ruamel's tree into plain dicts, lists and scalars, refusing shared containers."""
    seen: set[int] = set()

    def walk(value: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(value, dict | list):
            if id(value) in seen:
                line, col = locate(node, path)
                where = ".".join(str(p) for p in path)
                raise YamlProblem(
                    f"YAML alias at {where} repeats a mapping or list; aliases are not allowed",
                    line, col,
                )
            seen.add(id(value))
        if isinstance(value, dict):
            return {_plain_scalar(k): walk(v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        return _plain_scalar(value)

    return walk(node, ())


def _plain_scalar(value: Any) -> Any:
    """ruamel's scalar subclasses as the builtin types (strict validation wants exact types)."""
    if isinstance(value, bool) or value is None:
        return value
    for kind in (int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


def locate(tree: Any, path: tuple[str | int, ...]) -> tuple[int, int]:
    """The 1-based position of ``path`` in a ruamel tree, or of its deepest existing parent."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    line, col = 1, 1
    node = tree
    if isinstance(node, CommentedMap | CommentedSeq):
        line, col = node.lc.line + 1, node.lc.col + 1
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            child = node[part]
            if isinstance(child, CommentedMap | CommentedSeq):
                kl, kc = node.lc.key(part)
            else:
                kl, kc = node.lc.value(part)
            line, col = kl + 1, kc + 1
            node = child
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            il, ic = node.lc.item(part)
            line, col = il + 1, ic + 1
            node = node[part]
        else:
            break
    return line, col


def key_position(tree: Any, path: tuple[str | int, ...], key: str) -> tuple[int, int] | None:
    """Where ``key`` itself is written in the mapping at ``path`` (for unknown-key errors)."""
    from ruamel.yaml.comments import CommentedMap

    node = tree
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    if isinstance(node, CommentedMap) and key in node:
        kl, kc = node.lc.key(key)
        return kl + 1, kc + 1
    return None


def dump(tree: Any) -> str:
    """Write a ruamel tree in the canonical layout: two-space indent, lists indented."""
    yaml = _round_trip()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()

