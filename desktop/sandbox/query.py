"""Codat's query language (``name~acme&&dataConnections.status=Linked``), ordering and paging.

Grammar: ``expr := and ('||' and)*``, ``and := atom ('&&' atom)*``, ``atom := '{' expr '}' | cond``,
``cond := path op value`` with ops ``!= >= <= = ~ > <``. String comparison ignores case (Codat's
examples query ``sourceType=accounting``). A path through an array (``dataConnections.status``)
matches when any element matches; ``!=`` then means no element equals the value, so Codat's
"companies with no connections" example works.

Codat's querying page documents no quoting or escaping inside a query: the whole query is
URL-encoded, and a value runs to the next operator (``&&``, ``||``, ``}``). Quotes are therefore
ordinary characters here too. The only operator a company name Codat accepts can contain is ``&&``
(its names allow letters, digits, whitespace and ``- ' , & @ . ? !``), which clients split on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_QUERY = 2048
_OPS = ("!=", ">=", "<=", "=", "~", ">", "<")
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

Predicate = Callable[[Mapping[str, Any]], bool]


class QueryError(ValueError):
    """``message`` is Codat's error text; ``detail`` goes into the validation block."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def _malformed(detail: str) -> QueryError:
    return QueryError("Error parsing query - Malformed query.", detail)


@dataclass
class _Cond:
    path: str
    op: str
    value: str


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise _malformed("unbalanced '}'")
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    if depth != 0:
        raise _malformed("unbalanced '{'")
    parts.append(text[start:])
    return parts


def _parse(text: str) -> Any:
    text = text.strip()
    if not text:
        raise _malformed("empty expression")
    ors = _split_top(text, "||")
    if len(ors) > 1:
        return ("or", [_parse(p) for p in ors])
    ands = _split_top(text, "&&")
    if len(ands) > 1:
        return ("and", [_parse(p) for p in ands])
    if text.startswith("{") and text.endswith("}"):
        return _parse(text[1:-1])
    for idx in range(1, len(text)):
        op = next((o for o in _OPS if text.startswith(o, idx)), None)
        if op is not None:
            path, value = text[:idx].strip(), text[idx + len(op) :].strip()
            if not _PATH.match(path):
                raise _malformed(f"{path!r} is not a property name")
            if value == "" or any(o in value for o in ("=", "~", "<", ">")):
                raise _malformed(f"condition {text!r} has no usable value")
            # Codat documents no quoting: a value is literal up to the next operator (a quote
            # is an ordinary character, as in "O'Brien"); URL-encoding is the only escaping.
            return _Cond(path, op, value)
    raise _malformed(f"{text!r} is not a condition")


def _values(item: Any, parts: Sequence[str]) -> list[Any]:
    if not parts:
        return [item]
    if isinstance(item, list):
        return [v for element in item for v in _values(element, parts)]
    if isinstance(item, Mapping) and parts[0] in item:
        return _values(item[parts[0]], parts[1:])
    return []


def _compare(actual: Any, op: str, wanted: str) -> bool:
    if isinstance(actual, bool):
        left: Any = str(actual).lower()
        right: Any = wanted.lower()
    elif isinstance(actual, int | float):
        try:
            left, right = float(actual), float(wanted)
        except ValueError:
            return False
    elif isinstance(actual, str):
        left, right = actual.lower(), wanted.lower()
    else:
        return False
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "~":
        return isinstance(left, str) and right in left
    if op == ">":
        return bool(left > right)
    if op == "<":
        return bool(left < right)
    if op == ">=":
        return bool(left >= right)
    return bool(left <= right)


def _evaluate(node: Any, item: Mapping[str, Any]) -> bool:
    if isinstance(node, _Cond):
        found = _values(item, node.path.split("."))
        if node.op == "!=":
            return all(_compare(v, "!=", node.value) for v in found)
        return any(_compare(v, node.op, node.value) for v in found)
    kind, children = node
    if kind == "and":
        return all(_evaluate(c, item) for c in children)
    return any(_evaluate(c, item) for c in children)


def _paths(node: Any) -> list[str]:
    if isinstance(node, _Cond):
        return [node.path]
    return [p for child in node[1] for p in _paths(child)]


def compile_query(text: str, fields: frozenset[str], entity: str) -> Predicate:
    """Parse once; unknown properties fail like Codat: "Could not resolve property X on Entity"."""
    if len(text) > MAX_QUERY:
        raise _malformed(f"the query is longer than {MAX_QUERY} characters")
    tree = _parse(text)
    for path in _paths(tree):
        if path not in fields:
            raise QueryError(
                f"Error parsing query - Could not resolve property {path} on {entity}",
                f"unknown property {path}",
            )
    return lambda item: _evaluate(tree, item)


def order_key(spec: str, fields: frozenset[str], entity: str) -> tuple[str, bool]:
    """``-created`` -> ("created", descending=True)."""
    descending = spec.startswith("-")
    name = spec.lstrip("-+").strip()
    if name not in fields:
        raise QueryError(
            f"Error parsing orderBy - Could not resolve property {name} on {entity}",
            f"unknown property {name}",
        )
    return name, descending


def sort_items(items: list[dict[str, Any]], name: str, descending: bool) -> list[dict[str, Any]]:
    def key(item: Mapping[str, Any]) -> tuple[int, Any]:
        value = item.get(name)
        if value is None:
            return (1, "")
        if isinstance(value, str):
            return (0, value.lower())
        return (0, value)

    present = [i for i in items if i.get(name) is not None]
    missing = [i for i in items if i.get(name) is None]
    present.sort(key=key, reverse=descending)
    return present + missing


def page_envelope(
    results: list[dict[str, Any]],
    *,
    path: str,
    page: int,
    page_size: int,
    query: str | None,
    order_by: str | None,
) -> dict[str, Any]:
    """Codat's paging envelope; hrefs are relative, as in Codat's examples."""
    from urllib.parse import urlencode

    total = len(results)
    chunk = results[(page - 1) * page_size : page * page_size]

    def href(number: int) -> dict[str, str]:
        params: dict[str, str | int] = {"page": number, "pageSize": page_size}
        if query:
            params["query"] = query
        if order_by:
            params["orderBy"] = order_by
        return {"href": f"{path}?{urlencode(params)}"}

    links: dict[str, Any] = {"self": {"href": path}, "current": href(page)}
    if page * page_size < total:
        links["next"] = href(page + 1)
    if page > 1:
        links["previous"] = href(page - 1)
    return {
        "results": chunk,
        "pageNumber": page,
        "pageSize": page_size,
        "totalResults": total,
        "_links": links,
    }
