"""Tenant scope is structural (IAM-5): every client-owned model derives from :class:`TenantModel`
and is read through ``Model.objects.for_org(org)``."""

from __future__ import annotations

from django.db import models


class TenantQuerySet(models.QuerySet):
    def for_org(self, organisation) -> TenantQuerySet:
        if organisation is None:
            return self.none()
        return self.filter(organisation=organisation)


class TenantModel(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
