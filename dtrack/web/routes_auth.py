"""Logging in and out, one-time links, the start page, the language toggle."""
from __future__ import annotations

from starlette.responses import Response

from dtrack.accounts.admin import set_language
from dtrack.accounts.forgot import request_reset
from dtrack.accounts.links import redeem, valid_link
from dtrack.accounts.login import authenticate, logout
from dtrack.accounts.sessions import COOKIE
from dtrack.web.edge import LANG_COOKIE, Ctx, Routes
from dtrack.workflow.vocabulary import Role

routes = Routes()

# The forms before a session (login, invitation) are a few short fields: an anonymous client gets no more.
ANON_BODY = 16 * 1024

# A commune officer has no province page (workflow.access): their own account page until their commune's work comes.
HOME: dict[str, str] = {Role.PROVINCE: "/province", Role.OVERSEER: "/dashboard", Role.ADMIN: "/dashboard",
                        Role.COMMUNE: "/commune"}


@routes.get("/", login=True)
def home(ctx: Ctx) -> Response:
    return ctx.redirect(HOME.get(ctx.user.role, "/province"))


def login_form(ctx: Ctx) -> Response:
    return ctx.page("login.html.j2")


@routes.get("/login", login=False)
def login_page(ctx: Ctx) -> Response:
    # Shown even to a logged-in browser: logging in again as someone else rotates the session.
    return login_form(ctx)


@routes.post("/login", login=False, form_page=login_form, max_body=ANON_BODY)
def login_submit(ctx: Ctx) -> Response:
    done = authenticate(ctx.app.db, ctx.app.clock, ctx.app.settings, ctx.value("email"), ctx.value("password"),
                        ip=ctx.ip, user_agent=ctx.request.headers.get("user-agent"),
                        old_token=ctx.request.cookies.get(COOKIE))
    response = ctx.redirect("/")
    response.set_cookie(COOKIE, done.token, httponly=True, samesite="lax", secure=ctx.app.settings.secure_cookies,
                        path="/", max_age=ctx.app.settings.session_absolute_hours * 3600)
    return response


@routes.post("/logout")
def logout_submit(ctx: Ctx) -> Response:
    logout(ctx.app.db, ctx.app.clock, ctx.request.cookies.get(COOKIE, ""), ctx.ip)
    response = ctx.redirect("/login?flash=logged_out")
    response.delete_cookie(COOKIE, path="/")
    return response


def forgot_form(ctx: Ctx) -> Response:
    return ctx.page("forgot.html.j2")


@routes.get("/forgot-password", login=False)
def forgot_page(ctx: Ctx) -> Response:
    return forgot_form(ctx)


@routes.post("/forgot-password", login=False, form_page=forgot_form, max_body=ANON_BODY)
def forgot_submit(ctx: Ctx) -> Response:
    # The same answer whether or not the address has an account (accounts.forgot).
    request_reset(ctx.app.db, ctx.app.clock, ctx.app.settings, ctx.value("email"), ip=ctx.ip)
    return ctx.redirect("/login?flash=reset_sent")


def invite_form(ctx: Ctx, token: str) -> Response:
    with ctx.app.db.session() as session:
        link = valid_link(session, token, ctx.now)
        return ctx.page("invite.html.j2", token=token, name=link.user.name, email=link.user.email)


@routes.get("/invite/{token}", login=False)
def invite_page(ctx: Ctx, token: str) -> Response:
    return invite_form(ctx, token)


@routes.post("/invite/{token}", login=False, form_page=invite_form, max_body=ANON_BODY)
def invite_submit(ctx: Ctx, token: str) -> Response:
    with ctx.app.db.session() as session:
        redeem(session, token, ctx.value("password"), ctx.value("password_confirm"), ctx.now, ctx.ip)
    return ctx.redirect("/login?flash=password_set")


@routes.post("/account/language")
def language_submit(ctx: Ctx) -> Response:
    lang = ctx.value("lang")
    set_language(ctx.app.db, ctx.user.id, lang)
    back = ctx.request.headers.get("referer", "")
    target = back if back.startswith(str(ctx.request.base_url)) else "/"
    response = ctx.redirect(target)
    response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="lax", secure=ctx.app.settings.secure_cookies,
                        path="/")
    return response
