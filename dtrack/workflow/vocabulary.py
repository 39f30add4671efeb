"""The words dtrack uses, defined once.

Every other module imports its states, triggers, roles, regions and
deadline statuses from here, so a name means the same thing in the
engine, the database, the CLI, the reports and the emails.
"""
from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a task stands in its lifecycle (the `tasks.state` column)."""

    NOT_STARTED = "not_started"  # assigned, nothing reported yet
    IN_PROGRESS = "in_progress"  # the province is working on it
    SUBMITTED = "submitted"  # the province says it is done; waiting for the Department
    RETURNED = "returned"  # the Department sent it back for rework
    BLOCKED = "blocked"  # the province cannot go on; the reason is in the audit note
    COMPLETED = "completed"  # the Department accepted it

    @property
    def is_open(self) -> bool:
        return self is not State.COMPLETED


# The states in which the province still owes the work: its deadline, overdue
# status and reminders apply (submitted is the Department's turn; completed is done).
OWED_BY_PROVINCE: tuple[str, ...] = (
    State.NOT_STARTED.value, State.IN_PROGRESS.value, State.RETURNED.value, State.BLOCKED.value,
)


class Trigger(StrEnum):
    """What a user does to a task. `update` changes progress, not state."""

    START = "start"
    UPDATE = "update"
    SUBMIT = "submit"
    SEND_BACK = "send_back"
    ACCEPT = "accept"
    BLOCK = "block"
    UNBLOCK = "unblock"
    REOPEN = "reopen"


class DeadlineTrigger(StrEnum):
    """Audit-trail triggers that change a deadline, not the state.

    They are NOT lifecycle triggers (the state machine never fires them and
    `dtrack lifecycle` does not list them): an event with one of these has
    from_state == to_state and records the old and new deadline
    (events.from_due_on / to_due_on) in the same transaction as the change.
    """

    EXTEND = "extend"  # an overseer moved the deadline later; the note is the reason
    CHECKPOINT = "checkpoint"  # a continuous task's review checkpoint passed; the next one is in force
    RECOMPUTE = "recompute"  # the working calendar in force moved a rule-given deadline (days off declared later)


class EvidenceTrigger(StrEnum):
    """Audit-trail triggers of evidence files and comments: state and progress stay as they are."""

    ATTACH = "attach"  # a file was attached; the note is its name
    WITHDRAW = "withdraw"  # the uploader withdrew a file before acceptance
    COMMENT = "comment"  # a comment was written in the task's thread


class RequestTrigger(StrEnum):
    """Audit-trail triggers of a province's extension request (workflow.extension_requests).

    Neither changes the state or the deadline by itself (from_state ==
    to_state, no from/to deadline): a grant is followed, in the same
    transaction, by an `extend` event that moves the deadline.
    """

    REQUEST_EXTENSION = "request_extension"  # a province asked; the note is the proposed date and the reason
    GRANT_EXTENSION = "grant_extension"  # an overseer granted it (maybe to another date)
    REFUSE_EXTENSION = "refuse_extension"  # an overseer refused it; the note is the reason


class RequestStatus(StrEnum):
    """Where an extension request stands (`extension_requests.status`)."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class ApplicabilityTrigger(StrEnum):
    """Audit-trail triggers that take a task out of the figures or put it back.

    Not lifecycle triggers and not a state: "not applicable" is a flag on the
    task (tasks.not_applicable_since/by/reason) beside its state; an event
    with one of these has from_state == to_state and the reason as its note.
    """

    EXEMPT = "exempt"  # an overseer marked the task not applicable to its province
    RESTORE = "restore"  # an overseer made it applicable again


class PartTrigger(StrEnum):
    """Audit-trail triggers of delegation to communes (issue 24) that are not lifecycle actions.

    `delegate` is a part's first row (`part_events`: from and to not started,
    the instruction as its note); `follow_parts` and `typed_progress` are a
    task's rows (`events`, state unchanged): from then on its progress is its
    parts' average, or what the province types again.
    """

    DELEGATE = "delegate"
    FOLLOW_PARTS = "follow_parts"
    TYPED_PROGRESS = "typed_progress"


class DocumentTrigger(StrEnum):
    """Audit-trail triggers of official documents (issue 23): state and progress stay as they are.

    `urge` is written on each task an issued "công văn đôn đốc" names, its note the document's
    number ("12/KC"), in the issuing transaction (documents/issuing.py); `record_document` when
    somebody records a document's number on a task (documents/task_documents.py), its note the number.
    """

    URGE = "urge"
    RECORD = "record_document"


