# The production image: gunicorn (threads) + whitenoise; the same image runs the worker.
FROM python:3.13-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
# pango and a font for WeasyPrint (the annual report's PDF, rendered by the worker).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.8 \
    && useradd --system --create-home --uid 10001 app
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
RUN DATABASE_URL=postgresql://build@localhost/build SECRET_KEY=build-only \
    python manage.py collectstatic --no-input -v 0
USER app
# matplotlib (the report's charts) keeps its font cache here instead of a read-only home.
ENV MPLCONFIGDIR=/tmp/matplotlib
EXPOSE 8000
# Workers, threads, timeouts, trusted proxy addresses and JSON logs: gunicorn.conf.py (environment).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "impact.wsgi"]
