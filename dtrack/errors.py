"""The one error hierarchy of dtrack.

Every mistake a user can make, and every condition they can act on, is a
subclass of `DtrackError`. Each keeps its context as attributes (task key,
state, allowed triggers...) and carries a `hint` saying what to do, so the
CLI can print one line and tests can assert on the fields. The CLI turns
these into `click.ClickException`; nothing else is caught and hidden.
Each class has an `error_code`; `i18n/error_messages.py` words it per language
(the English `str()` here is what logs and the English CLI show).
"""
from __future__ import annotations

from collections.abc import Iterable


class DtrackError(Exception):
    """Base class: a message and an optional hint the user can act on."""
    error_code = "error"  # its wording: i18n/error_messages.py

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class NotFound(DtrackError):
    """Something the user named does not exist."""
    error_code = "not_found"

    kind = "thing"

    def __init__(self, ref: str, hint: str | None = None) -> None:
        self.ref = ref
        super().__init__(f"unknown {self.kind} {ref!r}", hint)


class UnknownTask(NotFound):
    error_code = "unknown_task"
    kind = "task"

    def __init__(self, ref: str, hint: str | None = None) -> None:
        super().__init__(
            ref,
            hint
            or "give a task id or a key DIRECTIVE:GROUP:PROVINCE such as 20/CT-BCT:2:ha-noi "
            "(see `dtrack tasks list`)",
        )


class UnknownProvince(NotFound):
    error_code = "unknown_province"
    kind = "province"

    def __init__(self, ref: str, hint: str | None = None) -> None:
        super().__init__(ref, hint or "see `dtrack provinces` for the 34 slugs, e.g. ha-noi")


class UnknownUser(NotFound):
    error_code = "unknown_user"
    kind = "user"

    def __init__(self, ref: str, hint: str | None = None) -> None:
        super().__init__(ref, hint or "add the user with `dtrack users add` or see `dtrack users list`")


class UnknownDirective(NotFound):
    error_code = "unknown_directive"
    kind = "directive"

    def __init__(self, ref: str, hint: str | None = None) -> None:
        super().__init__(ref, hint or "load it with `dtrack directive load FILE` (see `dtrack directive list`)")


class UnknownTrigger(NotFound):
    error_code = "unknown_trigger"
    kind = "action"

    def __init__(self, ref: str, known: Iterable[str]) -> None:
        self.known = sorted(known)
        super().__init__(ref, "known actions: " + ", ".join(self.known))


class TransitionNotAllowed(DtrackError):
    """The trigger does not apply to the task's current state."""
    error_code = "transition_not_allowed"

    def __init__(self, task_key: str, trigger: str, state: str, allowed: Iterable[str]) -> None:
        self.task_key = task_key
        self.trigger = trigger
        self.state = state
        self.allowed = list(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "nothing"
        super().__init__(
            f"cannot {trigger.replace('_', '-')} {task_key}: it is {state}",
            f"allowed now: {allowed_text}",
        )


class PermissionDenied(DtrackError):
    """The user's role or province does not allow the action on this task."""
    error_code = "permission_denied"

    def __init__(self, actor: str, trigger: str, task_key: str, reason: str) -> None:
        self.actor = actor
        self.trigger = trigger
        self.task_key = task_key
        self.reason = reason
        super().__init__(f"{actor} may not {trigger.replace('_', '-')} {task_key}: {reason}")


class ConcurrentUpdate(DtrackError):
    """Someone else changed the task between our read and our write."""
    error_code = "concurrent_update"

    def __init__(self, task_key: str, by: str | None = None, at: str | None = None) -> None:
        self.task_key = task_key
        self.by = by  # who made the change that won, when known
        self.at = at  # when, as the local dd/mm/yyyy HH:MM
        who = f"changed by someone else ({by}, at {at})" if by else "changed by someone else at the same time"
        super().__init__(f"{task_key} was {who}", "reload it with `dtrack task show` and try again")


class InvalidInput(DtrackError):
    """A value given on the command line or in a file is not acceptable."""
    error_code = "invalid_input"

    def __init__(self, field: str, problem: str, hint: str | None = None, *, code: str | None = None,
                 **values: object) -> None:
        self.field = field
        self.problem = problem
        if code:  # a known mistake with its own wording (e.g. bad_date), its values kept for the templates
            self.error_code = code
        self.values = values
        super().__init__(f"{field}: {problem}", hint)


class DirectiveInvalid(DtrackError):
    """A directive definition file cannot be used: names file, field and problem."""
    error_code = "directive_invalid"

    def __init__(self, path: str, field: str, problem: str) -> None:
        self.path = path
        self.field = field
        self.problem = problem
        where = f"{path}: {field}" if field else path
        super().__init__(f"{where}: {problem}", "fix the file and load it again; nothing was changed")


class DatabaseUnavailable(DtrackError):
    """The database URL cannot be reached or opened."""
    error_code = "database_unavailable"

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"cannot open database {url}: {reason}",
            "check --db / DTRACK_DATABASE_URL and that the server is running",
        )


class DatabaseNotInitialised(DtrackError):
    error_code = "database_not_initialised"
    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"database {url} has no dtrack schema yet", "run `dtrack init` first")


class MigrationFailed(DtrackError):
    """The schema could not be created or upgraded; the migration's transaction was rolled back."""
    error_code = "migration_failed"

    def __init__(self, url: str, reason: str, hint: str | None = None) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"cannot prepare database {url}: {reason}",
            hint or "nothing was changed; point --db at an empty database or one that dtrack created",
        )


