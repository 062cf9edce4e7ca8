"""Téléservice « Notes » (needs the SIECLE Notes module): grades per period for families."""
