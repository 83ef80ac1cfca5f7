"""desktop.nats_options: the connect keywords the hub and the desktop share."""

from __future__ import annotations

from pathlib import Path

from desktop.hub.publisher import connect_options
from desktop.hub.settings import NatsSettings
from desktop.nats_options import servers, staying_connected


def test_a_cluster_url_becomes_its_servers_without_blanks() -> None:
    assert servers(" nats://a:4222, ,nats://b:4222,") == ["nats://a:4222", "nats://b:4222"]
    assert servers("nats://a:4222") == ["nats://a:4222"]


def test_the_hub_adds_its_credentials_to_the_shared_policy() -> None:
    settings = NatsSettings(url="nats://a:4222,nats://b:4222", creds_file=Path("/x.creds"))
    options = connect_options(settings, "linkdesk-hub")
    shared = staying_connected(settings.url, "linkdesk-hub")
    assert {k: options[k] for k in shared} == shared
    assert options["user_credentials"] == "/x.creds"
    assert shared["servers"] == ["nats://a:4222", "nats://b:4222"]
    assert shared["max_reconnect_attempts"] == -1  # for ever, in nats-py's words
