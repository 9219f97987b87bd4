import pytest
from django.core.management import CommandError, call_command

from alliance.accounts.management.commands.ensure_dev_admin import ADMIN_EMAIL
from alliance.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_file(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    return tmp_path / ".dev-admin-password"


def test_ensure_dev_admin_creates_staff_account_once(password_file, capsys):
    call_command("ensure_dev_admin", base_url="http://127.0.0.1:8123")
    first = capsys.readouterr().out
    call_command("ensure_dev_admin")
    second = capsys.readouterr().out

    admin = User.objects.get()
    password = password_file.read_text().strip()
    assert (admin.email, admin.is_staff, admin.is_superuser) == (ADMIN_EMAIL, True, True)
    assert admin.check_password(password)
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"
    assert first.splitlines() == [
        "Portal: http://127.0.0.1:8123/",
        "Staff login: http://127.0.0.1:8123/admin/",
        f"  email:    {ADMIN_EMAIL}",
        f"  password: {password}  (kept in .dev-admin-password, which git ignores)",
    ]
    assert f"password: {password}" in second


def test_ensure_dev_admin_links_to_site_url_and_keeps_the_password_where_told(
    settings, tmp_path, capsys
):
    settings.SITE_URL = "http://127.0.0.1:8114"
    elsewhere = tmp_path / "admin-password"

    call_command("ensure_dev_admin", password_file=str(elsewhere))

    out = capsys.readouterr().out
    assert "Staff login: http://127.0.0.1:8114/admin/\n" in out
    assert User.objects.get().check_password(elsewhere.read_text().strip())


def test_ensure_dev_admin_refuses_production(settings, password_file):
    settings.DJANGO_ENV = "production"

    with pytest.raises(CommandError, match="never runs in production mode"):
        call_command("ensure_dev_admin")

    assert not User.objects.exists()
    assert not password_file.exists()
