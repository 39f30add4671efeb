"""What each error says, one table per language (Vietnamese first, with its diacritics).

Every class of `errors.py` has an `error_code`; `WORDING[lang][code]`
holds its message and hint as `str.format` templates over the error's own
attributes (plus a few derived ones, see `_fields`). The English wording is
the error's `str()`; the CLI and the web show `say(error, lang)`.

Details that arrive as free English text (a database driver's reason, a
directive file's problem) are shown as they are: they name technical things
the user must look up anyway. The fixed reasons dtrack itself gives are
translated through `PHRASES`.
"""
from __future__ import annotations

import re
from typing import Any

from dtrack.errors import ConcurrentUpdate, DtrackError
from dtrack.workflow.vocabulary import STATE_LABELS, State

# code -> (message, hint or None). A hint of None keeps the error's own hint, if any.
Wording = dict[str, tuple[str, str | None]]

WORDING: dict[str, Wording] = {
    "vi": {
        "error": ("{message}", None),
        "not_found": ("không tìm thấy {ref!r}", None),
        "unknown_task": ("không có nhiệm vụ {ref!r}",
                         "hãy ghi số id hoặc khoá CHỈ_THỊ:NHÓM:TỈNH, ví dụ 20/CT-BCT:2:ha-noi "
                         "(xem `dtrack tasks list`)"),
        "unknown_province": ("không có tỉnh, thành phố {ref!r}",
                             "xem `dtrack provinces` để biết mã của 34 tỉnh, thành phố, ví dụ ha-noi"),
        "unknown_user": ("không có người dùng {ref!r}",
                         "thêm người dùng bằng `dtrack users add` hoặc xem `dtrack users list`"),
        "unknown_directive": ("không có chỉ thị {ref!r}",
                              "tải chỉ thị bằng `dtrack directive load FILE` (xem `dtrack directive list`)"),
        "unknown_trigger": ("không có thao tác {ref!r}", "các thao tác: {known_text}"),
        "transition_not_allowed": ("không thể {trigger_cli} nhiệm vụ {task_key}: "
                                   "nhiệm vụ đang ở trạng thái «{state_label}»",
                                   "được phép lúc này: {allowed_text}"),
        "permission_denied": ("{actor} không được {trigger_cli} {task_key}: {reason_text}", None),
        "concurrent_update": ("nhiệm vụ {task_key} vừa được người khác thay đổi{who}",
                              "hãy xem lại bằng `dtrack task show` rồi thử lại"),
        "invalid_input": ("{field}: {problem_text}", None),
        "bad_date": ("{field}: {value!r} không phải là ngày hợp lệ",
                     "hãy viết theo dạng dd/mm/yyyy hoặc yyyy-mm-dd, ví dụ 22/11/2026"),
        "not_a_region": ("{field}: {value!r} không phải là một vùng", "hãy dùng north, central hoặc south"),
        "date_out_of_range": ("{field}: {value!r} nằm ngoài các năm {first}-{last}",
                              "hãy ghi một ngày từ 01/01/{first} đến 31/12/{last}"),
        "bad_timezone": ("{field}: {value!r} không phải là múi giờ", "hãy ghi tên múi giờ, ví dụ Asia/Ho_Chi_Minh"),
        "bad_db_url": ("{field}: {url!r} không phải là địa chỉ cơ sở dữ liệu",
                       "hãy viết ví dụ sqlite:///dtrack.db hoặc postgresql+psycopg://user@host/db"),
        "db_url_raw_at": ("{field}: tên người dùng hoặc mật khẩu trong {url} chứa ký tự '@' hoặc '/' chưa mã hoá",
                          "hãy viết mỗi ký tự @, / hoặc : trong tên người dùng hay mật khẩu thành %40, %2F hoặc %3A, "
                          "ví dụ postgresql://user:mat%40khau@host/db"),
        "db_url_bad_port": ("{field}: cổng {port!r} trong {url} không phải là số từ 1 đến 65535",
                            "hãy viết ví dụ postgresql+psycopg://user@host:5432/db"),
        "db_url_unsupported": ("không mở được cơ sở dữ liệu {url}: {reason_text}",
                               "dtrack làm việc với sqlite:///TỆP và postgresql+psycopg://user@host/db"),
        "database_read_only": ("không ghi được vào cơ sở dữ liệu {url}: {what_vi} {path} chỉ cho phép đọc",
                               "hãy cho dtrack quyền ghi {what_vi} đó, hoặc dùng --db khác; chưa có gì bị thay đổi"),
        "not_a_state": ("{field}: {value!r} không phải là một trạng thái", "các trạng thái: {states}"),
        "bad_progress": ("{field}: {value!r} không phải là tiến độ hợp lệ", "hãy ghi một số nguyên từ 0 đến 100"),
        "too_long": ("{field}: dài {length} ký tự", "hãy viết ngắn hơn {max} ký tự"),
        "needs_note": ("{field}: thao tác {trigger} cần ghi rõ lý do", "thêm --note \"...\""),
        "negative": ("{field}: {value} là số âm", "hãy ghi 0 hoặc lớn hơn"),
        "too_large": ("{field}: {value} quá lớn", "hãy ghi tối đa {max}"),
        "choose_one": ("{field}: chỉ chọn một", None),
        "directive_invalid": ("{where}: {problem_text}", "hãy sửa tệp rồi tải lại; chưa có gì bị thay đổi"),
        "database_unavailable": ("không mở được cơ sở dữ liệu {url}: {reason}",
                                 "kiểm tra --db / DTRACK_DATABASE_URL và máy chủ cơ sở dữ liệu đang chạy"),
        "database_not_initialised": ("cơ sở dữ liệu {url} chưa có lược đồ của dtrack", "hãy chạy `dtrack init` trước"),
        "migration_failed": ("không chuẩn bị được cơ sở dữ liệu {url}: {reason}", None),
        "schema_drift": ("lược đồ của cơ sở dữ liệu {url} khác với mô hình sau khi nâng cấp: {difference}{more_text}",
                         "chưa thể coi là đã cập nhật; hãy báo cho người bảo trì dtrack kèm dòng này"),
        "import_invalid": ("{path}: {count} dòng sai, chưa nhập gì: {listed}",
                           "hãy sửa các dòng đó rồi nhập lại cả tệp"),
        "unknown_message": ("không có thư {ref!r} trong hộp thư đi", "xem mã thư bằng `dtrack outbox list`"),
        "mail_server_unavailable": ("không gửi được qua {where}: {reason}",
                                    "thư vẫn chờ gửi; kiểm tra DTRACK_SMTP_URL rồi chạy lại `dtrack outbox send`"),
        "message_rejected": ("máy chủ thư từ chối: {code} {reply}", None),
        "rule_error": ("quy tắc tính hạn không hợp lệ: {message}", None),
        "unknown_indicator": ("không có chỉ tiêu {ref!r}", "các chỉ tiêu: {known_text} (xem `dtrack indicators list`)"),
        "login_failed": ("sai địa chỉ email hoặc mật khẩu", "hãy kiểm tra cả hai rồi thử lại"),
        "hashing_busy": ("máy chủ đang bận kiểm tra mật khẩu", "hãy đợi vài giây rồi thử lại"),
        "login_throttled": ("đăng nhập sai quá nhiều lần với {email} từ thiết bị hoặc địa chỉ mạng này",
                            "hãy đợi {minutes} phút rồi thử lại, "
                            "hoặc nhờ quản trị viên gửi liên kết đặt lại mật khẩu"),
        "link_invalid": ("liên kết này không dùng được: {reason_text}", "hãy xin quản trị viên một liên kết mới"),
        "address_throttled": ("đăng nhập sai quá nhiều lần từ địa chỉ mạng {ip}",
                              "hãy đợi {minutes} phút rồi thử lại, "
                              "hoặc nhờ quản trị viên gửi liên kết đặt lại mật khẩu"),
        "storage_failed": ("không lưu được tệp: {reason}", "chưa có gì được ghi; hãy báo quản trị viên"),
        "deadline_final": ("{field}: {task_key} đã hoàn thành: không thể gia hạn nữa",
                           "kết quả đúng hạn hay trễ hạn đã cố định; nếu phải làm lại, Cục mở lại nhiệm vụ trước"),
        "unknown_extension_request": ("không có đề nghị gia hạn {ref!r}",
                                      "xem số đề nghị bằng `dtrack deadlines requests`"),
        "request_already_decided": ("đề nghị gia hạn {request_id} đã được quyết định ({status_text})",
                                    "xem `dtrack deadlines requests`; tỉnh có thể gửi đề nghị mới"),
        "extension_already_requested": ("{task_key} đã có một đề nghị gia hạn đang chờ{which}",
                                        "hãy chờ Cục quyết định; xem `dtrack deadlines requests`"),
        "not_authenticated": ("{reason_text}", "hãy đăng nhập lại"),
    },
    "en": {
        "error": ("{message}", None),
        "not_found": ("unknown {kind} {ref!r}", None),
        "unknown_task": ("unknown task {ref!r}", "give a task id or a key DIRECTIVE:GROUP:PROVINCE such as "
                         "20/CT-BCT:2:ha-noi (see `dtrack tasks list`)"),
        "unknown_province": ("unknown province {ref!r}", "see `dtrack provinces` for the 34 slugs, e.g. ha-noi"),
        "unknown_user": ("unknown user {ref!r}", "add the user with `dtrack users add` or see `dtrack users list`"),
        "unknown_directive": ("unknown directive {ref!r}",
                              "load it with `dtrack directive load FILE` (see `dtrack directive list`)"),
        "unknown_trigger": ("unknown action {ref!r}", "known actions: {known_text}"),
        "transition_not_allowed": ("cannot {trigger_cli} {task_key}: it is {state}", "allowed now: {allowed_text}"),
        "permission_denied": ("{actor} may not {trigger_cli} {task_key}: {reason}", None),
        "concurrent_update": ("{task_key} was changed by someone else{who}",
                              "reload it with `dtrack task show` and try again"),
        "invalid_input": ("{field}: {problem_text}", None),
        "bad_date": ("{field}: {problem}", "write it as dd/mm/yyyy or yyyy-mm-dd, e.g. 22/11/2026"),
        "not_a_region": ("{field}: {problem}", "use north, central or south"),
        "date_out_of_range": ("{field}: {problem}", "give a date from 01/01/{first} to 31/12/{last}"),
        "bad_timezone": ("{field}: {problem}", "give a zone name such as Asia/Ho_Chi_Minh"),
        "bad_db_url": ("{field}: {problem}", "write e.g. sqlite:///dtrack.db or postgresql+psycopg://user@host/db"),
        "db_url_raw_at": ("{field}: {problem}", "write each @, / or : inside the user name or password as %40, %2F "
                          "or %3A, e.g. postgresql://user:mat%40khau@host/db"),
        "db_url_bad_port": ("{field}: {problem}", "write e.g. postgresql+psycopg://user@host:5432/db"),
        "db_url_unsupported": ("cannot open database {url}: {reason}",
                               "dtrack works with sqlite:///FILE and postgresql+psycopg://user@host/db"),
        "database_read_only": ("cannot write to database {url}: the {what} {path} is read-only",
                               "give dtrack write permission on that {what}, or use another --db; nothing was changed"),
        "not_a_state": ("{field}: {problem}", "states: {states}"),
        "bad_progress": ("{field}: {problem}", "give a whole number from 0 to 100"),
        "too_long": ("{field}: {problem}", "keep it under {max}"),
        "needs_note": ("{field}: {problem}", "add --note \"...\""),
        "negative": ("{field}: {problem}", None),
        "too_large": ("{field}: {problem}", "give at most {max}"),
        "choose_one": ("{field}: {problem}", None),
        "directive_invalid": ("{where}: {problem}", "fix the file and load it again; nothing was changed"),
        "database_unavailable": ("cannot open database {url}: {reason}",
                                 "check --db / DTRACK_DATABASE_URL and that the server is running"),
        "database_not_initialised": ("database {url} has no dtrack schema yet", "run `dtrack init` first"),
        "migration_failed": ("cannot prepare database {url}: {reason}", None),
        "schema_drift": ("the schema of database {url} differs from the models after upgrading: "
                         "{difference}{more_text}",
                         "it is not up to date; report this line to dtrack's maintainers"),
        "import_invalid": ("{path}: {count} bad row(s), nothing imported: {listed}",
                           "fix those rows and import the whole file again"),
        "unknown_message": ("unknown outbox message {ref!r}", "see `dtrack outbox list` for message ids"),
        "mail_server_unavailable": ("cannot deliver through {where}: {reason}",
                                    "messages stay pending; check DTRACK_SMTP_URL and run `dtrack outbox send` again"),
        "message_rejected": ("{code} {reply}", None),
        "rule_error": ("{message}", None),
        "unknown_indicator": ("unknown indicator {ref!r}",
                              "known indicators: {known_text} (see `dtrack indicators list`)"),
        "login_failed": ("wrong email or password", "check both and try again"),
        "hashing_busy": ("the server is busy checking passwords", "wait a few seconds and try again"),
        "login_throttled": ("too many failed logins for {email} from this device or network address",
                            "wait {minutes} minute(s) and try again, "
                            "or ask an administrator for a password-reset link"),
        "link_invalid": ("this link cannot be used: {reason}", "ask an administrator for a new link"),
        "address_throttled": ("too many failed logins from the network address {ip}",
                              "wait {minutes} minute(s) and try again, "
                              "or ask an administrator for a password-reset link"),
        "storage_failed": ("the file could not be stored: {reason}", "nothing was saved; tell the administrator"),
        "deadline_final": ("{field}: {task_key} is completed: its deadline can no longer be extended",
                           "its timeliness is final; "
                           "if the work must be done again, an overseer reopens the task first"),
        "unknown_extension_request": ("unknown extension request {ref!r}",
                                      "see `dtrack deadlines requests` for request ids"),
        "request_already_decided": ("extension request {request_id} is already {status}",
                                    "see `dtrack deadlines requests`; the province may file a new request"),
        "extension_already_requested": ("{task_key} already has a pending extension request{which_en}",
                                        "wait for the Department's decision; see `dtrack deadlines requests`"),
        "not_authenticated": ("{reason}", "log in again"),
    },
}

