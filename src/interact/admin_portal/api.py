"""API of portal administration: skills, topics, general settings, languages, office hours, FAQ
(ADM-2, ADM-3, ADM-5, ADM-6, ADM-7). Every route authorizes, then scopes to the caller's organisation."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema, Status

from interact.core.api import authorize
from interact.core.permissions import Role

from . import faq, selectors, services
from .models import ClosureDay, Language, Skill

router = Router(tags=["administration"])


class NamedIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)


class SkillIn(NamedIn):
    members: list[int] = Field([], max_length=1000)


class TopicOut(Schema):
    id: int
    name: str
    description: str


class SkillOut(TopicOut):
    members: list[int]

    @staticmethod
    def resolve_members(obj: Skill) -> list[int]:
        return sorted(m.pk for m in obj.members.all())


class SettingsIO(Schema):
    routing_enabled: bool
    dispatch_enabled: bool
    offer_timeout_seconds: int | None = Field(
        None, ge=15, le=3600, description="Seconds before an untaken offer goes to the next end user; "
                                          "omit it to keep the current value.")


class LanguageIn(Schema):
    code: str = Field(min_length=2, max_length=8)


class LanguageOut(Schema):
    code: str
    name: str

    @staticmethod
    def resolve_name(obj: Language) -> str:
        return obj.name


class PeriodIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    opens: dt.time
    closes: dt.time = Field(description="At or before `opens`: the period ends the next day.")


class PeriodOut(PeriodIn):
    id: int
    overnight: bool

    @staticmethod
    def resolve_overnight(obj) -> bool:
        return obj.closes <= obj.opens


class ClosureIn(Schema):
    date: dt.date
    label: str = Field(min_length=1, max_length=120)


class ClosureOut(ClosureIn):
    id: int
    source: str


class ImportIn(Schema):
    year: int = Field(ge=2000, le=2100)


class ImportOut(Schema):
    added: list[ClosureOut]


class StatusOut(Schema):
    open: bool
    next_change: dt.datetime | None


class FaqEntryOut(Schema):
    key: str
    question: str
    answer: str
    roles: list[str]


class FaqOut(Schema):
    role: str
    entries: list[FaqEntryOut]


# --- skills (ADM-2) ----------------------------------------------------------------------------


@router.get("/skills", response=list[SkillOut], summary="List skills; search by name, sort by name or -name")
def list_skills(request: HttpRequest, q: str = "", sort: str = "name"):
    user = authorize(request, "skills.manage")
    return list(selectors.skills(user.organisation, q, sort))


@router.post("/skills", response={201: SkillOut})
def create_skill(request: HttpRequest, payload: SkillIn):
    user = authorize(request, "skills.manage")
    data = services.NamedData(payload.name, payload.description, payload.members)
    return Status(201, selectors.skill(user.organisation, services.save_skill(user.organisation, data).pk))


@router.get("/skills/{skill_id}", response=SkillOut)
def get_skill(request: HttpRequest, skill_id: int):
    user = authorize(request, "skills.manage")
    return selectors.skill(user.organisation, skill_id)


@router.put("/skills/{skill_id}", response=SkillOut)
def update_skill(request: HttpRequest, skill_id: int, payload: SkillIn):
    user = authorize(request, "skills.manage")
    skill = selectors.skill(user.organisation, skill_id)
    services.save_skill(user.organisation, services.NamedData(payload.name, payload.description, payload.members),
                        skill)
    return selectors.skill(user.organisation, skill_id)


@router.delete("/skills/{skill_id}", response={204: None}, summary="Delete a skill; its members just lose it")
def delete_skill(request: HttpRequest, skill_id: int):
    user = authorize(request, "skills.manage")
    services.delete_skill(selectors.skill(user.organisation, skill_id))
    return Status(204, None)


# --- topics (ADM-3) ----------------------------------------------------------------------------


@router.get("/topics", response=list[TopicOut], summary="List topics; search by name, sort by name or -name")
def list_topics(request: HttpRequest, q: str = "", sort: str = "name"):
    user = authorize(request, "topics.manage")
    return list(selectors.topics(user.organisation, q, sort))


@router.post("/topics", response={201: TopicOut})
def create_topic(request: HttpRequest, payload: NamedIn):
    user = authorize(request, "topics.manage")
    return Status(201, services.save_topic(user.organisation, services.NamedData(payload.name, payload.description)))


@router.get("/topics/{topic_id}", response=TopicOut)
def get_topic(request: HttpRequest, topic_id: int):
    user = authorize(request, "topics.manage")
    return selectors.topic(user.organisation, topic_id)


@router.put("/topics/{topic_id}", response=TopicOut)
def update_topic(request: HttpRequest, topic_id: int, payload: NamedIn):
    user = authorize(request, "topics.manage")
    topic = selectors.topic(user.organisation, topic_id)
    return services.save_topic(user.organisation, services.NamedData(payload.name, payload.description), topic)


@router.delete("/topics/{topic_id}", response={204: None})
def delete_topic(request: HttpRequest, topic_id: int):
    user = authorize(request, "topics.manage")
    services.delete_topic(selectors.topic(user.organisation, topic_id))
    return Status(204, None)


# --- general settings and languages (ADM-5) ----------------------------------------------------


@router.get("/settings", response=SettingsIO)
def get_settings(request: HttpRequest):
    return selectors.general_settings(authorize(request, "settings.manage").organisation)


@router.put("/settings", response=SettingsIO)
def put_settings(request: HttpRequest, payload: SettingsIO):
    user = authorize(request, "settings.manage")
    return services.update_general_settings(user.organisation, routing_enabled=payload.routing_enabled,
                                            dispatch_enabled=payload.dispatch_enabled,
                                            offer_timeout_seconds=payload.offer_timeout_seconds)


@router.get("/languages", response=list[LanguageOut])
def list_languages(request: HttpRequest):
    return list(selectors.languages(authorize(request, "languages.manage").organisation))


@router.post("/languages", response={201: LanguageOut})
def add_language(request: HttpRequest, payload: LanguageIn):
    user = authorize(request, "languages.manage")
    return Status(201, services.add_language(user.organisation, payload.code))


@router.delete("/languages/{code}", response={204: None},
               summary="Remove a language; end users who spoke it lose it from their profile")
def remove_language(request: HttpRequest, code: str):
    user = authorize(request, "languages.manage")
    services.remove_language(selectors.language(user.organisation, code))
    return Status(204, None)


# --- office hours (ADM-6) ------------------------------------------------------------------------


@router.get("/office-hours/status", response=StatusOut, summary="Open now? And when that changes (Brussels)")
def office_hours_status(request: HttpRequest):
    org = authorize(request, "office_hours.manage").organisation
    return {"open": selectors.is_open_now(org), "next_change": selectors.next_change(org)}


@router.get("/office-hours/periods", response=list[PeriodOut])
def list_periods(request: HttpRequest):
    return list(selectors.periods(authorize(request, "office_hours.manage").organisation))


@router.post("/office-hours/periods", response={201: PeriodOut},
             summary="Add an opening period; refused with 409 period_overlap when it overlaps another")
def add_period(request: HttpRequest, payload: PeriodIn):
    user = authorize(request, "office_hours.manage")
    return Status(201, services.add_period(user.organisation, payload.weekday, payload.opens, payload.closes))


@router.delete("/office-hours/periods/{period_id}", response={204: None})
def delete_period(request: HttpRequest, period_id: int):
    user = authorize(request, "office_hours.manage")
    services.delete_period(selectors.period(user.organisation, period_id))
    return Status(204, None)


@router.get("/office-hours/closures", response=list[ClosureOut])
def list_closures(request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100)):
    return list(selectors.closures(authorize(request, "office_hours.manage").organisation, year))


@router.post("/office-hours/closures", response={201: ClosureOut})
def add_closure(request: HttpRequest, payload: ClosureIn):
    user = authorize(request, "office_hours.manage")
    return Status(201, services.add_closure(user.organisation, payload.date, payload.label))


@router.post("/office-hours/closures/import-holidays", response=ImportOut,
             summary="Add Belgium's public holidays of a year as closure days (idempotent)")
def import_holidays(request: HttpRequest, payload: ImportIn):
    user = authorize(request, "office_hours.manage")
    added = services.import_belgian_holidays(user.organisation, payload.year, translation.get_language())
    rows = ClosureDay.objects.for_org(user.organisation).filter(date__in=[c.date for c in added], source="holidays")
    return {"added": list(rows)}


@router.delete("/office-hours/closures/{closure_id}", response={204: None})
def delete_closure(request: HttpRequest, closure_id: int):
    user = authorize(request, "office_hours.manage")
    services.delete_closure(selectors.closure(user.organisation, closure_id))
    return Status(204, None)


# --- FAQ (ADM-7) ---------------------------------------------------------------------------------


@router.get("/faq", response=FaqOut, summary="The FAQ entries written for the caller's role")
def get_faq(request: HttpRequest):
    user = authorize(request, "faq.view")
    role = user.role if user.role in Role.values else ""
    return {"role": role, "entries": [
        {"key": e.key, "question": str(e.question), "answer": str(e.answer), "roles": list(e.roles)}
        for e in faq.entries_for(role)
    ]}
