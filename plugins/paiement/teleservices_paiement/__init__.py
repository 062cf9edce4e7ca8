"""Téléservice « Paiement des factures » (closed by default): families pay invoices via PayFiP."""
