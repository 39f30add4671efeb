"""User administration: invite, disable, change role, province or commune, set a password.

Each function is one transaction with its audit row. `actor_email` is the
admin doing it (checked by `workflow.access.check_admin`); None means the
server's own command line (`dtrack users ...`), whose user already holds
the database.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dtrack.accounts import passwords
from dtrack.accounts.audit import AuthKind, record
from dtrack.accounts.links import INVITE, RESET, issue_link, set_password_hash
from dtrack.accounts.mail import queue_link_mail
from dtrack.accounts.sessions import revoke_user_sessions
from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.errors import InvalidInput, UnknownUser
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.database import Database, row_id
from dtrack.persistence.models import User
from dtrack.workflow.access import check_admin
from dtrack.workflow.provinces import resolve
from dtrack.workflow.users import add_user, bind_commune, find_user, list_users
from dtrack.workflow.vocabulary import Role


@dataclass(frozen=True)
class Invited:
    user_id: int
    email: str
    link: str
    note: str | None  # an old province name was mapped
    mailed: bool = False  # queued in the outbox (a mail server is configured)


def _admin(session: Session, actor_email: str | None, what: str) -> User | None:
    if actor_email is None:
        return None
    actor = find_user(session, actor_email)
    check_admin(actor, what)
    return actor


def _target(session: Session, ref: int | str) -> User:
    """A user by id or email."""
    text = str(ref).strip()
    number = row_id(text)
    user = session.get(User, number) if number is not None else find_user(session, text)
    if user is None:
        raise UnknownUser(text)
    return user


def invite_user(db: Database, clock: Clock, settings: Settings, *, email: str, name: str, role: str,
                province: str | None, locale: str = "vi", actor_email: str | None = None,
                commune: str | None = None) -> Invited:
    """Register a user without a password and give the one-time link that lets them set one.

    A commune officer (role `commune`) is bound to `commune` (code or name, within `province` when given).
    """
    now = clock.now()
    with db.session() as session:
        actor = _admin(session, actor_email, "users")
        user, note = add_user(session, email=email, name=name, role=role, province=province or None, now=now,
                              locale=locale, commune=(commune or "").strip() or None)
        link = issue_link(session, user, INVITE, now, settings)
        record(session, AuthKind.INVITED, now, actor_id=actor.id if actor else None, user_id=user.id,
               email=user.email, detail=f"{role} {_unit(session, user) or province or ''}".strip())
        mailed = queue_link_mail(session, user, link, settings, now, clock.today())
        return Invited(user.id, user.email, link, note, mailed)


def reset_link(db: Database, clock: Clock, settings: Settings, user_ref: int | str,
               actor_email: str | None = None) -> str:
    now = clock.now()
    with db.session() as session:
        actor = _admin(session, actor_email, "users")
        user = _target(session, user_ref)
        link = issue_link(session, user, RESET, now, settings)
        record(session, AuthKind.RESET_ISSUED, now, actor_id=actor.id if actor else None, user_id=user.id,
               email=user.email)
        queue_link_mail(session, user, link, settings, now, clock.today())
        return link


def disable_user(db: Database, clock: Clock, user_ref: int | str, actor_email: str | None = None) -> User:
    """The user can no longer log in; their open sessions end at once; their history stays."""
    now = clock.now()
    with db.session() as session:
        actor = _admin(session, actor_email, "users")
        user = _target(session, user_ref)
        if actor is not None and actor.id == user.id:
            raise InvalidInput("user", "cannot_disable_self")
        if user.disabled_at is not None:
            raise InvalidInput("user", "already_disabled", email=user.email)
        user.disabled_at = now
        ended = revoke_user_sessions(session, user.id, now)
        record(session, AuthKind.DISABLED, now, actor_id=actor.id if actor else None, user_id=user.id,
               email=user.email, detail=f"{ended} session(s) ended")
        return user


def _unit(session: Session, user: User) -> str | None:
    """What the audit row names a user's unit by: their province's slug, or their commune's code."""
    if user.commune_id is not None:
        commune = session.get(Commune, user.commune_id)
        return commune.code if commune is not None else None
    return user.province.slug if user.province is not None else None


def edit_user(db: Database, clock: Clock, user_ref: int | str, *, role: str, province: str | None,
              actor_email: str | None = None, commune: str | None = None) -> User:
    """Change a user's role, province and commune (the same rules as `add_user`)."""
    now = clock.now()
    with db.session() as session:
        actor = _admin(session, actor_email, "users")
        user = _target(session, user_ref)
        province = (province or "").strip() or None
        commune = (commune or "").strip() or None
        if role not in {r.value for r in Role}:
            raise InvalidInput("role", "not_a_role", value=role)
        if role == Role.PROVINCE and not province:
            raise InvalidInput("province", "province_needed")
        if role not in (Role.PROVINCE, Role.COMMUNE):
            province = None
        if role != Role.COMMUNE:
            commune = None  # the form's commune field is left as it was for other roles: not a mistake
        if actor is not None and actor.id == user.id and role != Role.ADMIN:
            raise InvalidInput("role", "cannot_demote_self")
        province_row = resolve(session, province).province if province else None
        before = f"{user.role} {_unit(session, user) or ''}".strip()
        user.role = role
        bind_commune(session, user, commune, province_row)
        # A commune officer's province is their commune's (models.User.commune_id): theirs stays empty.
        user.province = None if role == Role.COMMUNE else province_row
        session.flush()
        after = f"{role} {_unit(session, user) or ''}".strip()
        if before != after:
            record(session, AuthKind.ROLE_CHANGED, now, actor_id=actor.id if actor else None, user_id=user.id,
                   email=user.email, detail=f"{before} -> {after}")
        return user


def set_password(db: Database, clock: Clock, email: str, password: str, actor_email: str | None = None) -> None:
    """Set a user's password directly (`dtrack users set-password`); their sessions and API tokens end."""
    now = clock.now()
    with db.session() as session:
        actor = _admin(session, actor_email, "users")
        user = find_user(session, email)
        passwords.check_new_password(password, None, user.email)
        set_password_hash(session, user, password, now, actor_id=actor.id if actor else None, how="set by admin")


def list_accounts(session: Session, actor: User) -> list[User]:
    check_admin(actor, "users")
    return list_users(session)


# The demo's accounts get this password (printed by `make demo`); never used outside the demo database.
DEMO_PASSWORD = "dtrack-demo-2026"


def give_demo_passwords(db: Database, clock: Clock, emails: list[str]) -> dict[str, str]:
    """Set DEMO_PASSWORD for the demo's accounts; returns email -> password for the demo to print."""
    for email in emails:
        set_password(db, clock, email, DEMO_PASSWORD)
    return {email: DEMO_PASSWORD for email in emails}


def set_language(db: Database, user_id: int, lang: str) -> None:
    """A user's own choice of language for the web pages and their emails."""
    from dtrack.workflow.vocabulary import LANGUAGES

    if lang not in LANGUAGES:
        raise InvalidInput("locale", "unsupported_language", value=lang)
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise UnknownUser(str(user_id))
        user.locale = lang
