"""Standards catalogue, crosswalk, clause references and company-document loading."""

from pathlib import Path

SAMPLE_QMS_DIR = Path(__file__).parent / "samples" / "qms"
"""The fictional company's procedures and forms that `q1audit setup` imports on first run."""
