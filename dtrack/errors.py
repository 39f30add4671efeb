"""The one error hierarchy of dtrack: codes with fields and parameters, never sentences.

Every mistake a user can make, and every condition they can act on, is a
subclass of `DtrackError`. An error is data:

- `error_code`: what went wrong (`needs_note`, `unknown_task`, ...); a class
  gives its default, a raise may name a more precise one (`code=`);
- `field`: the DOMAIN field it is about (`note`, `progress`, `province`,
  `due_on`, ...), or None; never a command-line word such as `--note`;
- `params`: the values the wording needs (the text typed, a limit, a task key).
  A value may itself be a `Reason` (a coded phrase: why permission is denied,
  what is wrong in a file) or another error (a bad row of a figures file).

The core raises these and words nothing. Each front end words them in its
user's language from the message catalog (`dtrack/i18n/error_messages.py`:
ids `error.<code>` and `error.<code>.hint`): the CLI names the option that
takes the field (`--note`), the web shows the message beside the field, the
API answers with the field's API name. `str(error)` is only a compact
technical form for logs: `needs_note(field=note, trigger=send_back)`.
Subclasses keep their context as attributes too (`exc.task_key`,
`exc.minutes`), so tests and front ends can act on them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


def _compact(code: str, params: Mapping[str, object], where: str | None = None) -> str:
    parts = [f"field={where}"] if where else []
    parts += [f"{name}={value!s}" if isinstance(value, Reason | DtrackError) else f"{name}={value!r}"
              for name, value in params.items()]
    return f"{code}({', '.join(parts)})"


@dataclass(frozen=True)
class Reason:
    """A coded phrase inside an error (why an action is refused, what a file gets wrong), worded like errors."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return _compact(self.code, self.params)

    __repr__ = __str__


def because(code: str, **params: object) -> Reason:
    """`Reason(code, params)` written the way raises read: `because("own_province_only")`."""
    return Reason(code, params)


class DtrackError(Exception):
    """Base class: a code, the domain field it is about (if any) and the values its wording needs."""

    error_code: str = "error"  # a class's default; an instance may refine it

    def __init__(self, *, code: str | None = None, field: str | None = None, **params: Any) -> None:
        super().__init__()
        if code:  # a raise more precise than its class (bad_date is an InvalidInput)
            self.error_code = code
        self.field = field
        self.params: dict[str, object] = params

    def __str__(self) -> str:
        return _compact(self.error_code, self.params, self.field)

    def __repr__(self) -> str:
        return f"{type(self).__name__}: {self}"

    def __reduce__(self) -> tuple[Any, ...]:  # pickled errors (a worker's) keep their data
        return (_rebuild, (type(self), self.__dict__))


def _rebuild(cls: type[DtrackError], state: dict[str, Any]) -> DtrackError:
    error = cls.__new__(cls)
    Exception.__init__(error)
    error.__dict__.update(state)
    return error


class NotFound(DtrackError):
    """Something the user named does not exist. `kind` says what (a machine word: `province`, `user`)."""

    error_code = "not_found"
    kind: ClassVar[str] = "thing"

    def __init__(self, ref: str, *, code: str | None = None, field: str | None = None, **params: Any) -> None:
        self.ref = ref
        super().__init__(code=code, field=field, ref=ref, **params)


class UnknownTask(NotFound):
    error_code = "unknown_task"
    kind = "task"


class UnknownProvince(NotFound):
    error_code = "unknown_province"
    kind = "province"


class UnknownUser(NotFound):
    error_code = "unknown_user"
    kind = "user"


class UnknownDirective(NotFound):
    error_code = "unknown_directive"
    kind = "directive"


class UnknownTrigger(NotFound):
    error_code = "unknown_trigger"
    kind = "action"

    def __init__(self, ref: str, known: Iterable[str]) -> None:
        self.known = sorted(known)
        super().__init__(ref, known=self.known)


