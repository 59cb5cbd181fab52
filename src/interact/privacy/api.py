"""API of the privacy centre (PRV-2..6): requests, packages, consents, holds, retention, access log.

Permission ``privacy.manage`` (Administrator, Access Owner) except the access log
(``privacy.access_log``). Another organisation's request or hold answers 404, like a missing one.
"""

from __future__ import annotations

import datetime as dt
import json

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from interact.core import clock
from interact.core.api import authorize

from . import access_log, consent, packages, retention, selectors, services
from .models import AccessLogEntry, LegalHold, RetentionRun

router = Router(tags=["privacy"])
MANAGE = "privacy.manage"


class RequestIn(Schema):
    kind: str = Field(description="access, rectification, erasure, restriction, objection or portability")
    identifier_kind: str = Field(description="email, phone, channel_identity or visitor_id")
    identifier: str = Field(max_length=300)
    channel_id: int | None = Field(None, description="required for channel_identity")
    submission_key: str | None = Field(None, min_length=8, max_length=64,
                                       description="the same key twice is refused as a double submission")
    notes: str = Field("", max_length=4000)


class StepOut(Schema):
    at: dt.datetime
    action: str
    actor_id: int | None
    actor_kind: str


class RequestOut(Schema):
    id: int
    kind: str
    status: str
    identifier_kind: str
    received_at: dt.datetime
    information_complete_at: dt.datetime | None
    due_at: dt.datetime | None
    final_due_at: dt.datetime | None
    extended_days: int
    identity_method: str
    completed_at: dt.datetime | None
    outcome: str
    package_available: bool

    @staticmethod
    def resolve_package_available(obj) -> bool:
        return packages.file_of(obj, "package.json") is not None


class RequestDetailOut(RequestOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())


class VerifyIn(Schema):
    method: str = Field(description="registered_email, id_document or verified_channel")


class ExtendIn(Schema):
    days: int = Field(ge=1, le=60)
    reason: str = Field(max_length=1000)


class FulfilIn(Schema):
    changes: dict | None = Field(None, description="rectification: field -> corrected value")


class ReasonIn(Schema):
    reason: str = Field(max_length=1000)


class LinkOut(Schema):
    url: str


def _request(request: HttpRequest, request_id: int):
    user = authorize(request, MANAGE)
    return user, selectors.request_of(user.organisation, request_id)


@router.get("/privacy/requests", response=list[RequestOut])
def list_requests(request: HttpRequest):
    user = authorize(request, MANAGE)
    return list(selectors.requests(user.organisation)[:500])


@router.post("/privacy/requests", response={201: RequestOut})
def create_request(request: HttpRequest, data: RequestIn):
    """Register a request (PRV-2). The person is looked up only once the identity is checked."""
    user = authorize(request, MANAGE)
    return Status(201, services.register_request(user.organisation, user, **data.dict()))


@router.get("/privacy/requests/{request_id}", response=RequestDetailOut)
def get_request(request: HttpRequest, request_id: int):
    return _request(request, request_id)[1]


@router.post("/privacy/requests/{request_id}/identity", response=RequestOut)
def verify_identity(request: HttpRequest, request_id: int, data: VerifyIn):
    """Record how the identity was checked; the 30 days start now."""
    user, req = _request(request, request_id)
    return services.verify_identity(req, user, data.method)


@router.post("/privacy/requests/{request_id}/identity-link", response=LinkOut)
def identity_link(request: HttpRequest, request_id: int):
    """A link (valid 7 days, once) the person opens to confirm; e-mailed when identified by e-mail."""
    user, req = _request(request, request_id)
    return {"url": services.identity_link(req, user, request.build_absolute_uri("/"))}


@router.post("/privacy/requests/{request_id}/extend", response=RequestOut)
def extend(request: HttpRequest, request_id: int, data: ExtendIn):
    """Extend once, by 1 to 60 days, before the initial deadline; the person is told."""
    user, req = _request(request, request_id)
    return services.extend_deadline(req, user, data.days, data.reason)


@router.post("/privacy/requests/{request_id}/fulfil", response=RequestOut)
def fulfil(request: HttpRequest, request_id: int, data: FulfilIn):
    """Carry the request out: package (access, portability), corrections, erasure, restriction, objection."""
    user, req = _request(request, request_id)
    return services.fulfil(req, user, changes=data.changes)


@router.post("/privacy/requests/{request_id}/refuse", response=RequestOut)
def refuse(request: HttpRequest, request_id: int, data: ReasonIn):
    user, req = _request(request, request_id)
    return services.refuse(req, user, data.reason)


@router.get("/privacy/requests/{request_id}/package")
def get_package(request: HttpRequest, request_id: int):
    """The generated package (JSON) of an access or portability request."""
    user, req = _request(request, request_id)
    path = packages.file_of(req, "package.json")
    if path is None:
        raise Http404
    access_log.log_access(user, "package", req.pk, via="api")
    services.record_download(req, user, "package.json")
    return json.loads(path.read_text())


