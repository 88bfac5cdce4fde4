"""``workforce pool``: the emergency pool's workers, interventions, requests, matching,
offers and placements, from the command line.

A thin layer over :mod:`workforce.pool`; the commands live beside this module, one per
part of the pool (``pool_workers``, ``pool_requests``, ``pool_match``, ``pool_offers``),
and each registers itself on :data:`pool_app` when imported below.
"""

from __future__ import annotations

import typer

pool_app = typer.Typer(
    help="The emergency pool: workers, interventions, requests, matching, offers, placements.",
    no_args_is_help=True,
)

# Imported for their commands, after pool_app exists.
from workforce.cli import pool_match, pool_offers, pool_requests, pool_workers  # noqa: E402

__all__ = ["pool_app", "pool_match", "pool_offers", "pool_requests", "pool_workers"]
