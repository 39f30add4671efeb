"""The administration pages' use cases: directives loaded and assigned, the settings in force.

Each takes the acting user and checks, first, that they may administer
(`workflow.access.check_admin`), so a route handler calls one function and
shows its result. The command line's `dtrack directive load|assign` runs on
the server's shell and calls the same loader without an actor.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dtrack.config.clock import Clock
from dtrack.config.settings import Settings, shown
from dtrack.directives.format import parse_data
from dtrack.directives.loader import LoadResult, load
from dtrack.errors import DirectiveInvalid, InvalidInput, because
from dtrack.i18n.catalog import text
from dtrack.persistence.database import Database
from dtrack.persistence.models import User
from dtrack.workflow.access import check_admin
from dtrack.workflow.assignments import AssignResult, DirectiveSummary, assign, list_directives
from dtrack.workflow.provinces import select_provinces

MAX_DIRECTIVE_FILE = 1024 * 1024


@dataclass(frozen=True)
class SettingRow:
    name: str
    value: str  # secrets masked
    env: str
    help: str


def directives_overview(session: Session, actor: User) -> list[DirectiveSummary]:
    check_admin(actor, "directives")
    return list_directives(session)


def load_directive_text(db: Database, clock: Clock, actor: User, name: str | None, text: str) -> LoadResult:
    """A directive file sent through the page: checked, parsed, loaded (one transaction)."""
    check_admin(actor, "directives")
    name = name or "directive.toml"
    if not text.strip():
        raise InvalidInput("file", "no_directive_file")
    if len(text) > MAX_DIRECTIVE_FILE:
        raise InvalidInput("file", "file_too_large", mb=MAX_DIRECTIVE_FILE // (1024 * 1024))
    try:
        spec = parse_data(tomllib.loads(text), name)
    except tomllib.TOMLDecodeError as exc:
        raise DirectiveInvalid(name, "", because("not_toml", detail=str(exc))) from None
    with db.session() as session:
        return load(session, spec, clock.now(), name)


def assign_directive(db: Database, clock: Clock, actor: User, code: str, provinces: str | None) -> AssignResult:
    """Assign a loaded directive to `all`, a region or listed provinces (one transaction)."""
    check_admin(actor, "directives")
    with db.session() as session:
        chosen, _ = select_provinces(session, provinces or "all")
        return assign(session, code.strip(), chosen, clock.today(), clock.now())


def settings_overview(actor: User, settings: Settings, lang: str) -> list[SettingRow]:
    """The settings in force, secrets masked, each with what it means in `lang`."""
    check_admin(actor, "settings")
    return [SettingRow(s.name, value, s.env, text(lang, s.help_id)) for s, value in shown(settings)]
