"""`seat-console drill [SCENARIO] [--trainee ID]`: the real console in drill mode, on drill.db
(beside hotline.db), never synced, never mixed with real tickets."""

from __future__ import annotations

import argparse
import logging

from pydantic import ValidationError

from seat_console.config import AgentConfig, CenterConfig, Config
from seat_console.core.drills.catalog import Drills
from seat_console.core.drills.history import check_history
from seat_console.core.drills.results import drill_database_path
from seat_console.core.drills.scenario import find_scenario
from seat_console.core.errors import SeatConsoleError
from seat_console.core.workspace import Workspace, open_workspace

log = logging.getLogger(__name__)


def drill_config(config: Config, trainee_id: str | None = None) -> Config:
    """`config` for a drill: drill.db beside the database, no center (so no sync), and the
    trainee as the agent (the phrases' 工号, the status bar)."""
    trainee = trainee_id or config.agent.id
    try:
        agent = AgentConfig(id=trainee, name=config.agent.name)
    except ValidationError:
        raise SeatConsoleError(f"--trainee {trainee!r}: a 工号 is 1-16 letters or digits") from None
    return config.model_copy(update={"database": drill_database_path(config.database),
                                     "center": CenterConfig(), "agent": agent})


def open_drill_workspace(config: Config, trainee_id: str | None = None,
                         drills: Drills | None = None) -> Workspace:
    """The console's workspace on drill.db (created, migrated and given the KB on first use),
    with the forbidden-phrase checker and scope detector of `drills`' scorer when given."""
    qa = drills.scorer.qa if drills is not None else None
    return open_workspace(drill_config(config, trainee_id),
                          checker=qa.checker if qa else None, scope=qa.scope if qa else None)


def start(args: argparse.Namespace, config: Config) -> int:
    from seat_console.tui import use_console_frame_rate

    use_console_frame_rate()  # before the first import of Textual
    from seat_console.cli import check_keymap
    from seat_console.commands.drills import load_drills
    from seat_console.tui.drill_app import DrillConsoleApp

    check_keymap(config)
    drills = load_drills(config)
    scenario = (find_scenario(config.scripts_phrases, args.scenario, drills.vocabulary)
                if args.scenario else None)
    scenarios = [scenario] if scenario is not None else drills.scenarios()
    if not scenarios:
        raise SeatConsoleError(f"{config.scripts_phrases / 'drills'}: no drill scenarios")
    for each in scenarios:
        check_history(each)  # a history that cannot be filed stops here, not mid-drill
    workspace = open_drill_workspace(config, args.trainee, drills)
    trainee = workspace.config.agent.id
    log.info("drill starting site=%s trainee=%s scenario=%s db=%s", config.site_code, trainee,
             scenario.id if scenario else "(picker)", workspace.config.database)
    try:
        # Results go to the center through the site's own outbox, when the site has a center.
        send_from = config.database if config.center.url else None
        DrillConsoleApp(workspace, drills, scenario=scenario, trainee_id=trainee,
                        send_results_from=send_from).run()
    finally:
        workspace.db.close()
    return 0
