"""Tenancy: academies (tenants), establishments, tenant resolution and query scoping."""
