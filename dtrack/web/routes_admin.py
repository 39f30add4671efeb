"""Administration: users (invite, disable, role and province), directives (load, assign), settings, failed mail,
and the working calendar's declared days."""
from __future__ import annotations

from dataclasses import replace

from starlette.responses import Response

from dtrack.accounts.admin import disable_user, edit_user, invite_user, list_accounts, reset_link
from dtrack.errors import InvalidInput, UnknownUser
from dtrack.i18n.error_messages import phrase
from dtrack.notifications.outbox import failed_messages, retry
from dtrack.persistence.models import User
from dtrack.reading.list_order import SortOrder
from dtrack.reading.list_search import people_found
from dtrack.usecases.administration import (
    assign_directive,
    directives_overview,
    load_directive_text,
    settings_overview,
)
from dtrack.web.edge import Ctx, Routes
from dtrack.web.error_words import web_say
from dtrack.web.forms import parse_day
from dtrack.workflow.access import check_admin
from dtrack.workflow.calendar_days import list_days
from dtrack.workflow.calendar_declarations import CalendarChange, declare, preview, withdraw
from dtrack.workflow.communes import communes_by_id
from dtrack.workflow.provinces import all_provinces

routes = Routes()


def users_form(ctx: Ctx, user_id: int | None = None, link: str | None = None, invited: str | None = None) -> Response:
    with ctx.app.db.session() as session:
        every = list_accounts(session, ctx.user)
        query = ctx.request.query_params
        bad: dict[str, int] = {}
        shown = {"q": query.get("q") or "", "sort": query.get("sort") or ""}
        try:  # the search box and the column links (issue 26); a wrong value is said beside the search
            users = people_found(every, shown["q"], shown["sort"])
        except InvalidInput as exc:
            ctx.errors[exc.field or "q"], users = web_say(ctx.app.db, exc, ctx.lang, beside=True), every
            bad["status"] = 422
        communes = communes_by_id(session, {u.commune_id for u in users if u.commune_id is not None})
        return ctx.page("admin_users.html.j2", **bad, users=users, provinces=all_provinces(session),
                        link=link, invited=invited, edited=user_id, communes=communes, shown=shown,
                        order=SortOrder(shown["sort"].removeprefix("-") or "name", shown["sort"].startswith("-")),
                        request_query=[(k, v) for k, v in query.items() if k not in ("flash",)])


@routes.get("/admin/users")
def users_page(ctx: Ctx) -> Response:
    return users_form(ctx)


@routes.post("/admin/users/invite", form_page=users_form)
def users_invite(ctx: Ctx) -> Response:
    done = invite_user(ctx.app.db, ctx.app.clock, ctx.app.settings, email=ctx.value("email"), name=ctx.value("name"),
                       role=ctx.value("role"), province=ctx.value("province") or None,
                       locale=ctx.value("locale") or "vi", actor_email=ctx.actor, commune=ctx.value("commune") or None)
    # The link is shown once, on this answer (not in a redirect URL, where logs would keep it).
    ctx.form = {}
    return users_form(ctx, link=done.link, invited=done.email)


@routes.post("/admin/users/{user_id:int}/disable", form_page=users_form)
def users_disable(ctx: Ctx, user_id: int) -> Response:
    disable_user(ctx.app.db, ctx.app.clock, user_id, actor_email=ctx.actor)
    return ctx.redirect("/admin/users?flash=disabled")


@routes.post("/admin/users/{user_id:int}/edit", form_page=users_form)
def users_edit(ctx: Ctx, user_id: int) -> Response:
    edit_user(ctx.app.db, ctx.app.clock, user_id, role=ctx.value("role"), province=ctx.value("province") or None,
              actor_email=ctx.actor, commune=ctx.value("commune") or None)
    return ctx.redirect("/admin/users?flash=saved")


@routes.post("/admin/users/{user_id:int}/reset", form_page=users_form)
def users_reset(ctx: Ctx, user_id: int) -> Response:
    link = reset_link(ctx.app.db, ctx.app.clock, ctx.app.settings, user_id, actor_email=ctx.actor)
    with ctx.app.db.session() as session:
        user = session.get(User, user_id)
        if user is None:  # reset_link found it, and users are disabled, never deleted
            raise UnknownUser(str(user_id))
        email = user.email
    return users_form(ctx, link=link, invited=email)


