"""School data (DAT-1, DAT-2): students, representatives, their links, MEFs, divisions, groups,
subjects, and the SIECLE import that fills them (``teleservices.school.siecle``).

Ownership: a ``Student`` belongs to the academy and is *enrolled* in one establishment at a time
(``establishment_id``), so a move inside the academy keeps the same row and its accounts (DAT-2).
Everything a SIECLE export of one establishment defines (representatives, whose ``PERSONNE_ID`` is
local to that establishment's database, links, MEFs, divisions, groups, subjects) belongs to that
establishment.
"""
