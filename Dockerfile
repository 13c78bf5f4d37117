# syntax=docker/dockerfile:1
#
# Sohbet production image. Build:   docker build -t sohbet .
# The same image runs every process; the command picks the role (see docker-compose.yml):
#   web     python -m config.serve --host 0.0.0.0 --port 8000
#           (the default CMD)
#   worker  celery -A config worker -l info
#   beat    celery -A config beat -l info -s /app/var/celerybeat-schedule
#   migrate python manage.py migrate --noinput
# Configuration comes only from the environment; docs/deployment.md lists every variable.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: the project and its dependencies in a virtualenv ------------------------------
# Both stages use the same base image, so the venv's interpreter links (into /usr/local/bin)
# are valid in the runtime stage. Every dependency ships binary wheels (psycopg[binary],
# cryptography, argon2-cffi, msgpack...), so no compiler is installed here either.
# The pip cache mount needs BuildKit, the default builder since Docker 23.
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml README.md ./
COPY apps ./apps
COPY config ./config
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install .

# --- runtime ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# PYTHONPATH=/app makes the source tree under /app win over the copy of apps/ and config/ that
# `pip install .` put into site-packages: settings derive BASE_DIR (templates, locale, static
# sources, var/) from the location of config/settings.py.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    DEBUG=0

RUN groupadd --system --gid 10001 sohbet \
 && useradd --system --uid 10001 --gid sohbet --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin sohbet

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
COPY . .

# Build-time only: DEBUG=0 refuses to load settings without a SECRET_KEY of 50+ characters and
# ALLOWED_HOSTS. The throwaway values below exist only inside this RUN line; nothing is signed
# with them and they are not in the image's environment.
# collectstatic writes the hashed, compressed files and the manifest that WhiteNoise serves
# into STATIC_ROOT (default /app/var/static). compiletranslations turns locale/*.po into .mo
# with polib (no GNU gettext in the image). compileall writes the bytecode now, as the app user
# cannot write __pycache__ under /app at run time.
# The source stays owned by root and read-only for the app user; only var/ (media, beat
# schedule) is writable by it.
RUN export SECRET_KEY="docker-build-only-throwaway-key-not-used-at-runtime-0123456789" \
           ALLOWED_HOSTS="localhost" \
           ENCRYPTION_KEYS="ZG9ja2VyLWJ1aWxkLW9ubHktbm90LWEtcmVhbC1rZXk=" \
 && python manage.py collectstatic --noinput \
 && python manage.py compiletranslations \
 && python -m compileall -q apps config \
 && mkdir -p /app/var/media \
 && chown -R sohbet:sohbet /app/var

USER sohbet

EXPOSE 8000

# /healthz checks the database, the channel layer and the Celery broker: 200 when all answer,
# 503 otherwise. The Host header is the first ALLOWED_HOSTS entry so that Django accepts the
# request whatever host names the deployment uses. Worker, beat and migrate containers disable
# this check (docker-compose.yml), as nothing listens on port 8000 there.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD python -c "import os, sys, urllib.request; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; r = urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=8); sys.exit(0 if r.status == 200 else 1)"

CMD ["python", "-m", "config.serve", "--host", "0.0.0.0", "--port", "8000"]
