"""Hosted Link, simulated: server-rendered pages a person (or a browser test) clicks through.

Each button posts a form that drives the same transition as the control API, so the Codat API
shows exactly what it would for a real customer. Element ids are stable for tests.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from desktop.sandbox import journey
from desktop.sandbox import model as m
from desktop.sandbox.early import Early, Handler, answers
from desktop.sandbox.platforms import BY_KEY, PLATFORMS, tile_colour
from desktop.sandbox.state import NotFound, SandboxState

# What Spend Insights reads, in the words of Codat's customer FAQ.
DATA_SHARED = (
    "Company information",
    "Suppliers",
    "Bills",
    "Bill payments",
    "Bill credit notes",
    "Direct costs",
    "Payment methods",
    "Tax rates",
)
WRONG_PASSWORD = "wrong"
_NO_COMPANY = "This Link URL is not valid: the company does not exist."

_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:"DejaVu Sans",Arial,sans-serif;background:#eef1f6;color:#1c2434}
.frame{max-width:460px;margin:32px auto;background:#fff;border-radius:14px;
 box-shadow:0 4px 24px rgba(20,30,60,.12);overflow:hidden}
header{display:flex;align-items:center;justify-content:space-between;padding:14px 20px;
 border-bottom:1px solid #e3e7ef;font-size:13px;color:#5a6478}
header b{color:#1c2434;font-size:15px}
.badge{background:#fff4d6;color:#8a5a00;border-radius:10px;padding:2px 8px;font-size:11px}
main{padding:20px 24px 24px}
h1{font-size:21px;margin:4px 0 12px}
p{line-height:1.45;margin:8px 0}
.muted{color:#5a6478;font-size:13px}
.steps{display:flex;gap:6px;margin-bottom:14px}
.steps span{flex:1;height:4px;border-radius:2px;background:#dde2ec}
.steps span.on{background:#3355ff}
input[type=text],input[type=search],input[type=password]{width:100%;padding:10px 12px;
 border:1px solid #c8cfdc;border-radius:8px;font-size:15px;margin:6px 0 10px}
ul.platforms{list-style:none;margin:8px 0;padding:0;max-height:380px;overflow-y:auto}
ul.platforms li{margin:0 0 6px}
ul.platforms button{display:flex;align-items:center;gap:12px;width:100%;padding:8px 10px;
 border:1px solid #e3e7ef;border-radius:10px;background:#fff;font-size:15px;cursor:pointer;
 text-align:left}
ul.platforms button:hover{border-color:#3355ff;background:#f5f7ff}
ul.platforms img{width:32px;height:32px}
ul.data{margin:8px 0 12px;padding-left:20px;line-height:1.6}
.actions{display:flex;gap:10px;margin-top:16px;align-items:center}
.primary{background:#3355ff;color:#fff;border:0;border-radius:8px;padding:10px 18px;
 font-size:15px;cursor:pointer;text-decoration:none;display:inline-block}
.secondary{background:#fff;color:#3355ff;border:1px solid #c8cfdc;border-radius:8px;
 padding:9px 16px;font-size:14px;cursor:pointer;text-decoration:none}
.error{background:#fdecec;color:#a11;border-radius:8px;padding:10px 12px;margin:10px 0}
.ok{background:#e8f7ee;color:#17653a;border-radius:8px;padding:10px 12px;margin:10px 0}
.vendor{color:#fff;padding:16px 20px;font-size:18px;font-weight:bold;display:flex;gap:12px;
 align-items:center}
.vendor img{width:36px;height:36px;border-radius:8px;border:2px solid rgba(255,255,255,.6)}
form.inline{display:inline;margin:0}
"""

_FILTER_JS = """
(function(){var box=document.getElementById('search');if(!box)return;
var items=document.querySelectorAll('#platform-list li');var none=document.getElementById('no-match');
function run(){var q=box.value.trim().toLowerCase();var shown=0;
items.forEach(function(li){var hit=li.getAttribute('data-name').indexOf(q)>=0;
li.style.display=hit?'':'none';if(hit)shown++;});none.style.display=shown?'none':'';}
box.addEventListener('input',run);run();})();
"""

