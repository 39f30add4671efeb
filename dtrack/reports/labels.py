"""The words of the reports, in Vietnamese and English.

States, regions and deadline statuses come from workflow.vocabulary; this
holds only what the reports add (titles, column heads, the document header).
"""
from __future__ import annotations

from functools import cache

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "country": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "number": "Số",
        "provincial_committee": "ỦY BAN NHÂN DÂN",
        "province_word": "TỈNH",
        "city_word": "THÀNH PHỐ",
        "report": "BÁO CÁO",
        "national_title": "Tổng hợp tình hình thực hiện Chỉ thị {code}",
        "province_title": "Tình hình thực hiện Chỉ thị {code} trên địa bàn {name}",
        "as_of": "Số liệu tính đến ngày {date}",
        "to": "Kính gửi",
        "signature": "THỦ TRƯỞNG ĐƠN VỊ",
        "signature_hint": "(Ký, ghi rõ họ tên, đóng dấu)",
        "recipients": "Nơi nhận",
        "archive": "Lưu: VT",
        "chart": "Tình trạng nhiệm vụ theo vùng",
        "matrix": "Ma trận tỉnh, thành phố x nhóm nhiệm vụ",
        "matrix_note": "Ô của nhóm nhiệm vụ định kỳ thể hiện kỳ gần nhất, kèm số kỳ đang quá hạn; "
                       "các bảng số liệu tính mọi kỳ.",
        "cell_overdue": "{n}/{total} kỳ quá hạn",
        "legend": "Chú giải",
        "province": "Tỉnh, thành phố",
        "region": "Vùng",
        "total": "Cả nước",
        "tasks": "Số nhiệm vụ",
        "states": "Số nhiệm vụ theo tình trạng",
        "timeliness": "Tiến độ so với thời hạn",
        "on_time_rate": "Tỷ lệ hoàn thành đúng hạn",
        "completion_rate": "Tỷ lệ hoàn thành",
        "overdue": "Nhiệm vụ quá hạn lâu nhất",
        "blocked": "Nhiệm vụ vướng mắc và lý do",
        "waiting": "Báo cáo chờ Cục xem xét",
        "changes": "Thay đổi từ ngày {date}",
        "changes_none": "Không có thay đổi.",
        "task": "Nhiệm vụ",
        "group": "Nhóm",
        "state": "Tình trạng",
        "progress": "Tiến độ (%)",
        "deadline": "Thời hạn",
        "original_deadline": "Thời hạn ban đầu",
        "days_overdue": "Số ngày quá hạn",
        "days_waiting": "Số ngày chờ",
        "submitted_on": "Ngày nộp",
        "reason": "Lý do",
        "since": "Từ ngày",
        "date": "Ngày",
        "action": "Hành động",
        "from_state": "Từ",
        "to_state": "Sang",
        "note": "Ghi chú",
        "evidence": "Minh chứng",
        "totals_note": "Số liệu vùng, cả nước: số liệu báo cáo cho vùng, cả nước; "
                       "nếu chưa có thì cộng số liệu của các tỉnh, các vùng đã báo cáo, "
                       "ghi rõ cộng những vùng nào (chưa phải số liệu cả nước).",
        "kind_completed": "Hoàn thành",
        "kind_new_overdue": "Mới quá hạn",
        "indicators": "{name} năm {year}",
        "budget": "{name} năm {year}: kế hoạch và giải ngân",
        "budget_provinces": "{name} năm {year} theo tỉnh, thành phố",
        "plan": "Kế hoạch",
        "disbursed": "Đã giải ngân",
        "disbursement_rate": "Tỷ lệ giải ngân",
        "indicator": "Chỉ tiêu",
        "unit": "Đơn vị tính",
        "value": "Giá trị",
        "basis": "Cơ sở số liệu",
        "basis_reported": "số liệu báo cáo",
        "basis_parts": "cộng {n} đơn vị",
        "basis_national": "số liệu báo cáo cả nước",
        "basis_sources": "số liệu báo cáo, cộng {names}",
        "basis_regions": "cộng {names} ({n}/{of} vùng)",
        "basis_provinces": "cộng {n}/{of} tỉnh, thành phố",
        "basis_incomplete": "; có vùng chưa đủ tỉnh, thành phố",
        "short_north": "Bắc",
        "short_central": "Trung",
        "short_south": "Nam",
        "source": "Nguồn",
        "national_split": "{name} cả nước năm {year}: {total} = {parts}",
        "groups": "Kết quả thực hiện các nhóm nhiệm vụ",
        "latest_notes": "Kết quả, ghi chú gần nhất",
        "obstacles": "Khó khăn, vướng mắc",
        "proposals": "Kiến nghị, đề xuất",
        "none": "Không có.",
        "department_tasks": "Nhiệm vụ do Cục trực tiếp thực hiện",
        "not_applicable_tasks": "Nhiệm vụ không áp dụng (không tính vào số liệu)",
        "period": "Kỳ",
        "still_blocked": "đang vướng mắc",
        "resolved": "đã tháo gỡ",
        "no_figures": "Chưa có số liệu.",
        "generated": "Lập bằng dtrack từ dữ liệu theo dõi",
    },
    "en": {
        "country": "SOCIALIST REPUBLIC OF VIET NAM",
        "motto": "Independence - Freedom - Happiness",
        "number": "No.",
        "provincial_committee": "PEOPLE'S COMMITTEE OF",
        "province_word": "",
        "city_word": "",
        "report": "REPORT",
        "national_title": "Synthesis of the implementation of Directive {code}",
        "province_title": "Implementation of Directive {code} in {name}",
        "as_of": "Figures as of {date}",
        "to": "To",
        "signature": "HEAD OF THE UNIT",
        "signature_hint": "(signature, full name, seal)",
        "recipients": "Recipients",
        "archive": "Archive: records",
        "chart": "Task states per region",
        "matrix": "Provinces x task groups",
        "matrix_note": "A recurring group's cell shows its latest period, with how many of its periods are overdue; "
                       "the count tables cover every period.",
        "cell_overdue": "{n}/{total} periods overdue",
        "legend": "Legend",
        "province": "Province",
        "region": "Region",
        "total": "Whole country",
        "tasks": "Tasks",
        "states": "Tasks per state",
        "timeliness": "Timeliness against deadlines",
        "on_time_rate": "On-time completion rate",
        "completion_rate": "Completion rate",
        "overdue": "Longest-overdue tasks",
        "blocked": "Blocked tasks and their reasons",
        "waiting": "Submissions awaiting the Department's review",
        "changes": "Changes since {date}",
        "changes_none": "No changes.",
        "task": "Task",
        "group": "Group",
        "state": "State",
        "progress": "Progress (%)",
        "deadline": "Deadline",
        "original_deadline": "Original deadline",
        "days_overdue": "Days overdue",
        "days_waiting": "Days waiting",
        "submitted_on": "Submitted on",
        "reason": "Reason",
        "since": "Since",
        "date": "Date",
        "action": "Action",
        "from_state": "From",
        "to_state": "To",
        "note": "Note",
        "evidence": "Evidence",
        "totals_note": "Region and country figures: the figure reported for the region or the country; "
                       "without one, what the provinces or regions that reported add up to, "
                       "saying which (not a national figure).",
        "kind_completed": "Completed",
        "kind_new_overdue": "Newly overdue",
        "indicators": "{name} {year}",
        "budget": "{name} {year}: plan and disbursement",
        "budget_provinces": "{name} {year} per province",
        "plan": "Plan",
        "disbursed": "Disbursed",
        "disbursement_rate": "Disbursement rate",
        "indicator": "Indicator",
        "unit": "Unit",
        "value": "Value",
        "basis": "Basis",
        "basis_reported": "reported figure",
        "basis_parts": "sum of {n} units",
        "basis_national": "reported national figure",
        "basis_sources": "reported figures, sum of {names}",
        "basis_regions": "sum of {names} ({n} of {of} regions)",
        "basis_provinces": "sum of {n} of {of} provinces",
        "basis_incomplete": "; some regions lack provinces",
        "short_north": "North",
        "short_central": "Central",
        "short_south": "South",
        "source": "Source",
        "national_split": "National {name} {year}: {total} = {parts}",
        "groups": "Results per task group",
        "latest_notes": "Latest results and notes",
        "obstacles": "Difficulties and obstacles",
        "proposals": "Proposals",
        "none": "None.",
        "department_tasks": "Tasks the Department carries out itself",
        "not_applicable_tasks": "Tasks marked not applicable (not counted)",
        "period": "Period",
        "still_blocked": "still blocked",
        "resolved": "resolved",
        "no_figures": "No figures yet.",
        "generated": "Produced by dtrack from the tracking data",
    },
}

