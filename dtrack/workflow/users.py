"""The people who use dtrack: province officers, Department overseers, admins."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from dtrack.errors import InvalidInput, UnknownUser
from dtrack.persistence.models import User
from dtrack.workflow.provinces import resolve
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import LANGUAGES, Role

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def add_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    province: str | None,
    now: datetime,
    locale: str = "vi",
) -> tuple[User, str | None]:
    """Register a user; returns the user and a note if an old province name was mapped."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput("email", "not_an_email", value=email)
    if not name.strip():
        raise InvalidInput("name", "empty_name")
    if role not in {r.value for r in Role}:
        raise InvalidInput("role", "not_a_role", value=role)
    if locale not in LANGUAGES:
        raise InvalidInput("locale", "unsupported_language", value=locale)
    if role == Role.PROVINCE and not province:
        raise InvalidInput("province", "province_needed")
    if role != Role.PROVINCE and province:
        raise InvalidInput("province", "province_not_allowed", role=role)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InvalidInput("email", "already_registered", value=email)
    note = None
    province_row = None
    if province:
        resolved = resolve(session, province)
        province_row, note = resolved.province, resolved.note
    user = User(email=email, name=name.strip(), role=role, province=province_row, locale=locale, created_at=now)
    session.add(user)
    session.flush()
    return user, note


def find_user(session: Session, email: str) -> User:
    if "\x00" in email:  # no address has one, and PostgreSQL refuses it in a query
        raise UnknownUser(email)
    user = session.scalar(_BY_EMAIL, {"email": email.strip().lower()})
    if user is None:
        raise UnknownUser(email)
    return user


# Built once: every action looks its user up.
_BY_EMAIL = select(User).where(User.email == bindparam("email"))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).options(joinedload(User.province)).order_by(User.role, User.email)))


@dataclass(frozen=True)
class UserView(View):
    email: str
    name: str
    role: str
    province: str | None  # slug, for province users
    locale: str

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(user.email, user.name, user.role, user.province.slug if user.province else None, user.locale)
