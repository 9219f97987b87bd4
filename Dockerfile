# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

WORKDIR /app

RUN useradd --create-home --uid 1000 alliance \
    && mkdir -p /data/media && chown alliance /data/media
COPY . .
# collectstatic reads the settings, which refuse production without its secrets:
# the values below are build-time placeholders, never used at run time.
RUN pip install --upgrade pip && pip install -e . \
    && SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=postgres://build/build \
       REDIS_URL=redis://build EMAIL_URL=smtp://build python manage.py collectstatic --noinput

USER alliance
EXPOSE 8000
# No access log: its request lines would keep one-time tokens (password reset, email
# confirmation, invitation and unsubscribe links) and client addresses; errors still log.
CMD ["gunicorn", "alliance.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
