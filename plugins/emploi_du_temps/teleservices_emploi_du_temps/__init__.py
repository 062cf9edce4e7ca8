"""Téléservice « Emploi du temps » (needs the timetable export): the student's weekly timetable."""
