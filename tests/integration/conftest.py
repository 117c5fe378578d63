"""The PostgreSQL logins' fixtures (``logins``, ``real``) for the tests of this folder."""

from tests.integration.pg_logins import logins, real

__all__ = ["logins", "real"]
