"""Scanning every table of every installed model, every file under the privacy directory and the
cache for traces of a person (PRV-3 coverage)."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps


def _text(value) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def table_hits(markers: list[str]) -> list[tuple[str, int, str, str]]:
    """(model, pk, field, marker) for every stored value containing a marker, case-insensitive."""
    wanted = [m.lower() for m in markers]
    hits = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model._default_manager.values_list(model._meta.pk.attname, *names).iterator():
            for name, value in zip(names, row[1:], strict=True):
                if value is None:
                    continue
                text = _text(value).lower()
                hits.extend((model._meta.label, row[0], name, m) for m in wanted if m in text)
    return hits


def file_hits(root: Path, markers: list[str]) -> list[tuple[str, str]]:
    wanted = [m.lower().encode() for m in markers]
    hits = []
    if not root.exists():
        return hits
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            hits.extend((str(path), m.decode()) for m in wanted if m in data)
    return hits


def cache_hits(markers: list[str]) -> list[str]:
    from django.core.cache import cache

    store = getattr(cache, "_cache", None)
    if not isinstance(store, dict):  # Redis: scan its keys and values
        client = cache._cache.get_client() if hasattr(cache, "_cache") else None
        if client is None:
            return []
        found = []
        for key in client.scan_iter("*"):
            value = client.get(key) or b""
            blob = (key if isinstance(key, bytes) else str(key).encode()) + (value if isinstance(value, bytes) else b"")
            found.extend(m for m in markers if m.lower().encode() in blob.lower())
        return found
    found = []
    for key, value in store.items():
        blob = (str(key).encode() + (value if isinstance(value, bytes) else str(value).encode())).lower()
        found.extend(m for m in markers if m.lower().encode() in blob)
    return found
