"""Administration: users (invite, disable, role and province), directives (load, assign), settings."""
from __future__ import annotations

import tomllib

from sqlalchemy import select
from starlette.responses import Response

from dtrack.accounts.admin import disable_user, edit_user, invite_user, list_accounts, reset_link
from dtrack.directives.format import parse_data
from dtrack.directives.loader import load
from dtrack.workflow.assignments import assign
from dtrack.web.edge import Ctx, Routes
from dtrack.workflow.access import check_admin
from dtrack.workflow.errors import DirectiveInvalid, InvalidInput
from dtrack.workflow.models import Directive, User
from dtrack.workflow.provinces import all_provinces, select_provinces
from dtrack.workflow.settings import SETTINGS, masked

routes = Routes()
MAX_DIRECTIVE_FILE = 1024 * 1024


def users_form(ctx: Ctx, user_id: int | None = None, link: str | None = None, invited: str | None = None) -> Response:
    with ctx.app.db.session() as session:
        users = list_accounts(session, ctx.user)
        return ctx.page("admin_users.html.j2", users=users, provinces=all_provinces(session), link=link,
                        invited=invited, edited=user_id)


@routes.get("/admin/users")
def users_page(ctx: Ctx) -> Response:
    return users_form(ctx)


@routes.post("/admin/users/invite", form_page=users_form)
def users_invite(ctx: Ctx) -> Response:
    done = invite_user(ctx.app.db, ctx.app.clock, ctx.app.settings, email=ctx.value("email"), name=ctx.value("name"),
                       role=ctx.value("role"), province=ctx.value("province") or None,
                       locale=ctx.value("locale") or "vi", actor_email=ctx.user.email)
    # The link is shown once, on this answer (not in a redirect URL, where logs would keep it).
    ctx.form = {}
    return users_form(ctx, link=done.link, invited=done.email)


@routes.post("/admin/users/{user_id:int}/disable", form_page=users_form)
def users_disable(ctx: Ctx, user_id: int) -> Response:
    disable_user(ctx.app.db, ctx.app.clock, user_id, actor_email=ctx.user.email)
    return ctx.redirect("/admin/users?flash=disabled")


@routes.post("/admin/users/{user_id:int}/edit", form_page=users_form)
def users_edit(ctx: Ctx, user_id: int) -> Response:
    edit_user(ctx.app.db, ctx.app.clock, user_id, role=ctx.value("role"), province=ctx.value("province") or None,
              actor_email=ctx.user.email)
    return ctx.redirect("/admin/users?flash=saved")


@routes.post("/admin/users/{user_id:int}/reset", form_page=users_form)
def users_reset(ctx: Ctx, user_id: int) -> Response:
    link = reset_link(ctx.app.db, ctx.app.clock, ctx.app.settings, user_id, actor_email=ctx.user.email)
    with ctx.app.db.session() as session:
        email = session.get(User, user_id).email
    return users_form(ctx, link=link, invited=email)


def directives_form(ctx: Ctx, result: str | None = None) -> Response:
    with ctx.app.db.session() as session:
        check_admin(ctx.user, "directives")
        directives = [(d.code, d.issued_on, len(d.groups), d.title_vi if ctx.lang == "vi" else d.title_en)
                      for d in session.scalars(select(Directive).order_by(Directive.code))]
        return ctx.page("admin_directives.html.j2", directives=directives, result=result)


@routes.get("/admin/directives")
def directives_page(ctx: Ctx) -> Response:
    return directives_form(ctx)


@routes.post("/admin/directives/load", form_page=directives_form)
def directives_load(ctx: Ctx) -> Response:
    with ctx.app.db.session() as session:
        check_admin(ctx.user, "directives")
    name = ctx.value("__filename__file") or "directive.toml"
    text = ctx.value("__file__file")
    if not text.strip():
        raise InvalidInput("file", "no file was sent", "choose a directive file (TOML)")
    if len(text) > MAX_DIRECTIVE_FILE:
        raise InvalidInput("file", "is larger than 1 MB")
    try:
        spec = parse_data(tomllib.loads(text), name)
    except tomllib.TOMLDecodeError as exc:
        raise DirectiveInvalid(name, "", f"not valid TOML ({exc})") from None
    with ctx.app.db.session() as session:
        result = load(session, spec, ctx.now, name)
    return directives_form(ctx, f"{result.code}: {result.status}")


@routes.post("/admin/directives/assign", form_page=directives_form)
def directives_assign(ctx: Ctx) -> Response:
    clock = ctx.app.clock
    with ctx.app.db.session() as session:
        check_admin(ctx.user, "directives")
        chosen, _ = select_provinces(session, ctx.value("provinces") or "all")
        result = assign(session, ctx.value("code").strip(), chosen, clock.today(), clock.now())
    return directives_form(ctx, f"{result.code}: {result.created} / {result.existing} / {result.provinces}")


@routes.get("/admin/settings")
def settings_page(ctx: Ctx) -> Response:
    check_admin(ctx.user, "settings")
    values = ctx.app.settings.values
    rows = [(s.name, masked(s.name, values.get(s.name)), s.env, s.help) for s in SETTINGS]
    return ctx.page("admin_settings.html.j2", rows=rows)
