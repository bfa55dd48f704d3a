"""The read API for the provincial platform and other systems (see docs/api.md)."""
