"""Maintenance tests keep the papers they file in a temporary private directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_media_root(tmp_path_factory):
    from django.test.utils import override_settings

    with override_settings(PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("private"))):
        yield
