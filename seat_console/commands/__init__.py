"""Handlers of the seat-console subcommands (thin: parse, call the core, print)."""
