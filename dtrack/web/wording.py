"""The web pages' words: the catalog's `web.*` messages (`w.nav_home` in a template is `web.nav_home`)."""
from __future__ import annotations

from dtrack.i18n.catalog import Words
from dtrack.workflow.vocabulary import LANGUAGES

LANGS = LANGUAGES
DEFAULT = "vi"


def words(lang: str) -> Words:
    """The pages' words in `lang` (Vietnamese for a language the pages do not speak)."""
    return Words(lang if lang in LANGS else DEFAULT, "web")
