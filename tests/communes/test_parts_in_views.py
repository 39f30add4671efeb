"""The parts provinces delegated to communes, in every overseer's view (issue 24), on both back-ends.

One count (`reading.part_counts`) behind the status matrix, the overdue review
of one province, the four cells, the dashboard and the national report (HTML,
Markdown, XLSX, DOCX): a world of parts in several states, some overdue, and
the same figures asserted on each, with the link down to the late communes.
"""
from __future__ import annotations

import io
import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from dtrack.config.today import Today
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.models import Province
from dtrack.reading.part_counts import PartCounts, PartsFigures, part_counts
from dtrack.reports.document import ReportOptions
from dtrack.reports.national import national_report
from dtrack.reports.render import render
from dtrack.workflow.part_service import PartTracker
from dtrack.workflow.parts import delegate
from dtrack.workflow.users import add_user
from tests.web.http_support import ACCOUNTS

OWN, OTHER = ACCOUNTS["own"][0], ACCOUNTS["other"][0]
HN2, HN3, HUE2 = "20/CT-BCT:2:ha-noi", "20/CT-BCT:3:ha-noi", "20/CT-BCT:2:hue"
# Hà Nội: 8 parts, 1 completed, 3 overdue; Huế: 3 parts, 1 completed, 1 overdue; the country: 11, 2, 4.
HA_NOI, HUE, COUNTRY = PartCounts(8, 1, 3), PartCounts(3, 1, 1), PartCounts(11, 2, 4)


def _codes(site, slug: str, n: int) -> list[str]:
    with site.db.session() as session:
        return list(session.scalars(select(Commune.code).join(Province, Commune.province_id == Province.id)
                                    .where(Province.slug == slug).order_by(Commune.code).limit(n)))


def _world(site) -> None:
    """Hà Nội: task 2 to five communes (due 02/03/2026), task 3 to three (due 16/03/2026); Huế: task 2 to three.

    Then (on 10/03/2026): Hà Nội task 2 has one part completed, one submitted (the province's turn: not
    late), one blocked (late); Huế task 2 has one completed, one submitted, one not started (late).
    """
    hn, hue = _codes(site, "ha-noi", 5), _codes(site, "hue", 3)
    delegate(site.db, site.clock, OWN, HN2, hn, date(2026, 3, 2), "Báo cáo số cơ sở")
    delegate(site.db, site.clock, OWN, HN3, hn[:3], date(2026, 3, 16), "Kiểm tra thực địa")
    delegate(site.db, site.clock, OTHER, HUE2, hue, date(2026, 3, 2), "Báo cáo số cơ sở")
    with site.db.session() as session:
        for code in [*hn[:3], *hue[:2]]:
            add_user(session, email=f"{code}@xa.example.vn", name=f"Cán bộ {code}", role="commune", province=None,
                     now=site.clock.now(), commune=code)
    parts = PartTracker(site.db, site.clock)
    for key, code, judge in ((HN2, hn[0], OWN), (HUE2, hue[0], OTHER)):  # completed
        parts.fire(f"{key}/{code}", "start", f"{code}@xa.example.vn")
        parts.fire(f"{key}/{code}", "submit", f"{code}@xa.example.vn")
        parts.fire(f"{key}/{code}", "accept", judge)
    for key, code in ((HN2, hn[1]), (HUE2, hue[1])):  # submitted: waiting for the province
        parts.fire(f"{key}/{code}", "start", f"{code}@xa.example.vn")
        parts.fire(f"{key}/{code}", "submit", f"{code}@xa.example.vn")
    parts.fire(f"{HN2}/{hn[2]}", "block", f"{hn[2]}@xa.example.vn", note="Thiếu kinh phí khảo sát")
    site.clock.advance(days=64)
    assert site.clock.today() == date(2026, 3, 10)


def _triple(c: PartCounts) -> str:
    return f"{c.total}/{c.completed}/{c.overdue}"


def test_the_one_count(site):
    _world(site)
    with site.db.session() as session:
        assert part_counts(session, date(2026, 3, 10)) == {"ha-noi": HA_NOI, "hue": HUE}
        assert part_counts(session, date(2026, 3, 10), directive="20/CT-BCT") == {"ha-noi": HA_NOI, "hue": HUE}
        assert part_counts(session, date(2026, 3, 17)) == {"ha-noi": PartCounts(8, 1, 6), "hue": HUE}
        assert part_counts(session, date(2026, 3, 10), task_id=site.task_id(HN3)) == {"ha-noi": PartCounts(3, 0, 0)}


