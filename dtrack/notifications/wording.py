"""The words of the emails, in Vietnamese (the default) and English.

Templates look every label up here (as `t.<name>`), so the plain-text and
HTML parts say the same thing, and a language is one dictionary.
"""
from __future__ import annotations

from datetime import date

from dtrack.templates.environment import dmy

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "greeting": "Kính gửi {name},",
        "intro_province": "Tình hình các nhiệm vụ của {province} đến ngày {day}:",
        "intro_overseer": "Tình hình thực hiện của các địa phương đến ngày {day}:",
        "intro_weekly": "Tổng hợp tuần đến ngày {day}:",
        # section headings: what the items are ({n}: a number of days the digest computes)
        "overdue": "Nhiệm vụ quá hạn",
        "due_today": "Nhiệm vụ đến hạn hôm nay",
        "due_soon": "Nhiệm vụ đến hạn trong {n} ngày tới",
        "returned": "Nhiệm vụ bị trả lại để hoàn thiện",
        "reminders": "Nhắc việc khác",
        "changes": "Thay đổi từ bản tin trước",
        "newly_overdue": "Nhiệm vụ mới quá hạn",
        "long_overdue": "Nhiệm vụ quá hạn từ {n} ngày trở lên",
        "awaiting_review": "Kết quả chờ Cục duyệt (lâu nhất trước)",
        "blocked": "Nhiệm vụ vướng mắc",
        "escalations": "Đôn đốc khác",
        "extension_requests": "Đề nghị gia hạn chờ Cục quyết định (lâu nhất trước)",
        "comments": "Ý kiến mới của các tỉnh trên trang nhiệm vụ",
        "extension_asked": "đề nghị gia hạn từ {from_} đến {to}",
        "regions": "Theo vùng",
        "week": "Trong 7 ngày qua",
        "days_overdue": "quá hạn {days} ngày",
        "days_left": "còn {days} ngày",
        "days_waiting": "đã chờ {days} ngày",
        "deadline": "hạn",
        "note": "Ghi chú của Cục",
        "note_plain": "Ghi chú",
        "reason": "Lý do",
        "by": "bởi",
        "more": "và {count} nhiệm vụ khác",
        "more_where": "xem đầy đủ: {where}",
        "open_site": "Xem và xử lý trên hệ thống: {where}",
        "change": "Thay đổi",
        "national": "Cả nước",
        "col_due_soon": "Sắp đến hạn",
        "region": "Vùng",
        "provinces": "Tỉnh, thành",
        "col_overdue": "Quá hạn",
        "col_awaiting": "Chờ duyệt",
        "col_blocked": "Vướng mắc",
        "col_completed": "Hoàn thành",
        "col_total": "Tổng số",
        "nothing": "Không có việc cần xử lý.",
        "footer": "Thư tự động từ dtrack, hệ thống theo dõi thực hiện Chỉ thị. Mỗi ngày gửi tối đa một bản tin.",
        "settings": "Đổi cài đặt nhận thư: {where}",
        "open": "Mở",
        # subject parts
        "subject_daily": "Tổng hợp ngày",
        "subject_weekly": "Tổng hợp tuần",
        "n_overdue": "{n} nhiệm vụ quá hạn",
        "n_due_today": "{n} đến hạn hôm nay",
        "n_due_soon": "{n} sắp đến hạn",
        "n_long_overdue": "{n} quá hạn lâu",
        "n_returned": "{n} bị trả lại",
        "n_changes": "{n} thay đổi",
        "n_reminders": "{n} nhắc việc",
        "n_newly_overdue": "{n} mới quá hạn",
        "n_awaiting_review": "{n} chờ duyệt",
        "n_blocked": "{n} vướng mắc",
        "n_escalations": "{n} cần đôn đốc",
        "n_nothing": "không có việc mới",
        "submitted": "nộp",
        "accepted": "chấp nhận",
        "sent_back": "trả lại",
    },
    "en": {
        "greeting": "Dear {name},",
        "intro_province": "Where {province}'s tasks stand on {day}:",
        "intro_overseer": "Where the provinces stand on {day}:",
        "intro_weekly": "Weekly summary up to {day}:",
        "overdue": "Overdue tasks",
        "due_today": "Tasks due today",
        "due_soon": "Tasks due within {n} days",
        "returned": "Tasks returned for rework",
        "reminders": "Other reminders",
        "changes": "Changes since the last digest",
        "newly_overdue": "Newly overdue tasks",
        "long_overdue": "Tasks overdue by {n} days or more",
        "awaiting_review": "Submissions awaiting review (oldest first)",
        "blocked": "Blocked tasks",
        "escalations": "Other escalations",
        "extension_requests": "Extension requests awaiting a decision (oldest first)",
        "comments": "New comments from the provinces on task pages",
        "extension_asked": "asks to extend from {from_} to {to}",
        "regions": "By region",
        "week": "In the last 7 days",
        "days_overdue": "{days} days overdue",
        "days_left": "{days} days left",
        "days_waiting": "waiting {days} days",
        "deadline": "due",
        "note": "Department's note",
        "note_plain": "Note",
        "reason": "Reason",
        "by": "by",
        "more": "and {count} more",
        "more_where": "see them all: {where}",
        "open_site": "See and act on them in the web application: {where}",
        "change": "Change",
        "national": "Whole country",
        "col_due_soon": "Due soon",
        "region": "Region",
        "provinces": "Provinces",
        "col_overdue": "Overdue",
        "col_awaiting": "Awaiting review",
        "col_blocked": "Blocked",
        "col_completed": "Completed",
        "col_total": "Total",
        "nothing": "Nothing to act on.",
        "footer": "Automatic message from dtrack, the directive tracking system. At most one digest a day.",
        "settings": "Change your mail settings: {where}",
        "open": "Open",
        "subject_daily": "Daily digest",
        "subject_weekly": "Weekly summary",
        "n_overdue": "{n} tasks overdue",
        "n_due_today": "{n} due today",
        "n_due_soon": "{n} due soon",
        "n_long_overdue": "{n} long overdue",
        "n_returned": "{n} returned",
        "n_changes": "{n} changes",
        "n_reminders": "{n} reminders",
        "n_newly_overdue": "{n} newly overdue",
        "n_awaiting_review": "{n} awaiting review",
        "n_blocked": "{n} blocked",
        "n_escalations": "{n} escalated",
        "n_nothing": "nothing new",
        "submitted": "submitted",
        "accepted": "accepted",
        "sent_back": "sent back",
    },
}

# English singulars where the number is one (Vietnamese has no plural form).
SINGULAR_EN = {
    "n_overdue": "{n} task overdue", "n_changes": "{n} change", "n_reminders": "{n} reminder",
    "days_overdue": "{days} day overdue", "days_left": "{days} day left", "days_waiting": "waiting {days} day",
}


def phrase(lang: str, name: str, **number: int) -> str:
    """WORDS[lang][name] with its one number filled in, in the singular where English needs it."""
    [value] = number.values()
    if lang == "en" and value == 1 and name in SINGULAR_EN:
        return SINGULAR_EN[name].format(**number)
    return WORDS[lang][name].format(**number)


def subject(lang: str, who: str, counts: list[tuple[str, int]], day: date) -> str:
    """`[dtrack] Hà Nội: 2 nhiệm vụ quá hạn, 1 sắp đến hạn (22/11/2026)`; zero counts are left out."""
    parts = [phrase(lang, name, n=n) for name, n in counts if n]
    return f"[dtrack] {who}: {', '.join(parts) or WORDS[lang]['n_nothing']} ({dmy(day)})"