class ConsentIn(Schema):
    identifier_kind: str
    identifier: str = Field(max_length=300)
    purpose: str = Field(max_length=60)
    channel: str = Field(max_length=30)
    action: str = Field(description="given or withdrawn")
    at: dt.datetime | None = Field(None, description="when it was given or withdrawn; default now")
    source: str = Field(max_length=200)
    wording_version: str = Field(max_length=40)
    duration_days: int | None = None


class ConsentOut(Schema):
    id: int
    purpose: str
    channel: str
    action: str
    at: dt.datetime
    source: str
    wording_version: str
    expires_at: dt.datetime | None
    collector_id: int | None


class ConsentStateQuery(Schema):
    identifier_kind: str
    identifier: str = Field(max_length=300)
    purpose: str = Field(max_length=60)
    at: dt.datetime | None = None


class ConsentStateOut(Schema):
    purpose: str
    at: dt.datetime
    given: bool
    since: dt.datetime | None


@router.post("/privacy/consents", response={201: ConsentOut})
def record_consent(request: HttpRequest, data: ConsentIn):
    """Append a consent or a withdrawal (PRV-4); records are never changed."""
    user = authorize(request, MANAGE)
    subject = consent.subject_of(user.organisation, data.identifier_kind, data.identifier)
    return Status(201, consent.record(user.organisation, subject, purpose=data.purpose, channel=data.channel,
                                      action=data.action, at=data.at, source=data.source,
                                      wording_version=data.wording_version, collector=user,
                                      duration_days=data.duration_days))


@router.get("/privacy/consents/state", response=ConsentStateOut)
def consent_state(request: HttpRequest, query: Query[ConsentStateQuery]):
    """The consent in force for a purpose at any date (default now)."""
    user = authorize(request, MANAGE)
    subject = consent.subject_of(user.organisation, query.identifier_kind, query.identifier)
    at = query.at or clock.now()
    state = consent.state_at(user.organisation, subject, query.purpose, at)
    return {"purpose": query.purpose, "at": at, "given": state.given, "since": state.since}


class HoldIn(Schema):
    visitor_id: int
    conversation_id: int | None = None
    reason: str = Field(max_length=1000)


class HoldOut(Schema):
    id: int
    visitor_id: int
    conversation_id: int | None
    reason: str
    placed_at: dt.datetime
    released_at: dt.datetime | None


@router.post("/privacy/holds", response={201: HoldOut})
def place_hold(request: HttpRequest, data: HoldIn):
    user = authorize(request, MANAGE)
    return Status(201, services.place_hold(user.organisation, user, **data.dict()))


@router.post("/privacy/holds/{hold_id}/release", response=HoldOut)
def release_hold(request: HttpRequest, hold_id: int):
    user = authorize(request, MANAGE)
    hold = LegalHold.objects.for_org(user.organisation).filter(pk=hold_id).first()
    if hold is None:
        raise Http404
    return services.release_hold(hold, user)


class DataClassOut(Schema):
    code: str
    label: str
    duration: str
    start: str


class RetentionOut(Schema):
    catalogue: list[DataClassOut]
    transcript_retention_days: int | None
    contract_ends_on: dt.date | None
    data_residency: str
    last_purge: dict | None


class RetentionIn(Schema):
    transcript_retention_days: int | None = Field(None, ge=1, le=3650)


def _retention(org) -> dict:
    row = retention.settings_of(org.pk)
    run = RetentionRun.objects.filter(job="retention.daily", finished_at__isnull=False).first()
    return {
        "catalogue": [{"code": c.code, "label": str(c.label), "duration": str(c.duration), "start": str(c.start)}
                      for c in retention.CATALOGUE],
        "transcript_retention_days": row.transcript_retention_days, "contract_ends_on": row.contract_ends_on,
        "data_residency": selectors.residency(),
        "last_purge": {"period": run.period, "purged": (run.report.get("organisations") or {}).get(str(org.pk), {})}
        if run else None,
    }


@router.get("/privacy/retention", response=RetentionOut)
def get_retention(request: HttpRequest):
    """The retention catalogue (PRV-5), the organisation's transcript retention and the last purge."""
    user = authorize(request, MANAGE)
    return _retention(user.organisation)


@router.put("/privacy/retention", response=RetentionOut)
def set_retention(request: HttpRequest, data: RetentionIn):
    user = authorize(request, MANAGE)
    row = retention.settings_of(user.organisation.pk)
    row.transcript_retention_days = data.transcript_retention_days
    row.save(update_fields=["transcript_retention_days"])
    return _retention(user.organisation)


class AccessOut(Schema):
    at: dt.datetime
    actor_id: int | None
    actor_realm: str
    kind: str
    object_id: int
    visitor_id: int | None
    via: str
    reason: str


@router.get("/privacy/access-log", response=list[AccessOut])
def get_access_log(request: HttpRequest, visitor_id: int | None = None, before: dt.datetime | None = None):
    """Who opened which visitor profile, conversation or export, newest first, 500 at a time (PRV-6)."""
    user = authorize(request, "privacy.access_log")
    rows = AccessLogEntry.objects.for_org(user.organisation)
    if visitor_id is not None:
        rows = rows.filter(visitor_id=visitor_id)
    if before is not None:
        rows = rows.filter(at__lt=before)
    return list(rows[:500])
