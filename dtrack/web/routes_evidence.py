"""A task's evidence files (upload, download, withdraw) and its thread of comments, on the task page."""
from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from dtrack.evidence.attachments import attach, fetch, withdraw
from dtrack.evidence.storage import Incoming, Store, evidence_root
from dtrack.web.edge import Ctx, Routes
from dtrack.web.routes_work import task_form
from dtrack.workflow.comments import post_comment

routes = Routes()

# The edge refuses larger bodies outright (413, while they stream); below this the core's setting
# (evidence_max_mb) decides, with a message beside the field.
UPLOAD_BODY = 100 * 1024 * 1024


def _to_store(request: Request) -> Incoming:
    """Where the file part goes as it arrives (after the session and CSRF checks): the store's own disk."""
    settings = request.app.state.web.settings
    return Store(evidence_root(settings)).incoming(settings.evidence_max_mb * 1_000_000)


def files_form(ctx: Ctx, task_id: int, **_: object) -> Response:
    return task_form(ctx, task_id, "files")


@routes.post("/tasks/{task_id:int}/files", form_page=files_form, max_body=UPLOAD_BODY, upload_to=_to_store)
def upload(ctx: Ctx, task_id: int) -> Response:
    # The received file, or none chosen: the core says so, after who may. A refused one is discarded by the edge.
    filename, content = ctx.uploads.get("file", ("", b""))
    attach(ctx.app.db, ctx.app.clock, ctx.app.settings, str(task_id), ctx.actor, filename, content)
    return ctx.redirect(f"/tasks/{task_id}?flash=attached#files")


@routes.get("/tasks/{task_id:int}/files/{file_id:int}")
def download(ctx: Ctx, task_id: int, file_id: int) -> Response:
    view, content = fetch(ctx.app.db, ctx.app.settings, ctx.actor, str(task_id), file_id)
    # The original (Vietnamese) name, RFC 6266/5987; an ASCII fallback for old clients.
    fallback = view.name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(view.name)}"
    return Response(content, media_type=view.mimetype,
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store",
                             "X-Content-Type-Options": "nosniff"})


@routes.post("/tasks/{task_id:int}/files/{file_id:int}/withdraw", form_page=files_form)
def withdraw_file(ctx: Ctx, task_id: int, file_id: int) -> Response:
    withdraw(ctx.app.db, ctx.app.clock, str(task_id), ctx.actor, file_id)
    return ctx.redirect(f"/tasks/{task_id}?flash=withdrawn#files")


def comment_form(ctx: Ctx, task_id: int, **_: object) -> Response:
    return task_form(ctx, task_id, "comment")


@routes.post("/tasks/{task_id:int}/comments", form_page=comment_form)
def comment(ctx: Ctx, task_id: int) -> Response:
    post_comment(ctx.app.db, ctx.app.clock, str(task_id), ctx.actor, ctx.value("comment"),
                 ctx.app.settings.comment_max_chars)
    return ctx.redirect(f"/tasks/{task_id}?flash=commented#history")
