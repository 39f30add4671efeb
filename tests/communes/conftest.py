"""The commune tests' fixtures: the web tests' `site` (four accounts with passwords) for the commune officer's pages."""
from tests.web.http_support import cheap_hashing, site  # noqa: F401 - fixtures
