"""Téléservices host package: the multi-tenant platform the téléservice plugins grow on."""

__version__ = "0.1.0"
