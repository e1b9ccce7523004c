"""`seat-console` command line: no subcommand starts the console; subcommands for scripts."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from seat_console.commands.arguments import build_parser, drill_shorthand
from seat_console.config import Config, keymap_error, load_config
from seat_console.core import clock
from seat_console.core.errors import SeatConsoleError

log = logging.getLogger("seat_console")


def _setup_logging(config: Config) -> None:
    """Log to seat-console.log beside the database. Never log citizens' data in clear."""
    from seat_console.core.private_files import create_private

    log_file = create_private(config.database.parent / "seat-console.log")  # owner-only
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("seat_console")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def check_keymap(config: Config) -> None:
    """The config's keymap names known binding ids and puts no two on one key (Textual is
    imported: call after use_console_frame_rate())."""
    from seat_console.tui.app import BINDING_AREAS, BINDING_SCREENS
    from seat_console.tui.keymap import clashing_bindings, unknown_binding_ids

    unknown = unknown_binding_ids(BINDING_AREAS, config.keymap)
    if unknown:
        raise keymap_error(config, unknown[0], f"unknown binding id {unknown[0]!r} in keymap "
                           "(press F1 in the console for the list of ids)")
    clashes = clashing_bindings(BINDING_AREAS, config.keymap, BINDING_SCREENS)
    if clashes:
        clash = clashes[0]
        culprit = clash.second if clash.second in config.keymap else clash.first
        raise keymap_error(config, culprit, f"keymap puts {clash.first!r} and {clash.second!r} "
                           f"on the same key {clash.key!r}; give one of them another key")


def _run_console(args: argparse.Namespace, config: Config) -> int:
    from seat_console.tui import use_console_frame_rate

    # Before the first import of Textual, which reads TEXTUAL_FPS only then.
    use_console_frame_rate()
    from seat_console.core.validation import check_phone
    from seat_console.core.workspace import open_workspace
    from seat_console.tui.app import SeatConsoleApp

    check_keymap(config)
    incoming = None
    if args.call:
        phone = check_phone(args.call)
        if not phone.ok:
            raise SeatConsoleError(f"--call {args.call!r}: not a valid phone number")
        incoming = phone.normalized
    workspace = open_workspace(config)
    log.info("console starting site=%s agent=%s db=%s", config.site_code, config.agent.id,
             config.database)
    SeatConsoleApp(workspace, incoming_call=incoming, telephony=True).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_run_console).parse_args(drill_shorthand(words))
    try:
        clock.current_shift()  # reads and validates SEAT_CONSOLE_CLOCK_AT before any stamp
        create = getattr(args, "create_config", True)
        config = load_config(args.config, create=create)
        if create:
            _setup_logging(config)
        return int(args.handler(args, config))
    except SeatConsoleError as exc:
        print(f"seat-console: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
