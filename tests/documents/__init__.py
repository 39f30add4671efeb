"""Tests of the official documents (issue 23)."""
import os
from pathlib import Path

# Where the documents' page images and the letters' screenshots are kept (open them and look).
SHOTS = Path(os.environ.get("DTRACK_DOC_SCREENSHOTS", "test-output/screenshots/documents"))
