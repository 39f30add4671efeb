"""The directive definition format: a TOML file read with the standard library.

A directive is data, not code. The file has a `[directive]` table, one
`[[groups]]` table per task group and optional `[[indicators]]` (the figures
provinces report). Optional `[directive.report]`, `[directive.report.national]`
and `[directive.report.province]` tables give the reports' wording (who
oversees the directive, number prefixes, signers, recipients); what they
leave out the reports default (see reports/wording.py). An indicator may
carry a `role`: one `plan` and one `actual` make the budget section,
`plan_part`s split the plan in the national report. An optional `[directive.overseer]` table says
who oversees the directive and how its words read (directives/overseer_table.py). `parse_file` checks
everything and raises
`DirectiveInvalid` naming the file, the field and the problem; it never
returns half a directive. See seeds/directive-20-ct-bct.toml for a full
example and seeds/examples/example-directive.toml for a small one.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from dtrack.directives.overseer_table import TABLE as OVERSEER_TABLE
from dtrack.directives.overseer_table import parse_overseer
from dtrack.directives.report_spec import ReportSideSpec, ReportSpec
from dtrack.directives.text_limits import MAX_LIST, line_of, source_lines, text_problem
from dtrack.errors import DirectiveInvalid, Reason, RuleError, because
from dtrack.workflow.deadlines import COVERS, Recurring, Rule, parse_rule, rule_to_text
from dtrack.workflow.overseer import KEY as OVERSIGHT
from dtrack.workflow.submission import REQUIRES as SUBMIT_REQUIRES
from dtrack.workflow.vocabulary import GroupKind, Owner, Region

AGGREGATES = ("sum", "latest")
ROLES = ("plan", "actual", "plan_part")


@dataclass(frozen=True)
class GroupSpec:
    ordinal: int
    title_vi: str
    title_en: str
    summary_vi: str
    summary_en: str
    kind: str
    owner: str
    deadline: Rule
    covers: str = "current"  # recurring groups: the period an occurrence reports on (deadlines.period_label)
    # Where the group applies: regions (workflow.vocabulary.Region) and/or provinces
    # (slugs, names or pre-2025 names, resolved against the provinces table at load).
    # Both empty: every province. A Department-owned group has one task, not one per province.
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()

    @property
    def deadline_text(self) -> str:
        return rule_to_text(self.deadline)


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    aggregate: str
    role: str | None = None  # plan | actual | plan_part (ROLES); None: a plain result
    short_vi: str | None = None  # how a plan part reads in the split sentence ("khuyến công quốc gia")
    short_en: str | None = None


@dataclass(frozen=True)
class DirectiveSpec:
    code: str
    title_vi: str
    title_en: str
    issuer_vi: str
    issuer_en: str
    signed_by: str | None
    issued_on: date | None
    source: str | None
    groups: tuple[GroupSpec, ...]
    indicators: tuple[IndicatorSpec, ...] = field(default=())
    report: ReportSpec = field(default_factory=ReportSpec)

    @property
    def digest(self) -> str:
        """A fingerprint of the content: the same definition always gives the same digest."""
        data = asdict(self)
        data["groups"] = [{**g, "deadline": rule_to_text(spec.deadline)}
                          for g, spec in zip(data["groups"], self.groups, strict=True)]
        for group in data["groups"]:
            # Defaults add nothing: files written before `covers` or scopes keep their digest.
            if group["covers"] == COVERS[0]:
                del group["covers"]
            for name in ("regions", "provinces"):  # an unlimited group leaves the scope out
                if not group[name]:
                    del group[name]
        if self.report.oversight.is_default:  # likewise a file that says nothing of its overseer's words
            del data["report"][OVERSIGHT]
        if self.report.escalate_after_days is None:  # and one that says nothing of urge letters
            del data["report"]["escalate_after_days"]
        if self.report.submit_requires is None:  # or of what a submission carries
            del data["report"]["submit_requires"]
        canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Reader:
    """Reads typed fields out of one TOML table, naming the field on failure."""

    def __init__(self, path: str, prefix: str, table: Any) -> None:
        self.path = path
        self.prefix = prefix
        if not isinstance(table, dict):
            raise DirectiveInvalid(path, prefix, because("must_be_table"))
        self.table = table

    def fail(self, name: str, problem: Reason) -> DirectiveInvalid:
        return DirectiveInvalid(self.path, f"{self.prefix}.{name}" if name else self.prefix, problem)

    def clean(self, name: str, value: str) -> str:
        """A text the database and every reader can take: no control character, not over its length limit."""
        problem = text_problem(name, value)
        if problem:
            line = line_of(name, self.table.get(name))
            raise self.fail(name, because("line", line=line, problem=problem) if line else problem)
        return value.replace("\r\n", "\n").strip()

    def text(self, name: str, required: bool = True) -> str | None:
        value = self.table.get(name)
        if value is None:
            if required:
                raise self.fail(name, because("missing"))
            return None
        if not isinstance(value, str):
            raise self.fail(name, because("must_be_text", kind=type(value).__name__))
        value = self.clean(name, value)
        if required and not value:
            raise self.fail(name, because("empty"))
        return value or None

    def texts(self, name: str) -> tuple[str, ...] | None:
        """A list of non-empty texts, or None when the key is absent."""
        value = self.table.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(name, because("must_be_texts", value=value))
        if len(value) > MAX_LIST:
            raise self.fail(name, because("too_many_entries", count=len(value), limit=MAX_LIST))
        return tuple(self.clean(name, v) for v in value)

    def integer(self, name: str) -> int:
        value = self.table.get(name)
        if value is None:
            raise self.fail(name, because("missing"))
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(name, because("must_be_whole_number", value=value))
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.table.get(name, default)
        if value not in choices:
            raise self.fail(name, because("must_be_one_of", choices=list(choices), value=value))
        return value

    def date(self, name: str) -> date | None:
        value = self.table.get(name)
        if value is None:
            return None
        if not isinstance(value, date):
            raise self.fail(name, because("must_be_toml_date", value=value))
        return value

    def names(self, name: str) -> tuple[str, ...]:
        """An optional list of names (`regions = ["south"]`); () when absent (the report's lists: `texts`)."""
        value = self.table.get(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(name, because("must_be_names", value=value))
        if not value:
            raise self.fail(name, because("empty_list"))
        if len(value) > MAX_LIST:
            raise self.fail(name, because("too_many_entries", count=len(value), limit=MAX_LIST))
        return tuple(self.clean(name, v) for v in value)

    def check_keys(self, known: set[str]) -> None:
        unknown = set(self.table) - known
        if unknown:
            raise self.fail(sorted(unknown)[0], because("unknown_key", known=sorted(known)))


_DIRECTIVE_KEYS = {
    "code", "title_vi", "title_en", "issuer_vi", "issuer_en", "signed_by",
    "issued_on", "source", "overseer_vi", "overseer_en", "report", OVERSEER_TABLE, "submit",
}
_REPORT_KEYS = {"budget_vi", "budget_en", "indicators_vi", "indicators_en", "national", "province",
                "escalate_after_days"}
MAX_ESCALATE_DAYS = 36500
_SIDE_KEYS = {f.name for f in fields(ReportSideSpec)}
_GROUP_KEYS = {"ordinal", "title_vi", "title_en", "summary_vi", "summary_en", "kind", "owner", "deadline", "covers",
               "regions", "provinces"}
_INDICATOR_KEYS = {"code", "name_vi", "name_en", "unit_vi", "unit_en", "aggregate", "role", "short_vi", "short_en"}


def parse_file(path: str | Path) -> DirectiveSpec:
    """Read and validate a directive file."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DirectiveInvalid(name, "", because("cannot_read_file", reason=exc.strerror)) from None
    try:
        source = raw.decode("utf-8")
        data = tomllib.loads(source)
    except UnicodeDecodeError:
        raise DirectiveInvalid(name, "", because("not_utf8")) from None
    except tomllib.TOMLDecodeError as exc:
        raise DirectiveInvalid(name, "", because("not_toml", detail=str(exc))) from None
    with source_lines(source):  # so a refused text names its line
        return parse_data(data, name)


def parse_data(data: dict[str, Any], name: str = "<directive>") -> DirectiveSpec:
    unknown = set(data) - {"directive", "groups", "indicators"}
    if unknown:
        raise DirectiveInvalid(name, sorted(unknown)[0], because("unknown_top_table"))
    if "directive" not in data:
        raise DirectiveInvalid(name, "directive", because("no_directive_table"))
    head = _Reader(name, "directive", data["directive"])
    head.check_keys(_DIRECTIVE_KEYS)
    code = head.text("code")
    assert code is not None
    if ":" in code or len(code) > 40:
        raise head.fail("code", because("bad_directive_code"))

    groups_data = data.get("groups")
    if not isinstance(groups_data, list) or not groups_data:
        raise DirectiveInvalid(name, "groups", because("no_groups"))
    groups = tuple(_parse_group(name, i, g) for i, g in enumerate(groups_data))
    ordinals = [g.ordinal for g in groups]
    duplicates = sorted({o for o in ordinals if ordinals.count(o) > 1})
    if duplicates:
        raise DirectiveInvalid(name, "groups", because("ordinal_twice", ordinal=duplicates[0]))

    indicators_data = data.get("indicators", [])
    if not isinstance(indicators_data, list):
        raise DirectiveInvalid(name, "indicators", because("indicators_not_list"))
    indicators = tuple(_parse_indicator(name, i, d) for i, d in enumerate(indicators_data))
    codes = [i.code for i in indicators]
    if len(set(codes)) != len(codes):
        raise DirectiveInvalid(name, "indicators", because("indicator_twice"))
    _check_roles(name, indicators)

    return DirectiveSpec(
        code=code,
        title_vi=head.text("title_vi") or "",
        title_en=head.text("title_en") or "",
        issuer_vi=head.text("issuer_vi") or "",
        issuer_en=head.text("issuer_en") or "",
        signed_by=head.text("signed_by", required=False),
        issued_on=head.date("issued_on"),
        source=head.text("source", required=False),
        groups=tuple(sorted(groups, key=lambda g: g.ordinal)),
        indicators=indicators,
        report=_parse_report(head),
    )


def _parse_report(head: _Reader) -> ReportSpec:
    """The overseer ([directive.overseer], or flat keys of [directive]) and the optional [directive.report] tables."""
    name_vi, name_en, oversight = parse_overseer(head)
    overseer: dict[str, Any] = {"overseer_vi": name_vi, "overseer_en": name_en, "oversight": oversight,
                                "submit_requires": _parse_submit(head)}
    if "report" not in head.table:
        return ReportSpec(**overseer, national=ReportSideSpec(), province=ReportSideSpec())
    report = _Reader(head.path, "directive.report", head.table["report"])
    report.check_keys(_REPORT_KEYS)
    sides = {}
    for side in ("national", "province"):
        if side not in report.table:
            sides[side] = ReportSideSpec()
            continue
        reader = _Reader(head.path, f"directive.report.{side}", report.table[side])
        reader.check_keys(_SIDE_KEYS)
        texts = {f.name: reader.text(f.name, required=False)
                 for f in fields(ReportSideSpec) if not f.name.startswith("recipients")}
        sides[side] = ReportSideSpec(**texts, recipients_vi=reader.texts("recipients_vi"),
                                     recipients_en=reader.texts("recipients_en"))
    words: dict[str, Any] = {k: report.text(k, required=False)
                             for k in ("budget_vi", "budget_en", "indicators_vi", "indicators_en")}
    escalate = None
    if "escalate_after_days" in report.table:
        escalate = report.integer("escalate_after_days")
        if not 0 <= escalate <= MAX_ESCALATE_DAYS:
            raise report.fail("escalate_after_days", because("days_range", value=escalate, max=MAX_ESCALATE_DAYS))
    return ReportSpec(**overseer, **words, national=sides["national"], province=sides["province"],
                      escalate_after_days=escalate)


def _parse_submit(head: _Reader) -> str | None:
    """[directive.submit] requires = "note" | "evidence" | "note_or_evidence" (workflow.submission); None: unsaid."""
    if "submit" not in head.table:
        return None
    table = _Reader(head.path, "directive.submit", head.table["submit"])
    table.check_keys({"requires"})
    value = table.table.get("requires")
    if value not in SUBMIT_REQUIRES:
        raise table.fail("requires", because("submit_requires", value=value, known=list(SUBMIT_REQUIRES)))
    return str(value)


def _check_roles(name: str, indicators: tuple[IndicatorSpec, ...]) -> None:
    """One plan and one actual, or neither; plan parts only beside a plan."""
    for index, spec in enumerate(indicators):
        if spec.role in ("plan", "actual") and sum(1 for i in indicators if i.role == spec.role) > 1:
            raise DirectiveInvalid(name, f"indicators[{index + 1}].role", because("role_twice", role=spec.role))
    roles = {i.role for i in indicators}
    for index, spec in enumerate(indicators):
        needed = {"plan": "actual", "actual": "plan", "plan_part": "plan"}.get(spec.role or "")
        if needed and needed not in roles:
            raise DirectiveInvalid(name, f"indicators[{index + 1}].role",
                                   because("role_needs", role=spec.role, needed=needed))


def _parse_group(name: str, index: int, table: Any) -> GroupSpec:
    reader = _Reader(name, f"groups[{index + 1}]", table)
    reader.check_keys(_GROUP_KEYS)
    ordinal = reader.integer("ordinal")
    if not 1 <= ordinal <= 99:
        raise reader.fail("ordinal", because("ordinal_range", value=ordinal))
    reader.prefix = f"groups[ordinal={ordinal}]"
    kind = reader.choice("kind", tuple(k.value for k in GroupKind))
    if "deadline" not in table:
        raise reader.fail("deadline", because("missing"))
    try:
        deadline = parse_rule(table["deadline"])
    except RuleError as exc:
        raise reader.fail("deadline", because(exc.error_code, **exc.params)) from None
    if (kind == GroupKind.RECURRING) != isinstance(deadline, Recurring):
        raise reader.fail("deadline", because("recurring_needs_rrule"))
    # Default "current": what dtrack did before the key existed, so files written then keep their periods.
    covers = reader.choice("covers", COVERS, default=COVERS[0])
    if "covers" in table and kind != GroupKind.RECURRING:
        raise reader.fail("covers", because("covers_needs_recurring"))
    regions = reader.names("regions")
    known_regions = tuple(r.value for r in Region)
    for region in regions:
        if region not in known_regions:
            raise reader.fail("regions", because("not_a_region", value=region))
    owner = reader.choice("owner", tuple(o.value for o in Owner), default=Owner.PROVINCE.value)
    provinces = reader.names("provinces")
    if owner == Owner.DEPARTMENT and (regions or provinces):
        raise reader.fail("regions" if regions else "provinces", because("department_group_scoped"))
    return GroupSpec(
        ordinal=ordinal,
        title_vi=reader.text("title_vi") or "",
        title_en=reader.text("title_en") or "",
        summary_vi=reader.text("summary_vi", required=False) or "",
        summary_en=reader.text("summary_en", required=False) or "",
        kind=kind,
        owner=owner,
        deadline=deadline,
        covers=covers,
        regions=tuple(sorted(set(regions), key=known_regions.index)),
        provinces=provinces,
    )


def _parse_indicator(name: str, index: int, table: Any) -> IndicatorSpec:
    reader = _Reader(name, f"indicators[{index + 1}]", table)
    reader.check_keys(_INDICATOR_KEYS)
    code = reader.text("code") or ""
    if not code.replace("_", "").isalnum() or not code.isascii():
        raise reader.fail("code", because("bad_indicator_code", value=code))
    return IndicatorSpec(
        code=code,
        name_vi=reader.text("name_vi") or "",
        name_en=reader.text("name_en") or "",
        unit_vi=reader.text("unit_vi") or "",
        unit_en=reader.text("unit_en") or "",
        aggregate=reader.choice("aggregate", AGGREGATES),
        role=reader.choice("role", ROLES) if "role" in table else None,
        short_vi=reader.text("short_vi", required=False),
        short_en=reader.text("short_en", required=False),
    )
