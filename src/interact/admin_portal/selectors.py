"""Reads of portal administration, always scoped to one organisation."""

from __future__ import annotations

from interact.accounts.models import Organisation
from interact.connectors.models import Channel

from .models import ClosureDay, GeneralSettings, Language, OfficeHoursPeriod, Skill, Topic


def general_settings(org: Organisation) -> GeneralSettings:
    settings_row, _created = GeneralSettings.objects.get_or_create(organisation=org)
    return settings_row


def configuration_of(org: Organisation) -> dict:
    """The configuration part of a backup (003 §4.2 step 3, STO-2): everything but content."""
    gs = general_settings(org)
    return {
        "settings": {"routing_enabled": gs.routing_enabled, "dispatch_enabled": gs.dispatch_enabled},
        "languages": list(Language.objects.for_org(org).values_list("code", flat=True)),
        "skills": [
            {"name": s.name, "description": s.description, "members": sorted(m.email for m in s.members.all())}
            for s in Skill.objects.for_org(org).prefetch_related("members")
        ],
        "topics": list(Topic.objects.for_org(org).values("name", "description")),
        "office_hours": [
            {"weekday": p.weekday, "opens": p.opens.isoformat(), "closes": p.closes.isoformat()}
            for p in OfficeHoursPeriod.objects.for_org(org)
        ],
        "closure_days": [
            {"date": d.date.isoformat(), "label": d.label} for d in ClosureDay.objects.for_org(org)
        ],
        "channels": [
            {"kind": c.kind, "name": c.name, "away_message": c.away_message}
            for c in Channel.objects.for_org(org)
        ],
    }
