"""OPS-1..3: health, OpenAPI, production settings pass check --deploy, translations shipped compiled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_ops2_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_openapi_document_and_docs_page(client):
    doc = client.get("/api/openapi.json")
    assert doc.status_code == 200 and doc.json()["info"]["title"] == "Interact API"
    assert "/api/users" in doc.json()["paths"]
    assert client.get("/api/docs").status_code == 200


def test_ops2_production_settings_pass_check_deploy(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERACT_", "DJANGO_"))}
    env.update({
        "INTERACT_MODE": "production", "INTERACT_SECRET_KEY": "k" * 20 + "-Zq8#vT2!pL9@wX4$mN7%bR1^cF6&hJ3*",
        "INTERACT_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "INTERACT_ALLOWED_HOSTS": "interact.example",
        "INTERACT_EMAIL_URL": "smtp://user:pass@mail.example:587", "INTERACT_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "interact.settings",
    })
    result = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_ops2_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERACT_", "DJANGO_"))}
    env.update({"INTERACT_MODE": "production", "DJANGO_SETTINGS_MODULE": "interact.settings",
                "INTERACT_DATA_DIR": str(tmp_path)})
    result = subprocess.run([sys.executable, "-m", "django", "check"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode != 0 and "INTERACT_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_ops3_compiled_catalogues_are_shipped(language):
    assert (ROOT / "src" / "interact" / "locale" / language / "LC_MESSAGES" / "django.mo").is_file()


@pytest.mark.django_db
def test_ops3_language_switch_is_remembered_on_the_account(admin, login):
    client = login(admin)
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "nl"
    admin.refresh_from_db()
    assert admin.ui_language == "nl"
    assert "Welkom" in client.get("/").content.decode()