_TOTAL_STEPS = 5


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(page_id: str, title: str, body: str, *, step: int = 0, script: str = "") -> str:
    bars = "".join(f'<span class="{"on" if i < step else ""}"></span>' for i in range(_TOTAL_STEPS))
    steps = f'<div class="steps">{bars}</div>' if step else ""
    tail = f"<script>{script}</script>" if script else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{_esc(title)} - Codat Link (sandbox)</title><style>{_CSS}</style></head>"
        f"<body><div class='frame' id='{page_id}'><header><b>Codat Link</b>"
        "<span class='badge'>LinkDesk sandbox</span></header>"
        f"<main>{steps}{body}</main></div>{tail}</body></html>"
    )


def error_page(message: str, restart: str | None = None) -> str:
    again = (
        f'<div class="actions"><a class="primary" id="restart" href="{_esc(restart)}">'
        "Start again</a></div>"
        if restart
        else ""
    )
    body = f'<h1>Something went wrong</h1><p class="error" id="error-message">{_esc(message)}</p>{again}'
    return _page("link-error", "Error", body)


def _cancel_button(company_id: str, connection_id: str | None = None) -> str:
    hidden = (
        f'<input type="hidden" name="connectionId" value="{_esc(connection_id)}">'
        if connection_id
        else ""
    )
    return (
        f'<form class="inline" method="post" action="/link/company/{_esc(company_id)}/cancel">'
        f'{hidden}<button class="secondary" id="cancel" type="submit">Cancel</button></form>'
    )


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


