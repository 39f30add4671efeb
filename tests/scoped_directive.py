"""A second directive of the tests' own, with scoped and Department-owned groups.

Fictional ("12/CT-LN" has not been issued), worded as a ministry would write
one on craft villages: group 1 for every province, group 2 for the South
only, group 3 for three provinces named by their pre-2025 names, group 4
carried out by the Department itself. All deadlines are 15/12/2025, so on
the test worlds' today (05/01/2026) every open task is overdue.
"""
from __future__ import annotations

import tomllib
from datetime import date

from dtrack.directives.format import parse_data
from dtrack.directives.loader import LoadResult, load
from dtrack.workflow.assignments import assign
from dtrack.workflow.provinces import all_provinces

CODE = "12/CT-LN"
ASSIGNED_ON = date(2025, 11, 3)
TODAY = date(2026, 1, 5)

TEXT = """
[directive]
code = "12/CT-LN"
title_vi = "Chỉ thị về bảo tồn và phát triển làng nghề gắn với khuyến công giai đoạn 2026-2030"
title_en = "Directive on preserving and developing craft villages through industrial promotion, 2026-2030"
issuer_vi = "Bộ Công Thương"
issuer_en = "Ministry of Industry and Trade"
signed_by = "Người ký giả định"
issued_on = 2025-10-28
source = "Fictional directive written for dtrack's tests"

[[groups]]
ordinal = 1
title_vi = "Rà soát, cập nhật danh mục làng nghề trên địa bàn"
title_en = "Review and update the list of craft villages in the province"
kind = "one_off"
deadline = 2025-12-15

[[groups]]
ordinal = 2
title_vi = "Hỗ trợ hợp tác xã nghề đan lát vùng Đồng bằng sông Cửu Long chuyển đổi số"
title_en = "Help Mekong Delta weaving cooperatives go digital"
kind = "one_off"
regions = ["south"]
deadline = 2025-12-15

[[groups]]
ordinal = 3
title_vi = "Khôi phục nghề gốm truyền thống tại các địa phương có lò gốm cổ"
title_en = "Revive traditional pottery where old kilns remain"
kind = "one_off"
provinces = ["Kiên Giang", "Bình Định", "Hà Giang"]
deadline = 2025-12-15

[[groups]]
ordinal = 4
title_vi = "Tổng hợp, đánh giá kết quả rà soát làng nghề toàn quốc"
title_en = "Synthesise the national review of craft villages"
kind = "one_off"
owner = "department"
deadline = 2025-12-15

# Its own budget lines (today's reports read these budget codes of any directive).
[[indicators]]
code = "budget_plan"
name_vi = "Kinh phí hỗ trợ làng nghề kế hoạch"
name_en = "Craft village support budget (plan)"
unit_vi = "VND"
unit_en = "VND"
aggregate = "sum"

[[indicators]]
code = "budget_disbursed"
name_vi = "Kinh phí hỗ trợ làng nghề đã giải ngân"
name_en = "Craft village support budget (disbursed)"
unit_vi = "VND"
unit_en = "VND"
aggregate = "sum"

[[indicators]]
code = "budget_national_program"
name_vi = "Kinh phí từ chương trình quốc gia"
name_en = "Budget from the national programme"
unit_vi = "VND"
unit_en = "VND"
aggregate = "sum"

[[indicators]]
code = "budget_local"
name_vi = "Kinh phí từ ngân sách địa phương"
name_en = "Budget from local funds"
unit_vi = "VND"
unit_en = "VND"
aggregate = "sum"

[[indicators]]
code = "craft_villages"
name_vi = "Số làng nghề được công nhận"
name_en = "Recognised craft villages"
unit_vi = "làng nghề"
unit_en = "villages"
aggregate = "latest"
"""

# group ordinal -> the provinces its tasks belong to (None: all 34).
SOUTH = {"ho-chi-minh", "dong-nai", "tay-ninh", "can-tho", "vinh-long", "dong-thap", "ca-mau", "an-giang"}
POTTERY = {"an-giang", "gia-lai", "tuyen-quang"}  # Kiên Giang, Bình Định, Hà Giang today
DEPARTMENT_KEY = f"{CODE}:4:cuc"


def spec(text: str = TEXT):
    return parse_data(tomllib.loads(text), "12-ct-ln.toml")


def load_and_assign(db, clock) -> LoadResult:
    """Load the directive and assign it to every province on ASSIGNED_ON."""
    with db.session() as session:
        result = load(session, spec(), clock.now(), "12-ct-ln.toml")
        assign(session, CODE, all_provinces(session), ASSIGNED_ON, clock.now())
    return result
