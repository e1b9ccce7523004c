"""Trainer drills: scripted callers (scripts_phrases/drills/*.yaml), the agent's actions, and the
scoring that the console's drill mode and `seat-console drill replay` share."""
