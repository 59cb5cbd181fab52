"""Reads of the accounts context, always scoped to the caller's organisation."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Organisation, User

SORTABLE = {"first_name", "last_name", "email", "role", "mother_tongue"}


def end_users(org: Organisation, query: str = "", sort: str = "last_name", role: str = "") -> QuerySet[User]:
    """Search across first name, last name, e-mail, role and mother tongue; sort by any of them (ADM-1)."""
    users = User.objects.filter(organisation=org).prefetch_related("skills", "channels", "languages")
    query = query.strip()
    if query:
        users = users.filter(
            Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(email__icontains=query)
            | Q(role__iexact=query) | Q(mother_tongue__iexact=query)
        )
    if role:
        users = users.filter(role=role)
    field = sort.lstrip("-")
    if field not in SORTABLE:
        sort = "last_name"
    return users.order_by(sort, "id")


def end_user(org: Organisation, user_id: int) -> User:
    """Raises ``User.DoesNotExist`` for ids of another organisation, exactly as for unknown ones (IAM-5)."""
    return User.objects.get(organisation=org, pk=user_id)
