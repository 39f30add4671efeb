"""The JSON API keeps the promise of its OpenAPI document: requests are checked against it, errors speak API.

Two edges of web/api.py live here:

- `check_request`: the query parameters and the JSON body of an operation
  are checked against *the document itself* (web/openapi.py) before the core
  sees them, so what the document forbids (a `lang` outside its enum, a
  string beyond its maxLength, a `null` where a number is declared) is
  refused with a 422 problem naming the field, and what it allows reaches
  the core. One source of truth: a new constraint in the document is
  enforced without a second copy here. Only the small subset of JSON Schema
  the document uses is understood (type, nullable, enum, min/maxLength,
  pattern, format date, minimum/maximum, required, properties, $ref).
- `api_field`: the core names the domain field of an error (`progress`,
  `due_on`); the API answers with the name its document gives that field,
  which is the same but where `API_FIELDS` says otherwise. The detail is
  worded from the catalog in the caller's language (web/api.py).
"""
from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

from dtrack.errors import InvalidInput
from dtrack.web.openapi import document

# Domain fields (errors.py) -> the API's field names (body or query), where they differ.
API_FIELDS = {"due_on": "to", "recipients": "to", "locale": "lang"}
_INTEGER = re.compile(r"-?[0-9]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def api_field(name: str) -> str:
    """The API's name for a domain field."""
    return API_FIELDS.get(name, name)


@cache
def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, path template) -> the document's operation."""
    return {(method.upper(), path): operation for path, item in document()["paths"].items()
            for method, operation in item.items()}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return document()["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _problem(field: str, code: str, **params: object) -> InvalidInput:
    return InvalidInput(field, code, **params)


def _check_value(field: str, value: Any, schema: dict[str, Any]) -> None:
    """Raise InvalidInput if `value` (already JSON-typed) does not match `schema`."""
    schema = _resolve(schema)
    if value is None:
        if schema.get("nullable") or (schema.get("enum") and None in schema["enum"]):
            return
        raise _problem(field, "not_null")
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, str):
            raise _problem(field, "must_be_text_value")
        if "enum" in schema and value not in schema["enum"]:
            raise _problem(field, "not_one_of", value=value, choices=[str(v) for v in schema["enum"] if v])
        if len(value) < schema.get("minLength", 0):
            raise _problem(field, "empty") if not value else _problem(field, "shorter_than", min=schema["minLength"])
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise _problem(field, "longer_than", max=schema["maxLength"])
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            raise _problem(field, "bad_shape")
        if schema.get("format") == "date" and not _is_day(value):
            raise _problem(field, "not_iso_date", value=value)
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _problem(field, "must_be_whole")
        if "minimum" in schema and value < schema["minimum"]:
            raise _problem(field, "at_least", min=schema["minimum"])
        if "maximum" in schema and value > schema["maximum"]:
            raise _problem(field, "at_most", max=schema["maximum"])
    elif kind == "object":
        if not isinstance(value, dict):
            raise _problem(field, "must_be_object")
        for name in schema.get("required", ()):
            if name not in value:
                raise _problem(name, "missing")
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                _check_value(name, value[name], sub)


def _is_day(text: str) -> bool:
    if _DAY.fullmatch(text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _query_value(field: str, raw: str, schema: dict[str, Any]) -> Any:
    """A query string's text as the JSON value its schema declares (an integer for an integer)."""
    if schema.get("type") == "integer":
        if _INTEGER.fullmatch(raw) is None:
            raise _problem(field, "not_whole_number", value=raw)
        return int(raw)
    return raw


def check_request(method: str, path: str, query: Any, body: dict[str, Any] | None) -> None:
    """Refuse (InvalidInput, a 422) a request whose query or body the document's operation does not allow."""
    operation = _operations()[(method, path)]
    for parameter in operation.get("parameters", ()):
        if parameter["in"] != "query" or parameter["name"] not in query:
            continue
        name, schema = parameter["name"], parameter["schema"]
        for raw in query.getlist(name):
            _check_value(name, _query_value(name, raw, schema), schema)
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is not None and body is not None:
        _check_value("body", body, content["schema"])


__all__ = ["API_FIELDS", "api_field", "check_request"]
