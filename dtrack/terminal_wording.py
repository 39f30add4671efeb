"""Every word the command line prints, one table per language (Vietnamese first, with its diacritics).

State, deadline-status, region and action names come from
`workflow/vocabulary.py`; error messages from `i18n/error_messages.py`.
Templates are `str.format` strings. `--json` output is never translated: it
keeps its English keys and raw values for scripts.
"""
from __future__ import annotations

import os
from typing import overload

from dtrack.workflow.vocabulary import LANGUAGES

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        # prefixes of stderr lines
        "error": "lỗi", "note": "lưu ý",
        "database_lost": ("mất kết nối tới cơ sở dữ liệu giữa chừng ({reason}); phần việc dở dang không được lưu, "
                          "phần đã xong vẫn giữ: chạy lại lệnh khi cơ sở dữ liệu hoạt động trở lại"),
        # table headers
        "h_task": "nhiệm vụ", "h_province": "tỉnh, thành phố", "h_title": "tên nhiệm vụ", "h_state": "trạng thái",
        "h_progress": "tiến độ", "h_deadline": "hạn", "h_deadline_status": "tình trạng hạn",
        "h_original": "hạn ban đầu", "h_days": "số ngày", "h_waited": "đã chờ", "h_region": "vùng",
        "h_provinces": "số tỉnh", "h_done": "hoàn thành %", "h_overdue": "quá hạn", "h_due_soon": "sắp đến hạn",
        "h_when": "thời gian (giờ Việt Nam)", "h_who": "người thực hiện",
        "h_action": "thao tác", "h_note": "ghi chú / minh chứng", "h_slug": "mã", "h_name": "tên", "h_kind": "loại",
        "h_merged": "sáp nhập từ (trước 1/7/2025)", "h_email": "email", "h_role": "vai trò", "h_locale": "ngôn ngữ",
        "h_setting": "mục", "h_value": "giá trị", "h_env": "biến môi trường", "h_meaning": "ý nghĩa",
        "h_from": "từ", "h_to": "đến", "h_note_required": "cần ghi chú", "h_code": "số hiệu",
        "h_issued": "ngày ban hành",
        "h_groups": "số nhóm", "h_reminder_kind": "loại nhắc", "h_audience": "gửi cho", "h_remind_on": "ngày nhắc",
        "h_status": "tình trạng", "h_id": "mã", "h_recipient": "người nhận", "h_day": "ngày", "h_tries": "số lần thử",
        "h_next": "đã gửi / thử lại lúc", "h_reply": "trả lời / lỗi gần nhất", "h_unit": "đơn vị",
        "h_aggregate": "cách cộng",
        "h_on_time": "đúng hạn", "h_late": "quá hạn", "h_open_in_time": "đang làm, trong hạn",
        "h_open_overdue": "đang làm, quá hạn", "h_awaiting": "chờ Cục xem xét", "h_on_time_rate": "tỷ lệ đúng hạn %",
        "all": "cả nước", "yes": "có", "same": "(giữ nguyên)", "system": "hệ thống", "none": "không có",
        "day_unit": "ngày", "days_unit": "ngày", "d": "ngày",
        # task lists and details
        "no_tasks": "(không có nhiệm vụ nào khớp)", "n_tasks": "{n} nhiệm vụ",
        "d_province": "tỉnh:        ", "d_state": "trạng thái:  ", "d_progress": "tiến độ",
        "d_assigned": "giao ngày:   ",
        "d_deadline": "hạn", "d_originally": "ban đầu", "d_timeliness": "so với hạn: ", "d_history": "lịch sử:",
        "d_none_yet": "  (chưa có)", "d_allowed": "thao tác được phép:", "evidence": "minh chứng",
        "deadline_moved": "hạn", "id": "id",
        # status matrix
        "matrix_title": "{directive}: tỉnh x nhóm nhiệm vụ", "legend": "chú giải", "not_assigned": "chưa giao",
        "deadline_as_of": "hạn tính đến {day}",
        "periods_note": "(nhóm định kỳ hiện kỳ gần nhất; N!x: N kỳ của nhóm quá hạn)",
        # overdue review
        "overdue_as_of": "quá hạn tính đến {day}: {n} nhiệm vụ",
        "most_overdue_shown": ", hiện {n} nhiệm vụ quá hạn lâu nhất (--limit 0 để hiện tất cả)",
        "awaiting_title": "chờ Cục xem xét (đã nộp, chưa duyệt): {n} nhiệm vụ",
        "longest_waiting_shown": ", hiện {n} nhiệm vụ chờ lâu nhất",
        "overdue_per_province": "quá hạn theo tỉnh:", "overdue_per_region": "quá hạn theo vùng:",
        "timeliness_as_of": "tiến độ so với hạn tính đến {day}",
        # confirmations
        "init_database": "cơ sở dữ liệu: {url} (lược đồ đã cập nhật)", "init_provinces": "tỉnh, thành phố: {n}",
        "init_directive": "chỉ thị {code}: {status}",
        "init_tasks": "nhiệm vụ: tạo mới {created}, đã có {existing} ({provinces} tỉnh, thành phố)",
        "user_added": "đã thêm {email} ({role}{where})", "for_province": " của {slug}",
        "action_done": "{key}: {action} ({moved}, tiến độ {progress}%)", "still": "vẫn «{state}»",
        "directive_loaded": "chỉ thị {code}: {status}, {groups} nhóm nhiệm vụ{extra}",
        "groups_changed": " (nhóm thêm mới: {added}, cập nhật: {updated})",
        "next": "tiếp theo: {command}",
        "assigned": "{code}: tạo mới {created} nhiệm vụ, đã có {existing} ({provinces} tỉnh, thành phố)",
        "extended": "{key}: hạn {before} -> {after}", "originally": " (ban đầu {day})",
        "n_extended": "đã gia hạn {n} nhiệm vụ",
        "recomputed": "{key}: hạn {before} -> {after}",
        "recompute_skipped": "{key}: vừa bị thay đổi, giữ nguyên (hãy chạy lại lệnh)",
        "recompute_total": "{verb} {moved}/{examined} hạn của nhiệm vụ đang mở",
        "would_move": "sẽ dời", "moved": "đã dời", "n_skipped": ", bỏ qua {n}",
        "dry_run": " (chạy thử: chưa thay đổi gì)",
        "n_reminders": "{n} lời nhắc",
        "digest_nothing": "không có việc cần làm: không gửi bản tin trừ khi DTRACK_DIGEST_SEND_EMPTY=yes",
        "subject": "Tiêu đề",
        "digests_built": "bản tin ngày {day}: xếp hàng {queued}, đã có {already}, không có việc {nothing}; "
                         "đã dùng {consumed} lời nhắc",
        "sending_via": "đang gửi qua {transport}",
        "recovered": "{n} thư bị bỏ dở ở trạng thái 'sending' đã được đưa lại hàng chờ",
        "sent_report": "qua {transport}: đã gửi {sent}, thử lại sau {retrying}, thất bại {failed} "
                       "(xem `dtrack outbox list --state failed`)",
        "outbox_total": "tổng: {counts}", "no_messages": "không có thư",
        "h_failed_at": "thử lần cuối lúc", "h_reason": "lý do", "no_failed": "không có thư nào gửi thất bại",
        "n_failed": "{n} thư gửi thất bại; gửi lại: dtrack outbox retry ID... (hoặc --all-failed)",
        "retried": "{n} thư chờ gửi lại; tiếp theo: dtrack outbox send",
        "wrote": "đã ghi {path} ({size} byte)",
        "queued": "đã xếp hàng thành thư {id}", "already_queued": "đã xếp hàng cho ngày đó (thư {id}); không thêm gì",
        "figure": "{code} {period} của {who}: {value} (tính đến {day})", "national": "cả nước",
        "imported": "{path}: đã nhập {n} số liệu, {unchanged} không đổi",
        "imported_replaced": ", {n} thay thế",
        "request_made": "đề nghị số {id}: {key} xin gia hạn từ {before} đến {after}; đang chờ Cục quyết định",
        "request_granted": "đề nghị số {id} được đồng ý: hạn của {key} chuyển từ {before} sang {after}",
        "request_refused": "đề nghị số {id} không được đồng ý: {key} giữ hạn {before}",
        "no_deadline": "không có hạn",
        "department_unit": "Cục", "department_row": "Nhiệm vụ của Cục",
        "marked_not_applicable": "{key}: đã đánh dấu không áp dụng ({reason})",
        "applicable_again": "{key}: áp dụng trở lại",
        "folded": "{n} nhiệm vụ theo tỉnh của các nhóm do Cục thực hiện được đánh dấu không áp dụng; "
                  "mỗi nhóm nay là một nhiệm vụ của Cục",
        "department_overdue": "nhiệm vụ Cục trực tiếp thực hiện đã quá hạn (không tính vào tỉnh nào):",
        "department_headers": "số ngày|nhiệm vụ|tên|trạng thái|hạn",
        "purged": "đã xoá {sessions} phiên đăng nhập đã kết thúc và {links} liên kết đã dùng hoặc hết hạn "
                  "(kết thúc trước {before} UTC)",
        "attached": "{key}: đã đính kèm {name} ({size} byte, {mimetype}), tệp số {id}",
        "files_headers": "số|tên tệp|byte|loại|người gửi|lúc|",
        "file_withdrawn": "đã rút", "no_files": "chưa có tệp minh chứng nào",
        "file_written": "đã ghi {name} ({size} byte) vào {path}",
        "commented": "{key}: đã thêm ý kiến số {id}",
        "invited": "đã mời {email}; liên kết dùng một lần (gửi cho người đó):",
        "invite_mailed": "liên kết cũng đã được xếp hàng gửi thư: `dtrack outbox send` sẽ gửi",
        "password_set": "đã đặt mật khẩu cho {email}; các phiên đăng nhập và mã API (token) của người đó đã kết thúc",
        "disabled": "đã khoá {email}",
        "json_and_csv": "--json và --csv: chỉ chọn một định dạng",
        # click's own usage errors (the English ones are click's)
        "usage_missing": "thiếu {name} (bắt buộc)", "usage_no_option": "không có tuỳ chọn {name}",
        "usage_did_you_mean": " (có phải ý bạn là {names}?)",
        "usage_bad_value": "giá trị không hợp lệ cho {name}: {detail}",
        "keys_or_group": "hãy ghi khoá nhiệm vụ hoặc --group N, không cả hai và không để trống",
        "status_created": "đã tạo", "status_unchanged": "không thay đổi", "status_updated": "đã cập nhật",
        "sweep": "quét ngày {day}: ghi {total} lời nhắc ({kinds}), huỷ {cancelled}, mở {periods} nhiệm vụ của kỳ mới, "
                 "chuyển {checkpoints} mốc rà soát, đã xét {scanned} nhiệm vụ trong {seconds} giây",
        "demo_database": "cơ sở dữ liệu demo: {url}",
        "demo_last_day": "ngày cuối mùa ({day}): {reminders}",
        "demo_digests": "bản tin: {n} thư trong {folder}/ (mở các tệp .eml bằng chương trình đọc thư)",
        "demo_report": "báo cáo toàn quốc: {path} (mở bằng trình duyệt; xem thêm `dtrack report national --help`)",
        "demo_web": "ứng dụng web: {command}",
        "demo_login": "  rồi mở http://127.0.0.1:8000/ và đăng nhập bằng một tài khoản demo:",
        "demo_account": "  {email}  mật khẩu {password}  ({who})",
        "demo_overseer": "Cục (giám sát)", "demo_officer": "Sở Công Thương Hà Nội (cán bộ của tỉnh)",
        "serving": "dtrack web tại http://{host}:{port}/ (cơ sở dữ liệu {url}, {workers} tiến trình); Ctrl+C để dừng",
    },
    "en": {
        "error": "error", "note": "note",
        "database_lost": ("lost the connection to the database mid-command ({reason}); the unfinished step was not "
                          "kept, the finished ones were: run the command again once the database is back"),
        "h_task": "task", "h_province": "province", "h_title": "title", "h_state": "state",
        "h_progress": "progress", "h_deadline": "deadline", "h_deadline_status": "deadline status",
        "h_original": "original", "h_days": "days", "h_waited": "waited", "h_region": "region",
        "h_provinces": "provinces", "h_done": "done %",
        "h_overdue": "overdue", "h_due_soon": "due soon", "h_when": "when (Asia/Ho_Chi_Minh)", "h_who": "who",
        "h_action": "action", "h_note": "note / evidence", "h_slug": "slug", "h_name": "name", "h_kind": "kind",
        "h_merged": "merged from (before 1/7/2025)", "h_email": "email", "h_role": "role", "h_locale": "locale",
        "h_setting": "setting", "h_value": "value", "h_env": "environment", "h_meaning": "meaning",
        "h_from": "from", "h_to": "to", "h_note_required": "note required", "h_code": "code", "h_issued": "issued",
        "h_groups": "groups", "h_reminder_kind": "kind", "h_audience": "to", "h_remind_on": "remind on",
        "h_status": "status", "h_id": "id", "h_recipient": "recipient", "h_day": "day", "h_tries": "tries",
        "h_next": "sent / next try", "h_reply": "reply / last error", "h_unit": "unit", "h_aggregate": "aggregate",
        "h_on_time": "on time", "h_late": "late", "h_open_in_time": "open, in time",
        "h_open_overdue": "open, overdue", "h_awaiting": "awaiting review", "h_on_time_rate": "on-time %",
        "all": "all", "yes": "yes", "same": "(same)", "system": "system", "none": "none",
        "day_unit": "day", "days_unit": "days", "d": "d",
        "no_tasks": "(no tasks match)", "n_tasks": "{n} task(s)",
        "d_province": "province:  ", "d_state": "state:     ", "d_progress": "progress", "d_assigned": "assigned:  ",
        "d_deadline": "deadline", "d_originally": "originally", "d_timeliness": "timeliness: ", "d_history": "history:",
        "d_none_yet": "  (none yet)", "d_allowed": "allowed now:", "evidence": "evidence",
        "deadline_moved": "deadline", "id": "id",
        "matrix_title": "{directive}: provinces x task groups", "legend": "legend", "not_assigned": "not assigned",
        "deadline_as_of": "deadline as of {day}",
        "periods_note": "(a recurring group shows its latest period; N!x: N of its periods overdue)",
        "overdue_as_of": "overdue as of {day}: {n} task(s)",
        "most_overdue_shown": ", the {n} most overdue shown (--limit 0 shows all)",
        "awaiting_title": "waiting on the Department (submitted, not yet reviewed): {n} task(s)",
        "longest_waiting_shown": ", the {n} longest waiting shown",
        "overdue_per_province": "overdue per province:", "overdue_per_region": "overdue per region:",
        "timeliness_as_of": "timeliness as of {day}",
        "init_database": "database: {url} (schema up to date)", "init_provinces": "provinces: {n}",
        "init_directive": "directive {code}: {status}",
        "init_tasks": "tasks: {created} created, {existing} already there ({provinces} provinces)",
        "user_added": "added {email} ({role}{where})", "for_province": " for {slug}",
        "action_done": "{key}: {action} ({moved}, progress {progress}%)", "still": "still {state}",
        "directive_loaded": "directive {code}: {status}, {groups} task groups{extra}",
        "groups_changed": " (groups added: {added}, updated: {updated})",
        "next": "next: {command}",
        "assigned": "{code}: {created} tasks created, {existing} already there ({provinces} provinces)",
        "extended": "{key}: deadline {before} -> {after}", "originally": " (originally {day})",
        "n_extended": "{n} deadline(s) extended",
        "recomputed": "{key}: deadline {before} -> {after}",
        "recompute_skipped": "{key}: changed meanwhile, left as it is (run the command again)",
        "recompute_total": "{moved} of {examined} open deadline(s) {verb}",
        "would_move": "would move", "moved": "moved", "n_skipped": ", {n} skipped",
        "dry_run": " (dry run: nothing changed)",
        "n_reminders": "{n} reminder(s)",
        "digest_nothing": "nothing to act on: no digest is sent unless DTRACK_DIGEST_SEND_EMPTY=yes",
        "subject": "Subject",
        "digests_built": "digests for {day}: {queued} queued, {already} already built, "
                         "{nothing} with nothing to act on; {consumed} reminders consumed",
        "sending_via": "sending via {transport}",
        "recovered": "{n} message(s) left 'sending' by a stopped sender were put back",
        "sent_report": "via {transport}: {sent} sent, {retrying} to retry later, {failed} failed "
                       "(see `dtrack outbox list --state failed`)",
        "outbox_total": "total: {counts}", "no_messages": "no messages",
        "h_failed_at": "last tried", "h_reason": "reason", "no_failed": "no failed deliveries",
        "n_failed": "{n} failed deliveries; to send again: dtrack outbox retry ID... (or --all-failed)",
        "retried": "{n} message(s) pending again; next: dtrack outbox send",
        "wrote": "wrote {path} ({size} bytes)",
        "queued": "queued as message {id}",
        "already_queued": "already queued for that day (message {id}); nothing added",
        "figure": "{code} {period} for {who}: {value} (as of {day})", "national": "national",
        "imported": "{path}: {n} figure(s) imported, {unchanged} unchanged",
        "imported_replaced": ", {n} replaced",
        "request_made": "request {id}: {key} deadline {before} -> {after} asked; waiting for the Department",
        "request_granted": "request {id} granted: {key} deadline {before} -> {after}",
        "request_refused": "request {id} refused: {key} keeps its deadline {before}",
        "no_deadline": "none",
        "department_unit": "the Department", "department_row": "the Department's own",
        "marked_not_applicable": "{key}: marked not applicable ({reason})",
        "applicable_again": "{key}: applicable again",
        "folded": "{n} per-province task(s) of Department-owned groups marked not applicable; "
                  "the Department now has one task per group",
        "department_overdue": "the Department's own tasks, overdue (not in any province's count):",
        "department_headers": "days|task|title|state|deadline",
        "purged": "deleted {sessions} ended session(s) and {links} used or expired link(s) "
                  "that ended before {before} UTC",
        "attached": "{key}: attached {name} ({size} bytes, {mimetype}) as file {id}",
        "files_headers": "id|name|bytes|type|by|at|",
        "file_withdrawn": "withdrawn", "no_files": "no evidence files",
        "file_written": "wrote {name} ({size} bytes) to {path}",
        "commented": "{key}: comment {id} added",
        "invited": "invited {email}; one-time link (send it to them):",
        "invite_mailed": "the link is also queued by mail: `dtrack outbox send` delivers it",
        "password_set": "password set for {email}; their sessions and API tokens have ended",
        "disabled": "{email} disabled",
        "json_and_csv": "--json and --csv: choose one output format",
        "usage_missing": "missing {name}", "usage_no_option": "no such option: {name}",
        "usage_did_you_mean": " (did you mean {names}?)", "usage_bad_value": "invalid value for {name}: {detail}",
        "keys_or_group": "give either task keys or --group N, not both and not neither",
        "status_created": "created", "status_unchanged": "unchanged", "status_updated": "updated",
        "sweep": "sweep as of {iso}: {total} reminder(s) written ({kinds}), {cancelled} cancelled, "
                 "{periods} period task(s) opened, {checkpoints} checkpoint(s) rolled, "
                 "{scanned} task(s) checked in {seconds} s",
        "demo_database": "demo database: {url}",
        "demo_last_day": "last day of the season ({day}): {reminders}",
        "demo_digests": "digests: {n} emails in {folder}/ (open the .eml files in a mail reader)",
        "demo_report": "national report: {path} (open it in a browser; `dtrack report national --help` for more)",
        "demo_web": "web application: {command}",
        "demo_login": "  then open http://127.0.0.1:8000/ and log in with one of the demo accounts:",
        "demo_account": "  {email}  password {password}  ({who})",
        "demo_overseer": "the Department's overseer", "demo_officer": "Sở Công Thương Hà Nội (province officer)",
        "serving": "dtrack web on http://{host}:{port}/ (database {url}, {workers} worker(s)); Ctrl+C stops",
    },
}

