"""Change portfolio management for English councils."""

__version__ = "1.0.0"
