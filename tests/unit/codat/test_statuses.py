"""Every status value in Codat's spec has a meaning, words and (where someone must act) a fix."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from desktop.core.codat.statuses import (
    CONNECTION_ERROR_STATUSES,
    CONNECTION_STATUSES,
    PULL_STATUSES,
    Meaning,
    connection_error_meaning,
    connection_status_meaning,
    pull_status_meaning,
)
from tests.codat_spec import ROOT, require_spec


def _spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(require_spec().read_text(encoding="utf-8"))
    return data


def _enums() -> dict[str, tuple[list[str], dict[str, Any]]]:
    schemas = _spec()["components"]["schemas"]
    connection = schemas["Connection"]["definitions"]
    return {
        "connection status": (connection["dataConnectionStatus"]["enum"], CONNECTION_STATUSES),
        "connection error status": (
            connection["dataConnectionError"]["properties"]["status"]["enum"],
            CONNECTION_ERROR_STATUSES,
        ),
        "dataset status": (schemas["PullOperation"]["properties"]["status"]["enum"], PULL_STATUSES),
    }


def test_every_enum_value_in_the_spec_has_a_meaning_and_nothing_extra() -> None:
    enums = _enums()
    assert len(enums["dataset status"][0]) == 21
    for what, (values, table) in enums.items():
        missing = [v for v in values if v not in table]
        assert not missing, f"{what}: no meaning for {missing}"
        assert set(table) == set(values), f"{what}: entries Codat does not send"


def test_data_status_current_status_is_the_dataset_enum() -> None:
    ref = _spec()["components"]["schemas"]["DataStatus"]["properties"]["currentStatus"]["$ref"]
    assert ref == "#/components/schemas/PullOperation/properties/status"


@pytest.mark.parametrize(
    "entry",
    [*CONNECTION_STATUSES.values(), *CONNECTION_ERROR_STATUSES.values(), *PULL_STATUSES.values()],
)
def test_each_entry_has_words_and_a_fix_when_someone_must_act(entry: Any) -> None:
    assert entry.words.strip()
    if entry.meaning.needs_someone:
        assert entry.fix.strip(), entry.value


@pytest.mark.parametrize(
    ("value", "meaning", "words"),
    [
        ("PermissionsError", Meaning.NEEDS_CUSTOMER, "lacks the rights"),
        ("PrerequisiteNotMet", Meaning.NEEDS_CUSTOMER, "must be set up"),
        ("RateLimitError", Meaning.WAITING, "retried"),
        ("NotSupported", Meaning.NOT_A_FAILURE, "does not offer"),
        ("AuthError", Meaning.NEEDS_CUSTOMER, "no longer accepts"),
        ("InternalError", Meaning.NEEDS_SUPPORT, "inside Codat"),
    ],
)
def test_examples_from_the_issue(value: str, meaning: Meaning, words: str) -> None:
    entry = pull_status_meaning(value)
    assert entry.meaning is meaning
    assert words in entry.words


def test_unknown_and_missing_values_never_raise_and_are_shown_as_sent() -> None:
    for lookup in (pull_status_meaning, connection_status_meaning, connection_error_meaning):
        entry = lookup("BrandNewStatus")
        assert entry.meaning is Meaning.UNKNOWN
        assert "“BrandNewStatus”" in entry.words
        assert entry.meaning.settled  # nothing waits on it
    assert pull_status_meaning(None).meaning is Meaning.NOT_A_FAILURE
    assert connection_error_meaning(None).meaning is Meaning.NEEDS_CUSTOMER


def test_the_published_table_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "status_table.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = (ROOT / "docs" / "statuses.md").read_text(encoding="utf-8")
    for value in PULL_STATUSES:
        assert f"`{value}`" in text
