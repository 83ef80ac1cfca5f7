"""The team call summary (desktop.core.team.summary) and subject tokens, without NATS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.store import CallStore
from desktop.core.team.subjects import agent_token, call_subject, token_of
from desktop.core.team.summary import (
    MAX_NAME,
    MAX_PROBLEMS,
    BadSummary,
    build_summary,
    encode,
    parse_summary,
)
from tests.unit.stats.builders import CALL_A, CALL_F, Clock, add_call


@pytest.mark.parametrize(
    ("name", "token"),
    [
        ("Ana", "Ana"),
        ("Ana Lee", "Ana~20Lee"),
        ("a.b", "a~2Eb"),
        ("*>", "~2A~3E"),
        ("a~2Eb", "a~7E2Eb"),  # the escape itself is escaped: no two names share a token
        ("Zoë", "Zo~C3~AB"),
        ("", "~"),
        (None, "~"),
    ],
)
def test_agent_tokens_are_subject_safe_and_distinct(name: str | None, token: str) -> None:
    assert agent_token(name) == token
    assert token_of(call_subject(name)) == token


def test_a_very_long_name_keeps_a_bounded_distinct_token() -> None:
    one, two = agent_token("x" * 500), agent_token("x" * 499 + "y")
    assert len(one) <= 120 and len(two) <= 120 and one != two


@pytest.fixture
def summary(tmp_path: Path) -> dict[str, Any]:
    clock = Clock()
    with CallStore(tmp_path / "calls.sqlite3", clock=clock) as store:
        call_id = add_call(store, clock, CALL_A)
        open_id = add_call(store, clock, CALL_F)
        assert build_summary(store, open_id) is None  # an open call is not published
        built = build_summary(store, call_id)
    assert built is not None
    return built


def test_a_summary_reads_back_as_it_was_built(summary: dict[str, Any]) -> None:
    call = parse_summary(encode(summary), "Ana")
    assert call.agent == "Ana" and call.platform_key == "xero" and call.outcome == "synced"
    assert [s.seconds for s in call.steps] == [60.0, 40.0, 100.0, 300.0, 600.0]
    assert call.furthest_step == 5 and all(s.passed for s in call.steps)
    assert call.company_name is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"version": True}, "version"),
        ({"callId": "../../etc"}, "callId"),
        ({"outcome": "won"}, "outcome"),
        ({"furthestStep": 9}, "furthestStep"),
        ({"startedAt": float("nan")}, "startedAt"),
        ({"startedAt": "yesterday"}, "startedAt"),
        ({"practice": 1}, "practice"),
        ({"problems": ["Not A Key"]}, "problems"),
        ({"problems": ["stalled"] * 21}, "problems"),
        ({"platformKey": "x" * 65}, "platformKey"),
        ({"companyName": "c" * 201}, "companyName"),
        ({"agent": "Ben"}, "subject"),
        ({"steps": []}, "steps"),
    ],
)
def test_a_bad_field_is_refused(
    summary: dict[str, Any], change: dict[str, Any], reason: str
) -> None:
    bad = {**summary, **change}
    with pytest.raises(BadSummary, match=reason):
        parse_summary(json.dumps(bad).encode(), "Ana")


def test_a_step_with_an_unknown_provenance_is_refused(summary: dict[str, Any]) -> None:
    summary["steps"][0]["provenance"] = "guessed"
    with pytest.raises(BadSummary, match="provenance"):
        parse_summary(encode(summary), "Ana")


# -- what is built is what readers accept ------------------------------------------------------


def _built_and_read(
    agent: str | None, platform_name: str | None, company: str, problems: list[str]
) -> tuple[dict[str, Any], Any]:
    import tempfile

    clock = Clock()
    with (
        tempfile.TemporaryDirectory() as folder,
        CallStore(Path(folder) / "calls.sqlite3", clock=clock) as store,
    ):
        call = store.open_call(
            company_id="co-1",
            company_name=company,
            profile="default",
            platform_key="xero",
            platform_name=platform_name,
            opened_at=1_000.0,
            agent=agent,
        )
        for n, key in enumerate(problems):
            store.add_event(call.id, 1_001.0 + n, "problem", "A problem.", problem_key=key)
        clock.now = 2_000.0
        store.close_call(call.id, "Linked")
        built = build_summary(store, call.id, share_company_names=True)
    assert built is not None
    return built, parse_summary(encode(built), agent_token(built["agent"]))


_NAMES = st.text(max_size=MAX_NAME) | st.text(min_size=MAX_NAME - 1, max_size=MAX_NAME * 2)


@settings(max_examples=40, deadline=None)
@given(agent=_NAMES | st.none(), platform_name=_NAMES | st.none(), company=_NAMES)
def test_any_names_build_a_summary_every_reader_accepts(
    agent: str | None, platform_name: str | None, company: str
) -> None:
    built, call = _built_and_read(agent, platform_name, company, [])
    _assert_kept_or_cut(agent or None, call.agent)  # the store keeps no name as None
    _assert_kept_or_cut(platform_name, call.platform_name)
    _assert_kept_or_cut(company, call.company_name)
    assert call.call_id == built["callId"]


def _assert_kept_or_cut(given_name: str | None, read: str | None) -> None:
    if given_name is None or len(given_name) <= MAX_NAME:
        assert read == given_name  # within the bound: unchanged
    else:
        assert read is not None and len(read) == MAX_NAME
        assert read == given_name[: MAX_NAME - 1] + "\u2026"  # the cut is marked


@pytest.mark.parametrize("length", [MAX_NAME - 1, MAX_NAME, MAX_NAME + 1, 5_000])
def test_a_name_at_and_beyond_the_bound_reads_back(length: int) -> None:
    name = "N" * length
    _, call = _built_and_read(name, name, name, [])
    for read in (call.agent, call.platform_name, call.company_name):
        _assert_kept_or_cut(name, read)


@pytest.mark.parametrize("count", [MAX_PROBLEMS, MAX_PROBLEMS + 1, 40])
def test_only_the_first_problems_are_published(count: int) -> None:
    keys = [f"problem_{n}" for n in range(count)]
    built, call = _built_and_read("Ana", "Xero", "Acme", keys)
    assert call.problems == tuple(keys[:MAX_PROBLEMS])
    assert built["problems"] == keys[:MAX_PROBLEMS]
