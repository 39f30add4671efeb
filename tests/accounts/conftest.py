"""The accounts tests' fixtures: `site`, a site driven in-process over HTTP (from tests/web/http_support.py).

Provided here rather than imported into each test module, where the test functions' `site` parameters
would shadow the import. The autouse `cheap_hashing` stays imported by the modules that want it.
"""
from tests.web.http_support import site  # noqa: F401 - fixture
