"""The reference of the portal benchmark: a Flask hello-world served by the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, world!"


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