# Roles as the terminal names them (the stored value stays in --json).
ROLE_WORDS: dict[str, dict[str, str]] = {
    "vi": {"province": "cán bộ Sở Công Thương", "overseer": "Cục (giám sát)", "admin": "quản trị viên"},
    "en": {"province": "province", "overseer": "overseer", "admin": "admin"},
}

# Stored values the terminal shows in words (the stored value stays in --json).
VALUE_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "city": "thành phố", "province": "tỉnh",  # a unit's kind
        "pending": "chờ", "consumed": "đã dùng", "cancelled": "đã huỷ",  # a reminder
        "sending": "đang gửi", "sent": "đã gửi", "failed": "thất bại",  # an outbox message
        "owner": "người được giao", "overseer": "Cục (giám sát)", "admin": "quản trị viên",  # lifecycle's who
        "digest": "bản tin", "report": "báo cáo", "account": "tài khoản",  # an outbox message's kind
    },
    "en": {},
}

DEFAULT_LANGUAGE = "vi"


def language(chosen: str | None = None) -> str:
    """The command line's language: --lang, else DTRACK_LANG, else Vietnamese (an unknown value too)."""
    for candidate in (chosen, os.environ.get("DTRACK_LANG")):
        if candidate and candidate.strip().lower() in LANGUAGES:
            return candidate.strip().lower()
    return DEFAULT_LANGUAGE


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS[DEFAULT_LANGUAGE])


@overload
def value_text(value: str, lang: str) -> str: ...
@overload
def value_text(value: None, lang: str) -> None: ...
@overload
def value_text(value: str | None, lang: str) -> str | None: ...


def value_text(value: str | None, lang: str) -> str | None:
    """A stored value ('city', 'pending') in words; unknown values and English stay as they are."""
    if value is None:
        return None
    return VALUE_WORDS.get(lang, {}).get(value, value)
