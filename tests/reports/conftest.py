"""Fixtures for report tests."""
from __future__ import annotations

import pytest

from .htmltables import parse_html


@pytest.fixture
def parse():
    return parse_html
