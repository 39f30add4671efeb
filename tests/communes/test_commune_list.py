"""The official list of communes: loaded by init, mapped by official code, listed, and brought up to date.

Every test runs on SQLite and PostgreSQL (the `db` fixtures): the initialised
database holds the list of the installed `vietnam-provinces` package.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import vietnam_provinces
from sqlalchemy import func, select

from dtrack.config.clock import Clock
from dtrack.errors import UnknownProvince
from dtrack.persistence.models import Commune, Province, User
from dtrack.usecases.bootstrap import initialise
from dtrack.workflow.commune_list import (
    CommuneListInvalid,
    OfficialCommune,
    OfficialList,
    apply,
    compare,
    load_communes,
    package_list,
    read_list,
)
from dtrack.workflow.users import add_user
from tests.conftest import TODAY

NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def rows(db) -> dict[str, tuple]:
    with db.session() as session:
        return {r.code: (r.slug, r.name, r.kind, r.retired_at) for r in session.execute(
            select(Commune.code, Province.slug, Commune.name, Commune.kind, Commune.retired_at)
            .join(Province, Province.id == Commune.province_id))}


def test_the_pin_and_the_data_the_docstring_names():
    assert vietnam_provinces.__version__.startswith("2025.")
    official = package_list()
    assert official.source == f"vietnam-provinces {vietnam_provinces.__version__}"
    assert official.data_version == vietnam_provinces.__data_version__
    assert len(official.communes) == 3321
    assert Counter(c.kind for c in official.communes) == {"commune": 2621, "ward": 687, "special_zone": 13}
    assert len({c.province_code for c in official.communes}) == 34


def test_init_loads_every_commune_under_its_province_by_official_code(db):
    with db.session() as session:
        codes = dict(session.execute(select(Province.slug, Province.code).where(Province.code.is_not(None))).all())
        per_province = dict(session.execute(select(Province.slug, func.count(Commune.id))
                                            .join(Commune, Commune.province_id == Province.id)
                                            .group_by(Province.slug)).all())
    assert len(codes) == 34 and codes["ha-noi"] == "01" and codes["ho-chi-minh"] == "79" and codes["ca-mau"] == "96"
    assert len(per_province) == 34 and sum(per_province.values()) == 3321
    assert per_province["ha-noi"] == 126
    loaded = rows(db)
    assert loaded["00004"] == ("ha-noi", "Phường Ba Đình", "ward", None)
    # By code, not by name: every commune sits under the province whose official code the list gives it.
    by_code = {c.code: c.province_code for c in package_list().communes}
    slug_of = {code: slug for slug, code in codes.items()}
    assert all(slug_of[by_code[code]] == row[0] for code, row in loaded.items())


def test_init_again_loads_nothing_and_changes_nothing(db):
    before = rows(db)
    again = initialise(db, Clock(pinned=TODAY))
    assert (again.communes_added, again.communes) == (0, 3321)
    assert rows(db) == before
    with db.session() as session:
        assert load_communes(session, NOW) == 0
        assert compare(session, package_list()).empty


def changed_list() -> OfficialList:
    """The package's list, later: Ba Đình renamed (and made a commune), Ngọc Hà gone, a new ward in Hà Nội."""
    communes = []
    for c in package_list().communes:
        if c.code == "00004":
            c = replace(c, name="Phường Ba Đình Mới")
        elif c.code == "00008":
            continue
        communes.append(c)
    communes.append(OfficialCommune("99999", "01", "Phường Thử Nghiệm", "ward"))
    return OfficialList("later list", None, tuple(communes))


def test_a_later_list_is_compared_code_by_code_and_applied_without_deleting_anything(db):
    with db.session() as session:
        officer, _ = add_user(session, email="can.bo@ngocha.example.vn", name="Trần Thị Ngọc", role="commune",
                              province=None, commune="00008", now=NOW)
        officer_id = officer.id
    before = rows(db)
    with db.session() as session:
        changes = compare(session, changed_list())
    assert [(c.code, c.name, c.province) for c in changes.added] == [("99999", "Phường Thử Nghiệm", "ha-noi")]
    assert [(c.code, c.was_name, c.name) for c in changes.renamed] == [("00004", "Phường Ba Đình",
                                                                        "Phường Ba Đình Mới")]
    assert [(c.code, c.name) for c in changes.retired] == [("00008", "Phường Ngọc Hà")]
    assert changes.moved == [] and changes.restored == [] and changes.unchanged == 3319
    assert rows(db) == before  # comparing writes nothing

    with db.session() as session:
        apply(session, compare(session, changed_list()), LATER)
    after = rows(db)
    assert set(after) == set(before) | {"99999"}  # nothing deleted
    assert after["00004"][1] == "Phường Ba Đình Mới"
    assert after["00008"][3] == LATER  # retired, kept
    assert after["99999"] == ("ha-noi", "Phường Thử Nghiệm", "ward", None)
    with db.session() as session:
        bound = session.get(User, officer_id)
        assert session.get(Commune, bound.commune_id).code == "00008"  # the officer's commune is still there
        assert compare(session, changed_list()).empty  # applied: the same list changes nothing more
        # The package's list again: Ngọc Hà comes back, the test ward is retired, Ba Đình gets its name back.
        back = compare(session, package_list())
    assert [c.code for c in back.restored] == ["00008"] and [c.code for c in back.retired] == ["99999"]
    assert [c.code for c in back.renamed] == ["00004"]


