"""A digest as an email: its subject, plain-text part and HTML part.

Both parts come from one context through the shared Jinja environment
(`dtrack.templates.environment`), templates "email/digest.txt.j2" and
"email/digest.html.j2"; the words are in `wording`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jinja2 import Template

from dtrack.notifications.digest_gathering import Digest, Item
from dtrack.notifications.mail import unsubscribe_target
from dtrack.notifications.wording import WORDS, dmy, phrase, subject
from dtrack.templates.environment import environment
from dtrack.workflow.clock import Clock, local_dmy_hm
from dtrack.workflow.settings import Settings
from dtrack.workflow.vocabulary import REGION_LABELS, Region, Role


@dataclass(frozen=True)
class Rendered:
    """A digest ready for the outbox."""

    subject: str
    text: str
    html: str


def subject_of(digest: Digest) -> str:
    lang = digest.locale
    if digest.role == Role.PROVINCE.value and digest.province:
        counts = [("n_overdue", digest.count("overdue")), ("n_due_soon", digest.count("due_soon")),
                  ("n_returned", digest.count("returned"))]
        if not any(n for _, n in counts):
            counts += [("n_reminders", digest.count("reminders")), ("n_changes", digest.count("changes"))]
        return subject(lang, digest.province[lang], counts, digest.day)
    counts = [("n_newly_overdue", digest.count("newly_overdue")), ("n_awaiting", digest.count("awaiting_review")),
              ("n_blocked", digest.count("blocked")), ("n_escalations", digest.count("escalations"))]
    return subject(lang, WORDS[lang]["subject_weekly" if digest.weekly else "subject_daily"], counts, digest.day)


@dataclass(slots=True)
class Line:
    """An item as both parts show it: computed once, so the two templates only place text."""

    key: str
    title: str
    where: str  # the province, in overseers' digests
    detail: str
    note_label: str
    note: str | None
    link: str


def render(digest: Digest, settings: Settings, clock: Clock) -> Rendered:
    """The subject, plain-text part and HTML part of a digest, from one shared context."""
    lang = digest.locale if digest.locale in WORDS else "vi"
    words = WORDS[lang]
    base = settings.base_url.rstrip("/")
    note_labels = {"returned": words["note"], "blocked": words["reason"], "extension_requests": words["reason"]}

    def detail(section: str, item: Item) -> str:
        """What to say about a task in a section, e.g. 'quá hạn 12 ngày, hạn 01/12/2025'."""
        parts = []
        if item.label is not None and section != "changes":
            parts.append(item.label[lang])
        if section in ("overdue", "newly_overdue") and item.days is not None:
            parts.append(phrase(lang, "days_overdue", days=item.days))
        elif section == "due_soon" and item.days is not None:
            parts.append(words["due_today"] if item.days == 0 else phrase(lang, "days_left", days=item.days))
        elif section == "awaiting_review" and item.days is not None:
            parts.append(phrase(lang, "days_waiting", days=item.days))
        if section == "changes" and item.at is not None and item.label is not None:
            when = local_dmy_hm(item.at, clock.tz)
            parts.append(f"{when} {item.label[lang]} {words['by']} {item.actor or 'dtrack'}")
        elif item.due_on is not None and section != "awaiting_review":
            parts.append(f"{words['deadline']} {dmy(item.due_on)}")
        return ", ".join(parts)

    def line(section: str, item: Item) -> Line:
        return Line(item.key, item.title[lang], "" if digest.province else item.province[lang], detail(section, item),
                    note_labels.get(section, words["note_plain"]), item.note,
                    f"{base}/tasks/{item.task_id}" if base else "")

    context = {
        "d": digest, "lang": lang, "t": words, "day": dmy(digest.day),
        "shown": [(s, [line(s.name, i) for i in s.items]) for s in digest.sections if s.total],
        "region_label": lambda r: REGION_LABELS[lang][Region(r)],
        "settings_where": unsubscribe_target(settings.mail_from, settings.base_url).strip("<>"),
    }
    text_template, html_template = _templates()
    return Rendered(subject_of(digest), text_template.render(context), html_template.render(context))


@cache
def _templates() -> tuple[Template, Template]:
    # Loaded once per process: a build renders thousands of digests with the same two.
    env = environment()
    return env.get_template("email/digest.txt.j2"), env.get_template("email/digest.html.j2")
