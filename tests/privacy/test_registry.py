"""The privacy registry (DESIGN "Personal data is declared", PRV-1): every model of every installed
app is checked, so a new model or column holding personal-looking data fails here until it is
declared (category, retention class, erasure) or exempted with a reason."""

from __future__ import annotations

from django.apps import apps

from interact.privacy import registry, retention


def test_prv1_every_personal_looking_field_is_declared_or_exempt():
    missing = registry.undeclared_fields()
    assert not missing, (
        "declare these fields in interact/privacy/registry.py (REGISTRY) or exempt them with a reason "
        "(EXEMPT): " + ", ".join(missing))


def test_prv1_declarations_name_real_fields_and_known_retention_classes():
    classes = {c.code for c in retention.CATALOGUE}
    for entry in registry.REGISTRY:
        model = apps.get_model(entry.label)
        for pf in entry.fields:
            model._meta.get_field(pf.name)  # raises if the field was renamed or removed
            assert pf.retention in classes, f"{entry.label}.{pf.name}: unknown retention class {pf.retention}"
            assert pf.category in registry.CATEGORY_LABELS
    for key in registry.EXEMPT:
        label, name = key.rsplit(".", 1)
        apps.get_model(label)._meta.get_field(name)


def test_prv1_heuristic_catches_typical_personal_fields():
    from django.db import models

    assert registry.looks_personal(models.CharField(name="customer_name", max_length=10))
    assert registry.looks_personal(models.GenericIPAddressField(name="source"))
    assert registry.looks_personal(models.DateField(name="birth_date"))
    assert registry.looks_personal(models.FileField(name="upload"))
    assert registry.looks_personal(models.TextField(name="whatever"))
    assert not registry.looks_personal(models.CharField(name="status", max_length=10))


def test_prv3_every_visitor_model_is_reachable_from_the_visitor():
    for model, decl in registry.visitor_models():
        lookup = decl.visitor_path or "pk"
        assert str(model.objects.filter(**{lookup: 1}).query)  # raises if the path is wrong
