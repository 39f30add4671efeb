"""Official documents on the pages (issue 23): the draft "công văn đôn đốc" for an overseer to download.

A draft (number blank, nothing recorded) to download; and /letters, the drafts the daily job prepared
for the People's Committees, each approved (numbered from the register, audited on its tasks, queued)
or discarded by an overseer. The checks are the core's (overseers and admins), not the hidden link.
"""
from __future__ import annotations

from starlette.responses import Response

from dtrack.documents.escalation import approve_draft, discard_draft, draft_letter, waiting_letters
from dtrack.documents.files import MIMETYPES, official_bytes, urge_file_names
from dtrack.documents.issuing import issue_urge
from dtrack.documents.sending import queue_letter
from dtrack.documents.urge import MAX_DAYS, UrgeRequest, urge_letter_for
from dtrack.errors import InvalidInput, NotFound
from dtrack.persistence.database import row_id
from dtrack.reports.indicators import DEFAULT_DIRECTIVE
from dtrack.web.downloads import download
from dtrack.web.edge import Ctx, Routes
from dtrack.web.error_words import web_say
from dtrack.web.forms import parse_day
from dtrack.workflow.access import check_oversight

routes = Routes()


@routes.get("/reports/urge/{slug}")
def urge_draft(ctx: Ctx, slug: str) -> Response:
    query = ctx.request.query_params
    fmt = query.get("format") or "docx"
    if fmt not in ("docx", "pdf"):
        raise InvalidInput("format", "not_a_report_format", value=fmt, formats=["docx", "pdf"])
    request = UrgeRequest(ctx.today, ctx.lang, query.get("directive") or DEFAULT_DIRECTIVE)
    with ctx.app.db.session() as session:
        letter = urge_letter_for(session, ctx.user, slug, request)
        data = official_bytes(letter.document, fmt)
    name, display = urge_file_names(letter.province.slug, letter.day, letter.document.title, fmt)
    return download(name, MIMETYPES[fmt], data, display=display)


def letters(ctx: Ctx, draft_id: str = "") -> Response:
    """The urge letters the daily job prepared, waiting for an overseer (approve: numbered and queued).

    Also the page shown again, its message above the table, when a decision is refused (`draft_id`: the row's).
    """
    with ctx.app.db.session() as session:
        waiting = waiting_letters(session, ctx.user)
    return ctx.page("letters.html.j2", waiting=waiting)


@routes.get("/letters")
def letters_page(ctx: Ctx) -> Response:
    return letters(ctx)


@routes.get("/letters/{draft_id}/draft")
def letter_preview(ctx: Ctx, draft_id: str) -> Response:
    """The letter as approving it today would issue it, its number blank (PDF, or DOCX to edit)."""
    fmt = ctx.request.query_params.get("format") or "pdf"
    if fmt not in ("docx", "pdf"):
        raise InvalidInput("format", "not_a_report_format", value=fmt, formats=["docx", "pdf"])
    with ctx.app.db.session() as session:
        letter = draft_letter(session, ctx.user, _draft_id(ctx, draft_id), ctx.today, "vi")
        data = official_bytes(letter.document, fmt)
    name, display = urge_file_names(letter.province.slug, letter.day, letter.document.title, fmt)
    return download(name, MIMETYPES[fmt], data, display=display)


@routes.post("/letters/{draft_id}/approve", form_page=letters)
def letter_approve(ctx: Ctx, draft_id: str) -> Response:
    with ctx.app.db.session() as session:
        approve_draft(session, ctx.user, _draft_id(ctx, draft_id), ctx.today, ctx.now,
                      mail_from=ctx.app.settings.mail_from)
    return ctx.redirect("/letters?flash=letter_approved")


@routes.post("/letters/{draft_id}/discard", form_page=letters)
def letter_discard(ctx: Ctx, draft_id: str) -> Response:
    with ctx.app.db.session() as session:
        discard_draft(session, ctx.user, _draft_id(ctx, draft_id), ctx.now)
    return ctx.redirect("/letters?flash=letter_discarded")


