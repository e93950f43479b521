"""gunicorn's settings for production (the Dockerfile's command) and for the tests that start a server.

Every value can be changed from the environment without a new image:

- GUNICORN_WORKERS (2) processes × GUNICORN_THREADS (4) threads each: the design concurrency is
  workers × threads requests at once. Each thread holds at most one database connection per request, so
  DB_POOL_MAX_SIZE (the psycopg pool per process, impact/settings.py) should be at least the thread count;
  workers × DB_POOL_MAX_SIZE per container must stay below PostgreSQL's max_connections (100).
- GUNICORN_TIMEOUT (30 s): a worker silent for longer is restarted; a request waiting for a database
  connection gives up much earlier (DB_POOL_TIMEOUT, 10 s) and answers 503 with Retry-After.
- FORWARDED_ALLOW_IPS: the addresses of the reverse proxy whose X-Forwarded-* headers are trusted
  (comma-separated; gunicorn's default 127.0.0.1). docker-compose.yml sets "*" because its `web` port
  is published on the host's loopback only, so the host's proxy is the only one that can reach it.
  Django trusts X-Forwarded-Proto only with BEHIND_TLS_PROXY=1 (see the README).
- GUNICORN_BIND (0.0.0.0:8000).

Logs: access and error records go out as JSON lines through the same formatter and secret filter as the
product's own (organisations.audit_log), so one log pipeline reads them all.
"""

from __future__ import annotations

import os

bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle a worker now and then so a slow leak cannot grow without bound; the jitter keeps the workers
# from restarting at the same moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the application in each worker after the fork: the psycopg pool and its threads must not be
# shared across processes.
preload_app = False

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_secrets": {"()": "organisations.audit_log.ScrubSecrets"}},
    "formatters": {"json": {"()": "organisations.audit_log.JsonLineFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["scrub_secrets"],
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
