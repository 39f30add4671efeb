"""Text users typed reaches terminals and pages without its control and bidi characters acting.

An OSC 52 sequence in a note would write the reader's clipboard, a CR overwrite
the line, a U+202E make the rest read backwards: `task show`, `tasks list` and
`users list` show them as visible escapes (^[, \\u202e), and web pages as [U+202E].
"""
from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from dtrack.terminal import neutralise
from tests.web.http_support import make_site

KEY = "20/CT-BCT:2:ha-noi"
# Anything a terminal would act on instead of showing (newline aside, where the layout has one).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HOSTILE = ["\x1b]52;c;aGFja2Vk\x07", "\x1b[2J", "\r", "\x07", "\x08", "\x7f", "\x9b31m", "\u202e", "\u2066",
           "\u200f", "\u061c", "\t", "\n", "\x1b", "\x85"]
notes = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text("Tiến độ Hà Nội abc123 ~!@#", min_size=1, max_size=8)),
                 min_size=1, max_size=8).map("".join).filter(lambda t: t.strip() != "")


def _stored_note(db) -> str:
    with db.session() as session:
        return session.execute(text("SELECT note FROM events ORDER BY id DESC LIMIT 1")).scalar()


def test_neutralise_shows_each_control_visibly():
    assert neutralise("a\x1b]52;c;aGk=\x07b\rc\u202ed\x9be\x7f\nf") == "a^[]52;c;aGk=^Gb^Mc\\u202ed\\u009be^?\nf"
    assert neutralise("hai\ndòng\tmột", cell=True) == "hai dòng một"
    assert neutralise("Nguyễn Thị Hà 30%") == "Nguyễn Thị Hà 30%"


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=notes)
def test_task_show_prints_no_raw_control_character_and_the_note_stays_recognisable(world, cli_runner, note):
    if not getattr(world, "_started", False):
        world.officer = world.user("province", "ha-noi")
        world.fire(KEY, "start", world.officer)
        world._started = True
    world.fire(KEY, "update", world.officer, note=note)
    stored = _stored_note(world.db)
    for args in (["task", "show", KEY], ["--lang", "en", "task", "show", KEY]):
        result = cli_runner(*args)
        assert result.exit_code == 0, result.output
        assert RAW.search(result.output) is None, repr(result.output)
        assert neutralise(stored, cell=True) in result.output
    as_json = cli_runner("task", "show", KEY, "--json").output
    assert RAW.search(as_json) is None
    assert json.loads(as_json)["history"][-1]["note"] == stored  # scripts get the data unchanged


def test_lists_of_users_and_tasks_and_an_error_quoting_the_input(world, cli_runner):
    world.user("province", "ha-noi", email="an@soct.example.vn")
    with world.db.session() as session:
        session.execute(text("UPDATE users SET name = :n WHERE email = 'an@soct.example.vn'"),
                        {"n": "Nguyễn \u202eAn\x1b]52;c;aGk=\x07"})
        session.execute(text("UPDATE task_groups SET title_vi = :t WHERE ordinal = 2"), {"t": "Tiêu đề\r\x1b[2J"})
    for args in (["users", "list"], ["tasks", "list", "--province", "ha-noi"], ["task", "show", KEY],
                 ["task", "show", "x\x1b]52;c;aGk=\x07\u202e"]):
        result = cli_runner(*args)
        assert RAW.search(result.output) is None, (args, repr(result.output))
    assert "Nguyễn \\u202eAn^[]52;c;aGk=^G" in cli_runner("users", "list").output
    assert "Tiêu đề^M^[[2J" in cli_runner("task", "show", KEY).output


def test_the_task_page_shows_bidi_overrides_visibly(db):
    site = make_site(db)
    from dtrack.workflow.service import Tracker

    tracker = Tracker(site.db, site.clock)
    tracker.fire(KEY, "start", site.emails["own"], note="Đã giao \u202etxt.exe\u202c cho phòng\x1b]52;c;aGk=\x07")
    page = site.client("own").get(f"/tasks/{site.task_id(KEY)}")
    assert page.status_code == 200
    assert "Đã giao [U+202E]txt.exe[U+202C] cho phòng[U+001B]]52;c;aGk=[U+0007]" in page.text
    assert RAW.search(page.text.replace("\n", "").replace("\t", "").replace("\r", "")) is None
