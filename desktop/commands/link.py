"""``linkdesk link NAME``: create a Codat company (and optionally a connection), print its Link URL.

Exit codes: 0 done; 1 unusable input (name, platform key, an http:// API base off this computer);
2 no API key or Codat refused it (401/403); 3 not found (404); 4 any other API error; 5 Codat
could not be reached or the connection failed; 6 the Link URL in Codat's answer is not one to send
a customer (only https://, or http:// on this computer for the sandbox).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.core.codat import CodatError

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_AUTH = 2
EXIT_NOT_FOUND = 3
EXIT_API = 4
EXIT_TRANSPORT = 5
EXIT_UNSAFE_LINK = 6


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "link",
        help="create a Codat company and print its Link URL",
        description=(
            "Create a Codat company and print the Link URL to send to the customer. "
            "With --platform, also create the connection and print its own Link URL, which "
            "takes the customer straight to that platform."
        ),
        epilog=(
            "exit codes: 0 done; 1 unusable input (name, platform key, an http:// API base off "
            "this computer without --insecure-http); 2 no API key, or Codat refused it; 3 not "
            "found; 4 any other API error; 5 Codat could not be reached; 6 the Link URL in "
            "Codat's answer is not https:// (or http:// on this computer), so it is not printed"
        ),
    )
    p.add_argument("name", metavar="NAME", help="company name as the customer will see it in Link")
    p.add_argument(
        "--platform",
        metavar="KEY",
        default=None,
        help="4-letter Codat platform key (e.g. gbol for Xero) to create the connection too",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object {"companyId", "connectionId", "linkUrl", "companyName"}',
    )
    p.set_defaults(run=run)


def _say(message: str) -> None:
    from desktop.commands._common import say

    say("link", message)


def _exit_code(error: CodatError) -> int:
    from desktop.core.codat import ErrorKind

    if error.kind in (ErrorKind.TIMEOUT, ErrorKind.CONNECT, ErrorKind.DROPPED):
        return EXIT_TRANSPORT
    if error.kind is ErrorKind.HTTP and error.status_code in (401, 403):
        return EXIT_AUTH
    if error.kind is ErrorKind.HTTP and error.status_code == 404:
        return EXIT_NOT_FOUND
    return EXIT_API


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import re

    from desktop.commands._common import api_key_or_say, load_target
    from desktop.core.codat import check_company_name

    check = check_company_name(args.name)
    if not check.ok:
        _say(check.message)
        return EXIT_INPUT
    if args.platform is not None and not re.fullmatch(r"[a-z]{4}", args.platform):
        _say(
            f"{args.platform!r} is not a Codat platform key: keys are 4 lowercase letters, "
            "for example gbol for Xero."
        )
        return EXIT_INPUT
    if check.message:  # what Codat will store differs from what was typed: say how
        _say(check.message)

    _, profile, api_base = load_target("link", args)
    api_key = api_key_or_say("link", profile)
    if api_key is None:
        return EXIT_AUTH

    insecure = bool(args.insecure_http)
    result = asyncio.run(_link(api_base, api_key, check.cleaned, args.platform, insecure))
    if isinstance(result, int):
        return result
    from desktop.core.codat.urls import RefusedUrl, check_link_url

    try:
        check_link_url(result["linkUrl"])
    except RefusedUrl as exc:
        _say(f"{exc} The company was created (id {result['companyId']}).")
        return EXIT_UNSAFE_LINK
    if args.json:
        print(json.dumps(result))
    else:
        print(result["linkUrl"])
    return EXIT_OK


async def _link(
    api_base: str, api_key: str, name: str, platform: str | None, insecure_http: bool
) -> dict[str, str | None] | int:
    import httpx

    from desktop.core.codat import CodatClient, CodatError

    async with httpx.AsyncClient() as http:
        client = CodatClient(http, api_base, api_key, allow_insecure_http=insecure_http)
        try:
            company = await client.create_company(name)
        except CodatError as exc:
            _say(exc.plain_message)
            return _exit_code(exc)
        connection_id: str | None = None
        link_url = company.redirect
        if platform is not None:
            try:
                connection = await client.create_connection(company.id, platform)
            except CodatError as exc:
                _say(
                    f"Company {company.name!r} was created (id {company.id}, Link URL "
                    f"{company.redirect}), but the {platform} connection was not. "
                    + exc.plain_message
                )
                return _exit_code(exc)
            connection_id = connection.id
            link_url = connection.link_url
    return {
        "companyId": company.id,
        "connectionId": connection_id,
        "linkUrl": link_url,
        "companyName": company.name,
    }
