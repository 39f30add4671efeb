"""Who may read what: the one authorization rule for reads, used by the web and the CLI.

Changes are checked where they happen (`service.apply`, `extension.extend`,
`reports.indicators.check_may_report`); this module says who may *see* a
task, a province's work, the review pages and the reports:

- a province officer: their own province only;
- an overseer (the Department): every province, and the review pages;
- an admin: everything, and the administration pages;
- a commune officer: no province task at all, only the parts a province
  delegated to their commune (`workflow.parts.may_read_part`, the same
  "missing to them" answer for another commune's). Every read here treats them as having none:
  a task is missing to them (as below), and the lists, pages and reports of
  province work are refused (`check_active`), so no rule written for province
  officers and overseers ("not a province officer, so everything") can reach them.

A disabled account may do nothing. Refusals raise `PermissionDenied`, so a
front end only maps the error to its answer (a 403 page, an `error:` line).

A task the caller may not see is *missing* to them: `UnknownTask` with the
reference they gave, word for word the answer for an id that does not exist,
so neither a page nor the API tells another province's ids from unused ones.
A 403 stays for what the caller can see but not do (an officer accepting).

Four eyes (`check_four_eyes`): whoever submitted a task may not accept it,
whatever their role (an overseer doing the overseers' own task, an admin),
unless the task's directive says `four_eyes = false`.
"""
from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from dtrack.errors import PermissionDenied, UnknownTask, because
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, User
from dtrack.workflow.overseer import spec_of
from dtrack.workflow.tasks import find_task
from dtrack.workflow.vocabulary import Role, Trigger

OVERSIGHT = (Role.OVERSEER, Role.ADMIN)


def check_active(actor: User, action: str, target: str) -> None:
    """`actor` may act on province work at all: not a disabled account, not a commune officer (none of theirs yet)."""
    if actor.disabled_at is not None:
        raise PermissionDenied(actor.email, action, target, because("account_disabled"))
    if actor.role == Role.COMMUNE:
        raise PermissionDenied(actor.email, action, target, because("no_province_work"))


def may_read_province(actor: User, province_id: int) -> bool:
    return may_read(actor.role, actor.disabled_at is not None, actor.province_id, province_id)


def may_read(role: str, disabled: bool, actor_province_id: int | None, province_id: int) -> bool:
    """The read rule on plain values (the engine's hot path has rows, not users)."""
    if disabled:
        return False
    if role in OVERSIGHT:
        return True
    return role == Role.PROVINCE and actor_province_id == province_id


def check_province(actor: User, province: Province, action: str = "read") -> None:
    check_active(actor, action, province.slug)
    if not may_read_province(actor, province.id):
        raise PermissionDenied(actor.email, action, province.slug, because("own_province_only"))


def unseen_task(ref: str) -> UnknownTask:
    """The error for a task the caller may not see: the same as for a missing one (`find_task`'s)."""
    return UnknownTask(ref.strip())


def check_task(actor: User, task: Task, ref: str | None = None) -> None:
    """`actor` may read `task`; else the task is unknown to them (named as they named it: `ref`, else its id)."""
    if actor.role == Role.COMMUNE:  # no province task is theirs: missing, as another province's is
        raise unseen_task(str(task.id) if ref is None else ref)
    check_active(actor, "read", task.key)
    if not may_read_province(actor, task.province_id):
        raise unseen_task(str(task.id) if ref is None else ref)


def readable_task(session: Session, actor: User, ref: str) -> Task:
    """The task named by `ref` (id or key) if `actor` may read it; `UnknownTask` if missing or not theirs."""
    task, _ = find_task(session, ref)
    check_task(actor, task, ref)
    return task


def check_oversight(actor: User, what: str) -> None:
    """The review pages (queue, overdue list, matrices, national report): overseers and admins."""
    check_active(actor, "open", what)
    if actor.role not in OVERSIGHT:
        raise PermissionDenied(actor.email, "open", what, because("oversight_only"))


def four_eyes_forbid(connection: Connection | Session, task_id: int, actor_id: int) -> bool:
    """Whether four eyes bar `actor_id` from judging the task: they made its last submission and its
    directive does not allow that. The task page asks it to offer no accept the engine would refuse.

    Two small reads by key, made only when an action judges: the hot path of other actions is untouched.
    """
    submitter = connection.scalar(select(Event.actor_id).where(Event.task_id == task_id,
                                                               Event.trigger == Trigger.SUBMIT.value)
                                  .order_by(Event.id.desc()).limit(1))
    if submitter is None or submitter != actor_id:
        return False
    wording = connection.scalar(select(Directive.report_wording).select_from(Task)
                                .join(TaskGroup, Task.group_id == TaskGroup.id)
                                .join(Directive, TaskGroup.directive_id == Directive.id).where(Task.id == task_id))
    return spec_of(wording).four_eyes


def check_four_eyes(connection: Connection | Session, trigger: str, task_id: int, key: str, actor_id: int,
                    actor_email: str) -> None:
    """Whoever made the task's last submission may not judge it (accept), unless its directive allows it."""
    if four_eyes_forbid(connection, task_id, actor_id):
        raise PermissionDenied(actor_email, trigger, key, because("four_eyes"))


def check_admin(actor: User, what: str) -> None:
    check_active(actor, "manage", what)
    if actor.role != Role.ADMIN:
        raise PermissionDenied(actor.email, "manage", what, because("admins_only"))


__all__ = ["OVERSIGHT", "check_active", "check_admin", "check_four_eyes", "check_oversight", "check_province",
           "check_task", "four_eyes_forbid", "may_read_province", "readable_task", "unseen_task"]
