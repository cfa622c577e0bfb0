"""Constants shared by the reliability server (its settings and app) and the tests.

The secrets here are test values; the tests look for them in every error body to prove that
no setting, key or token ever leaks.
"""

from __future__ import annotations

SECRET_KEY = "reliability-secret-key-never-in-a-body-0123456789abcdef0123456789"
JWT_SECRET = "reliability-jwt-secret-never-in-a-body-0123456789abcdef"
API_KEY = "rk_live_7f3c9a1e5b2d4c6e8f0a1b3c5d7e9f11"
# Same public prefix as API_KEY, different secret part.
API_KEY_SAME_PREFIX = "rk_live_0000000000000000000000000000000"
STAFF_API_KEY = "rk_staff_4e6a8c0b2d4f6a8c0e2a4c6e8a0c2e4f"
REVOKED_JTI = "revoked-jti-0001"
GOOD_ORIGIN = "https://good.com"
RATE_BURST = 5
XFF_BURST = 3
MAX_BODY = 1024 * 1024
STREAM_CHUNKS = 200
