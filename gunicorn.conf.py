"""gunicorn settings for the portal; every value can be overridden on the command line."""

import multiprocessing
import os

# Local runs listen on loopback only; a host behind a proxy sets GUNICORN_BIND=0.0.0.0:8000.
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Requests are short and CPU-bound (rendering), so the classic 2 × cores + 1 sync workers fit.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
# Load the application once in the master, so each worker forks with Django already imported.
preload_app = True
