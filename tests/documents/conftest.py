"""The documents tests' fixtures: the web tests' in-process site, for the downloads."""
from tests.web.http_support import cheap_hashing, site  # noqa: F401 - fixtures
