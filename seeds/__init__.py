"""Shipped data: the 34 provinces, Directive 20/CT-BCT, and an example directive."""
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent
PROVINCES_FILE = SEEDS_DIR / "provinces.toml"
DIRECTIVE_20_FILE = SEEDS_DIR / "directive-20-ct-bct.toml"
EXAMPLE_DIRECTIVE_FILE = SEEDS_DIR / "examples" / "example-directive.toml"
