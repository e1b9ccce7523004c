"""Domain core: models, storage, validation. Never imports Textual (see tests/test_architecture.py)."""
