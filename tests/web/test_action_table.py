"""One table per action: a state and two actions declared in a test-only lifecycle reach every front end.

`PAUSABLE` is the lifecycle of `workflow.actions` plus a `paused` state, a
`pause` action (the province, with a note) and a `resume` action. Nothing
else is written for them: with the lifecycle installed (and its words in the
catalogs, as `messages add` would merge them), the CLI lists and runs the
commands, the task page shows their forms to the users who may fire them,
and the API documents and accepts them.
"""
from __future__ import annotations

import gettext

import pytest

from dtrack.i18n import catalog
from dtrack.workflow import lifecycle
from dtrack.workflow.actions import Action, Who
from dtrack.workflow.lifecycle import DEFAULT, Lifecycle
from dtrack.workflow.vocabulary import State
from tests.web.http_support import CSRF, VERSION
from tests.web.test_api import api, token_for

PAUSE = Action("pause", (State.IN_PROGRESS,), "paused", Who.OWNER, needs_note=True)
RESUME = Action("resume", ("paused",), State.IN_PROGRESS, Who.OWNER)
PAUSABLE = Lifecycle((*DEFAULT.states, "paused"), DEFAULT.initial, (*DEFAULT.actions, PAUSE, RESUME), DEFAULT.final)
WORDS = {
    "vi": {"action.pause": "Tạm dừng", "action.pause.help": "Tạm dừng một nhiệm vụ đang thực hiện (cán bộ của tỉnh).",
           "action.resume": "Làm tiếp", "action.resume.help": "Làm tiếp một nhiệm vụ đã tạm dừng (cán bộ của tỉnh).",
           "trigger.pause": "tạm dừng", "trigger.resume": "làm tiếp", "state.paused": "Đang tạm dừng"},
    "en": {"action.pause": "Pause", "action.pause.help": "Pause a task in progress (province user).",
           "action.resume": "Go on", "action.resume.help": "Go on with a paused task (province user).",
           "trigger.pause": "paused", "trigger.resume": "went on", "state.paused": "Paused"},
}
KEY = "20/CT-BCT:1:ha-noi"


class _WithWords(gettext.NullTranslations):
    """A language's catalog and the test lifecycle's messages (absent ones answered by the catalog as always)."""

    def __init__(self, words: dict[str, str], catalog_of_lang: gettext.NullTranslations | None) -> None:
        super().__init__()
        self.words, self.catalog = words, catalog_of_lang

    def gettext(self, message: str) -> str:
        if message in self.words:
            return self.words[message]
        return self.catalog.gettext(message) if self.catalog is not None else message


@pytest.fixture
def pausable(monkeypatch):
    """`PAUSABLE` in force for the test, and its messages in the catalogs."""
    catalogs = catalog._catalog
    monkeypatch.setattr(catalog, "_catalog", lambda lang: _WithWords(WORDS.get(lang, {}), catalogs(lang)))
    with lifecycle.installed(PAUSABLE):
        yield PAUSABLE
    assert lifecycle.current() is DEFAULT


def _state(site, key: str) -> str:
    return site.scalar("SELECT state FROM tasks WHERE id = :id", id=site.task_id(key))


def test_the_cli_has_a_command_per_action_with_its_help_and_runs_it(site, cli_runner, pausable):
    officer = site.emails["own"]
    listing = cli_runner("--lang", "en", "task", "--help").output
    assert "pause" in listing and "resume" in listing and "Act on one task (" in listing
    assert "Province users:  start, update, submit, block, unblock, pause, resume" in listing
    helped = cli_runner("--lang", "vi", "task", "pause", "--help")
    assert helped.exit_code == 0 and "Tạm dừng một nhiệm vụ đang thực hiện" in helped.output
    assert "--note" in helped.output and "--as" in helped.output
    assert cli_runner("task", "start", KEY, "--as", officer).exit_code == 0
    refused = cli_runner("task", "pause", KEY, "--as", officer)  # the declaration says a note is needed
    assert refused.exit_code == 1 and _state(site, KEY) == "in_progress"
    done = cli_runner("task", "pause", KEY, "--as", officer, "--note", "Chờ bố trí kinh phí")
    assert done.exit_code == 0, done.output
    assert _state(site, KEY) == "paused"
    diagram = cli_runner("lifecycle").output
    assert "in_progress --> paused: pause (owner, note required)" in diagram


def test_without_the_test_lifecycle_there_is_no_such_command(cli_runner):
    assert "pause" not in cli_runner("task", "--help").output
    assert cli_runner("task", "pause", KEY, "--as", "x@example.vn").exit_code == 2  # click: no such command


def test_the_task_page_shows_the_forms_to_who_may_and_the_post_moves_the_task(site, pausable):
    task_id = site.task_id(KEY)
    officer, overseer = site.client("own"), site.client("overseer")
    page = officer.get(f"/tasks/{task_id}")
    assert 'data-form="pause"' not in page.text  # not started: pause does not apply yet
    csrf, version = CSRF.search(page.text).group(1), VERSION.search(page.text).group(1)
    assert officer.post(f"/tasks/{task_id}/actions/start", data={"csrf_token": csrf, "version": version}).status_code \
        == 303
    page = officer.get(f"/tasks/{task_id}")
    assert 'data-form="pause"' in page.text and ">Tạm dừng</button>" in page.text
    assert 'data-form="pause"' not in overseer.get(f"/tasks/{task_id}").text  # the province's action only
    posted = officer.post(f"/tasks/{task_id}/actions/pause",
                          data={"csrf_token": csrf, "version": VERSION.search(page.text).group(1), "note": "  "})
    assert posted.status_code == 422 and _state(site, KEY) == "in_progress"  # the note the declaration requires
    done = officer.post(f"/tasks/{task_id}/actions/pause", data={
        "csrf_token": csrf, "version": VERSION.search(page.text).group(1), "note": "Chờ bố trí kinh phí"})
    assert done.status_code == 303 and _state(site, KEY) == "paused"
    page = officer.get(f"/tasks/{task_id}")
    assert page.status_code == 200 and "Đang tạm dừng" in page.text and 'data-form="resume"' in page.text
    assert ">tạm dừng<" in page.text  # the history's word for it
    assert '#resume" data-allowed="resume">Làm tiếp</a>' in officer.get("/province").text


def test_the_api_documents_the_actions_and_the_state_and_takes_them(site, pausable):
    client = api(site, token_for(site, "own"))
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"pause", "resume"} <= set(schemas["Transition"]["properties"]["trigger"]["enum"])
    assert "pause" in schemas["Transition"]["anyOf"][0]["properties"]["trigger"]["enum"]  # a note required
    assert "paused" in schemas["Task"]["properties"]["state"]["enum"]
    task_id = site.task_id(KEY)
    url = f"/api/v1/tasks/{task_id}/transitions"
    assert client.post(url, json={"trigger": "start"}).status_code == 200
    assert client.post(url, json={"trigger": "pause"}).status_code == 422  # the document says: a note
    done = client.post(url, json={"trigger": "pause", "note": "Chờ bố trí kinh phí"})
    assert done.status_code == 200 and done.json()["to_state"] == "paused"
    assert client.get(f"/api/v1/tasks/{task_id}").json()["allowed"] == ["resume"]
    back = client.post(url, json={"trigger": "resume"})
    assert back.status_code == 200 and back.json()["to_state"] == "in_progress"
    refused = client.post(url, json={"trigger": "launch"})
    assert refused.status_code == 422  # outside the document's enum
