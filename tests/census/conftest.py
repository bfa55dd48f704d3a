"""The census tests share the register's world of institutions and one user per role."""

from tests.guji.conftest import world  # noqa: F401