# What one difference between the live schema and the models is (migrations/schema_check.py).
SCHEMA_DIFFERENCES: dict[str, dict[str, str]] = {
    "vi": {"missing_table": "thiếu bảng {name}", "extra_table": "thừa bảng {name}",
           "missing_column": "thiếu cột {name}", "extra_column": "thừa cột {name}",
           "missing_index": "thiếu chỉ mục {name}", "extra_index": "thừa chỉ mục {name}",
           "missing_constraint": "thiếu ràng buộc {name}", "extra_constraint": "thừa ràng buộc {name}",
           "changed_column": "cột {name} khác kiểu, khả năng rỗng hoặc giá trị mặc định",
           "more": " (và {more} khác biệt nữa)"},
    "en": {"missing_table": "missing table {name}", "extra_table": "unexpected table {name}",
           "missing_column": "missing column {name}", "extra_column": "unexpected column {name}",
           "missing_index": "missing index {name}", "extra_index": "unexpected index {name}",
           "missing_constraint": "missing constraint {name}", "extra_constraint": "unexpected constraint {name}",
           "changed_column": "column {name} differs in type, nullability or default",
           "more": " (and {more} more)"},
}

# Fixed English reasons and hints dtrack gives, in Vietnamese.
PHRASES: dict[str, str] = {
    "only the Department's overseers may mark a task not applicable or applicable":
        "chỉ cán bộ giám sát của Cục được đánh dấu (hoặc bỏ đánh dấu) nhiệm vụ không áp dụng",
    "marking a task not applicable needs a reason": "đánh dấu không áp dụng cần ghi lý do",
    "evidence is attached by whoever carries the task out": "minh chứng do đơn vị thực hiện nhiệm vụ đính kèm",
    "only its uploader may withdraw a file": "chỉ người đã gửi tệp được rút tệp",
    "the account is disabled": "tài khoản đã bị khoá",
    "province officers see their own province only": "cán bộ của tỉnh chỉ xem được tỉnh mình",
    "province officers see their own province's tasks only": "cán bộ của tỉnh chỉ xem được nhiệm vụ của tỉnh mình",
    "only the Department's overseers and admins may": "chỉ Cục (giám sát) và quản trị viên được làm việc này",
    "only administrators may": "chỉ quản trị viên được làm việc này",
    "only the Department's overseers may do that": "chỉ Cục (giám sát) được làm việc này",
    "this task group is the Department's own": "nhóm nhiệm vụ này do Cục tự thực hiện",
    "unknown link": "liên kết không tồn tại",
    "it has been used already": "liên kết đã được dùng",
    "it has expired": "liên kết đã hết hạn",
    "not logged in": "chưa đăng nhập",
    "the session has ended": "phiên làm việc đã kết thúc",
    "the session has expired": "phiên làm việc đã hết hạn",
    "give all, north, central, south or slugs separated by commas":
        "hãy ghi all, north, central, south hoặc các mã tỉnh cách nhau bằng dấu phẩy",
    "choose a folder you can write to": "hãy chọn một thư mục có quyền ghi",
    "is empty": "đang để trống",
    "give the person's full name": "hãy ghi họ và tên đầy đủ",
    "roles: province, overseer, admin": "các vai trò: province, overseer, admin",
    "use vi or en": "hãy dùng vi hoặc en",
    "a province user needs --province SLUG": "người dùng của tỉnh cần --province MÃ_TỈNH",
    "see `dtrack users list`": "xem `dtrack users list`",
    "you cannot disable your own account": "bạn không thể tự khoá tài khoản của mình",
    "ask another administrator": "hãy nhờ một quản trị viên khác",
    "a province user needs a province": "người dùng của tỉnh cần có tỉnh",
    "the two passwords differ": "hai mật khẩu không khớp",
    "type the same password twice": "hãy gõ cùng một mật khẩu hai lần",
    "is only spaces": "chỉ có dấu cách",
    "is the email address": "trùng với địa chỉ email",
    "account disabled: no mail goes to it": "tài khoản đã bị vô hiệu hóa: không gửi thư nào tới tài khoản này",
    "the sender stopped while sending; it may have been delivered (a resend keeps the same Message-ID)":
        "tiến trình gửi đã dừng giữa chừng; thư có thể đã tới nơi (gửi lại vẫn giữ nguyên Message-ID)",
    "choose something else": "hãy chọn mật khẩu khác",
    "an extension needs a reason": "gia hạn cần ghi lý do",
    "contains a NUL character": "chứa ký tự NUL",
    "remove it": "hãy xoá ký tự đó",
}

