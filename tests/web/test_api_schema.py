"""The OpenAPI document is accurate: schemathesis against a live `dtrack serve`, with a province and an overseer token.

Every operation in the document gets generated requests (valid and not);
each answer must be no 5xx, have a status, content type and body the
document declares. Positive-acceptance is not asked for: a valid request
may rightly be refused (403 for a province token on a review route, 404 for
a task id that does not exist, 409 for an action the state does not allow).
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from dtrack.accounts.api_tokens import create_token
from dtrack.web import api
from dtrack.workflow.clock import Clock
from dtrack.workflow.models import User
from tests.web.browser_support import OFFICER, OVERSEER

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def tokens(web_site) -> dict[str, str]:
    made = {}
    for account in (OFFICER, OVERSEER):
        with web_site.db.session() as session:
            user_id = session.scalar(select(User.id).where(User.email == account.email))
        made[account.role] = create_token(web_site.db, Clock(), user_id, "schemathesis", 30).token
    return made


def test_every_answer_matches_the_document(web_site, tokens):
    schema = schemathesis.openapi.from_url(web_site.url("/api/v1/openapi.json"))
    operations = [result.ok() for result in schema.get_all_operations()]
    served = {(method, route.path.replace(":int", "")) for route in api.routes if route.name != "api_openapi"
              for method in route.methods - {"HEAD"}}
    assert {(op.method.upper(), op.path) for op in operations} == served  # every route is in the document

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers_conform(case):
            for token in (tokens["province"], tokens["overseer"]):  # each generated request, with each token
                case.call_and_validate(base_url=web_site.base_url, headers={"Authorization": f"Bearer {token}"},
                                       checks=CHECKS)

        answers_conform()
