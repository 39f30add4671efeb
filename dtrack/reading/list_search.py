"""Searching and sorting the lists: a text typed in the search box, and `?sort=` of a column.

A search names tasks by their title, their key or their province, with or without diacritics
("Hà Nội", "ha noi", "20/CT-BCT:2:ha-noi"). Titles and provinces live in small tables (task
groups, the 34 provinces), so each word is matched there, once, and becomes a condition on the
task's own columns (`group_id IN (...) OR province_id IN (...)`): the database narrows a
million tasks, no task is read in Python to be searched. Every word must match (AND).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from dtrack.errors import InvalidInput
from dtrack.persistence.models import Directive, Province, Task, TaskGroup
from dtrack.workflow.communes import fold

MAX_SEARCH = 200  # characters: beyond any title, and a bound on the work a request asks for


@dataclass(frozen=True)
class TextMatch:
    """A search as conditions: per word, the groups and the provinces it names; a key's period."""

    text: str
    words: tuple[tuple[frozenset[int], frozenset[int]], ...]
    period: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The search as conditions on task columns (for any query over `Task`)."""
        found: list[ColumnElement[bool]] = []
        for groups, provinces in self.words:
            either = [c for c in ((Task.group_id.in_(sorted(groups)) if groups else None),
                                  (Task.province_id.in_(sorted(provinces)) if provinces else None)) if c is not None]
            found.append(or_(*either) if either else false())
        if self.period is not None:
            found.append(Task.period == self.period)
        return found

    def admits(self, group_id: int, province_id: int, period: str) -> bool:
        """Whether a task (by its group, province and period) matches: for lists already in hand."""
        return all(group_id in groups or province_id in provinces for groups, provinces in self.words) and (
            self.period is None or period == self.period)


def text_match(session: Session, text: str | None) -> TextMatch | None:
    """The search `text` as a `TextMatch`; None when nothing was typed. Too long a text is refused."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_SEARCH:
        raise InvalidInput("q", "too_long", max=MAX_SEARCH, length=len(text))
    groups = [(g_id, fold(f"{code} {title_vi} {title_en}"), code, ordinal) for g_id, code, ordinal, title_vi, title_en
              in session.execute(select(TaskGroup.id, Directive.code, TaskGroup.ordinal, TaskGroup.title_vi,
                                        TaskGroup.title_en).join(TaskGroup.directive))]
    provinces = [(p_id, fold(f"{name} {name_en} {slug.replace('-', ' ')}"), slug) for p_id, name, name_en, slug
                 in session.execute(select(Province.id, Province.name, Province.name_en, Province.slug))]
    if ":" in text:  # a task's key: DIRECTIVE:GROUP[:PROVINCE[:PERIOD]]
        return _key_match(text, groups, provinces)
    words: list[tuple[frozenset[int], frozenset[int]]] = []
    for word in fold(text).split():
        words.append((frozenset(g for g, folded, *_ in groups if word in folded),
                      frozenset(p for p, folded, _ in provinces if word in folded)))
    return TextMatch(text, tuple(words))


def _key_match(text: str, groups: list, provinces: list) -> TextMatch:
    code, ordinal, *rest = [part.strip() for part in text.split(":")] + [""]
    chosen = frozenset(g for g, _, g_code, g_ordinal in groups
                       if g_code.casefold() == code.casefold() and (not ordinal or str(g_ordinal) == ordinal))
    province = fold(rest[0]) if rest and rest[0] else ""
    words: list[tuple[frozenset[int], frozenset[int]]] = [(chosen, frozenset())]
    if province:
        words.append((frozenset(), frozenset(p for p, _, slug in provinces if slug.replace("-", " ") == province
                                             or slug == rest[0])))
    period = rest[1] if len(rest) > 1 and rest[1] else None
    return TextMatch(text, tuple(words), period)




def group_choices(session: Session, directive: str | None) -> list[tuple[int, str, str]]:
    """The task groups a filter offers as a picker: (number, title vi, title en), one per number, in order.

    Of one directive when one is chosen; else the first directive's title stands for a number they share.
    """
    query = select(TaskGroup.ordinal, TaskGroup.title_vi, TaskGroup.title_en).join(TaskGroup.directive)
    if directive:
        query = query.where(Directive.code == directive)
    chosen: dict[int, tuple[int, str, str]] = {}
    for ordinal, title_vi, title_en in session.execute(query.order_by(TaskGroup.ordinal, Directive.code)):
        chosen.setdefault(ordinal, (ordinal, title_vi, title_en))
    return list(chosen.values())


USER_SORTS = ("name", "email", "province", "role")


def people_found(users: list[Any], text: str | None, sort: str | None) -> list[Any]:
    """The users page's accounts matching `text` (name, email or province, with or without diacritics), sorted.

    The page holds every account already (one query, as before), so the match is made on that list;
    `sort` is a column of USER_SORTS ("-" in front: reversed); another is refused on the field `sort`.
    """
    text = (text or "").strip()
    if len(text) > MAX_SEARCH:
        raise InvalidInput("q", "too_long", max=MAX_SEARCH, length=len(text))
    order = (sort or "").strip() or USER_SORTS[0]
    if order.removeprefix("-") not in USER_SORTS:
        raise InvalidInput("sort", "not_a_sort", value=order[:40], choices=list(USER_SORTS))

    def folded(user: Any) -> str:
        province = user.province
        return fold(" ".join([user.name, user.email.replace("@", " ").replace(".", " "), user.email,
                              province.name if province else "", province.slug if province else ""]))

    words = fold(text).split()
    found = [u for u in users if all(word in folded(u) for word in words)] if words else list(users)
    column = order.removeprefix("-")

    def key(user: Any) -> tuple[str, str]:
        value = {"name": fold(user.name.split()[-1] if user.name.split() else "") + " " + fold(user.name),
                 "email": user.email, "role": user.role,
                 "province": user.province.slug if user.province else "~"}[column]
        return value, user.email

    return sorted(found, key=key, reverse=order.startswith("-"))


__all__ = ["MAX_SEARCH", "USER_SORTS", "TextMatch", "group_choices", "people_found", "text_match"]
