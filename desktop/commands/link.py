"""``linkdesk link NAME``: create a Codat company (and optionally a connection), print its Link URL.

``linkdesk link --company COMPANY_ID``: a reconnection call. The company already exists (and may
have connections); print the Link URL to send again and, on stderr, what the customer will see.

Exit codes are the shared ones (``desktop.commands.exits``), listed in ``--help``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from desktop.commands import exits

if TYPE_CHECKING:
    pass

EXIT_OK = exits.OK
EXIT_INPUT = exits.INPUT
EXIT_AUTH = exits.AUTH
EXIT_NOT_FOUND = exits.NOT_FOUND
EXIT_API = exits.API
EXIT_UNREACHABLE = exits.UNREACHABLE
EXIT_UNSAFE_LINK = exits.UNSAFE_LINK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "link",
        help="create a Codat company, or take an existing one, and print its Link URL",
        description=(
            "Create a Codat company and print the Link URL to send to the customer. "
            "With --platform, also create the connection and print its own Link URL, which "
            "takes the customer straight to that platform. With --company, the company exists "
            "already (a reconnection call): print the Link URL to send again, and say on stderr "
            "what the customer will see."
        ),
        epilog=exits.epilog(
            EXIT_INPUT, EXIT_AUTH, EXIT_NOT_FOUND, EXIT_API, EXIT_UNREACHABLE, EXIT_UNSAFE_LINK
        ),
        formatter_class=exits.HelpFormatter,
    )
    p.add_argument(
        "name",
        metavar="NAME",
        nargs="?",
        default=None,
        help="company name as the customer will see it in Link (not with --company)",
    )
    p.add_argument(
        "--company",
        metavar="COMPANY_ID",
        default=None,
        help="an existing company: send its Link URL again (re-authorize or resume the "
        "connection it has, or choose software with --choose-again)",
    )
    p.add_argument(
        "--choose-again",
        action="store_true",
        help="with --company: the company's Link URL, where the customer chooses software anew",
    )
    p.add_argument(
        "--platform",
        metavar="KEY",
        default=None,
        help="4-letter Codat platform key (e.g. gbol for Xero) to create the connection too",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object {"companyId", "connectionId", "linkUrl", "companyName"} '
        '(with --company also "connectionStatus", "platformName", "customerSees", "reconnection")',
    )
    p.set_defaults(run=run)


def _say(message: str) -> None:
    from desktop.commands._common import say

    say("link", message)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import re

    from desktop.commands._common import api_key_or_say, load_target
    from desktop.core.codat import check_company_name

    if args.company is not None:
        return _run_existing(args)
    if args.choose_again:
        _say("--choose-again goes with --company COMPANY_ID.")
        return EXIT_INPUT
    if args.name is None:
        _say("give the NAME of a new company, or --company COMPANY_ID for an existing one.")
        return EXIT_INPUT
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
        if platform is not None:
            # The platform first, so that a key this account does not offer leaves no company
            # behind (Codat would create the company, then refuse the connection with a 404).
            try:
                await client.get_integration(platform)
            except CodatError as exc:
                if exc.status_code == 404:
                    _say(
                        f"{platform!r} is not a platform this Codat account offers (404 from "
                        f"GET /integrations/{platform}): nothing was created. `linkdesk guides "
                        "list` shows the keys of the platforms LinkDesk has guides for."
                    )
                else:
                    _say(exc.plain_message + " Nothing was created.")
                return exits.for_codat_error(exc)
        try:
            company = await client.create_company(name)
        except CodatError as exc:
            _say(exc.plain_message)
            return exits.for_codat_error(exc)
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
                return exits.for_codat_error(exc)
            connection_id = connection.id
            link_url = connection.link_url
    return {
        "companyId": company.id,
        "connectionId": connection_id,
        "linkUrl": link_url,
        "companyName": company.name,
    }


def _run_existing(args: argparse.Namespace) -> int:
    import asyncio
    import json

    from desktop.commands._common import api_key_or_say, load_target

    if args.name is not None or args.platform is not None:
        _say("--company takes no NAME or --platform: the company and its connections exist.")
        return EXIT_INPUT
    if not args.company.strip():
        _say("--company needs a company id.")
        return EXIT_INPUT
    _, profile, api_base = load_target("link", args)
    api_key = api_key_or_say("link", profile)
    if api_key is None:
        return EXIT_AUTH
    insecure = bool(args.insecure_http)
    result = asyncio.run(
        _existing(api_base, api_key, args.company.strip(), args.choose_again, insecure)
    )
    if isinstance(result, int):
        return result
    from desktop.core.codat.urls import RefusedUrl, check_link_url

    try:
        check_link_url(str(result["linkUrl"]) if result["linkUrl"] is not None else None)
    except RefusedUrl as exc:
        _say(str(exc))
        return EXIT_UNSAFE_LINK
    _say(str(result["customerSees"]))
    print(json.dumps(result) if args.json else result["linkUrl"])
    return EXIT_OK


async def _existing(
    api_base: str, api_key: str, company_id: str, choose_again: bool, insecure_http: bool
) -> dict[str, object] | int:
    from dataclasses import replace

    import httpx

    from desktop.core.codat import CodatClient, CodatError
    from desktop.core.reconnect import plan_link

    async with httpx.AsyncClient() as http:
        client = CodatClient(http, api_base, api_key, allow_insecure_http=insecure_http)
        try:
            company = await client.get_company(company_id)
            if "dataConnections" not in company.raw:
                # Codat may leave them out of the company; then ask for them.
                page = await client.list_connections(company_id, page_size=100)
                company = replace(company, data_connections=page.results)
        except CodatError as exc:
            _say(exc.plain_message)
            return exits.for_codat_error(exc)
    plan = plan_link(company, choose_again=choose_again)
    return {"companyId": company.id, "companyName": company.name, **plan.to_json()}
