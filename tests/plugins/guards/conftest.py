"""The guards tests share the auth tests' fixtures (APIs, users, token helpers)."""

from tests.plugins.auth.conftest import (  # noqa: F401
    admin,
    bearer,
    client_for,
    make_api,
    staff,
    user,
)
