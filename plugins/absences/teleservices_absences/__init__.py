"""Téléservice « Absences » (needs SIECLE Vie scolaire): absences and lateness for families."""
