"""Answering early: a helper deep in a handler raises ``Early`` with the response to send."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Awaitable[Response]]


class Early(Exception):
    """Stop the handler here and answer with ``response`` (an error, usually)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def answers(handler: Handler) -> Handler:
    """Let ``handler``, and the helpers it calls, answer early by raising ``Early``."""

    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except Early as early:
            return early.response

    return run
