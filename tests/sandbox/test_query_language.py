"""The query parser: Codat's examples work, and no input makes it fail other than cleanly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.sandbox.query import QueryError, compile_query, order_key

FIELDS = frozenset({"name", "status", "enabled", "progress", "dataConnections.status"})
ITEM: dict[str, Any] = {
    "name": "Acme Trading",
    "status": "Linked",
    "enabled": True,
    "progress": 40,
    "dataConnections": [{"status": "PendingAuth"}, {"status": "Unlinked"}],
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=acme trading", True),
        ("name~TRAD", True),
        ("name!=Acme Trading", False),
        ("enabled=true&&status=linked", True),
        ("progress>=40&&progress<41", True),
        ("progress>40", False),
        ("dataConnections.status=PendingAuth", True),
        ("dataConnections.status!=Linked", True),
        ("dataConnections.status!=Unlinked", False),
        ("{status=Unlinked||name~acme}&&enabled=true", True),
        ("status=Unlinked||{name~acme&&enabled=false}", False),
    ],
)
def test_codat_style_queries(query: str, expected: bool) -> None:
    assert compile_query(query, FIELDS, "Thing")(ITEM) is expected


@given(st.text(alphabet="{}|&=!~<>. abcnameprogs1", max_size=40))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        match = compile_query(text, FIELDS, "Thing")
    except QueryError as exc:
        assert exc.message.startswith("Error parsing query")
        return
    assert match(ITEM) in (True, False)


def test_order_key() -> None:
    assert order_key("-name", FIELDS, "Thing") == ("name", True)
    assert order_key("progress", FIELDS, "Thing") == ("progress", False)
    with pytest.raises(QueryError):
        order_key("-colour", FIELDS, "Thing")