# Reasons and notes with values in them: (English, fully matched) -> Vietnamese, groups in order.
PATTERNS: list[tuple[re.Pattern[str], str]] = [(re.compile(english), vi) for english, vi in (
    (r"the task belongs to (\S+), you to (.+)", "nhiệm vụ thuộc {0}, còn bạn thuộc {1}"),
    # An SMTP server's own reply, kept as it came: said in Vietnamese in front of it.
    (r"(5\d\d[ -].*)", "máy chủ thư từ chối hẳn, không gửi lại nữa (máy chủ trả lời: {0})"),
    (r"(4\d\d[ -].*)", "máy chủ thư tạm từ chối và đã hết số lần thử (máy chủ trả lời: {0})"),
    (r"(\S+) is not a database kind dtrack knows", "dtrack không biết loại cơ sở dữ liệu '{0}'"),
    (r"its driver is not installed \((.*)\)", "chưa cài trình điều khiển (driver) cho loại cơ sở dữ liệu này ({0})"),
    (r"only (\S+)'s province users may do that", "chỉ cán bộ của {0} được làm việc này"),
    (r"(.+) is not an email address", "{0} không phải là địa chỉ email"),
    (r"(.+) is not a role", "{0} không phải là một vai trò"),
    (r"(.+) is not supported", "{0} không được hỗ trợ"),
    (r"(.+) is not a whole number", "{0} không phải là số nguyên"),
    (r"(.+) is not yes or no", "{0} không phải là yes hoặc no"),
    (r"(.+) is not a supported language", "{0} không phải là ngôn ngữ được hỗ trợ"),
    (r"(-?\d+) is negative", "{0} là số âm"),
    (r"(-?\d+) is less than (-?\d+)", "{0} nhỏ hơn {1}"),
    (r"(-?\d+) is more than (-?\d+)", "{0} lớn hơn {1}"),
    (r"give 0 or more", "hãy ghi 0 hoặc lớn hơn"),
    (r"(\S+) is already registered", "{0} đã được đăng ký"),
    (r"(\S+) is already disabled", "{0} đã bị khoá rồi"),
    (r"only province users belong to a province, not (\w+)s",
     "chỉ người dùng của tỉnh mới thuộc một tỉnh, {0} thì không"),
    (r"is shorter than (\d+) characters", "ngắn hơn {0} ký tự"),
    (r"is longer than (\d+) characters", "dài hơn {0} ký tự"),
    (r"(.+) is now part of (.+); using (\S+)", "{0} nay thuộc {1}; dùng {2}"),
    (r"cannot write (.+) \((.+)\)", "không ghi được {0} ({1})"),
    (r"line (\d+): contains the control character (U\+[0-9A-F]+) \((.+)\); remove it",
     "dòng {0}: chứa ký tự điều khiển {1} ({2}); hãy xoá ký tự đó"),
    (r"contains the control character (U\+[0-9A-F]+) \((.+)\); remove it",
     "chứa ký tự điều khiển {0} ({1}); hãy xoá ký tự đó"),
    (r"line (\d+): has (\d+) characters; the limit is (\d+)", "dòng {0}: dài {1} ký tự; tối đa {2} ký tự"),
    (r"has (\d+) characters; the limit is (\d+)", "dài {0} ký tự; tối đa {1} ký tự"),
    (r"has (\d+) entries; the limit is (\d+)", "có {0} mục; tối đa {1} mục"),
)]


