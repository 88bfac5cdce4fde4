"""Route modules, one per domain."""
