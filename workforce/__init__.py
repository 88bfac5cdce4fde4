"""Workforce stability and agency-market monitor for English children's social care."""

__version__ = "0.1.0"