# How the days of a timeliness status read: "còn 12 ngày", "12 days overdue".
DAYS_TEXT: dict[str, dict[str, str]] = {
    "vi": {"on_track": "còn {n} ngày", "due_soon": "còn {n} ngày", "overdue": "quá {n} ngày",
           "awaiting_review": "chờ {n} ngày", "completed_late": "trễ {n} ngày"},
    "en": {"on_track": "{n} days left", "due_soon": "{n} days left", "overdue": "{n} days overdue",
           "awaiting_review": "waiting {n} days", "completed_late": "{n} days late"},
}


def trigger_label(trigger: str, lang: str) -> str:
    """An audited action as a report's table names it ("Trả lại để hoàn thiện"); the vocabulary's words."""
    from dtrack.workflow.vocabulary import TRIGGER_LABELS

    label = TRIGGER_LABELS[lang].get(trigger, trigger.replace("_", "-"))  # StrEnum keys match plain strings
    return label[:1].upper() + label[1:]


def timeliness_text(status: str, days: int | None, lang: str) -> str:
    """'Quá hạn (quá 12 ngày)': the status and, where it has them, its days."""
    label = timeliness_label(status, lang)
    template = DAYS_TEXT[lang].get(status)
    return f"{label} ({template.format(n=days)})" if template and days else label


@cache  # a national report asks some 100,000 times for a dozen labels
def state_label(state: str, lang: str) -> str:
    from dtrack.workflow.vocabulary import STATE_LABELS, State

    return STATE_LABELS[lang][State(state)]


@cache
def timeliness_label(status: str, lang: str) -> str:
    from dtrack.workflow.vocabulary import DEADLINE_LABELS, DeadlineStatus

    return DEADLINE_LABELS[lang][DeadlineStatus(status)]


@cache
def region_label(region: str, lang: str) -> str:
    from dtrack.workflow.vocabulary import REGION_LABELS, Region

    return REGION_LABELS[lang][Region(region)]
