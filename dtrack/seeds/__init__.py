"""Shipped data: the 34 provinces, Directive 20/CT-BCT, an example directive, seed figures."""
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent
PROVINCES_FILE = SEEDS_DIR / "provinces.toml"
DIRECTIVE_20_FILE = SEEDS_DIR / "directive-20-ct-bct.toml"
EXAMPLE_DIRECTIVE_FILE = SEEDS_DIR / "examples" / "example-directive.toml"
# Figures the 2024-2025 press reports give (regional and national), one row per
# figure with its source article; `dtrack init` loads them (see reports/indicators.py).
INDICATORS_FILE = SEEDS_DIR / "indicators-2024-2025.csv"