async def _form(request: Request) -> dict[str, str]:
    """The page forms post urlencoded fields; parsed here so no multipart parser is needed."""
    raw = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _go(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _conn_url(company_id: str, connection_id: str, leaf: str) -> str:
    return f"/link/companies/{company_id}/connections/{connection_id}/{leaf}"


def _act(request: Request, company_id: str, action: str, **params: Any) -> None:
    """Apply a move; on failure, answer early with the page that explains why."""
    try:
        _state(request).act(company_id, action, params)
    except NotFound:
        raise Early(_html(error_page(_NO_COMPANY), 404)) from None
    except (journey.Conflict, journey.BadMove) as exc:
        raise Early(_html(error_page(str(exc), f"/link/company/{company_id}"), 409)) from None


def _lookup(request: Request, with_connection: bool) -> tuple[m.Company, m.Connection | None]:
    state = _state(request)
    company_id = request.path_params["companyId"]
    with state.view():
        company = state.companies.get(company_id)
        if company is None:
            raise Early(_html(error_page(_NO_COMPANY), 404))
        conn = None
        if with_connection:
            conn = company.connection(request.path_params["connectionId"])
            if conn is None:
                raise Early(_html(error_page("This connection link is not valid any more."), 404))
        return company, conn


def _company(request: Request) -> m.Company:
    """The path's company, or answer early with the error page."""
    return _lookup(request, with_connection=False)[0]


def _company_and_connection(request: Request) -> tuple[m.Company, m.Connection]:
    """The path's company and connection, or answer early with the error page."""
    company, conn = _lookup(request, with_connection=True)
    assert conn is not None
    return company, conn


def _already_linked(company: m.Company, conn: m.Connection) -> Response:
    name = BY_KEY[conn.platform_key].name
    body = (
        f"<h1>Already connected</h1><p class='ok' id='already-linked'>{_esc(company.name)} is "
        f"already connected to {_esc(name)}. There is nothing more to do.</p>"
    )
    return _html(_page("link-done", "Already connected", body, step=_TOTAL_STEPS))


def _post_button(action: str, button_id: str, label: str, cancel: str) -> str:
    """The actions row of a page whose one step forward is a posted form, next to Cancel."""
    return (
        f"<div class='actions'><form class='inline' method='post' action='{_esc(action)}'>"
        f"<button class='primary' id='{button_id}' type='submit'>{label}</button></form>"
        f"{cancel}</div>"
    )


# -- the pages ---------------------------------------------------------------------------------


@answers
async def landing(request: Request) -> Response:
    company = _company(request)
    current = company.current
    if current is not None and current.status == m.LINKED:
        return _already_linked(company, current)
    _act(request, company.id, "open_link")
    body = (
        f"<h1>Connect your accounting software</h1>"
        f"<p id='company-name'>for <b>{_esc(company.name)}</b></p>"
        "<p>LinkDesk Sandbox uses Codat to read a copy of your accounting data securely. "
        "It takes about two minutes: choose your software, review what is shared, sign in and "
        "approve.</p><p class='muted'>You will need administrator access to your software.</p>"
        f"<div class='actions'><a class='primary' id='continue' "
        f"href='/link/company/{_esc(company.id)}/software'>Get started</a>"
        f"{_cancel_button(company.id)}</div>"
    )
    return _html(_page("link-landing", "Welcome", body, step=1))


@answers
async def software(request: Request) -> Response:
    company = _company(request)
    query = request.query_params.get("q", "").strip()
    items = []
    for platform in PLATFORMS:
        if query and query.lower() not in platform.name.lower():
            continue
        offline = " <span class='muted'>(desktop app)</span>" if platform.offline else ""
        items.append(
            f"<li id='platform-{platform.key}' data-name='{_esc(platform.name.lower())}'>"
            f"<button type='submit' name='platformKey' value='{platform.key}' "
            f"id='select-{platform.key}'><img alt='' src='/_sandbox/logos/{platform.key}.svg'>"
            f"<span>{_esc(platform.name)}{offline}</span></button></li>"
        )
    body = (
        "<h1>Select your accounting software</h1>"
        f"<form method='get' action='/link/company/{_esc(company.id)}/software' id='search-form'>"
        f"<input type='search' id='search' name='q' value='{_esc(query)}' autocomplete='off' "
        "placeholder='Search for your software' aria-label='Search for your software'></form>"
        f"<form method='post' action='/link/company/{_esc(company.id)}/select'>"
        f"<ul class='platforms' id='platform-list'>{''.join(items)}</ul></form>"
        f"<p class='muted' id='no-match' style='display:{'none' if items else ''}'>"
        "No software matches your search.</p>"
        f"<div class='actions'>{_cancel_button(company.id)}</div>"
    )
    return _html(_page("link-software", "Select software", body, step=2, script=_FILTER_JS))


@answers
async def select(request: Request) -> Response:
    company_id = request.path_params["companyId"]
    form = await _form(request)
    key = str(form.get("platformKey") or "")
    _act(request, company_id, "select_platform", platformKey=key)
    state = _state(request)
    with state.view():
        conn = state.company(company_id).current
        assert conn is not None
        return _go(_conn_url(company_id, conn.id, "consent"))


@answers
async def start(request: Request) -> Response:
    """A connection's ``linkUrl``: resume that connection at its consent screen."""
    company, conn = _company_and_connection(request)
    if conn.status == m.LINKED:
        return _already_linked(company, conn)
    _act(request, company.id, "resume", connectionId=conn.id)
    return _go(_conn_url(company.id, conn.id, "consent"))


@answers
async def consent_page(request: Request) -> Response:
    company, conn = _company_and_connection(request)
    platform = BY_KEY[conn.platform_key]
    shared = "".join(f"<li>{_esc(item)}</li>" for item in DATA_SHARED)
    action = _conn_url(company.id, conn.id, "consent")
    body = (
        f"<h1>Review the data you share</h1>"
        f"<p id='platform-name'>From <b>{_esc(platform.name)}</b>, LinkDesk Sandbox will read:</p>"
        f"<ul class='data' id='data-shared'>{shared}</ul>"
        "<p class='muted'>Access is read-only. You can revoke it at any time from your "
        "software's settings.</p>"
        + _post_button(action, "consent", "I agree, continue", _cancel_button(company.id, conn.id))
    )
    return _html(_page("link-consent", "Review data", body, step=3))


def _move_then(action: str, leaf: str) -> Handler:
    """A form post that makes ``action`` on the path's company, then shows the ``leaf`` page."""

    @answers
    async def handler(request: Request) -> Response:
        company_id = request.path_params["companyId"]
        connection_id = request.path_params["connectionId"]
        _act(request, company_id, action)
        return _go(_conn_url(company_id, connection_id, leaf))

    return handler


consent = _move_then("consent", "signin")
approve = _move_then("approve", "done")


def _vendor_bar(conn: m.Connection) -> str:
    platform = BY_KEY[conn.platform_key]
    return (
        f"<div class='vendor' style='background:{tile_colour(platform.key)}'>"
        f"<img alt='' src='/_sandbox/logos/{platform.key}.svg'>"
        f"<span id='vendor-name'>{_esc(platform.name)}</span></div>"
    )


def _signin_html(company: m.Company, conn: m.Connection, error: str | None, user: str) -> str:
    platform = BY_KEY[conn.platform_key]
    action = _conn_url(company.id, conn.id, "signin")
    problem = f"<p class='error' id='signin-error'>{_esc(error)}</p>" if error else ""
    body = (
        f"{_vendor_bar(conn)}<h1>Sign in to {_esc(platform.name)}</h1>{problem}"
        f"<form method='post' action='{_esc(action)}' id='signin-form'>"
        "<label for='username'>Email or username</label>"
        f"<input type='text' id='username' name='username' value='{_esc(user)}' "
        "autocomplete='off'>"
        "<label for='password'>Password</label>"
        "<input type='password' id='password' name='password'>"
        "<div class='actions'><button class='primary' id='sign-in' type='submit'>Sign in</button>"
        "</div></form>"
        f"<div class='actions'>{_cancel_button(company.id, conn.id)}</div>"
        "<p class='muted'>Simulated sign-in: any username works; the password "
        f"&quot;{WRONG_PASSWORD}&quot; is rejected.</p>"
    )
    return _page("link-signin", f"{platform.name} sign-in", body, step=4)


@answers
async def signin_page(request: Request) -> Response:
    company, conn = _company_and_connection(request)
    return _html(_signin_html(company, conn, None, ""))


@answers
async def signin(request: Request) -> Response:
    company, conn = _company_and_connection(request)
    form = await _form(request)
    user = str(form.get("username") or "")
    password = str(form.get("password") or "")
    if password == WRONG_PASSWORD or not password:
        if password:
            _act(request, company.id, "wrong_password")
        message = "Incorrect username or password." if password else "Enter your password."
        return _html(_signin_html(company, conn, message, user))
    return _go(_conn_url(company.id, conn.id, "authorize"))


@answers
async def authorize_page(request: Request) -> Response:
    company, conn = _company_and_connection(request)
    platform = BY_KEY[conn.platform_key]
    action = _conn_url(company.id, conn.id, "approve")
    body = (
        f"{_vendor_bar(conn)}<h1>Allow access?</h1>"
        f"<p><b>LinkDesk Sandbox (via Codat)</b> would like read access to the "
        f"{_esc(platform.name)} data of <b id='company-name'>{_esc(company.name)}</b>.</p>"
        + _post_button(action, "approve", "Allow access", _cancel_button(company.id, conn.id))
    )
    return _html(_page("link-authorize", "Allow access", body, step=4))


@answers
async def done(request: Request) -> Response:
    company, conn = _company_and_connection(request)
    platform = BY_KEY[conn.platform_key]
    body = (
        "<h1>You're connected</h1>"
        f"<p class='ok' id='connected'>{_esc(platform.name)} is now connected for "
        f"{_esc(company.name)}.</p>"
        "<p class='muted' id='sync-note'>Your data is being read now; this can take a few "
        "minutes. You can close this window.</p>"
    )
    return _html(_page("link-done", "Connected", body, step=_TOTAL_STEPS))


@answers
async def cancel(request: Request) -> Response:
    company_id = request.path_params["companyId"]
    _act(request, company_id, "cancel")
    return _go(f"/link/company/{quote(company_id)}/cancelled")


@answers
async def cancelled(request: Request) -> Response:
    company = _company(request)
    body = (
        "<h1>Connection cancelled</h1>"
        "<p id='cancelled-note'>Nothing was connected. You can come back to this link at any "
        "time to finish.</p>"
        f"<div class='actions'><a class='primary' id='restart' "
        f"href='/link/company/{_esc(company.id)}'>Start again</a></div>"
    )
    return _html(_page("link-cancelled", "Cancelled", body))


_CONN = "/link/companies/{companyId}/connections/{connectionId}"

ROUTES = [
    Route("/link/company/{companyId}", landing, methods=["GET"]),
    Route("/link/company/{companyId}/software", software, methods=["GET"]),
    Route("/link/company/{companyId}/select", select, methods=["POST"]),
    Route("/link/company/{companyId}/cancel", cancel, methods=["POST"]),
    Route("/link/company/{companyId}/cancelled", cancelled, methods=["GET"]),
    Route(f"{_CONN}/start", start, methods=["GET"]),
    Route(f"{_CONN}/consent", consent_page, methods=["GET"]),
    Route(f"{_CONN}/consent", consent, methods=["POST"]),
    Route(f"{_CONN}/signin", signin_page, methods=["GET"]),
    Route(f"{_CONN}/signin", signin, methods=["POST"]),
    Route(f"{_CONN}/authorize", authorize_page, methods=["GET"]),
    Route(f"{_CONN}/approve", approve, methods=["POST"]),
    Route(f"{_CONN}/done", done, methods=["GET"]),
]
