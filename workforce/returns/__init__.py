"""Councils' own workforce returns (unpublished data)."""
