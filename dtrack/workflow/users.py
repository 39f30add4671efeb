"""The people who use dtrack: province officers, Department overseers, admins, commune officers."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from dtrack.errors import InvalidInput, UnknownUser
from dtrack.persistence.models import Province, User
from dtrack.workflow.communes import communes_by_id, resolve_commune
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
    commune: str | None = None,
) -> tuple[User, str | None]:
    """Register a user; returns the user and a note if an old province name was mapped.

    A commune officer is bound to `commune` (code or name); `province`, when
    given, is where to look for it, and the commune must be one of its own.
    """
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
    if role not in (Role.PROVINCE, Role.COMMUNE) and province:
        raise InvalidInput("province", "province_not_allowed", role=role)
    check_commune_given(role, commune)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InvalidInput("email", "already_registered", value=email)
    note = None
    province_row = None
    if province:
        resolved = resolve(session, province)
        province_row, note = resolved.province, resolved.note
    commune_id = None
    if role == Role.COMMUNE:
        assert commune is not None  # check_commune_given
        commune_id = resolve_commune(session, commune, province_row).id
        province_row = None  # a commune officer's province is their commune's (models.User.commune_id)
    user = User(email=email, name=name.strip(), role=role, province=province_row, commune_id=commune_id,
                locale=locale, created_at=now)
    session.add(user)
    session.flush()
    return user, note


def check_commune_given(role: str, commune: str | None) -> None:
    """A commune officer needs a commune; no other role has one."""
    if role == Role.COMMUNE and not (commune or "").strip():
        raise InvalidInput("commune", "commune_needed")
    if role != Role.COMMUNE and (commune or "").strip():
        raise InvalidInput("commune", "commune_not_allowed", role=role)


def bind_commune(session: Session, user: User, commune: str | None, province: Province | None) -> None:
    """Set `user`'s commune as their role asks: a commune officer's (found within `province` if given), else none."""
    check_commune_given(user.role, commune)
    user.commune_id = resolve_commune(session, commune, province).id if commune else None


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
    province: str | None  # slug: a province officer's province, a commune officer's commune's
    locale: str
    commune: str | None = None  # a commune officer's commune: its official code
    commune_name: str | None = None

    @classmethod
    def of(cls, user: User, commune: Any = None) -> UserView:
        """`commune`: the user's commune row (code, name, province slug), as `user_views` reads it."""
        if commune is not None:
            return cls(user.email, user.name, user.role, commune.province, user.locale, commune.code, commune.name)
        return cls(user.email, user.name, user.role, user.province.slug if user.province else None, user.locale)


def user_views(session: Session) -> list[UserView]:
    """Every user as lists show them, a commune officer with their commune."""
    users = list_users(session)
    communes = communes_by_id(session, {u.commune_id for u in users if u.commune_id is not None})
    return [UserView.of(u, communes.get(u.commune_id) if u.commune_id is not None else None) for u in users]
