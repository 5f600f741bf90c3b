"""The register: schema, migrations and every query, behind the `Register` object."""

from aidctl.register.register import Register

__all__ = ["Register"]
