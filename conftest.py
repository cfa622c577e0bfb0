"""Test configuration shared by every room: Django settings and common fixtures."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
