"""The OpenAPI 3.0 document of the JSON API (web/api.py), written out so it says exactly what is served.

tests/web/test_api_schema.py runs schemathesis against the live application
with this document: every answer must match it, and none may be a 5xx.
The server enforces the document's own constraints on queries and bodies
(web/api_rules.py reads them from here), so a value outside an enum, a
range or a pattern is a 422 problem, never silently accepted; every status
an operation can answer is listed with the problem+json it carries.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from dtrack.config.clock import FIRST_YEAR, LAST_YEAR
from dtrack.reports.indicators import MAX_VALUE
from dtrack.workflow import lifecycle
from dtrack.workflow.lifecycle import Lifecycle
from dtrack.workflow.vocabulary import DeadlineStatus, Region


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "nullable": True, **more}


# Text a person types: no control characters (NUL is refused before anything, with a 400; PostgreSQL cannot
# store it).
TEXT = r"^[^\x00-\x1f\x7f]*$"
# reports.indicators.parse_period's shapes: a year, a half, a quarter or a month ([0-9]: not any Unicode digit).
PERIOD = r"^[0-9]{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"
# A day the core accepts (config.clock.in_range): an ISO date of the years FIRST_YEAR..LAST_YEAR. The pattern
# only pins the years (2000-2100 here); `format: date` says the rest.
assert (FIRST_YEAR, LAST_YEAR) == (2000, 2100), "update DAY's year pattern"
DAY = {"type": "string", "format": "date", "pattern": r"^(20[0-9]{2}|2100)-",
       "description": f"yyyy-mm-dd, a day of the years {FIRST_YEAR} to {LAST_YEAR}"}


# A name (a unit, an indicator): such text with at least one character that is not a space (the core strips it).
NAME = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


def _text(max_length: int, **more: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "pattern": TEXT, **more}


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or _text(80)}


_PROBLEMS = {code: {"description": text, "content": {"application/problem+json": {"schema": _ref("Problem")}}}
             for code, text in (("400", "Bad request: a NUL character in the query or path, "
                                        "or a body that is not JSON"),
                                ("401", "No valid token"),
                                ("403", "Not allowed for this user (a review page, another province's report)"),
                                ("404", "No such thing, or one this user may not see (the same answer)"),
                                ("405", "Method not allowed; the Allow header lists the methods"),
                                ("409", "Conflict: the task changed, or the action does not apply"),
                                ("413", "Body too large"), ("415", "Not JSON"),
                                ("422", "A value is not acceptable; `field` names it"))}
GET_CODES = ("400", "401", "403", "404", "405", "422")
POST_CODES = ("400", "401", "403", "404", "405", "409", "413", "415", "422")
_REGION = _query("region", "north, central or south", type="string", enum=[r.value for r in Region])
_PROVINCE = _query("province", "Province slug or name (old names work)")
_DIRECTIVE = _query("directive", "Directive code, e.g. 20/CT-BCT")
_GROUP = _query("group", "Task group number", type="integer", minimum=1, maximum=99)


def _get(summary: str, schema: dict[str, Any], params: list[dict[str, Any]], *, content: str = "application/json",
         codes: tuple[str, ...] = GET_CODES) -> dict[str, Any]:
    return {"get": {"summary": summary, "security": [{"bearer": []}], "parameters": params,
                    "responses": {"200": {"description": "OK", "content": {content: {"schema": schema}}},
                                  **{c: _PROBLEMS[c] for c in codes}}}}


def _report_params() -> list[dict[str, Any]]:
    return [_query("format", "html, md, xlsx, csv, docx or pdf", type="string",
                   enum=["html", "md", "xlsx", "csv", "docx", "pdf"]),
            {**_query("as_of", "The day the report stands at (yyyy-mm-dd)"), "schema": DAY},
            _query("year", "The figures' year", type="integer", minimum=1900, maximum=2200),
            _query("lang", "vi or en", type="string", enum=["vi", "en"]), _DIRECTIVE]


_FILE = {"type": "string", "format": "binary"}
_REPORT_TYPES = {t: {"schema": _FILE} for t in ("text/html", "text/markdown", "text/csv",
                                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                                "application/pdf")}


def _report(summary: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    operation = _get(summary, _FILE, params)
    operation["get"]["responses"]["200"]["content"] = _REPORT_TYPES
    return operation


def document() -> dict[str, Any]:
    """The document of the API as served now: its states and actions are those of the lifecycle in force."""
    return _document(lifecycle.current())


@cache
def _document(rules: Lifecycle) -> dict[str, Any]:
    states = list(rules.states)
    triggers = [str(a.trigger) for a in rules.actions]
    task = {"type": "object", "required": ["id", "key", "directive", "group", "province", "state", "progress"],
            "properties": {
                "id": {"type": "integer"}, "key": {"type": "string"}, "directive": {"type": "string"},
                "group": {"type": "integer"}, "title_vi": {"type": "string"}, "title_en": {"type": "string"},
                "province": {"type": "string"}, "province_name": {"type": "string"},
                # "": the Department's own unit (a Department-owned group's one task) has no region.
                "region": {"type": "string", "enum": [r.value for r in Region] + [""]}, "period": {"type": "string"},
                "state": {"type": "string", "enum": states},
                "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                "assigned_on": {"type": "string", "format": "date"},
                "original_due_on": _nullable("string", format="date"), "due_on": _nullable("string", format="date"),
                "updated_at": {"type": "string", "format": "date-time"},
                "deadline_status": _nullable("string", enum=[d.value for d in DeadlineStatus] + [None]),
                "deadline_days": _nullable("integer"),
                "not_applicable": {"type": "boolean"}, "not_applicable_reason": _nullable("string")}}
    event = {"type": "object", "required": ["at", "trigger", "from", "to"], "properties": {
        "at": {"type": "string", "format": "date-time"}, "actor": _nullable("string"), "trigger": {"type": "string"},
        "from": {"type": "string"}, "to": {"type": "string"}, "progress": {"type": "integer"},
        "note": _nullable("string"), "evidence": _nullable("string"),
        "from_due_on": _nullable("string", format="date"), "to_due_on": _nullable("string", format="date")}}
    detail = {"allOf": [_ref("Task"), {"type": "object", "required": ["allowed", "history"], "properties": {
        "allowed": {"type": "array", "items": {"type": "string", "enum": triggers}},
        "may_extend": {"type": "boolean"}, "history": {"type": "array", "items": _ref("Event")}}}]}
    listing = {"type": "object", "required": ["total", "limit", "offset", "items"], "properties": {
        "total": {"type": "integer", "minimum": 0}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
        "items": {"type": "array", "items": _ref("Task")}}}
    outcome = {"type": "object", "required": ["task_id", "task_key", "trigger", "from_state", "to_state"],
               "properties": {"task_id": {"type": "integer"}, "task_key": {"type": "string"},
                              "trigger": {"type": "string"}, "from_state": {"type": "string"},
                              "to_state": {"type": "string"}, "progress": {"type": "integer"},
                              "event_id": {"type": "integer"}, "note": _nullable("string")}}
    transition = {"type": "object", "required": ["trigger"], "properties": {
        "trigger": {"type": "string", "enum": triggers},
        "note": _text(2000), "evidence": _text(500),
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "expected_version": {"type": "integer", "minimum": 1}},
        # Some actions need a note saying why (block, send back...): the core answers 422 without.
        "anyOf": [{"type": "object", "required": ["note"], "properties": {
                      "trigger": {"type": "string", "enum": [str(a.trigger) for a in rules.actions if a.needs_note]},
                      "note": {"type": "string", "pattern": r"\S"}}},
                  {"type": "object", "properties": {
                      "trigger": {"type": "string",
                                  "enum": [str(a.trigger) for a in rules.actions if not a.needs_note]}}}]}
    figure_in = {"type": "object", "required": ["unit", "indicator", "period", "value"], "properties": {
        "unit": _text(80, minLength=1, pattern=NAME), "indicator": _text(60, minLength=1, pattern=NAME),
        "period": {"type": "string", "pattern": PERIOD,
                   "description": "a year 2025, a half 2025-H1, a quarter 2025-Q3 or a month 2025-09"},
        "value": {"type": "integer", "minimum": 0, "maximum": MAX_VALUE - 1},
        "as_of": DAY, "note": _text(2000)}}
    figure_out = {"type": "object", "required": ["id", "period", "value"], "properties": {
        "id": {"type": "integer"}, "indicator": _nullable("string"), "period": {"type": "string"},
        "value": {"type": "integer"}, "note": _nullable("string")}}
    problem = {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "field": {"type": "string"}}}
    indicator = {"type": "object", "required": ["code", "name", "unit", "aggregate"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "unit": {"type": "string"},
        "aggregate": {"type": "string"}}}
    any_object = {"type": "object"}
    overdue = {"type": "object", "required": ["as_of", "total_overdue", "overdue", "page", "pages"],
               "properties": {"as_of": {"type": "string", "format": "date"}, "total_overdue": {"type": "integer"},
                              "overdue": {"type": "array", "items": any_object}, "page": {"type": "integer"},
                              "pages": {"type": "integer"}}}
    task_id = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    part_id = {"name": "part_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    # A commune's part of a province task (issue 24): `key` is TASKKEY/COMMUNE, `commune` its official code.
    part = {"type": "object", "required": ["id", "key", "task_key", "commune", "state", "progress", "due_on"],
            "properties": {"id": {"type": "integer"}, "key": {"type": "string"}, "task_key": {"type": "string"},
                           "task_title": {"type": "string"}, "commune": {"type": "string"},
                           "commune_name": {"type": "string"}, "instruction": {"type": "string"},
                           "due_on": {"type": "string", "format": "date"}, "state": {"type": "string", "enum": states},
                           "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                           "version": {"type": "integer"}, "overdue": {"type": "boolean"},
                           "updated_at": {"type": "string", "format": "date-time"}}}
    part_line = {"type": "object", "required": ["at", "trigger", "from_state", "to_state"], "properties": {
        "at": {"type": "string", "format": "date-time"}, "actor": _nullable("string"), "trigger": {"type": "string"},
        "from_state": {"type": "string"}, "to_state": {"type": "string"}, "progress": {"type": "integer"},
        "note": _nullable("string"), "evidence": _nullable("string")}}
    part_detail = {"allOf": [_ref("Part"), {"type": "object", "required": ["allowed", "history"], "properties": {
        "allowed": {"type": "array", "items": {"type": "string", "enum": triggers}},
        "history": {"type": "array", "items": _ref("PartEvent")}}}]}
    parts = {"type": "array", "items": _ref("Part")}
    post_codes = POST_CODES
    return {
        "openapi": "3.0.3",
        "info": {"title": "dtrack API", "version": "1",
                 "description": "Tasks, transitions, the overdue review, matrices, reports and indicator figures. "
                                "Authenticate with a personal token from the account page: "
                                "`Authorization: Bearer dtk_…`. Errors are RFC 9457 problem documents."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Task": task, "Event": event, "TaskDetail": detail, "TaskListing": listing,
                        "Outcome": outcome, "Transition": transition, "Problem": problem, "Indicator": indicator,
                        "FigureIn": figure_in, "FigureOut": figure_out, "OverduePage": overdue,
                        "Part": part, "PartEvent": part_line, "PartDetail": part_detail},
        },
        "paths": {
            "/api/v1/tasks": _get("Tasks matching the filters of `dtrack tasks list`, a page at a time",
                                  _ref("TaskListing"), [
                _PROVINCE, _REGION, _query("state", "A state", type="string", enum=states),
                _DIRECTIVE, _GROUP, _query("limit", "Page size (at most 500)", type="integer", minimum=1, maximum=500),
                _query("offset", "How many to skip", type="integer", minimum=0, maximum=10_000_000)]),
            "/api/v1/tasks/{task_id}": _get("A task with its history and the actions this user may take",
                                            _ref("TaskDetail"), [task_id]),
            "/api/v1/tasks/{task_id}/transitions": {"post": {
                "summary": f"Do one action on the task ({', '.join(triggers)})",
                "security": [{"bearer": []}], "parameters": [task_id],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Transition")}}},
                "responses": {"200": {"description": "Done",
                                      "content": {"application/json": {"schema": _ref("Outcome")}}},
                              **{c: _PROBLEMS[c] for c in post_codes}}}},
            "/api/v1/tasks/{task_id}/parts": _get("The communes' parts of a task (its province, overseers)",
                                                  parts, [task_id]),
            "/api/v1/parts": _get("The parts this user may see (a commune officer: their commune's), by deadline",
                                  parts, [_query("state", "A state", type="string", enum=states)]),
            "/api/v1/parts/{part_id}": _get("A commune's part with its history and the actions this user may take",
                                            _ref("PartDetail"), [part_id]),
            "/api/v1/parts/{part_id}/transitions": {"post": {
                "summary": "Do one action on a commune's part (the task's action table); the outcome's task_id "
                           "and task_key are the part's id and key",
                "security": [{"bearer": []}], "parameters": [part_id],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Transition")}}},
                "responses": {"200": {"description": "Done",
                                      "content": {"application/json": {"schema": _ref("Outcome")}}},
                              **{c: _PROBLEMS[c] for c in post_codes}}}},
            "/api/v1/overdue": _get("The overdue review (overseers)", _ref("OverduePage"), [
                _REGION, _PROVINCE, _GROUP, _DIRECTIVE,
                _query("min_days", "At least this many days late", type="integer", minimum=0, maximum=36500),
                _query("page", "Page (50 a page)", type="integer", minimum=1, maximum=100000)]),
            "/api/v1/matrix": _get("The four-cell matrix (overseers), of one directive or of all",
                                   {"type": "object", "required": ["as_of", "directive", "total"]},
                                   [_REGION, _DIRECTIVE]),
            "/api/v1/status": _get("Provinces x task groups (overseers)",
                                   {"type": "object", "required": ["directive", "provinces"]}, [_DIRECTIVE, _REGION]),
            "/api/v1/indicators": {
                **_get("The directive's indicators", {"type": "array", "items": _ref("Indicator")},
                       [_DIRECTIVE, _query("lang", "vi or en", type="string", enum=["vi", "en"])]),
                "post": {"summary": "Report one indicator figure (the rules of `dtrack indicators report`)",
                         "security": [{"bearer": []}],
                         "requestBody": {"required": True,
                                         "content": {"application/json": {"schema": _ref("FigureIn")}}},
                         "responses": {"201": {"description": "Recorded",
                                               "content": {"application/json": {"schema": _ref("FigureOut")}}},
                                       **{c: _PROBLEMS[c] for c in post_codes}}}},
            "/api/v1/reports/national": _report("The national report as a file (overseers)", _report_params()),
            "/api/v1/reports/province/{slug}": _report(
                "A province's report as a file",
                [{"name": "slug", "in": "path", "required": True, "schema": _text(40)},
                 *_report_params()]),
        },
    }
