"""What changed since the user's last visit (issue 26): the list, and "Đánh dấu đã xem".

The list is `reading.changes` (who sees what is decided there, from the
core's rules); GET only reads, so the page memo keeps it (its key holds the
user; the mark is a row, so marking is a commit that ends every kept page).
POST /changes/seen sets the mark in one transaction and comes back to the
list with a flash: to the instant the page was rendered (its form carries it),
so that a change committed while the user read the list is not marked seen
unshown; a kept page is still true then, since any commit ends it. The homes
show the count as a link (`reading.changes.changes_count`: one COUNT
statement): the province officer's, the Department's dashboard, the commune officer's.
"""
from __future__ import annotations

from datetime import datetime

from starlette.responses import Response

from dtrack.accounts.preferences import mark_changes_seen
from dtrack.reading.changes import CAP, NEVER_SEEN_DAYS, changes_since
from dtrack.web.edge import Ctx, Routes
from dtrack.web.routes_work import event_labels

routes = Routes()


@routes.get("/changes", memo=True)
def changes_page(ctx: Ctx) -> Response:
    with ctx.app.db.session() as session:
        found = changes_since(session, ctx.user, ctx.today, ctx.lang)
    return ctx.page("changes.html.j2", data=found, c=found, triggers=event_labels(ctx.lang), cap=CAP,
                    never_days=NEVER_SEEN_DAYS, rendered_at=ctx.now.isoformat())


@routes.post("/changes/seen", form_page=changes_page)
def changes_seen(ctx: Ctx) -> Response:
    assert ctx.current is not None  # a login is required (the default)
    mark_changes_seen(ctx.app.db, ctx.app.clock, ctx.current.user_id, _shown_at(ctx.form.get("shown_at", "")))
    return ctx.redirect("/changes?flash=changes_seen")


def _shown_at(text: str) -> datetime | None:
    """When the list was rendered, as its form says (None: not said or not an instant; the mark is then now)."""
    try:
        shown = datetime.fromisoformat(text)
    except ValueError:
        return None
    return shown if shown.tzinfo is not None else None


__all__ = ["changes_page", "changes_seen", "routes"]