class TransitionNotAllowed(DtrackError):
    """The trigger does not apply to the task's current state; `allowed` are the triggers that do."""

    error_code = "transition_not_allowed"

    def __init__(self, task_key: str, trigger: str, state: str, allowed: Iterable[str]) -> None:
        self.task_key = task_key
        self.trigger = str(trigger)
        self.state = str(state)
        self.allowed = [str(a) for a in allowed]
        super().__init__(task_key=task_key, action=self.trigger, state=self.state, allowed=self.allowed)


class PermissionDenied(DtrackError):
    """The user's role or province does not allow the action on this target; `reason` says which rule."""

    error_code = "permission_denied"

    def __init__(self, actor: str, action: str, target: str, why: Reason) -> None:
        self.actor = actor
        self.action = str(action)  # a trigger (accept) or an access verb (read, list, manage)
        self.target = target
        self.reason = why
        super().__init__(actor=actor, action=self.action, target=target, reason=why)


class ConcurrentUpdate(DtrackError):
    """Someone else changed the task between our read and our write."""

    error_code = "concurrent_update"

    def __init__(self, task_key: str, by: str | None = None, at: str | None = None, *,
                 code: str | None = None) -> None:
        self.task_key = task_key  # or what else was changed (an extension request's number, with its own code)
        self.by = by  # who made the change that won, when known
        self.at = at  # when, as the local dd/mm/yyyy HH:MM
        super().__init__(code=code or ("concurrent_update_by" if by else None), task_key=task_key, by=by, at=at)


class InvalidInput(DtrackError):
    """A value given for a field (an option, a form field, a file's column) is not acceptable.

    `InvalidInput("progress", "bad_progress", value="x")`: the domain field, the
    code of the mistake, and the values its wording shows.
    """

    error_code = "invalid_input"

    def __init__(self, field: str, code: str, /, **params: Any) -> None:
        super().__init__(code=code, field=field, **params)


class DirectiveInvalid(DtrackError):
    """A directive definition file cannot be used: its path, the key inside it, and what is wrong there."""

    error_code = "directive_invalid"

    def __init__(self, path: str, key: str, problem: Reason) -> None:
        self.path = path
        self.key = key  # groups[ordinal=2].deadline; "" for the file as a whole
        self.problem = problem
        super().__init__(path=path, key=key, problem=problem)


class DatabaseUnavailable(DtrackError):
    """The database URL cannot be reached or opened; `reason` is the driver's own first line."""

    error_code = "database_unavailable"

    def __init__(self, url: str, reason: str, **params: Any) -> None:
        self.url = url
        self.reason = reason
        super().__init__(url=url, reason=reason, **params)


class DatabaseNotInitialised(DtrackError):
    error_code = "database_not_initialised"

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(url=url)


class MigrationFailed(DtrackError):
    """The schema could not be created or upgraded; the migration's transaction was rolled back."""

    error_code = "migration_failed"

    def __init__(self, url: str, reason: str, *, code: str | None = None, **params: Any) -> None:
        self.url = url
        self.reason = reason  # the database's own first line
        super().__init__(code=code, url=url, reason=reason, **params)


class ImportInvalid(DtrackError):
    """A figures file has bad rows: nothing was imported; every bad row is listed as (line, its error)."""

    error_code = "import_invalid"

    def __init__(self, path: str, problems: Iterable[tuple[int, DtrackError | Reason]], *,
                 code: str | None = None) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(code=code, path=path, count=len(self.problems), problems=self.problems)


# --- email digests and the outbox (issue 4) ---


class UnknownMessage(NotFound):
    error_code = "unknown_message"
    kind = "message"


class MailServerUnavailable(DtrackError):
    """The mail server (or mail folder) cannot take messages now: nothing is lost, they stay pending."""

    error_code = "mail_server_unavailable"

    def __init__(self, where: str, reason: str, *, code: str | None = None) -> None:
        self.where = where  # the transport as displayed (or the mail folder): never contains a password
        self.reason = reason  # the server's or the system's own words
        super().__init__(code=code, where=where, reason=reason)


