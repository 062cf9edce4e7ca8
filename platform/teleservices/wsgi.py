"""WSGI entry point for gunicorn: ``gunicorn teleservices.wsgi:app``."""

from teleservices.app import create_app

app = create_app()