def directives_form(ctx: Ctx, result: str | None = None) -> Response:
    with ctx.app.db.session() as session:
        directives = directives_overview(session, ctx.user)
        return ctx.page("admin_directives.html.j2", directives=directives, result=result)


@routes.get("/admin/directives")
def directives_page(ctx: Ctx) -> Response:
    return directives_form(ctx)


@routes.post("/admin/directives/load", form_page=directives_form)
def directives_load(ctx: Ctx) -> Response:
    result = load_directive_text(ctx.app.db, ctx.app.clock, ctx.user, ctx.value("__filename__file"),
                                 ctx.value("__file__file"))
    return directives_form(ctx, f"{result.code}: {result.status}")


@routes.post("/admin/directives/assign", form_page=directives_form)
def directives_assign(ctx: Ctx) -> Response:
    result = assign_directive(ctx.app.db, ctx.app.clock, ctx.user, ctx.value("code"), ctx.value("provinces"))
    return directives_form(ctx, f"{result.code}: {result.created} / {result.existing} / {result.provinces}")


@routes.get("/admin/settings")
def settings_page(ctx: Ctx) -> Response:
    # A setting the page explains in its own words (`web.setting.<name>.help`: no command's name in them).
    rows = [replace(row, help=ctx.w.get(f"setting.{row.name}.help") or row.help)
            for row in settings_overview(ctx.user, ctx.app.settings, ctx.lang)]
    return ctx.page("admin_settings.html.j2", rows=rows)


@routes.get("/admin/outbox")
def outbox_page(ctx: Ctx) -> Response:
    """Failed deliveries (refused for good, out of tries, a disabled account): to whom, what, when, why."""
    check_admin(ctx.user, "outbox")
    with ctx.app.db.session() as session:
        failed = failed_messages(session)
    reasons = {m.id: phrase(m.reason, ctx.lang) for m in failed}
    return ctx.page("admin_outbox.html.j2", data=failed, failed=failed, reasons=reasons)


@routes.post("/admin/outbox/{message_id:int}/retry", form_page=outbox_page)
def outbox_retry(ctx: Ctx, message_id: int) -> Response:
    """Send one failed message again (once its cause is fixed): pending, with a fresh count of tries."""
    check_admin(ctx.user, "outbox")
    retry(ctx.app.db, [message_id], now=ctx.now)
    return ctx.redirect("/admin/outbox")


def calendar_form(ctx: Ctx, change: CalendarChange | None = None) -> Response:
    """The declared days of last year on, and the form to declare one; with `change`, its preview to confirm."""
    check_admin(ctx.user, "calendar")
    with ctx.app.db.session() as session:
        days = [d for d in list_days(session, with_withdrawn=True) if d.day.year >= ctx.today.day.year - 1]
    return ctx.page("admin_calendar.html.j2", data=days, days=days, change=change)


@routes.get("/admin/calendar")
def calendar_page(ctx: Ctx) -> Response:
    return calendar_form(ctx)


def _calendar_change(ctx: Ctx, apply: bool) -> Response:
    check_admin(ctx.user, "calendar")  # who asks, before what they typed (declare checks again, in the core)
    day = parse_day(ctx.value("day"), "day")
    working, withdrawing = ctx.value("kind") == "working", ctx.value("withdraw") == "1"
    today, now = ctx.today.day, ctx.app.clock.now()
    with ctx.app.db.session() as session:
        if not apply:
            change = preview(session, day, working, today, now, ctx.app.calendar, withdraw=withdrawing,
                             note=ctx.value("note"))
        elif withdrawing:
            change = withdraw(session, ctx.user, day, today, now, ctx.app.calendar)
        else:
            change = declare(session, ctx.user, day, working, ctx.value("note"), today, now, ctx.app.calendar)
    if apply:
        return ctx.redirect("/admin/calendar?flash=" + ("calendar_withdrawn" if withdrawing else "calendar_declared"))
    return calendar_form(ctx, change)


@routes.post("/admin/calendar/preview", form_page=calendar_form)
def calendar_preview(ctx: Ctx) -> Response:
    """What a declaration (or a withdrawal) would move: listed before anything changes."""
    return _calendar_change(ctx, apply=False)


@routes.post("/admin/calendar/apply", form_page=calendar_form)
def calendar_apply(ctx: Ctx) -> Response:
    """Declare (or withdraw) the day and move the deadlines it moves, in one transaction."""
    return _calendar_change(ctx, apply=True)