def test_the_same_figures_on_every_view(site):
    _world(site)
    overseer = site.client("overseer")
    status = overseer.get("/status")
    assert status.status_code == 200
    for slug, c in (("ha-noi", HA_NOI), ("hue", HUE)):
        assert f'data-parts="{_triple(c)}"' in status.text
        assert f'href="/provinces/{slug}/late-communes?directive=20/CT-BCT"' in status.text

    one = overseer.get("/overdue?province=ha-noi")
    assert one.status_code == 200
    assert f'data-parts="{_triple(HA_NOI)}"' in one.text
    assert "Phần việc giao xã: 8, đã hoàn thành 1, quá hạn 3" in one.text
    late = re.search(r'href="([^"]+)" data-action="late-communes"', one.text).group(1)
    drill = overseer.get(late.replace("&amp;", "&"))
    assert drill.status_code == 200 and f'data-counts="{_triple(HA_NOI)}"' in drill.text
    assert drill.text.count("data-commune=") == 3  # the blocked one and the two of task 2 not started
    by_name = overseer.get("/overdue?province=Huế")  # a province named as a person types it: the same line
    assert "Phần việc giao xã: 3, đã hoàn thành 1, quá hạn 1" in by_name.text
    assert 'data-action="late-communes"' not in overseer.get("/overdue").text  # nationwide: no line

    matrix = overseer.get("/matrix")
    assert matrix.status_code == 200 and "Phần việc giao xã" in matrix.text
    assert re.search(rf'data-province="ha-noi">.*?data-parts="{_triple(HA_NOI)}"', matrix.text)
    assert re.search(rf'data-province="hue">.*?data-parts="{_triple(HUE)}"', matrix.text)
    assert re.search(rf'class="total">.*?data-parts="{_triple(COUNTRY)}"', matrix.text)
    assert re.search(rf'data-region="north" class="subtotal">.*?data-parts="{_triple(HA_NOI)}"', matrix.text)
    assert re.search(rf'data-region="central" class="subtotal">.*?data-parts="{_triple(HUE)}"', matrix.text)
    assert 'href="/provinces/hue/late-communes"' in matrix.text  # every directive's parts, as the matrix counts
    one_directive = overseer.get("/matrix?directive=20/CT-BCT").text
    assert 'href="/provinces/hue/late-communes?directive=20/CT-BCT"' in one_directive
    assert re.search(rf'class="total">.*?data-parts="{_triple(COUNTRY)}"', one_directive)
    north = overseer.get("/matrix?region=north").text  # the total row is of the provinces shown
    assert re.search(rf'class="total">.*?data-parts="{_triple(HA_NOI)}"', north) and "/provinces/hue/" not in north

    dashboard = overseer.get("/dashboard")
    assert dashboard.status_code == 200
    assert f'data-parts="{_triple(COUNTRY)}"' in dashboard.text and 'data-kpi="parts_overdue">4<' in dashboard.text
    assert "2/11 đã hoàn thành" in dashboard.text

    report = overseer.get("/reports/national")
    assert report.status_code == 200 and "Phần việc giao cấp xã" in report.text
    table = re.search(r'data-table="commune_parts".*?</table>', report.text, re.S).group(0)
    rows = [re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", row) for row in re.findall(r"<tr.*?</tr>", table, re.S)][1:]
    assert rows == [["Hà Nội", "8", "1", "3"], ["Huế", "3", "1", "1"], ["Cả nước", "11", "2", "4"]]

    book = load_workbook(io.BytesIO(overseer.get("/reports/national?format=xlsx").content))
    sheet = book["Phần việc giao xã"]
    values = [list(r) for r in sheet.iter_rows(min_row=3, max_row=5, values_only=True)]
    assert values == [["Hà Nội", 8, 1, 3], ["Huế", 3, 1, 1], ["Cả nước", 11, 2, 4]]


def test_a_province_officer_and_the_api_shape(site):
    _world(site)
    own = site.client("own")
    # A province officer reads the overdue list? Only the Department does: the line is the overseer's.
    assert own.get("/overdue?province=ha-noi").status_code == 403
    # The overdue list's JSON keeps the shape `dtrack overdue --json` gives (the parts are the page's).
    data = site.client("overseer").get("/overdue?province=ha-noi&format=json").json()
    assert "parts" not in data


def test_a_report_without_parts_has_no_such_section_and_a_past_day_leaves_them_out(site):
    with site.db.session() as session:
        report = national_report(session, ReportOptions(Today(date(2026, 1, 5))))
        assert "commune_parts" not in {t.key for t in report.tables}
    _world(site)
    with site.db.session() as session:
        # The day before the parts were delegated: their states now are not that day's, so no section.
        past = national_report(session, ReportOptions(Today(date(2026, 1, 4))))
        assert "commune_parts" not in {t.key for t in past.tables}
        now = national_report(session, ReportOptions(Today(date(2026, 3, 10)), lang="en"))
        table = now.table("commune_parts")
        assert table.headers == ["Province", "Parts", "Completed", "Overdue"]
        assert table.rows[-1] == ["Whole country", 11, 2, 4]
        markdown = render(now, "md").decode()
        assert "Parts delegated to communes" in markdown and "| Whole country | 11 | 2 | 4 |" in markdown
    past_page = site.client("overseer").get("/dashboard?as_of=04/01/2026")
    assert past_page.status_code == 200 and 'data-kpi="parts_overdue"' not in past_page.text


def test_the_docx_holds_the_section(site):
    from docx import Document

    from dtrack.documents.docx_writer import render_docx
    from dtrack.documents.from_report import report_document

    _world(site)
    with site.db.session() as session:
        report = national_report(session, ReportOptions(Today(date(2026, 3, 10))))
    document = Document(io.BytesIO(render_docx(report_document(report))))
    texts = [p.text for p in document.paragraphs]
    assert "Phần việc giao cấp xã" in texts
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["Cả nước", "11", "2", "4"] in rows


counts = st.builds(PartCounts, st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["ha-noi", "hue", "can-tho", "lai-chau", "an-giang"]), counts),
       st.dictionaries(st.sampled_from(["ha-noi", "hue", "can-tho", "lai-chau", "an-giang"]),
                       st.sampled_from(["north", "central", "south"]), min_size=5))
def test_regions_and_the_country_add_up(by_province, regions):
    figures = PartsFigures(date(2026, 3, 10), None, by_province, sum(by_province.values(), PartCounts()))
    provinces = [(slug, slug, region) for slug, region in sorted(regions.items())]
    per_region = figures.per_region(provinces)
    assert sum(per_region.values(), PartCounts()) == figures.total == figures.of(regions)
    for region, c in per_region.items():
        members = [by_province[s] for s, r in regions.items() if r == region and s in by_province]
        assert c.total == sum(m.total for m in members) and c.overdue == sum(m.overdue for m in members)
