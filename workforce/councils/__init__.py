"""Councils (local authorities), regions, reporting units and statistical neighbours."""
