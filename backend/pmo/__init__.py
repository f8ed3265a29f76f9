"""Change portfolio management for English councils."""

__version__ = "0.1.0"
