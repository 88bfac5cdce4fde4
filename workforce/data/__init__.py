"""Where the public data bundled with the service lives: the one definition of each folder.

``csww``: DfE "Children's social work workforce" releases; ``ofsted``: judgements;
``reference``: councils, regions, reporting units and statistical neighbours;
``census``: the DfE census schema. SOURCES.md says where each file came from.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED_DATA = Path(__file__).resolve().parent
CSWW_DIR = BUNDLED_DATA / "csww"
OFSTED_DIR = BUNDLED_DATA / "ofsted"
REFERENCE_DIR = BUNDLED_DATA / "reference"
CENSUS_DIR = BUNDLED_DATA / "census"