TRIGGER_WORDS_VI = {
    "start": "bắt đầu", "update": "cập nhật", "submit": "nộp", "send-back": "trả lại", "accept": "chấp nhận",
    "block": "báo vướng mắc cho", "unblock": "tiếp tục", "reopen": "mở lại", "extend": "gia hạn",
    "read": "xem", "open": "mở", "manage": "quản lý",
    "exempt": "đánh dấu không áp dụng cho", "restore": "bỏ đánh dấu không áp dụng cho",
    "attach evidence to": "đính kèm minh chứng cho", "withdraw": "rút", "list": "xem danh sách",
}


def phrase(text: str | None, lang: str) -> str:
    """A fixed English reason, hint or note dtrack gives, in `lang`; anything else as it is."""
    if text is None:
        return ""
    if lang != "vi":
        return text
    if text in PHRASES:
        return PHRASES[text]
    for pattern, template in PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return template.format(*match.groups())
    return text


def _fields(error: DtrackError, lang: str) -> dict[str, Any]:
    """The error's attributes plus the derived values its templates use."""
    fields: dict[str, Any] = {k: v for k, v in vars(error).items() if not k.startswith("_")}
    fields.update(getattr(error, "values", None) or {})
    fields.setdefault("kind", getattr(error, "kind", ""))
    trigger = str(fields.get("trigger", "")).replace("_", "-")
    fields["trigger_cli"] = TRIGGER_WORDS_VI.get(trigger, trigger) if lang == "vi" else trigger
    if "known" in fields:
        fields["known_text"] = ", ".join(fields["known"])
    if "allowed" in fields:
        nothing = "không có thao tác nào" if lang == "vi" else "nothing"
        fields["allowed_text"] = ", ".join(fields["allowed"]) or nothing
    if "state" in fields:
        try:
            fields["state_label"] = STATE_LABELS[lang][State(fields["state"])]
        except ValueError:
            fields["state_label"] = fields["state"]
    if "problem" in fields:
        fields["problem_text"] = phrase(fields["problem"], lang)
    if "reason" in fields:
        fields["reason_text"] = phrase(fields["reason"], lang)
    if "change" in fields:  # SchemaDrift
        differences = SCHEMA_DIFFERENCES[lang]
        fields["difference"] = differences[fields["change"]].format(**fields)
        fields["more_text"] = differences["more"].format(**fields) if fields["more"] else ""
    if "problems" in fields:
        line = "dòng" if lang == "vi" else "line"
        fields["count"] = len(fields["problems"])
        fields["listed"] = "; ".join(f"{line} {n}: {reason}" for n, reason in fields["problems"])
    if "path" in fields and "where" not in fields:
        fields["where"] = f"{fields['path']}: {fields['field']}" if fields.get("field") else fields["path"]
    if isinstance(error, ConcurrentUpdate):  # the one error with code "concurrent_update"
        if lang == "vi":
            by = f" ({error.by}, lúc {error.at})" if error.by else " cùng lúc"
        else:
            by = f" ({error.by}, at {error.at})" if error.by else " at the same time"
        fields["who"] = by
    if error.error_code == "extension_already_requested":
        number = fields.get("request_id")
        fields["which"] = f" (đề nghị số {number})" if number is not None else ""
        fields["which_en"] = f" (request {number})" if number is not None else ""
    if error.error_code == "request_already_decided":
        status = fields["status"]
        fields["status_text"] = {"granted": "đã đồng ý", "refused": "không đồng ý"}.get(status, status)
    if error.error_code == "rule_error":
        fields["message"] = error.message
    return fields


def say(error: DtrackError, lang: str = "vi") -> str:
    """The error as one line in `lang`: message, then `; hint` when there is one."""
    table = WORDING.get(lang, WORDING["vi"])
    code = error.error_code if error.error_code in table else type(error).error_code
    if code not in table:
        return str(error)
    message_template, hint_template = table[code]
    fields = _fields(error, lang)
    try:
        message = message_template.format(**fields)
        default_hint = WORDING["en"][code][1]
        if hint_template and (error.hint is None or _same_hint(error.hint, default_hint, _fields(error, "en"))):
            hint: str | None = hint_template.format(**fields)
        else:  # the raiser gave its own hint: translate it when it is a known phrase
            hint = phrase(error.hint, lang) or None
    except (KeyError, IndexError, ValueError):  # a template the error cannot fill: never hide the error
        return str(error)
    return f"{message}; {hint}" if hint else message


def _same_hint(given: str, default: str | None, fields: dict[str, Any]) -> bool:
    if default is None:
        return False
    try:
        return given == default.format(**fields)
    except (KeyError, IndexError, ValueError):
        return False
