"""Where the privacy centre keeps files: access packages and backups, under ``INTERACT_DATA_DIR``."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings


def root() -> Path:
    """``PRIVACY_DIR`` if set (tests point it at a temporary directory), else ``DATA_DIR/privacy``."""
    return Path(getattr(settings, "PRIVACY_DIR", None) or settings.DATA_DIR / "privacy")


def package_dir(organisation_id: int, request_id: int) -> Path:
    return root() / "packages" / f"org-{organisation_id}" / f"request-{request_id}"


def remove_package(organisation_id: int, request_id: int) -> bool:
    folder = package_dir(organisation_id, request_id)
    if folder.exists():
        shutil.rmtree(folder)
        return True
    return False


def backup_dir(organisation_id: int) -> Path:
    return root() / "backups" / f"org-{organisation_id}"
