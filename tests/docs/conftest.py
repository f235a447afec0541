"""Helpers for checks of the docs; the built site comes from tests/conftest.py."""

from tests.conftest import LANGUAGES, ROOT, page_dir

__all__ = ["LANGUAGES", "ROOT", "page_dir"]
