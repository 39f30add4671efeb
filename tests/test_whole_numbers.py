"""A whole number is written as Babel writes it for the language, whatever the number (the fast path is exact)."""
from __future__ import annotations

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from dtrack.templates.environment import whole


@given(st.integers(-10**15, 10**15), st.sampled_from(("vi", "en")))
def test_a_whole_number_reads_as_babel_writes_it(value: int, lang: str) -> None:
    assert whole(value, lang) == format_decimal(value, locale=lang)


def test_thousands_are_grouped_with_the_language_s_symbol() -> None:
    assert (whole(1234567, "vi"), whole(1234567, "en"), whole(999, "vi")) == ("1.234.567", "1,234,567", "999")
