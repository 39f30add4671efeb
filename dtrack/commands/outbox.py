"""The `outbox` group: send the queue of outgoing email, list it, list failures, retry them."""
from __future__ import annotations

import sys

import click

from dtrack.commands.shared import App, UserError, emit_json, json_option, note_line, pass_app, say


@click.group()
def outbox() -> None:
    """The durable queue of outgoing email: send it, list it, retry failures.

    Messages go to DTRACK_SMTP_URL (smtp://user:pass@host:587?starttls=1 or
    smtps://...), or, with no server set, into DTRACK_MAIL_DIR as .eml files.
    """


@outbox.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Send at most this many messages.")
@pass_app
def outbox_send(app: App, limit: int | None) -> None:
    """Deliver every due message; failures are retried later with backoff, up to DTRACK_MAIL_MAX_ATTEMPTS.

    Several `outbox send` may run at once: each message is claimed by one of
    them. Delivery is at least once: if the process dies after the server
    accepted a message but before it was marked sent, that one message is sent
    again later (with the same Message-ID, so mail programs can spot it).
    """
    from dtrack.notifications.outbox import deliver, due_count, utc_now
    from dtrack.notifications.transport import transport_from

    settings = app.settings()
    db = app.database()
    transport = transport_from(settings.smtp_url, settings.mail_dir)
    due = due_count(db, utc_now()) if limit is None else min(limit, due_count(db, utc_now()))
    if due > 20 and sys.stderr.isatty():
        label = say("sending_via", transport=transport.display)
        with click.progressbar(length=due, label=label, file=sys.stderr) as bar:
            report = deliver(db, transport, settings, on_message=lambda: bar.update(1), limit=limit)
    else:
        report = deliver(db, transport, settings, limit=limit)
    if report.recovered:
        note_line(say("recovered", n=report.recovered))
    click.echo(say("sent_report", transport=report.transport, sent=report.sent, retrying=report.retrying,
                   failed=report.failed))
    if report.stopped is not None:
        from dtrack.commands.error_lines import error_line

        raise UserError(error_line(report.stopped, app.lang, click.get_current_context(silent=True)))


@outbox.command("list")
@click.option("--state", default=None, type=click.Choice(["pending", "sending", "sent", "failed"]),
              help="Only messages in this state.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Newest messages shown.")
@json_option
@pass_app
def outbox_list(app: App, state: str | None, limit: int, as_json: bool) -> None:
    """List outgoing messages, newest first, with tries, the server's reply or the last error."""
    from dtrack.notifications.outbox import MessageView, counts, list_messages
    from dtrack.terminal import table
    from dtrack.terminal_wording import value_text

    with app.database().session() as session:
        found = [MessageView.of(m) for m in list_messages(session, state, limit)]
        totals = counts(session)
    if as_json:
        emit_json([m.to_json() for m in found])
        return
    click.echo(table((say("h_id"), say("h_state"), say("h_recipient"), say("h_kind"), say("h_day"), say("h_tries"),
                      say("h_next"), say("h_reply")),
                     [(m.id, value_text(m.state, app.lang), m.recipient, value_text(m.kind, app.lang), m.day,
                       m.attempts,
                       m.sent_at if m.state == "sent" else m.next_attempt_at if m.state == "pending" else None,
                       (m.server_reply if m.state == "sent" else m.last_error) or "")
                      for m in found]))
    click.echo(say("outbox_total", counts=", ".join(f"{n} {value_text(s, app.lang)}" for s, n in sorted(totals.items()))
                   or say("no_messages")))


@outbox.command("failed")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Newest failures shown.")
@json_option
@pass_app
def outbox_failed(app: App, limit: int, as_json: bool) -> None:
    """List failed deliveries (refused for good, out of tries, or a disabled account): to whom, when, why."""
    from dtrack.i18n.error_messages import phrase
    from dtrack.notifications.outbox import failed_messages
    from dtrack.terminal import table

    with app.database().session() as session:
        found = failed_messages(session, limit)
    if as_json:
        emit_json([m.to_json() for m in found])
        return
    if not found:
        click.echo(say("no_failed"))
        return
    click.echo(table((say("h_id"), say("h_recipient"), say("subject"), say("h_failed_at"), say("h_reason")),
                     [(m.id, m.recipient, m.subject, m.failed_at, phrase(m.reason, app.lang)) for m in found]))
    click.echo(say("n_failed", n=len(found)))


@outbox.command("retry")
@click.argument("ids", metavar="[ID]...", nargs=-1, type=int)
@click.option("--all-failed", is_flag=True, help="Retry every failed message.")
@pass_app
def outbox_retry(app: App, ids: tuple[int, ...], all_failed: bool) -> None:
    """Make failed messages pending again (with a fresh count of tries); the next send delivers them."""
    from dtrack.notifications.outbox import retry

    count = retry(app.database(), ids, all_failed=all_failed)
    click.echo(say("retried", n=count))
