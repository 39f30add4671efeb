"""What a directive file says about its reports' wording: `[directive.report]` and its two sides.

Kept as JSON in `directives.report_wording` (`to_json`, `from_json`), beside
the rest of `[directive.overseer]` (`oversight`, workflow/overseer.py): no
column of their own. Parsed by directives/format.py; defaults filled in by
reports/wording.py.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from dtrack.workflow.overseer import KEY as OVERSIGHT
from dtrack.workflow.overseer import OverseerSpec


@dataclass(frozen=True)
class ReportSideSpec:
    """How one kind of report (national or province) is headed and signed; None: the default."""

    number_prefix: str | None = None  # "/BC-KC": after "Số:" and the blank the clerk fills in
    body_vi: str | None = None  # the issuing body (province reports: "Sở Công Thương")
    body_en: str | None = None
    place_vi: str | None = None  # where it is issued (national reports: "Hà Nội")
    place_en: str | None = None
    addressee_vi: str | None = None  # "Kính gửi: ..."
    addressee_en: str | None = None
    signer_vi: str | None = None  # "CỤC TRƯỞNG", "GIÁM ĐỐC"
    signer_en: str | None = None
    recipients_vi: tuple[str, ...] | None = None  # "Nơi nhận"; province ones may say {province}
    recipients_en: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ReportSpec:
    """What the directive's reports say about it: the overseer and the wording of each report."""

    overseer_vi: str | None = None  # the body that oversees the directive; default: the issuer
    overseer_en: str | None = None
    budget_vi: str | None = None  # what the plan/actual pair is called ("Kinh phí khuyến công")
    budget_en: str | None = None
    indicators_vi: str | None = None  # what the results are called ("Chỉ tiêu khuyến công")
    indicators_en: str | None = None
    national: ReportSideSpec = field(default_factory=ReportSideSpec)
    province: ReportSideSpec = field(default_factory=ReportSideSpec)
    # An urge letter (documents/urge.py) goes to the provincial People's Committee, not the Department,
    # once a task is this many days overdue; None: the default (documents.urge.ESCALATE_AFTER_DAYS).
    escalate_after_days: int | None = None
    # The rest of [directive.overseer] (short word, parent body, key suffix, four eyes): kept in the same column.
    oversight: OverseerSpec = field(default_factory=OverseerSpec)
    # [directive.submit] requires: what a submission carries (workflow.submission); None: the default.
    submit_requires: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> ReportSpec:
        """What the database keeps; None (a directive loaded before reports had wording): all defaults."""
        if not text:
            return cls()
        data = json.loads(text)
        sides = {}
        for side in ("national", "province"):
            raw = dict(data.get(side) or {})
            for key in ("recipients_vi", "recipients_en"):
                if raw.get(key) is not None:
                    raw[key] = tuple(raw[key])
            sides[side] = ReportSideSpec(**raw)
        return cls(**{k: v for k, v in data.items() if k not in sides and k != OVERSIGHT},
                   national=sides["national"], province=sides["province"],
                   oversight=OverseerSpec.from_data(data.get(OVERSIGHT)))
