"""The scheduler process: one module per job, a registry, and the run log."""
