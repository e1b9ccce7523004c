"""Textual UI: a thin layer over seat_console.core."""
