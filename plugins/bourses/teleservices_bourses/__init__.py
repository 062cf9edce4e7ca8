"""Téléservice « Bourses »: bourse de collège and bourse de lycée (mandatory in lycées) requests."""
