"""Notification letters (PDF) and student account lists (PRODUCT.md §5, staff guide §2.8, §4.3).

Modules: ``kinds`` (the four letter kinds), ``fields`` (insertable fields and their filling),
``sanitizer`` (staff HTML), ``defaults`` (default texts, data-protection mention), ``models``
(``LetterTemplate``), ``editing`` (save, reset, text in force), ``context`` (``LetterContext``:
sender, date, internet address by courier type), ``recipients`` (addressees and field values of a
batch), ``letters`` (``render_letters``: one PDF per batch), ``preview`` (sample letter as PDF and
PNG), ``student_lists`` (lists of student accounts as PDF and CSV), ``views`` (the staff screens
« Courriers » and « Listes des comptes élèves », on the admin blueprint).
"""
