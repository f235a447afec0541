from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A TestClient for the `app` fixture of the test module.

    Used as a context manager, TestClient runs all the sockets a test opens on
    one event loop, as a server would.
    """
    with TestClient(app) as test_client:
        yield test_client
