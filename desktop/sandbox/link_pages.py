"""Hosted Link pages (placeholder until the full flow lands)."""

from __future__ import annotations

import html

from starlette.routing import Route

ROUTES: list[Route] = []


def error_page(message: str) -> str:
    return f"<!doctype html><title>Link</title><p id='link-error'>{html.escape(message)}</p>"
