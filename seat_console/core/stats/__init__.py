"""Statistics: the 12345 evaluation indicators computed from the records (see compute.py), with
their definitions as data in scripts_phrases/indicators.yaml (definitions.py), and the 热点专题
of a period (hotspots.py, rules in scripts_phrases/hotspots.yaml). The workbook of
`seat-console stats --xlsx` is workbook.py (imported where it is used: it needs openpyxl)."""

from seat_console.core.stats.compute import Figure, Group, Report, compute, score
from seat_console.core.stats.definitions import Indicator, load_indicators
from seat_console.core.stats.hotspots import (Hotspot, HotspotRules, find_hotspots,
                                              load_hotspot_rules)
from seat_console.core.stats.period import BadPeriod, Period, period

__all__ = ["BadPeriod", "Figure", "Group", "Hotspot", "HotspotRules", "Indicator", "Period",
           "Report", "compute", "find_hotspots", "load_hotspot_rules", "load_indicators", "period",
           "score"]
