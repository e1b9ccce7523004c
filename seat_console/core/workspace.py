"""Everything the console works with, opened and validated once at start."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from seat_console.config import Config
from seat_console.core.calendar import load_calendar
from seat_console.core.calls import CallOutcomes, load_call_outcomes
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.taxonomy import Taxonomy, load_taxonomy
from seat_console.core.kb.load_report import report_lines
from seat_console.core.kb.loader import LoadResult
from seat_console.core.kb.referral_rules import ReferralRules, load_referral_rules
from seat_console.core.kb.store import seed_if_empty
from seat_console.core.phrases.catalog import PhraseCatalog, load_catalog
from seat_console.core.phrases.forbidden import ForbiddenChecker
from seat_console.core.phrases.scope import ScopeDetector, load_scope

log = logging.getLogger(__name__)


@dataclass
class Workspace:
    config: Config
    db: Database
    catalog: PhraseCatalog
    checker: ForbiddenChecker
    scope: ScopeDetector
    referral_rules: ReferralRules
    taxonomy: Taxonomy
    deadlines: DeadlinePolicy
    seeded: LoadResult | None
    call_outcomes: CallOutcomes = CallOutcomes(())


def open_store(config: Config) -> tuple[Database, LoadResult | None]:
    """hotline.db opened (created and migrated); on first run seeded from kb_data/."""
    db = Database(config.database)
    seeded = seed_if_empty(db, config.kb_data)
    if seeded is not None:
        log.info("seeded %d KB entries (%d errors)", len(seeded.records), len(seeded.errors))
        for line in report_lines(seeded.errors):
            log.warning("kb_data: %s", line)
    return db, seeded


def open_workspace(config: Config, *, checker: ForbiddenChecker | None = None,
                   scope: ScopeDetector | None = None) -> Workspace:
    """Load and validate the data files, open (create, migrate, seed) the database. A checker
    or scope detector already loaded from the same scripts_phrases (drill mode's scorer holds
    both) is used as it is instead of being loaded again.

    Raises DataFileError / DatabaseUnavailable with a message naming the file; nothing is
    started half-configured.
    """
    catalog = load_catalog(config.scripts_phrases)
    checker = checker or ForbiddenChecker.from_folder(config.scripts_phrases)
    scope = scope or ScopeDetector(load_scope(config.scripts_phrases))
    referral_rules = load_referral_rules(config.kb_data)
    taxonomy = load_taxonomy(config.kb_data)
    deadlines = DeadlinePolicy(load_calendar(config.kb_data), config.deadlines)
    call_outcomes = load_call_outcomes(config.scripts_phrases)
    db, seeded = open_store(config)
    return Workspace(config, db, catalog, checker, scope, referral_rules, taxonomy, deadlines,
                     seeded, call_outcomes)
