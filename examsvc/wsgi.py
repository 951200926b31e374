"""WSGI entry point of an installed package: gunicorn examsvc.wsgi:app (from any folder)."""

from examsvc import create_app

app = create_app()
