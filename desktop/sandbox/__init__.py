"""A Codat-compatible simulator: the Platform API, hosted Link pages, scripted customers, faults.

No Qt here, and nothing from desktop.core: the two share only Codat's wire format.

- ``server``: ``create_app`` (ASGI) and ``SandboxServer`` (uvicorn on a daemon thread).
- ``api``: Codat's paths at the root; ``gate``: auth, daily quota, rate-limit headers, faults.
- ``state`` / ``journey`` / ``sync``: the records, the customer's moves, the first sync; all
  times come from the injected clock and progress is computed when the state is read.
- ``control``: ``/_sandbox`` (journey actions, events journal, faults, scenarios, logos).
- ``link_pages``: the simulated hosted Link; ``scenarios``: the autopilot customers.
- ``early``: ``Early``/``answers``, how a helper ends a handler with an error answer.
"""