def _draft_id(ctx: Ctx, text: str) -> int:
    """The draft's row id; who may decide is checked first, so a stranger learns nothing from the id."""
    check_oversight(ctx.user, "urge_letter")
    found = row_id(text)
    if found is None:
        raise NotFound(text, code="unknown_letter_draft")
    return found


COMMITTEE, DEPARTMENT = "committee", "department"


def compose_form(ctx: Ctx, slug: str) -> Response:
    """The form of an urge letter to one province: recipient, completion date, signer (the directive's defaults)."""
    query = ctx.request.query_params
    directive = ctx.value("directive") or query.get("directive") or DEFAULT_DIRECTIVE
    with ctx.app.db.session() as session:
        try:
            letter = urge_letter_for(session, ctx.user, slug, UrgeRequest(ctx.today, "vi", directive))
        except InvalidInput as exc:  # nothing overdue (or no such directive): said above an empty page
            ctx.errors["form"] = web_say(ctx.app.db, exc, ctx.lang)
            return ctx.page("urge_compose.html.j2", status=422, slug=slug, province=None)
        name = letter.province.name if ctx.lang == "vi" else letter.province.name_en
        defaults = {"directive": letter.directive.code, "position": letter.document.signature.position,
                    "recipient": COMMITTEE if letter.escalated else DEPARTMENT,
                    "reply_by": letter.reply_by.isoformat()}
    return ctx.page("urge_compose.html.j2", slug=letter.province.slug, province=name, n=len(letter.tasks),
                    defaults=defaults, escalate_after=letter.escalate_after)


@routes.get("/reports/urge/{slug}/compose")
def compose_page(ctx: Ctx, slug: str) -> Response:
    return compose_form(ctx, slug)


@routes.post("/reports/urge/{slug}/compose", form_page=compose_form)
def compose(ctx: Ctx, slug: str) -> Response:
    """Download the draft (PDF to preview, DOCX to edit), or issue it: numbered, audited, queued to the province."""
    check_oversight(ctx.user, "urge_letter")  # before reading the form: its mistakes are an overseer's to see
    recipient = ctx.value("recipient")
    if recipient not in (COMMITTEE, DEPARTMENT):
        raise InvalidInput("recipient", "not_a_recipient", value=recipient)
    reply_by = ctx.value("reply_by").strip()
    copies = tuple(line.strip().lstrip("-").strip() for line in ctx.value("copies").splitlines() if line.strip())
    request = UrgeRequest(ctx.today, "vi", ctx.value("directive") or DEFAULT_DIRECTIVE,
                          parse_day(reply_by, "reply_by") if reply_by else None,
                          0 if recipient == COMMITTEE else MAX_DAYS, ctx.value("authority"), ctx.value("position"),
                          ctx.value("signer"), copies)
    action = ctx.value("do")
    with ctx.app.db.session() as session:
        letter = urge_letter_for(session, ctx.user, slug, request)
        if action in ("pdf", "docx"):
            data = official_bytes(letter.document, action)
        else:
            issued = issue_urge(session, letter, ctx.user, ctx.now)
            data = official_bytes(issued.document, "pdf")  # rendered before the commit: a failure issues nothing
            _, display = urge_file_names(letter.province.slug, letter.day, issued.document.title, "pdf")
            queue_letter(session, letter, issued, (display, MIMETYPES["pdf"], data),
                         mail_from=ctx.app.settings.mail_from, now=ctx.now)
    if action in ("pdf", "docx"):
        name, display = urge_file_names(letter.province.slug, letter.day, letter.document.title, action)
        return download(name, MIMETYPES[action], data, display=display)
    return ctx.redirect(f"/overdue?province={letter.province.slug}&flash=letter_issued")
