"""In Chromium, every form on every page, submitted with wrong values, answers in Vietnamese (issue 26).

As each role, each page with a form is opened; each of its forms (but logging out and the language
switch) is filled with a wrong value in every field it shows (an empty text, an out-of-range
number, an impossible date, an unknown province), the browser's own checks switched off so the
server is the one that answers, and submitted. What the page then shows is read as a user reads it
(`words_check`): no English sentence, no `--option` or command, no bare task key or id, and a
refusal says why. Real server, both back-ends (`web_site`).
"""
from __future__ import annotations

import pytest

from tests.web.browser_support import OFFICER, OVERSEER
from tests.web.test_browser import login
from tests.web.words_check import faults

pytestmark = pytest.mark.slow

KEY_PREFIX = "20/CT-BCT:2:"
WRONG = {"progress": "150", "to": "31/02/2026", "due_on": "31/02/2026", "as_of": "99/99/9999", "day": "32/13/2026",
         "province": "xyz", "provinces": "xyz", "unit": "xyz", "group": "abc", "value": "-abc", "days": "999",
         "email": "khong-phai-email", "period": "zz", "directive": "99/CT-XX"}
SKIP_ACTIONS = ("/logout", "/account/language")
FILL = """(form, wrong) => {
  form.setAttribute('novalidate', '');
  const folded = form.closest('details'); if (folded) folded.open = true;  // as a user opens it first
  for (const el of form.querySelectorAll('input, textarea, select')) {
    if (el.type === 'hidden' || el.type === 'file' || el.readOnly || el.disabled || !el.name) continue;
    if (el.tagName === 'SELECT') { if (el.name in wrong) { const o = new Option(wrong[el.name], wrong[el.name]);
      el.add(o); el.value = wrong[el.name]; } continue; }
    if (el.type === 'checkbox' || el.type === 'radio') { el.checked = false; continue; }
    if (el.type === 'date' || el.type === 'number') { el.type = 'text'; }
    el.value = el.name in wrong ? wrong[el.name] : '';
  }
}"""


def _forms(page) -> int:
    return page.locator("main form[method='post']").count()


def _sweep(page, path: str, who: str, screens, sent: list[str]) -> list[str]:
    """Submit each of `path`'s forms with wrong values (each added to `sent`); the faults found, as 'where: line'."""
    found: list[str] = []
    page.goto(path)
    for index in range(_forms(page)):
        page.goto(path)
        form = page.locator("main form[method='post']").nth(index)
        action = form.get_attribute("action") or path
        if action.endswith(SKIP_ACTIONS):
            continue
        form.evaluate(FILL, WRONG)
        button = form.locator("button[type='submit'], button:not([type]), input[type='submit']").first
        if button.count() == 0:
            continue
        with page.expect_navigation() as navigation:
            button.click()
        sent.append(action)
        shown = page.content()
        found += [f"{who} {path} → {action}: {line}" for line in faults(shown)]
        said = page.locator(".field-error, .conflict, .error, main[data-page='error']").count()
        if navigation.value is not None and navigation.value.status >= 400 and not said:
            found.append(f"{who} {path} → {action}: refused ({navigation.value.status}) without saying why")
    screens.shot(page, f"{who}-{path.strip('/').replace('/', '-') or 'home'}-wrong")
    return found


def test_every_form_on_every_page_refuses_in_vietnamese(web_site, new_page, screens):
    task_id = web_site.task_id(KEY_PREFIX, "ha-noi")
    plan = {OFFICER: ["/province", f"/tasks/{task_id}", "/indicators", "/account"],
            OVERSEER: [f"/tasks/{task_id}", "/review", "/extend-group", "/indicators", "/account"]}
    found: list[str] = []
    sent: list[str] = []
    with screens.on_failure():
        for account, paths in plan.items():
            page = new_page(account.role)
            login(page, account)
            for path in paths:
                found += _sweep(page, path, account.role, screens, sent)
            for path in ("/overdue?province=xyz", "/overdue?region=zz", "/matrix?region=zz") \
                    if account is OVERSEER else ():
                response = page.goto(path)
                assert response is not None and response.status == 422, (path, response and response.status)
                assert page.locator(".field-error").count() >= 1, path
                found += [f"{account.role} {path}: {line}" for line in faults(page.content())]
    assert not found, "\n".join(found)
    # Not a sweep of nothing: the task page's actions, comments, files, document numbers, the figures, tokens,
    # the group extension.
    assert len(sent) >= 12 and any("/actions/" in a for a in sent) and "/extend-group" in sent, sent
    assert sum(a.endswith("/documents") for a in sent) == 2, sent  # the folded "Ghi số văn bản", for both roles
