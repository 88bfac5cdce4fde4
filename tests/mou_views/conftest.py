from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from workforce.config import Settings
from workforce.db import make_engine


@pytest.fixture
def client(reference_settings: Settings) -> Iterator[TestClient]:
    """A client on an app whose database holds the bundled reference data."""
    engine = make_engine(reference_settings.database_url)
    with TestClient(create_app(settings=reference_settings, engine=engine)) as test_client:
        yield test_client
    engine.dispose()