def test_a_commune_moved_to_another_province_is_reported_as_moved(db):
    moved = OfficialList("moved", None, tuple(replace(c, province_code="46") if c.code == "00004" else c
                                              for c in package_list().communes))
    with db.session() as session:
        changes = compare(session, moved)
        assert [(c.code, c.was_province, c.province) for c in changes.moved] == [("00004", "ha-noi", "hue")]
        apply(session, changes, LATER)
    assert rows(db)["00004"][0] == "hue"


def test_a_list_with_a_province_dtrack_does_not_know_is_refused(db):
    odd = OfficialList("odd", None, (OfficialCommune("99998", "03", "Xã Không Có", "commune"),))
    with db.session() as session, pytest.raises(UnknownProvince) as raised:
        compare(session, odd)
    assert raised.value.error_code == "unknown_province_code" and raised.value.params["commune"] == "99998"


def nested(path, provinces) -> str:
    path.write_text(json.dumps(provinces, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("content, key, problem", [
    ("{", "$", "not_json"),
    ({"code": 1}, "$", "not_a_list"),
    ([{"code": 1}], "$[0]", "not_a_province_entry"),
    ([{"code": "x1", "wards": []}], "$[0].code", "not_an_official_code"),
    ([{"code": 1, "wards": [{"code": 123456, "name": "Xã A", "division_type": "xã"}]}], "$[0].wards[0].code",
     "not_an_official_code"),
    ([{"code": 1, "wards": [{"code": 4, "name": " ", "division_type": "xã"}]}], "$[0].wards[0].name", "empty"),
    ([{"code": 1, "wards": [{"code": 4, "name": "Xã A", "division_type": "huyện"}]}],
     "$[0].wards[0].division_type", "not_a_commune_kind"),
    ([{"code": 1, "wards": [{"code": 4, "name": "Xã A", "division_type": "xã"},
                            {"code": "00004", "name": "Xã B", "division_type": "xã"}]}], "$[0].wards[1].code",
     "code_twice"),
])
def test_a_bad_list_file_says_where_and_what(tmp_path, content, key, problem):
    path = tmp_path / "list.json"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        nested(path, content)
    with pytest.raises(CommuneListInvalid) as raised:
        read_list(path)
    assert (raised.value.key, raised.value.problem.code) == (key, problem)


def test_a_list_file_reads_codes_as_zero_padded_digits_and_names_in_nfc(tmp_path):
    decomposed = "Phu\u031bo\u031b\u0300ng Ba \u0110i\u0300nh"  # NFD, as some tools write it
    path = nested(tmp_path / "list.json", [{"code": 1, "wards": [{"code": 4, "name": decomposed,
                                                                  "division_type": "phường"}]}])
    assert read_list(path).communes == (OfficialCommune("00004", "01", "Phường Ba Đình", "ward"),)


def write_changed(tmp_path) -> str:
    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    hanoi = next(p for p in data if p["code"] == 1)
    hanoi["wards"] = [w for w in hanoi["wards"] if w["code"] != 8]
    next(w for w in hanoi["wards"] if w["code"] == 4)["name"] = "Phường Ba Đình Mới"
    hanoi["wards"].append({"code": 99999, "name": "Phường Thử Nghiệm", "division_type": "phường"})
    return nested(tmp_path / "later.json", data)


def test_communes_update_previews_then_applies_in_the_terminal(cli_runner, db, tmp_path):
    later = write_changed(tmp_path)
    before = rows(db)
    preview = cli_runner("communes", "update", "--file", later)
    assert preview.exit_code == 0, preview.output
    lines = preview.output.strip().splitlines()
    assert "thêm: 99999 Phường Thử Nghiệm (ha-noi)" in lines
    assert "đổi tên: 00004 Phường Ba Đình → Phường Ba Đình Mới (ha-noi)" in lines
    assert "thôi (không còn trong danh mục, vẫn giữ lại): 00008 Phường Ngọc Hà (ha-noi)" in lines
    assert lines[-1].endswith("thêm 1, đổi tên 1, chuyển tỉnh 0, thôi 1, khôi phục 0, giữ nguyên 3319; "
                              "chưa thay đổi gì (thêm --apply để áp dụng)")
    assert rows(db) == before

    applied = cli_runner("communes", "update", "--file", later, "--apply", "--json")
    assert applied.exit_code == 0, applied.output
    report = json.loads(applied.output)
    assert report["applied"] is True and [c["code"] for c in report["retired"]] == ["00008"]
    assert len(rows(db)) == 3322
    again = cli_runner("communes", "update", "--file", later)
    assert "không có gì thay đổi" in again.output
    package = cli_runner("--lang", "en", "communes", "update")
    assert "list vietnam-provinces 2025." in package.output and "1 restored" in package.output


def test_communes_list_shows_code_name_and_kind_in_words(cli_runner):
    shown = cli_runner("communes", "list", "--province", "ha-noi")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].split() == ["số", "hiệu", "tên", "loại"]
    assert lines[2].split() == ["00004", "Phường", "Ba", "Đình", "phường"]
    assert any(line.split()[-1] == "xã" for line in lines[2:-1])
    assert lines[-1] == "126 xã, phường, đặc khu"
    listed = json.loads(cli_runner("communes", "list", "--province", "Hà Nội", "--json").output)
    assert len(listed) == 126 and listed[0] == {"code": "00004", "name": "Phường Ba Đình", "kind": "ward",
                                                "province": "ha-noi", "retired_at": None}
    zones = [c for c in json.loads(cli_runner("communes", "list", "--json").output) if c["kind"] == "special_zone"]
    assert len(zones) == 13
    english = cli_runner("--lang", "en", "communes", "list", "--province", "quang-ninh")
    assert "special zone" in english.output and "ward" in english.output
