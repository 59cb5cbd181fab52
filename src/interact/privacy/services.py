"""Data-subject requests (PRV-2, PRV-3): intake, identity check, deadline, fulfilment, audit.

Every write is one use case in one transaction, and every step lands in the request's audit trail
with its actor. Nothing here tells a caller whether a person exists unless the caller is the
organisation's own privacy manager working on an identity-checked request: intake accepts any
well-formed identifier, identity links answer the same for forged, expired and used links, and a
request of another organisation is "not found".
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from interact.accounts.models import Organisation, User
from interact.core import clock
from interact.core.errors import Conflict, ServiceError
from interact.core.permissions import has_perm

from . import deadlines, erasure, identity, packages
from .models import (
    OPEN_REQUEST_STATUSES,
    DataSubjectRequest,
    IdentifierKind,
    LegalHold,
    RequestKind,
    RequestStatus,
    RequestStep,
    Restriction,
)

log = logging.getLogger(__name__)

IDENTITY_LINK_MAX_AGE = 7 * 24 * 3600
_LINK_SALT = "interact.privacy.identity-link"


class IdentityMethod:
    REGISTERED_EMAIL = "registered_email"  # the request came from the address on record (004 "Identification")
    ID_DOCUMENT = "id_document"  # a copy of the ID card, irrelevant parts hidden (002 §11.2)
    VERIFIED_CHANNEL = "verified_channel"  # written from the identity on the channel (a verified chat)
    IDENTITY_LINK = "identity_link"  # the person opened the link sent to them
    ALL = (REGISTERED_EMAIL, ID_DOCUMENT, VERIFIED_CHANNEL, IDENTITY_LINK)


def _ensure_manager(user: User) -> None:
    if not has_perm(user, "privacy.manage"):
        raise ServiceError("forbidden", _("You may not handle data-subject requests."), status=403)


def _step(req: DataSubjectRequest, action: str, actor: User | None, *, actor_kind: str = "end_user",
          **detail) -> None:
    RequestStep.objects.create(organisation_id=req.organisation_id, request=req, at=clock.now(), actor=actor,
                               actor_kind=actor_kind if actor is not None or actor_kind != "end_user" else "system",
                               action=action, detail=detail)


def _locked(req: DataSubjectRequest) -> DataSubjectRequest:
    return DataSubjectRequest.objects.select_for_update().select_related("organisation").get(pk=req.pk)


# --- intake ---------------------------------------------------------------------------------------

@transaction.atomic
def register_request(org: Organisation, actor: User, *, kind: str, identifier_kind: str, identifier: str,
                     channel_id: int | None = None, submission_key: str | None = None, notes: str = "",
                     received_at: dt.datetime | None = None) -> DataSubjectRequest:
    """Record a request as received. The person is *not* looked up yet: that waits for the identity
    check, so intake reveals nothing and the deadline starts only with complete information."""
    _ensure_manager(actor)
    if kind not in RequestKind.values:
        raise ServiceError("invalid_kind", _("Choose the right the person exercises."), field="kind")
    if identifier_kind not in IdentifierKind.values:
        raise ServiceError("invalid_identifier_kind", _("Choose how the person is identified."),
                           field="identifier_kind")
    if identifier_kind == IdentifierKind.CHANNEL_IDENTITY:
        from interact.connectors.models import Channel

        if channel_id is None or not Channel.objects.for_org(org).filter(pk=channel_id).exists():
            raise ServiceError("invalid_channel", _("Choose one of your channels."), field="channel")
    normalised = identity.normalise(identifier_kind, identifier, channel_id=channel_id)
    if len(notes or "") > 4000:
        raise ServiceError("notes_too_long", _("Notes are at most 4000 characters."), field="notes")
    now = clock.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise ServiceError("invalid_received_at", _("A request cannot be received in the future."),
                           field="received_at")
    key = submission_key or secrets.token_hex(16)
    if not isinstance(key, str) or not 8 <= len(key) <= 64:
        raise ServiceError("invalid_submission_key", _("This form has expired; open it again."),
                           field="submission_key")
    existing = DataSubjectRequest.objects.for_org(org).filter(submission_key=key).first()
    if existing is not None:
        raise Conflict("duplicate_submission",
                       _("This request was already registered as #%(id)s.") % {"id": existing.pk})
    digest = identity.digest(identifier_kind, normalised)
    twin = DataSubjectRequest.objects.for_org(org).filter(
        kind=kind, identifier_digest=digest, status__in=OPEN_REQUEST_STATUSES).first()
    if twin is not None:
        raise Conflict("request_already_open",
                       _("The same request about this person is already open as #%(id)s.") % {"id": twin.pk})
    try:
        with transaction.atomic():
            req = DataSubjectRequest.objects.create(
                organisation=org, kind=kind, identifier_kind=identifier_kind, identifier=normalised,
                identifier_digest=digest, channel_id=channel_id if identifier_kind == IdentifierKind.CHANNEL_IDENTITY
                else None, submission_key=key, received_at=received_at, notes=(notes or "").strip(),
                created_by=actor)
    except IntegrityError:
        raise Conflict("duplicate_submission", _("This request was already registered.")) from None
    _step(req, "received", actor, kind=kind, identifier_kind=identifier_kind)
    return req


# --- identity check -------------------------------------------------------------------------------

def _start_clock(req: DataSubjectRequest, actor: User | None, method: str, *, actor_kind: str) -> None:
    now = clock.now()
    req.identity_method = method
    req.identity_checked_at = now
    req.identity_checked_by = actor
    req.identity_link_nonce = ""
    req.information_complete_at = now
    req.due_at = deadlines.initial_due(now)
    req.status = RequestStatus.IN_PROGRESS
    req.save(update_fields=["identity_method", "identity_checked_at", "identity_checked_by", "identity_link_nonce",
                            "information_complete_at", "due_at", "status"])
    matched = list(identity.matching_visitors(req.organisation, req.identifier_kind,
                                              req.identifier).values_list("pk", flat=True))
    req.visitor_ids = matched
    req.save(update_fields=["visitor_ids"])
    _step(req, "identity_checked", actor, actor_kind=actor_kind, method=method, due_at=req.due_at.isoformat())


@transaction.atomic
def verify_identity(req: DataSubjectRequest, actor: User, method: str) -> DataSubjectRequest:
    """An Administrator records how the identity was checked; the 30 days start now."""
    _ensure_manager(actor)
    req = _locked(req)
    if req.status != RequestStatus.AWAITING_IDENTITY:
        raise Conflict("identity_already_checked", _("The identity was already checked."))
    if method not in IdentityMethod.ALL or method == IdentityMethod.IDENTITY_LINK:
        raise ServiceError("invalid_method", _("Choose how the identity was checked."), field="method")
    _start_clock(req, actor, method, actor_kind="end_user")
    return req


@transaction.atomic
def identity_link(req: DataSubjectRequest, actor: User, base_url: str) -> str:
    """A signed link the person opens to confirm the request is theirs (valid 7 days, once).
    Sent by e-mail when the person is identified by e-mail; otherwise shown to be sent on the channel."""
    _ensure_manager(actor)
    req = _locked(req)
    if req.status != RequestStatus.AWAITING_IDENTITY:
        raise Conflict("identity_already_checked", _("The identity was already checked."))
    req.identity_link_nonce = secrets.token_hex(16)
    req.identity_link_sent_at = clock.now()
    req.save(update_fields=["identity_link_nonce", "identity_link_sent_at"])
    token = signing.TimestampSigner(salt=_LINK_SALT).sign_object({"r": req.pk, "n": req.identity_link_nonce})
    url = f"{base_url.rstrip('/')}/privacy/verify/{token}/"
    if req.identifier_kind == IdentifierKind.EMAIL:
        org_name = req.organisation.name
        transaction.on_commit(lambda: send_mail(
            _("Confirm your privacy request to %(org)s") % {"org": org_name},
            _("You asked %(org)s to exercise a right over your personal data. Open this link within 7 days "
              "to confirm that the request is yours:\n\n%(url)s\n\nIf you did not make this request, ignore "
              "this message.") % {"org": org_name, "url": url},
            None, [req.identifier]))
    _step(req, "identity_link_sent", actor, by_email=req.identifier_kind == IdentifierKind.EMAIL)
    return url


_INVALID_LINK = _("This link is not valid or has expired. Ask the organisation for a new one.")


@transaction.atomic
def confirm_identity_link(token: str) -> None:
    """The person opened their link. Forged, expired and already used links all get the same
    answer, which says nothing about the request or the person."""
    try:
        data = signing.TimestampSigner(salt=_LINK_SALT).unsign_object(token, max_age=IDENTITY_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ServiceError("link_expired", _INVALID_LINK, status=400) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ServiceError("link_invalid", _INVALID_LINK, status=400) from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("n"), str):
        raise ServiceError("link_invalid", _INVALID_LINK, status=400)
    req = DataSubjectRequest.objects.select_for_update().select_related("organisation").filter(pk=data["r"]).first()
    if (req is None or req.status != RequestStatus.AWAITING_IDENTITY or not req.identity_link_nonce
            or not secrets.compare_digest(req.identity_link_nonce, data["n"])):
        raise ServiceError("link_invalid", _INVALID_LINK, status=400)
    _start_clock(req, None, IdentityMethod.IDENTITY_LINK, actor_kind="person")


# --- deadline -------------------------------------------------------------------------------------

@transaction.atomic
def extend_deadline(req: DataSubjectRequest, actor: User, days: int, reason: str) -> DataSubjectRequest:
    """Extend once by up to 60 days; the notice to the person goes now, which must be before day 30."""
    _ensure_manager(actor)
    req = _locked(req)
    if req.status not in OPEN_REQUEST_STATUSES:
        raise Conflict("request_closed", _("This request is closed."))
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        raise ServiceError("reason_required", _("Say why more time is needed (number or complexity of requests)."),
                           field="reason")
    now = clock.now()
    days = deadlines.check_extension(req.due_at, req.extended_days, days, now)
    req.extended_days = days
    req.extension_notice_at = now
    req.save(update_fields=["extended_days", "extension_notice_at"])
    if req.identifier_kind == IdentifierKind.EMAIL:
        org_name, final, to = req.organisation.name, req.final_due_at, req.identifier
        transaction.on_commit(lambda: send_mail(
            _("Your privacy request to %(org)s: more time needed") % {"org": org_name},
            _("%(org)s needs more time to answer your request: %(reason)s. You will have an answer by "
              "%(date)s at the latest.") % {"org": org_name, "reason": reason.strip(), "date": final.date()},
            None, [to]))
    _step(req, "deadline_extended", actor, days=days, final_due_at=req.final_due_at.isoformat(),
          notice_by_email=req.identifier_kind == IdentifierKind.EMAIL)
    return req


# --- fulfilment -----------------------------------------------------------------------------------

RECTIFIABLE = ("first_name", "last_name", "email", "birth_date", "phone", "mobile")


def _clean_changes(changes: object) -> dict:
    if not isinstance(changes, dict) or not changes:
        raise ServiceError("changes_required", _("Enter the corrected data."), field="changes")
    unknown = set(changes) - set(RECTIFIABLE)
    if unknown:
        raise ServiceError("unknown_field", _("Unknown field."), field=sorted(unknown)[0])
    cleaned = {}
    for name, value in changes.items():
        if name == "birth_date":
            if value in (None, ""):
                cleaned[name] = None
                continue
            try:
                day = dt.date.fromisoformat(str(value))
            except ValueError:
                raise ServiceError("invalid_birth_date", _("Enter a valid date."), field=name) from None
            if day > clock.today():
                raise ServiceError("invalid_birth_date", _("A birth date cannot be in the future."), field=name)
            cleaned[name] = day
        else:
            if value is not None and not isinstance(value, str):
                raise ServiceError(f"invalid_{name}", _("Enter text."), field=name)
            cleaned[name] = (value or "").strip()
    return cleaned


def _rectify(req: DataSubjectRequest, visitors, changes: dict) -> str:
    from interact.conversations.models import Visitor

    for visitor in visitors:
        for name, value in changes.items():
            setattr(visitor, name, value)
        try:
            visitor.full_clean(exclude=["organisation", "channel", "created_at", "last_seen_at", "attributes",
                                        "external_id", "display_name", "language", "verified"])
        except ValidationError as invalid:
            field, messages = next(iter(invalid.message_dict.items()))
            raise ServiceError(f"invalid_{field}", messages[0], field=field) from None
    Visitor.objects.filter(pk__in=[v.pk for v in visitors]).update(**changes)
    req.changes = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in changes.items()}
    return _("%(fields)s corrected on %(n)d profile(s).") % {"fields": ", ".join(sorted(changes)), "n": len(visitors)}


def _restrict(req: DataSubjectRequest, visitors, kind: str) -> str:
    from interact.bots.models import BotPause, PauseReason

    from . import consent

    now = clock.now()
    for visitor in visitors:
        Restriction.objects.create(organisation_id=req.organisation_id, visitor=visitor, kind=kind, request=req,
                                   since=now)
        BotPause.objects.get_or_create(visitor=visitor, defaults={
            "organisation_id": visitor.organisation_id, "reason": PauseReason.END_USER, "paused_at": now,
            "detail": "Objection or restriction (PRV-2): no automated processing"})
    withdrawn = 0
    if kind == "objection":
        withdrawn = consent.withdraw_all(req.organisation, [v.pk for v in visitors], req.identifier_digest,
                                         source=f"objection request #{req.pk}")
    if kind == "objection":
        return _("%(n)d profile(s): no automated processing; %(c)d consent(s) withdrawn.") % {
            "n": len(visitors), "c": withdrawn}
    return _("%(n)d profile(s) restricted: stored only, no automated processing.") % {"n": len(visitors)}


@transaction.atomic
def fulfil(req: DataSubjectRequest, actor: User, *, changes: dict | None = None) -> DataSubjectRequest:
    """Carry out the request according to its kind and close it."""
    _ensure_manager(actor)
    req = _locked(req)
    if req.status == RequestStatus.AWAITING_IDENTITY:
        raise Conflict("identity_not_checked", _("Check the person's identity first."))
    if req.status != RequestStatus.IN_PROGRESS:
        raise Conflict("request_closed", _("This request is closed."))
    from interact.conversations.models import Visitor

    visitors = list(Visitor.objects.for_org(req.organisation).filter(pk__in=req.visitor_ids)
                    .select_related("channel"))
    ids = [v.pk for v in visitors]
    now = clock.now()
    detail: dict = {"profiles": len(ids)}
    if req.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        packages.write(req, ids)
        req.package_at = now
        outcome = (_("Package generated (%(n)d profile(s)).") % {"n": len(ids)}) if ids else \
            _("Package generated: the organisation holds no data about this person.")
    elif req.kind == RequestKind.RECTIFICATION:
        cleaned = _clean_changes(changes)
        if not ids:
            raise Conflict("nothing_to_rectify", _("The organisation holds no profile for this person."))
        outcome = _rectify(req, visitors, cleaned)
        detail["fields"] = sorted(cleaned)
    elif req.kind == RequestKind.ERASURE:
        report = erasure.erase_visitors(visitors, request=req)
        detail.update({k: v for k, v in report.as_dict().items() if k != "held"})
        detail["held"] = [{"kind": h["kind"], "id": h["id"]} for h in report.held]
        outcome = _("Erased: %(v)d profile(s), %(m)d message(s), %(n)d note(s).") % {
            "v": report.visitors, "m": report.messages, "n": report.notes}
        if report.held:
            outcome += " " + _("Kept under legal hold: %(items)s.") % {"items": "; ".join(
                f"{h['kind']} #{h['id']} ({h['reason']})" for h in report.held)}
        req.identifier = ""
        req.notes = ""
        req.changes = {}
    else:
        outcome = _restrict(req, visitors, "objection" if req.kind == RequestKind.OBJECTION else "restriction")
    req.status = RequestStatus.COMPLETED
    req.completed_at = now
    req.outcome = outcome
    req.save(update_fields=["status", "completed_at", "outcome", "package_at", "identifier", "notes", "changes"])
    _step(req, "completed", actor, **detail)
    return req


@transaction.atomic
def refuse(req: DataSubjectRequest, actor: User, reason: str) -> DataSubjectRequest:
    """Close without acting, e.g. when the identity cannot be confirmed (004 "Identification")."""
    _ensure_manager(actor)
    req = _locked(req)
    if req.status not in OPEN_REQUEST_STATUSES:
        raise Conflict("request_closed", _("This request is closed."))
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        raise ServiceError("reason_required", _("Say why the request is refused."), field="reason")
    req.status = RequestStatus.REFUSED
    req.completed_at = clock.now()
    req.outcome = reason.strip()
    req.save(update_fields=["status", "completed_at", "outcome"])
    _step(req, "refused", actor)
    return req


def record_download(req: DataSubjectRequest, actor: User, name: str) -> None:
    _step(req, "package_downloaded", actor, file=name)


# --- legal holds ----------------------------------------------------------------------------------

@transaction.atomic
def place_hold(org: Organisation, actor: User, *, visitor_id: int, conversation_id: int | None,
               reason: str) -> LegalHold:
    from interact.conversations.models import Conversation, Visitor

    _ensure_manager(actor)
    visitor = Visitor.objects.for_org(org).filter(pk=visitor_id).first()
    if visitor is None:
        raise ServiceError("unknown_visitor", _("No such visitor."), field="visitor_id", status=404)
    if conversation_id is not None and not Conversation.objects.for_org(org).filter(
            pk=conversation_id, visitor=visitor).exists():
        raise ServiceError("unknown_conversation", _("No such conversation of this visitor."),
                           field="conversation_id", status=404)
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        raise ServiceError("reason_required", _("Give the legal reason for the hold."), field="reason")
    return LegalHold.objects.create(organisation=org, visitor=visitor, conversation_id=conversation_id,
                                    reason=reason.strip(), placed_by=actor, placed_at=clock.now())


@transaction.atomic
def release_hold(hold: LegalHold, actor: User) -> LegalHold:
    _ensure_manager(actor)
    if hold.released_at is not None:
        raise Conflict("hold_released", _("This hold was already released."))
    hold.released_at = clock.now()
    hold.released_by = actor
    hold.save(update_fields=["released_at", "released_by"])
    # The purge skipped the held conversations: make them due again from where they ended.
    from interact.conversations.models import Conversation

    from . import retention

    held = Conversation.objects.filter(visitor_id=hold.visitor_id, ended_at__isnull=False)
    if hold.conversation_id is not None:
        held = held.filter(pk=hold.conversation_id)
    earliest = held.order_by("ended_at").values_list("ended_at", flat=True).first()
    retention.rewind_transcript_cursor(hold.organisation_id, earliest)
    return hold