class Role(StrEnum):
    """Who a user is.

    province: an officer of one provincial Department of Industry and Trade
    (Sở Công Thương); acts on its own province's tasks only.
    overseer: the Ministry's Department (Cục Đổi mới sáng tạo, Chuyển đổi
    xanh và Khuyến công); reviews submissions for every province.
    admin: runs the installation; may do everything.
    commune: an officer of one commune, ward or special zone (cán bộ xã,
    phường), bound to it (`users.commune_id`); sees no province task, only
    the parts a province delegated to their commune (`workflow.parts`).
    """

    PROVINCE = "province"
    OVERSEER = "overseer"
    ADMIN = "admin"
    COMMUNE = "commune"


class CommuneKind(StrEnum):
    """What a commune-level unit is (`communes.kind`); since 1 July 2025 the second and last tier."""

    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường
    SPECIAL_ZONE = "special_zone"  # đặc khu (island special zones)


class Region(StrEnum):
    """The regions the industrial promotion conferences group provinces by."""

    NORTH = "north"
    CENTRAL = "central"
    SOUTH = "south"


class GroupKind(StrEnum):
    """How a task group runs in time."""

    ONE_OFF = "one_off"  # done once, by a deadline
    CONTINUOUS = "continuous"  # ongoing; the deadline is the next review checkpoint
    RECURRING = "recurring"  # one task per period (periodic reports)


class Owner(StrEnum):
    """Who carries a task group out: the province, or the Department itself."""

    PROVINCE = "province"
    DEPARTMENT = "department"


# The unit row (in `provinces`, kind "department") that owns the tasks of
# Department-owned groups: one task per group, keyed DIRECTIVE:GROUP:cuc.
# It has no region and is left out wherever provinces are listed or counted.
DEPARTMENT_KIND = "department"
DEPARTMENT_SLUG = "cuc"


class DeadlineStatus(StrEnum):
    """Timeliness, the second axis beside the state, as of a given day.

    Follows the Government Office's four cells (completed on time, completed
    late, open within the deadline, open and overdue), with the open,
    within-deadline cell split into on_track and due_soon, and submissions
    waiting for review kept apart: that delay is the Department's.
    """

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    AWAITING_REVIEW = "awaiting_review"
    COMPLETED_ON_TIME = "completed_on_time"
    COMPLETED_LATE = "completed_late"
    NO_DEADLINE = "no_deadline"
    NOT_APPLICABLE = "not_applicable"  # an overseer took it out of the figures (with a reason)


class Scope(StrEnum):
    """Who a reported indicator figure is about.

    Figures reported for a whole region (at a regional conference) are kept
    as regional figures and never spread over the region's provinces;
    figures for the whole country (the national program, the national
    budget) are `national`. A region's or the country's total is the
    reported figure when there is one, otherwise what its parts add up to.
    """

    PROVINCE = "province"
    REGION = "region"
    NATIONAL = "national"


class ReminderKind(StrEnum):
    """Why a reminder exists (the input of the email digests, never one email each)."""

    BEFORE_DEADLINE = "before_deadline"  # N days before the deadline in force (to the province)
    OVERDUE = "overdue"  # the day after the deadline, then every N days while open (to the province)
    ESCALATION = "escalation"  # long overdue: told to the overseers
    REVIEW_NUDGE = "review_nudge"  # a submission has waited N days for review (to the overseers)


class OutboxState(StrEnum):
    """Where an outgoing message stands in the durable outbox (`outbox.state`).

    pending -> sending (claimed by one sender) -> sent; a failed try goes
    back to pending with a later `next_attempt_at`, and after the last
    allowed attempt to failed, which `dtrack outbox retry` re-queues.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxKind(StrEnum):
    """What an outgoing message is; with recipient and day it is the outbox's unique key."""

    DIGEST = "digest"  # the daily digest (the weekly summary on its weekday): at most one a day per person
    REPORT = "report"  # a rendered report sent with a covering message
    ACCOUNT = "account"  # an invitation or password-reset link (accounts.mail)
    LETTER = "letter"  # an issued official letter (documents.sending: the công văn đôn đốc) as an attachment


# One letter per state for the status matrix, chosen to be distinct and
# readable in a plain terminal.
STATE_GLYPHS: dict[State, str] = {
    State.NOT_STARTED: "·",
    State.IN_PROGRESS: "P",
    State.SUBMITTED: "S",
    State.RETURNED: "R",
    State.BLOCKED: "B",
    State.COMPLETED: "C",
}

# The languages users read (their words are the catalog's: dtrack/locale, dtrack.i18n).
LANGUAGES = ("vi", "en")
