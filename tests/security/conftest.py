from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A TestClient for the `app` fixture of the test module."""
    with TestClient(app) as test_client:
        yield test_client
