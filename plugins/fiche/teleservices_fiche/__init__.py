"""Téléservice « Fiche de renseignements » (nationally mandatory): families check their data."""
