"""The three modes, each started in a fresh process since settings are read at startup."""

import json
import secrets

import pytest

from tests.processes import run_python

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.startalliance.example",
    "DATABASE_URL": "postgres://alliance@db.internal:5432/alliance",
    "REDIS_URL": "redis://redis.internal:6379",
    "EMAIL_URL": "smtp://mail.internal:25",
    "SITE_URL": "https://portal.startalliance.example",
    # The imprint's required details (alliance/pages/checks.py warns without them).
    "OPERATOR_ADDRESS": "Fasanenstraße 85, 10623 Berlin",
    "OPERATOR_EMAIL": "info@startalliance.example",
    "OPERATOR_REGISTER": "Amtsgericht Charlottenburg HRB 0000",
}

PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'],"
    " 'options': s.DATABASES['default'].get('OPTIONS', {}),"
    " 'conn_max_age': s.DATABASES['default'].get('CONN_MAX_AGE'),"
    " 'health_checks': s.DATABASES['default'].get('CONN_HEALTH_CHECKS'),"
    " 'proxies': [s.NUM_PROXIES, s.ALLAUTH_TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES']],"
    " 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL,"
    " 'cache': s.CACHES['default'], 'mailer': s.MAILERS['default']['BACKEND'],"
    " 'csp': 'django.middleware.csp.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE}))"
)


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL"]
)
def test_production_refuses_to_start_without_required_setting(missing):
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != missing}

    result = run_python("manage.py", "check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Production mode needs these environment variables: {missing}." in result.stderr


def test_production_refuses_blank_required_setting():
    result = run_python("manage.py", "check", env={**PRODUCTION_ENV, "SECRET_KEY": "  "})

    assert result.returncode != 0
    assert "Production mode needs these environment variables: SECRET_KEY." in result.stderr


def test_production_refuses_sqlite():
    result = run_python("manage.py", "check", env={**PRODUCTION_ENV, "DATABASE_URL": "sqlite:///x"})

    assert result.returncode != 0
    assert "Production mode needs a PostgreSQL DATABASE_URL." in result.stderr


def test_production_refuses_debug():
    result = run_python("manage.py", "check", env={**PRODUCTION_ENV, "DEBUG": "true"})

    assert result.returncode != 0
    assert "DEBUG must stay off in production mode" in result.stderr


def test_production_cookies_are_host_only_and_secure():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )

    result = run_python("-c", code, env=PRODUCTION_ENV)

    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "31536000",
    ]


def test_unknown_mode_is_refused():
    result = run_python("manage.py", "check", env={"DJANGO_ENV": "staging"})

    assert result.returncode != 0
    assert (
        "DJANGO_ENV must be one of development, test, production, not 'staging'." in result.stderr
    )


def test_production_check_deploy_is_clean():
    result = run_python(
        "-W",
        "error::DeprecationWarning",
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_uses_postgres_pool_redis_smtp_and_csp():
    result = run_python("-c", PRINT_SETTINGS, env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "debug": False,
        "engine": "django.db.backends.postgresql",
        "options": {
            "pool": {"min_size": 2, "max_size": 10, "timeout": 10},
            "options": "-c idle_in_transaction_session_timeout=60000",
        },
        "conn_max_age": 0,
        "health_checks": True,
        "proxies": [1, 1, 1],
        "eager": False,
        "broker": "redis://redis.internal:6379/0",
        "cache": {
            "BACKEND": "alliance.cache.FailOpenRedisCache",
            "LOCATION": "redis://redis.internal:6379/1",
            "OPTIONS": {"socket_timeout": 1.5, "socket_connect_timeout": 1.5},
        },
        "mailer": "django.core.mail.backends.smtp.EmailBackend",
        "csp": True,
    }


def test_development_needs_no_variables():
    result = run_python("-c", PRINT_SETTINGS, env={})

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is True
    assert values["proxies"] == [0, 0, 0]
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["broker"] == "memory://"
    assert values["cache"] == {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    assert values["mailer"] == "alliance.mail.console.ReadableConsoleBackend"


def test_development_mode_is_not_chosen_by_service_urls():
    env = {"DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"], "REDIS_URL": "redis://127.0.0.1:1"}

    result = run_python("-c", PRINT_SETTINGS, env=env)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert (values["debug"], values["eager"], values["options"]) == (True, True, {})
    assert values["broker"] == "redis://127.0.0.1:1/0"


def test_development_check_passes_without_variables():
    result = run_python("manage.py", "check", env={})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
