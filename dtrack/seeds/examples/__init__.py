"""Package data (kept a package so the wheel carries it)."""
