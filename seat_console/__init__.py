"""seat-console: the seat agent workstation for 12345 / 8890 government service hotlines."""

__version__ = "0.1.0"