class ImportInvalid(DtrackError):
    """A figures file has bad rows: nothing was imported; every bad row is listed."""
    error_code = "import_invalid"

    def __init__(self, path: str, problems: Iterable[tuple[int, str]]) -> None:
        self.path = path
        self.problems = list(problems)  # (line number, reason)
        listed = "; ".join(f"line {line}: {reason}" for line, reason in self.problems)
        super().__init__(
            f"{path}: {len(self.problems)} bad row(s), nothing imported: {listed}",
            "fix those rows and import the whole file again",
        )
# --- email digests and the outbox (issue 4) ---


class UnknownMessage(NotFound):
    error_code = "unknown_message"
    kind = "outbox message"

    def __init__(self, ref: str, hint: str | None = None) -> None:
        super().__init__(ref, hint or "see `dtrack outbox list` for message ids")


class MailServerUnavailable(DtrackError):
    """The mail server (or mail folder) cannot take messages now: nothing is lost, they stay pending."""
    error_code = "mail_server_unavailable"

    def __init__(self, where: str, reason: str) -> None:
        self.where = where  # the transport as displayed: never contains a password
        self.reason = reason
        super().__init__(f"cannot deliver through {where}: {reason}",
                         "messages stay pending; check DTRACK_SMTP_URL and run `dtrack outbox send` again")


class MessageRejected(DtrackError):
    """The mail server refused this one message (e.g. 550 for its recipient); others may still go."""
    error_code = "message_rejected"

    def __init__(self, code: int, reply: str) -> None:
        super().__init__(f"{code} {reply}")  # kept as the message's last_error
        self.code = code
        self.reply = reply


class RuleError(DtrackError, ValueError):
    """A deadline rule cannot be understood; the message says why (the directive loader adds where)."""
    error_code = "rule_error"


class UnknownIndicator(NotFound):
    error_code = "unknown_indicator"
    kind = "indicator"

    def __init__(self, ref: str, known: Iterable[str]) -> None:
        self.known = sorted(known)
        super().__init__(ref, "known indicators: " + ", ".join(self.known) + " (see `dtrack indicators list`)")


# --- accounts and the web (issue 10) ---


class LoginFailed(DtrackError):
    """Wrong email or password: the message never says which, so emails cannot be probed."""
    error_code = "login_failed"

    def __init__(self) -> None:
        super().__init__("wrong email or password", "check both and try again")


class LoginThrottled(DtrackError):
    """Too many failed logins for this email from this address (known or not: the same answer)."""
    error_code = "login_throttled"

    def __init__(self, email: str, minutes: int) -> None:
        self.email = email
        self.minutes = minutes
        super().__init__(f"too many failed logins for {email} from this device or network address",
                         f"wait {minutes} minute(s) and try again, or ask an administrator for a password-reset "
                         "link")


class AddressThrottled(LoginThrottled):
    """Too many failed logins from one network address, whatever the accounts tried.

    The per-account lock stops guessing one password; this stops one machine
    from trying a few passwords on each of many accounts.
    """

    error_code = "address_throttled"

    def __init__(self, ip: str, minutes: int) -> None:
        self.ip = ip
        self.minutes = minutes
        DtrackError.__init__(self, f"too many failed logins from the network address {ip}",
                             f"wait {minutes} minute(s) and try again, or ask an administrator for a "
                             "password-reset link")


class LinkInvalid(DtrackError):
    """A one-time link that is unknown, used already, or expired."""
    error_code = "link_invalid"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"this link cannot be used: {reason}", "ask an administrator for a new link")


class NotAuthenticated(DtrackError):
    """No valid session: not logged in, logged out, expired or revoked."""
    error_code = "not_authenticated"

    def __init__(self, reason: str = "not logged in") -> None:
        self.reason = reason
        super().__init__(reason, "log in again")


class StorageFailed(DtrackError):
    """An evidence file could not be written or read (a full disk, no permission): nothing was recorded."""

    error_code = "storage_failed"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"the file could not be stored: {reason}", "nothing was saved; tell the administrator")


# --- deadline extensions and extension requests (issue 11) ---


class DeadlineFinal(InvalidInput):
    """A completed task's deadline is part of its record: extending it would rewrite 'done late' as 'on time'."""

    error_code = "deadline_final"

    def __init__(self, task_key: str, field: str = "--to") -> None:
        self.task_key = task_key
        super().__init__(field, f"{task_key} is completed: its deadline can no longer be extended",
                         "its timeliness is final; if the work must be done again, an overseer reopens the task first")


class UnknownExtensionRequest(NotFound):
    error_code = "unknown_extension_request"
    kind = "extension request"

    def __init__(self, ref: str, hint: str | None = None) -> None:
        super().__init__(ref, hint or "see `dtrack deadlines requests` for request ids")


class RequestAlreadyDecided(DtrackError):
    """An extension request that was granted or refused already: a decision is not taken twice."""

    error_code = "request_already_decided"

    def __init__(self, request_id: int, status: str) -> None:
        self.request_id = request_id
        self.status = status
        super().__init__(f"extension request {request_id} is already {status}",
                         "see `dtrack deadlines requests`; the province may file a new request")


class ExtensionAlreadyRequested(DtrackError):
    """A task has one pending extension request at a time."""

    error_code = "extension_already_requested"

    def __init__(self, task_key: str, request_id: int | None) -> None:
        self.task_key = task_key
        self.request_id = request_id
        which = f" (request {request_id})" if request_id is not None else ""
        super().__init__(f"{task_key} already has a pending extension request{which}",
                         "wait for the Department's decision; see `dtrack deadlines requests`")
