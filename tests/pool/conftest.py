"""The pool's tests: a fixed hypothesis profile for CI (derandomised, no example database,
no deadline: a run of the solver on a slow CI machine is not a failure)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "pool-ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("pool-ci")
