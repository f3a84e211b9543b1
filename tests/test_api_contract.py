"""Contract tests: schemathesis generates requests from the OpenAPI schema and sends them in-process (WSGI).

No generated input may cause a server error, and every answer must conform to the schema (status code,
content type, body), for an anonymous client and for a reporter's write token. Bounded in time: a few
examples per operation, derandomized so a run is repeatable.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Bodies uncompressed (GZipMiddleware would otherwise compress them for the test client).
IDENTITY = {"Accept-Encoding": "identity"}
BOUNDED = settings(
    max_examples=4, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def _load_schema():
    """The schema /api/schema/ serves, generated here (collection cannot query the database), sent to in-process."""
    from drf_spectacular.generators import SchemaGenerator

    from tracker.wsgi import application

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = application
    # Explicit examples and a few random cases per operation; no exhaustive coverage phase (time-bounded).
    loaded.config.phases.update(phases=["examples", "fuzzing"])
    return loaded


@pytest.fixture(autouse=True)
def _in_process(db, settings):
    settings.API_RATES = {"anon": "100000/min", "user": "100000/min"}
    # Requests run inside the test's transaction: keep Django from closing its connection after each one
    # (what the test client does too).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def write_token(people):
    from api.services import create_token

    return create_token(user=people.reporter_a, name="contract", scope="write", days=1)[1]


schema = _load_schema()


@schema.parametrize()
@BOUNDED
def test_anonymous_clients_get_answers_that_conform(case):
    case.call_and_validate(checks=CHECKS, headers=IDENTITY)


@schema.parametrize()
@BOUNDED
def test_token_clients_get_answers_that_conform(case, write_token):
    case.call_and_validate(checks=CHECKS, headers={**IDENTITY, "Authorization": f"Bearer {write_token}"})
