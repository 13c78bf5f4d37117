"""Production mode (DEBUG=0): refuses unsafe settings, and `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "x7Gq2-pK9vLr4sT1wZ8nB3mH6jD0fY5cA2eU9iO4uR7tE1qW3zX6v"

GOOD_FERNET = "dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMtISE="


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "ENCRYPTION_KEYS",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="chat.example.com",
        ENCRYPTION_KEYS=GOOD_FERNET,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "env, complaint",
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "chat.example.com"}, "SECRET_KEY"),
        (
            {
                "DEBUG": "0",
                "ALLOWED_HOSTS": "chat.example.com",
                "SECRET_KEY": "django-insecure-sohbet-development-only-never-use-in-production",
            },
            "SECRET_KEY",
        ),
        ({"DEBUG": "0", "SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
        (
            {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "chat.example.com"},
            "ENCRYPTION_KEYS",
        ),
    ],
)
def test_production_refuses_unsafe_settings(env, complaint):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr


def test_filemail_url_writes_emails_to_the_absolute_folder_it_names(tmp_path):
    folder = tmp_path / "mail"
    result = manage("sendtestemail", "ops@example.com", EMAIL_URL=f"filemail://{folder}")
    assert result.returncode == 0, result.stdout + result.stderr
    written = list(folder.iterdir())
    assert len(written) == 1
    assert "ops@example.com" in written[0].read_text()
    # Not a folder of the same name under the working directory.
    assert not (ROOT / str(folder).lstrip("/")).exists()


def test_filemail_url_without_a_folder_is_refused():
    result = manage("check", EMAIL_URL="filemail://")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "filemail:///" in result.stderr
