"""Provinces: slugs, regions, and old names that map to merged units."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from dtrack.errors import InvalidInput, UnknownProvince
from dtrack.persistence.models import Province, ProvinceAlias
from dtrack.workflow.provinces import check_region, resolve, select_provinces, slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Hà Nội", "ha-noi"), ("TP. Hồ Chí Minh", "tp-ho-chi-minh"), ("Đắk Lắk", "dak-lak"),
     ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"), ("  Huế ", "hue")],
)
def test_slugify(name, slug):
    assert slugify(name) == slug


@given(st.text(max_size=40))
def test_slugs_are_always_plain_ascii(name):
    slug = slugify(name)
    assert slug.isascii()
    assert all(c.isalnum() or c == "-" for c in slug)
    assert not slug.startswith("-") and "--" not in slug


def test_34_units_in_three_regions_and_63_old_provinces(db):
    with db.session() as s:
        regions = dict(s.execute(select(Province.region, func.count()).where(Province.kind != "department")
                                 .group_by(Province.region)).all())
        aliases = s.scalar(select(func.count()).select_from(ProvinceAlias))
        cities = s.scalar(select(func.count()).where(Province.kind == "city"))
    assert regions == {"north": 15, "central": 11, "south": 8}
    assert cities == 6
    assert 34 + aliases == 63 + 1  # 29 merged provinces, plus Thừa Thiên Huế's rename


@pytest.mark.parametrize(
    ("ref", "slug", "old"),
    [("ha-noi", "ha-noi", False), ("Hà Nội", "ha-noi", False), ("TP. Hồ Chí Minh", "ho-chi-minh", False),
     ("Kiên Giang", "an-giang", True), ("dak-nong", "lam-dong", True), ("Thừa Thiên Huế", "hue", True),
     ("Bình Dương", "ho-chi-minh", True)],
)
def test_resolve(db, ref, slug, old):
    with db.session() as s:
        resolved = resolve(s, ref)
        assert resolved.province.slug == slug
        assert (resolved.note is not None) == old


def test_select_provinces(db):
    with db.session() as s:
        assert len(select_provinces(s, "all")[0]) == 34
        assert len(select_provinces(s, "central")[0]) == 11
        chosen, notes = select_provinces(s, "ha-noi,kien-giang,an-giang")
        assert [p.slug for p in chosen] == ["ha-noi", "an-giang"]
        assert len(notes) == 1
        with pytest.raises(UnknownProvince, match="atlantis"):
            select_provinces(s, "ha-noi,atlantis")


def test_unknown_region_is_an_input_error():
    with pytest.raises(InvalidInput, match="not_a_region"):
        check_region("west")


# --- shorthands (issue 11): hcm, TP.HCM, tphcm ----------------------------------------


@pytest.mark.parametrize("ref", ["hcm", "HCM", "tp-hcm", "TP.HCM", "TP. HCM", "tphcm", "Tp HCM", "TP. Hồ Chí Minh",
                                 "Thành phố Hồ Chí Minh", "thanh pho ho chi minh", "hochiminh", "ho-chi-minh"])
def test_ho_chi_minh_city_is_found_however_it_is_written(db, ref):
    with db.session() as session:
        resolved = resolve(session, ref)
        assert resolved.province.slug == "ho-chi-minh" and resolved.note is None


def test_shorthands_never_collide(db):
    from dtrack.workflow.provinces import _shorthands, initials, shorthand_index

    with db.session() as session:
        provinces = list(session.scalars(select(Province).where(Province.kind != "department")))  # not the Cục
        aliases = list(session.scalars(select(ProvinceAlias)))
        index = shorthand_index([(p.slug, p) for p in provinces] + [(a.slug, a) for a in aliases])
        every_slug = [p.slug for p in provinces] + [a.slug for a in aliases]
        # A shorthand names one thing only: shared initials (Lào Cai, Lai Châu: 'lc') name neither.
        for key in index:
            claimants = [s for s in every_slug if key in (s.replace("-", ""), initials(s))]
            assert len(claimants) == 1, (key, claimants)
        assert "lc" not in index and "dn" not in index  # Lào Cai/Lai Châu, Đà Nẵng/Đồng Nai
        # A shorthand never shadows a real slug or old name: every unit still resolves to itself.
        for province in provinces:
            assert resolve(session, province.slug).province.slug == province.slug
            assert resolve(session, province.name).province.slug == province.slug
            key = initials(province.slug)
            if key in index:
                assert resolve(session, key).province.slug == province.slug
        for alias in aliases:
            assert resolve(session, alias.name).province.slug == alias.province.slug
        assert _shorthands("TP.HCM") == ["tphcm", "hcm"]


def test_an_ambiguous_shorthand_is_refused(db):
    with db.session() as session, pytest.raises(UnknownProvince):
        resolve(session, "lc")
