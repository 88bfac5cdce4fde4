"""The job registry: every scheduled job, registered by decorator."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session


@dataclass(frozen=True)
class JobOutcome:
    """What a job did: rows added or changed, and a one-line summary."""

    rows: int
    summary: str


JobFunc = Callable[..., JobOutcome]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc
    description: str
    cron: dict[str, Any] = field(default_factory=dict)

    def schedule_text(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.cron.items()) or "manual only"

    def __call__(self, *, session: Session) -> JobOutcome:
        return self.func(session=session)


_REGISTRY: dict[str, JobSpec] = {}


def job(
    name: str, *, description: str, cron: dict[str, Any] | None = None
) -> Callable[[JobFunc], JobFunc]:
    """Register the decorated ``func(*, session) -> JobOutcome`` as job ``name``.

    ``cron`` holds APScheduler ``CronTrigger`` fields (``hour=2, minute=15``); a job
    without one runs only when asked (``workforce jobs run NAME``).
    """

    def register(func: JobFunc) -> JobFunc:
        if name in _REGISTRY and _REGISTRY[name].func is not func:
            raise ValueError(f"job {name!r} is registered twice")
        _REGISTRY[name] = JobSpec(name=name, func=func, description=description, cron=cron or {})
        return func

    return register


def _import_job_modules() -> None:
    import jobs

    skip = {"registry", "runner", "scheduler"}
    for module in pkgutil.iter_modules(jobs.__path__):
        if module.name not in skip:
            importlib.import_module(f"jobs.{module.name}")


def all_jobs() -> list[JobSpec]:
    """Return every registered job, by name."""
    _import_job_modules()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def get_job(name: str) -> JobSpec:
    """Return the job called ``name``, or raise KeyError naming the known jobs."""
    _import_job_modules()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"no job called {name!r}; known jobs: {known}") from None
