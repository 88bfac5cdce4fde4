"""Dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session


def get_engine_dep(request: Request) -> Engine:
    """Return the engine the app was built with."""
    engine: Engine = request.app.state.engine
    return engine


def get_db(engine: Annotated[Engine, Depends(get_engine_dep)]) -> Iterator[Session]:
    """Yield a session for one request; commits if the route succeeds, rolls back if not.

    Used with ``scope="function"``: the commit (or rollback) runs, in a worker thread, as
    soon as the route function has returned and before the answer is sent, so an answer
    never reports a change that did not commit (a failing commit answers 500) and the
    connection is back in the pool while the answer is written.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_db, scope="function")]
EngineDep = Annotated[Engine, Depends(get_engine_dep)]
