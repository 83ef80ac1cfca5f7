"""Examples taken straight from Codat's published Platform spec.

Tests read the unmodified copy kept in the project (spec/codat/, see tests/codat_spec.py), or the
one CODAT_PLATFORM_SPEC names.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from tests.codat_spec import require_spec


@cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(require_spec().read_text(encoding="utf-8"))
    return data


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = spec()
    for part in ref.lstrip("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return _resolve(target)


def response_examples(path: str, method: str, status: str) -> dict[str, Any]:
    """Every named example of one response, by name."""
    response = _resolve(spec()["paths"][path][method]["responses"][status])
    examples = response["content"]["application/json"].get("examples", {})
    return {name: _resolve(ex)["value"] for name, ex in examples.items()}


def response_example(path: str, method: str, status: str) -> Any:
    return next(iter(response_examples(path, method, status).values()))


def error_example(component: str) -> dict[str, Any]:
    """The example body of a shared error response such as ``Unauthorized``."""
    response = spec()["components"]["responses"][component]
    examples = response["content"]["application/json"]["examples"]
    value: dict[str, Any] = next(iter(examples.values()))["value"]
    return value


def schema_example(name: str) -> dict[str, Any]:
    schema = spec()["components"]["schemas"][name]
    if "examples" in schema:
        value: dict[str, Any] = schema["examples"][0]
        return value
    value = schema["example"]
    return value
