"""Offline-first sync of the outbox to the center, and of the center's updates back."""
