"""A generator of realistic synthetic districts: no real person, real rates.

`generate_region` builds the canonical tables of two districts modelled on
Aurora (0180) and Cherry Creek (0130); `generate` writes them as the CSV exports
of two common SIS layouts; `write_csv_export` writes any district's tables in a
layout described by a column map.
"""

from youthbridge.synthetic.defects import Defect
from youthbridge.synthetic.export import write_csv_export
from youthbridge.synthetic.generate import (
    DistrictSummary,
    GenerationSummary,
    generate,
)
from youthbridge.synthetic.region import Region, generate_region

__all__ = [
    "Defect",
    "DistrictSummary",
    "GenerationSummary",
    "Region",
    "generate",
    "generate_region",
    "write_csv_export",
]
