"""WSGI entry point: gunicorn wsgi:app"""

from examsvc import create_app

app = create_app()
