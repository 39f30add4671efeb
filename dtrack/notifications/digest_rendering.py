"""A digest as an email: its subject, plain-text part and HTML part.

Both parts come from one context through the shared Jinja environment
(`dtrack.templates.environment`), templates "email/digest.txt.j2" and
"email/digest.html.j2"; the words are in `wording`. A commune officer's rows are
parts (linking to /parts/{id}); the province's late communes are a block after
the sections, linking to the province's drill-down page (`digest_communes`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jinja2 import Template

from dtrack.config.clock import Clock, local_dmy_hm
from dtrack.config.settings import Settings
from dtrack.i18n.labels import REGION_LABELS
from dtrack.notifications.digest_items import Digest, Item, Section
from dtrack.notifications.wording import WORDS, dmy, phrase, subject
from dtrack.templates.environment import environment
from dtrack.workflow.vocabulary import Region, Role


@dataclass(frozen=True)
class Rendered:
    """A digest ready for the outbox."""

    subject: str
    text: str
    html: str


# The sections a subject counts, per audience; the others only when these are all empty.
SUBJECT_COUNTS = {
    Role.PROVINCE.value: (("overdue", "due_today", "due_soon", "returned"), ("reminders", "changes")),
    Role.OVERSEER.value: (("newly_overdue", "long_overdue", "awaiting_review", "blocked"), ("escalations",)),
    Role.COMMUNE.value: (("parts_returned", "parts_overdue", "parts_due_today", "parts_due_soon"), ()),
}

# What a note is, by section, unless the item says (a returned task listed as overdue keeps "the Department's note").
NOTE_LABELS = {"returned": "note", "blocked": "reason", "extension_requests": "reason"}

# A reminder's kind that its section's heading already says: not repeated on the row.
IMPLIED = {"overdue": {"overdue"}, "newly_overdue": {"overdue"}, "due_today": {"before_deadline"},
           "due_soon": {"before_deadline"}, "long_overdue": {"escalation"}}

# Sections whose rows say how late, and how long is left.
LATE_SECTIONS = frozenset({"overdue", "newly_overdue", "long_overdue", "parts_overdue"})
SOON_SECTIONS = frozenset({"due_soon", "parts_due_soon"})
# "and N more ...": what the rows of a section are.
MORE = {"parts_returned": "more_parts", "parts_overdue": "more_parts", "parts_due_today": "more_parts",
        "parts_due_soon": "more_parts"}


def subject_of(digest: Digest) -> str:
    lang = digest.locale if digest.locale in WORDS else "vi"
    main, rest = SUBJECT_COUNTS.get(digest.role, SUBJECT_COUNTS[Role.OVERSEER.value])
    counts = [(f"n_{name}", digest.count(name)) for name in main]
    if not any(n for _, n in counts):
        counts += [(f"n_{name}", digest.count(name)) for name in rest]
        if digest.late_communes is not None:
            counts.append(("n_late_communes", digest.late_communes.total))
    if digest.role == Role.PROVINCE.value and digest.province:
        return subject(lang, digest.province[lang], counts, digest.day)
    if digest.commune:
        return subject(lang, digest.commune[lang], counts, digest.day)
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
    changes: list[str]  # changes merged into the row, each "when what by whom: note"


def render(digest: Digest, settings: Settings, clock: Clock) -> Rendered:
    """The subject, plain-text part and HTML part of a digest, from one shared context."""
    lang = digest.locale if digest.locale in WORDS else "vi"
    words = WORDS[lang]
    base = settings.base_url.rstrip("/")

    def happened(item: Item) -> str:
        """'29/06/2026 10:15 trả lại bởi a@b'"""
        when = local_dmy_hm(item.at, clock.tz) if item.at is not None else ""
        what = item.label[lang] if item.label is not None else ""
        return f"{when} {what} {words['by']} {item.actor or 'dtrack'}".strip()

    def change(item: Item) -> str:
        return f"{happened(item)}: {item.note}" if item.note else happened(item)

    def detail(section: str, item: Item) -> str:
        """What to say about a task in a section, e.g. 'quá hạn 12 ngày, hạn 01/12/2025'."""
        parts = []
        implied = IMPLIED.get(section, set())
        # The row's own reminder first (the most urgent), then those merged into it, each said once.
        for reason in (item, *item.reasons):
            if reason.kind is not None and reason.kind not in implied and reason.label is not None:
                label = reason.label[lang]
                if label not in parts:
                    parts.append(label)
        if section == "extension_requests" and item.label is not None:
            parts.append(item.label[lang])  # "đề nghị gia hạn từ 30/06/2026 đến 31/08/2026"
        if section in LATE_SECTIONS and item.days is not None:
            parts.append(phrase(lang, "days_overdue", days=item.days))
        elif section in SOON_SECTIONS and item.days is not None:
            parts.append(phrase(lang, "days_left", days=item.days))
        elif section == "awaiting_review" and item.days is not None:
            parts.append(phrase(lang, "days_waiting", days=item.days))
        elif section in ("blocked", "parts_returned") and item.due_on is not None and item.due_on < digest.day:
            # A blocked task is still late: the overseer weighs the reason against the delay. A part sent
            # back after its deadline too: the commune reads how late its rework is.
            parts.append(phrase(lang, "days_overdue", days=(digest.day - item.due_on).days))
        if section in ("changes", "comments") and item.at is not None:
            parts.append(happened(item))  # its note is the row's note
        elif item.due_on is not None and section != "awaiting_review":
            parts.append(f"{words['deadline']} {dmy(item.due_on)}")
        return ", ".join(parts)

    # A commune officer's rows are parts, each with its own page.
    pages = f"{base}/parts" if digest.commune else f"{base}/tasks"

    def line(section: str, item: Item) -> Line:
        return Line(item.key, item.title[lang], "" if digest.province else item.province[lang], detail(section, item),
                    words[item.note_label or NOTE_LABELS.get(section, "note_plain")], item.note,
                    f"{pages}/{item.task_id}" if base else "",
                    [change(c) for c in item.changes])

    def heading(section: Section) -> str:
        text = words[section.name]
        return text.format(n=section.n) if section.n is not None else text

    regions = list(digest.regions)
    context = {
        "d": digest, "lang": lang, "t": words, "day": dmy(digest.day),
        "shown": [(s, heading(s), [line(s.name, i) for i in s.items],
                   words[MORE.get(s.name, "more")].format(count=s.more)) for s in digest.sections if s.total],
        "region_label": lambda r: REGION_LABELS[lang][Region(r)],
        # The national row is the regions added up, so the table's columns sum to what it says.
        "national": {name: sum(getattr(r, name) for r in regions)
                     for name in ("provinces", "overdue", "awaiting", "due_soon", "blocked", "completed", "total")},
        # The dashboard's figures (notifications.digest_picture): the country first, then each region.
        "picture": [(words["national"] if not p.region else REGION_LABELS[lang][Region(p.region)], p,
                     _rate(p.rate, lang) + (f" ({p.on_time}/{p.due})" if p.due else "")) for p in digest.picture],
        "dashboard_where": f"{base}/dashboard" if base else "",
        "home": base + ("/commune" if digest.commune else "/province" if digest.province else "/review")
        if base else "",
        "letters": [words["letter_waiting"].format(province=letter.province[lang], directive=letter.directive,
                                                   n=letter.tasks, days=letter.most_days) for letter in digest.letters],
        "letters_where": f"{base}/letters" if base else "",
        # A province's communes with overdue parts: "Phường Ba Đình (00004): 3 phần việc quá hạn, lâu nhất 12 ngày".
        "late": digest.late_communes,
        "late_lines": [f"{c.name} ({c.code}): " + words["late_commune"].format(n=c.parts, days=c.most_days)
                       for c in digest.late_communes.communes] if digest.late_communes else [],
        "late_more": words["more_communes"].format(count=digest.late_communes.more) if digest.late_communes else "",
        # Where the person chooses what mail they get: their account page (issue 26), never a mailto.
        "settings_where": f"{base}/account#mail" if base else words["settings_page"],
    }
    text_template, html_template = _templates()
    return Rendered(subject_of(digest), text_template.render(context), html_template.render(context))


def _rate(rate: float | None, lang: str) -> str:
    """66,7 % (vi) or 66.7 % (en); a dash when no task is due yet."""
    if rate is None:
        return "—"
    figure = f"{rate * 100:.1f}"
    return (figure.replace(".", ",") if lang == "vi" else figure) + " %"


@cache
def _templates() -> tuple[Template, Template]:
    # Loaded once per process: a build renders thousands of digests with the same two.
    env = environment()
    return env.get_template("email/digest.txt.j2"), env.get_template("email/digest.html.j2")
