"""Accounts (PRODUCT.md §4): the ``Account`` and the children it gives access to, identifiers,
pre-creation at import (ACC-1, ACC-2) and the establishment's account export.

Accounts belong to the academy, not to an establishment: one representative account may hold
children of several establishments once merged (ACC-9), and a student keeps their accounts when
moving inside the academy (DAT-2).
"""