class MessageRejected(DtrackError):
    """The mail server refused this one message (e.g. 550 for its recipient); others may still go."""

    error_code = "message_rejected"

    def __init__(self, code: int, reply: str) -> None:
        self.code = code
        self.reply = reply
        super().__init__(smtp_code=code, reply=reply)

    @property
    def server_said(self) -> str:
        """The server's answer as it came (`550 no such user`): what the outbox keeps as the message's last error."""
        return f"{self.code} {self.reply}"


class RuleError(DtrackError, ValueError):
    """A deadline rule cannot be understood (`code` says why); the directive loader adds where."""

    error_code = "rule_error"

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code=code, **params)


class UnknownIndicator(NotFound):
    error_code = "unknown_indicator"
    kind = "indicator"

    def __init__(self, ref: str, known: Iterable[str]) -> None:
        self.known = sorted(known)
        super().__init__(ref, known=self.known)


# --- accounts and the web (issue 10) ---


class LoginFailed(DtrackError):
    """Wrong email or password: the error never says which, so emails cannot be probed."""

    error_code = "login_failed"

    def __init__(self) -> None:
        super().__init__()


class LoginThrottled(DtrackError):
    """Too many failed logins for this email from this address (known or not: the same answer)."""

    error_code = "login_throttled"

    def __init__(self, email: str, minutes: int) -> None:
        self.email = email
        self.minutes = minutes
        super().__init__(email=email, minutes=minutes)


class AddressThrottled(LoginThrottled):
    """Too many failed logins from one network address, whatever the accounts tried.

    The per-account lock stops guessing one password; this stops one machine
    from trying a few passwords on each of many accounts.
    """

    error_code = "address_throttled"

    def __init__(self, ip: str, minutes: int) -> None:
        self.ip = ip
        self.minutes = minutes
        DtrackError.__init__(self, ip=ip, minutes=minutes)


class LinkInvalid(DtrackError):
    """A one-time link that is unknown, used already, or expired; `reason` says which."""

    error_code = "link_invalid"

    def __init__(self, why: Reason) -> None:
        self.reason = why
        super().__init__(reason=why)


class NotAuthenticated(DtrackError):
    """No valid session: not logged in, logged out, expired or revoked; `reason` says which."""

    error_code = "not_authenticated"

    def __init__(self, why: Reason | None = None) -> None:
        self.reason = why or because("not_logged_in")
        super().__init__(reason=self.reason)


class StorageFailed(DtrackError):
    """An evidence file could not be written or read (a full disk, no permission): nothing was recorded."""

    error_code = "storage_failed"

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        self.reason = reason  # the system's own words (strerror)
        super().__init__(code=code, reason=reason)


# --- deadline extensions and extension requests (issue 11) ---


class DeadlineFinal(InvalidInput):
    """A completed task's deadline is part of its record: extending it would rewrite 'done late' as 'on time'."""

    error_code = "deadline_final"

    def __init__(self, task_key: str, field: str = "due_on") -> None:
        self.task_key = task_key
        super().__init__(field, "deadline_final", task_key=task_key)


class UnknownExtensionRequest(NotFound):
    error_code = "unknown_extension_request"
    kind = "extension_request"


class RequestAlreadyDecided(DtrackError):
    """An extension request that was granted or refused already: a decision is not taken twice."""

    error_code = "request_already_decided"

    def __init__(self, request_id: int, status: str) -> None:
        self.request_id = request_id
        self.status = status  # granted | refused
        super().__init__(request_id=request_id, status=status)


class ExtensionAlreadyRequested(DtrackError):
    """A task has one pending extension request at a time."""

    error_code = "extension_already_requested"

    def __init__(self, task_key: str, request_id: int | None) -> None:
        self.task_key = task_key
        self.request_id = request_id
        super().__init__(code="extension_already_requested_id" if request_id is not None else None,
                         task_key=task_key, request_id=request_id)
