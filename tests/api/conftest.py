from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from workforce.config import Settings
from workforce.db import make_engine


def _client(settings: Settings) -> Iterator[TestClient]:
    engine = make_engine(settings.database_url)
    with TestClient(create_app(settings=settings, engine=engine)) as test_client:
        yield test_client
    engine.dispose()


@pytest.fixture
def client(reference_settings: Settings) -> Iterator[TestClient]:
    """A client on an app whose database holds the bundled reference data."""
    yield from _client(reference_settings)


@pytest.fixture
def empty_client(settings: Settings) -> Iterator[TestClient]:
    """A client on an app whose database is migrated but empty."""
    yield from _client(settings)


@pytest.fixture
def public_client(public_settings: Settings) -> Iterator[TestClient]:
    """A client on an app whose database holds all bundled public data."""
    yield from _client(public_settings)
