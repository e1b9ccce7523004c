"""Statistics: the 12345 evaluation indicators computed from the records (see compute.py), with
their definitions as data in scripts_phrases/indicators.yaml (definitions.py)."""

from seat_console.core.stats.compute import Figure, Group, Report, compute, score
from seat_console.core.stats.definitions import Indicator, load_indicators
from seat_console.core.stats.period import BadPeriod, Period, period

__all__ = ["BadPeriod", "Figure", "Group", "Indicator", "Period", "Report", "compute",
           "load_indicators", "period", "score"]
