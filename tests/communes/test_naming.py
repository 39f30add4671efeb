"""Naming a commune: by official code or by name, with or without diacritics, within a province or not."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dtrack.errors import InvalidInput
from dtrack.i18n.error_messages import say
from dtrack.persistence.models import Commune, Province
from dtrack.workflow.commune_list import package_list
from dtrack.workflow.communes import AmbiguousCommune, UnknownCommune, fold, resolve_commune
from dtrack.workflow.provinces import resolve

# The installed package's list, as init loaded it: what the property draws from.
OFFICIAL = package_list().communes


def province(session, slug: str) -> Province:
    return resolve(session, slug).province


def stripped(name: str) -> str:
    """A name as someone types it without diacritics (đ as d), in any case."""
    text = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


@pytest.mark.parametrize("ref", ["Phường Ba Đình", "phường ba đình", "PHUONG BA DINH", "ba dinh", "Ba Đình",
                                 "00004", "4", " 00004 ", "Phuong  Ba-Dinh"])
def test_ba_dinh_in_hanoi_however_it_is_written(db, ref):
    with db.session() as session:
        assert resolve_commune(session, ref, province(session, "ha-noi")).code == "00004"


def test_a_name_several_communes_bear_is_refused_with_the_candidates(db):
    with db.session() as session:
        with pytest.raises(AmbiguousCommune) as raised:
            resolve_commune(session, "ba dinh")
        # "Ba Dinh" (Quảng Ngãi) is written without diacritics; "ba dinh" typed so does not pick it.
        assert [c[0] for c in raised.value.candidates] == ["00004", "16171", "21499"]
        assert raised.value.field == "commune" and raised.value.error_code == "ambiguous_commune"
        assert raised.value.params["candidates"] == ["00004 Phường Ba Đình (Hà Nội)", "16171 Xã Ba Đình (Thanh Hóa)",
                                                     "21499 Xã Ba Dinh (Quảng Ngãi)"]
        # With its diacritics the name is taken as written first: Ba Dinh is no longer a candidate.
        with pytest.raises(AmbiguousCommune) as written:
            resolve_commune(session, "Ba Đình")
        assert [c[0] for c in written.value.candidates] == ["00004", "16171"]
        assert resolve_commune(session, "Xã Ba Dinh").code == "21499"
        assert resolve_commune(session, "Xã Ba Đình").code == "16171"
    vi = say(raised.value, "vi")
    assert vi.startswith("xã, phường: 'ba dinh' là tên của 3 xã, phường: 00004 Phường Ba Đình (Hà Nội), ")
    assert say(raised.value, "en").endswith("give the code of the one you mean, or its province")


def test_unknown_names_and_codes_and_another_province_s_code(db):
    with db.session() as session:
        hue = province(session, "hue")
        for ref in ("Phường Không Có", "", "123456", "99999", "ab\x00c"):
            with pytest.raises(UnknownCommune) as raised:
                resolve_commune(session, ref, hue)
            assert raised.value.field == "commune"
        assert say(raised.value, "en").startswith("commune: hue has no commune, ward or special zone")
        with pytest.raises(UnknownCommune):
            resolve_commune(session, "Phường Ba Đình", hue)  # Hà Nội's, not Huế's
        with pytest.raises(InvalidInput) as elsewhere:
            resolve_commune(session, "00004", hue)
        assert elsewhere.value.error_code == "commune_not_in_province"
        assert say(elsewhere.value, "vi") == "xã, phường: 00004 Phường Ba Đình không thuộc Huế"


def test_a_retired_commune_is_named_only_by_code_and_only_when_asked(db):
    with db.session() as session:
        session.execute(Commune.__table__.update().where(Commune.code == "00008").values(
            retired_at=session.scalar(select(Commune.loaded_at).where(Commune.code == "00008"))))
    with db.session() as session:
        with pytest.raises(UnknownCommune):
            resolve_commune(session, "Phường Ngọc Hà")
        with pytest.raises(UnknownCommune):
            resolve_commune(session, "00008")
        assert resolve_commune(session, "00008", include_retired=True).name == "Phường Ngọc Hà"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, len(OFFICIAL) - 1), upper=st.booleans(), within=st.booleans())
def test_any_commune_is_found_by_its_code_and_by_its_name_without_diacritics(db, index, upper, within):
    wanted = OFFICIAL[index]
    with db.session() as session:
        unit = session.scalar(select(Province).where(Province.code == wanted.province_code)) if within else None
        assert resolve_commune(session, wanted.code, unit).code == wanted.code
        assert resolve_commune(session, str(int(wanted.code)), unit).code == wanted.code
        typed = stripped(wanted.name)
        typed = typed.upper() if upper else typed.lower()
        try:
            found = resolve_commune(session, typed, unit)
        except AmbiguousCommune as ambiguous:
            codes = [c[0] for c in ambiguous.candidates]
            assert wanted.code in codes and len(codes) > 1
            # Each candidate answers to the same name without diacritics.
            names = {c.code: c.name for c in OFFICIAL}
            assert {fold(names[code]) for code in codes} == {fold(wanted.name)}
        else:
            assert found.code == wanted.code
