"""Web application tests: routes, roles, sessions, and the browser scenarios."""
