"""The bare-Flask limit: one route that returns "hello", served exactly like the app.

`python -m bench` runs it under the same gunicorn settings as the course app, so that every page's
throughput can be read as a fraction of what Flask and gunicorn manage with no work at all.
"""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "hello"
