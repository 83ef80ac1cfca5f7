"""The team hub URL kept in the settings file: NATS schemes only, and never a credential."""

from __future__ import annotations

import pytest

from desktop.core.live.hub_url import RefusedHubUrl, check_hub_url


@pytest.mark.parametrize(
    "url",
    [
        "nats://agent:pa55word@hub.example:4222",
        "tls://s3cret-token@hub.example:4222",
        "nats://hub-a:4222, nats://agent:pa55word@hub-b:4222",
        "nats://:pa55word@hub.example",
    ],
)
def test_a_url_with_a_user_password_or_token_is_refused(url: str) -> None:
    with pytest.raises(RefusedHubUrl, match="credentials") as refused:
        check_hub_url(url)
    assert "pa55word" not in str(refused.value) and "s3cret" not in str(refused.value)


def test_a_url_that_is_not_nats_is_refused() -> None:
    with pytest.raises(RefusedHubUrl, match="nats://"):
        check_hub_url("https://hub.example")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("", ""),
        ("  nats://hub.example:4222 ", "nats://hub.example:4222"),
        ("nats://a:4222, tls://b:4222", "nats://a:4222,tls://b:4222"),
    ],
)
def test_a_plain_url_is_kept(typed: str, kept: str) -> None:
    assert check_hub_url(typed) == kept
