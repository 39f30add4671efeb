"""The user's own account page, and the calendar feed that calendar programs fetch without a login."""
from __future__ import annotations

from starlette.responses import Response

from dtrack.accounts.api_tokens import create_token, list_tokens, revoke_token
from dtrack.accounts.feeds import calendar_feed, has_feed, new_feed_link
from dtrack.accounts.preferences import mail_choice, set_mail_choice
from dtrack.i18n.labels import REGION_LABELS
from dtrack.web.edge import Ctx, Routes
from dtrack.workflow.vocabulary import Role

routes = Routes()


def _account(ctx: Ctx, new_feed: str | None = None, new_token: str | None = None) -> Response:
    regions = [] if ctx.user.role in (Role.PROVINCE, Role.COMMUNE) else [
        (str(code), label) for code, label in REGION_LABELS[ctx.lang].items()]
    with ctx.app.db.session() as session:
        tokens = list_tokens(session, ctx.user.id, ctx.now)
        feed = new_feed is not None or has_feed(session, ctx.user.id)
        mail = mail_choice(session, ctx.user.id)
    return ctx.page("account.html.j2", has_feed=feed, mail=mail,
                    new_feed=new_feed, regions=regions, tokens=tokens, new_token=new_token,
                    remind_days=", ".join(str(d) for d in sorted(ctx.app.settings.remind_before_days, reverse=True)))


@routes.get("/account")
def account_page(ctx: Ctx) -> Response:
    return _account(ctx)


@routes.post("/account/feed", form_page=account_page)
def feed_submit(ctx: Ctx) -> Response:
    # Answered with the page itself, not a redirect: the address is shown this once.
    link = new_feed_link(ctx.app.db, ctx.app.clock, ctx.app.settings, ctx.user.id)
    return _account(ctx, new_feed=link.url)


@routes.post("/account/mail", form_page=account_page)
def mail_submit(ctx: Ctx) -> Response:
    chosen = [name.removeprefix("section_") for name in ctx.form if name.startswith("section_")]
    set_mail_choice(ctx.app.db, ctx.app.clock, ctx.user.id, ctx.value("digest_frequency"), chosen)
    return ctx.redirect("/account?flash=mail_saved#mail")


@routes.post("/account/tokens", form_page=account_page)
def token_submit(ctx: Ctx) -> Response:
    made = create_token(ctx.app.db, ctx.app.clock, ctx.user.id, ctx.value("token_name"), ctx.value("token_days"))
    return _account(ctx, new_token=made.token)  # shown this once


@routes.post("/account/tokens/{token_id:int}/revoke", form_page=account_page)
def token_revoke(ctx: Ctx, token_id: int) -> Response:
    revoke_token(ctx.app.db, ctx.app.clock, ctx.user.id, token_id)
    return ctx.redirect("/account?flash=token_revoked")


@routes.get("/feeds/{token}.ics", login=False)
def feed(ctx: Ctx, token: str) -> Response:
    body = calendar_feed(ctx.app.db, ctx.app.settings, token, ctx.request.query_params.get("region") or None)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300",
                             "Content-Disposition": 'inline; filename="dtrack.ics"'})
