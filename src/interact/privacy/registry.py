"""The privacy registry (DESIGN "Personal data is declared", PRV-1..5).

Every model field holding personal data is declared here once, with its category, its retention
class (``retention.CATALOGUE``) and what erasure does to it. Access packages, erasure and the
retention purges are generic over these declarations, so a field that is declared is exported,
erased and purged; ``tests/privacy/test_registry.py`` fails when a model of any installed app has
a field that *looks* personal and is neither declared nor exempted with a reason here. That is the
point: a new column holding names or free text cannot slip past erasure unnoticed.

Why here and not in ``core``: the declarations name models of every context, and only the privacy
context reads them; keeping them next to the code that acts on them keeps both honest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category:
    IDENTITY = "identity"  # names, identifiers on a channel
    CONTACT = "contact"  # e-mail, phone
    PROFILE = "profile"  # birth date, language
    CONTENT = "content"  # what the person wrote or what was written about them
    TECHNICAL = "technical"  # page address, browser, IP
    ACCOUNT = "account"  # end users' own accounts


CATEGORY_LABELS = {
    Category.IDENTITY: _("Identification data"),
    Category.CONTACT: _("Contact data"),
    Category.PROFILE: _("Profile data"),
    Category.CONTENT: _("Conversation content"),
    Category.TECHNICAL: _("Technical data"),
    Category.ACCOUNT: _("End-user account data"),
}


class Erase:
    """What erasure does to a declared field of a visitor's row."""

    BLANK = "blank"  # "" (or NULL for nullable non-text fields)
    EMPTY_JSON = "empty_json"  # {}
    PSEUDONYM = "pseudonym"  # a random value, so unique constraints still hold
    SCRUB_EVENT = "scrub_event"  # keep only the non-personal keys of an event payload
    DELETE_ROW = "delete_row"  # the row goes
    REDACT_WEBHOOK = "redact_webhook"  # the person's entries are cut out of the raw body
    NONE = "none"  # not a visitor's data (end users, configuration): handled by their own lifecycle


@dataclass(frozen=True)
class PersonalField:
    name: str
    category: str
    retention: str
    erase: str = Erase.BLANK
    supplied_by_person: bool = False  # portability (PRV-2) covers what the person supplied


@dataclass(frozen=True)
class PersonalModel:
    """A model with personal data. ``visitor_path`` is the lookup from the model to the visitor it
    is about (``""`` for the visitor itself, ``None`` when it is not about a visitor)."""

    label: str
    visitor_path: str | None
    fields: tuple[PersonalField, ...]
    purpose: str = ""
    origin: str = ""
    recipients: str = ""
    conversation_path: str | None = None  # lets a legal hold on one conversation keep its rows
    export: bool = True  # shown in an access package

    def field(self, name: str) -> PersonalField | None:
        return next((f for f in self.fields if f.name == name), None)


_PURPOSE_SERVICE = _("Answering the visitor's questions on behalf of the organisation (the controller)")
_ORIGIN_PERSON = _("Supplied by the person in the conversation or by the channel they wrote on")
_RECIPIENTS_ORG = _("The organisation's end users; the platform operator as processor (003 §7.8.4)")

REGISTRY: tuple[PersonalModel, ...] = (
    PersonalModel(
        "conversations.Visitor", "", (
            PersonalField("external_id", Category.IDENTITY, "content", Erase.PSEUDONYM),
            PersonalField("display_name", Category.IDENTITY, "content", supplied_by_person=True),
            PersonalField("first_name", Category.IDENTITY, "content", supplied_by_person=True),
            PersonalField("last_name", Category.IDENTITY, "content", supplied_by_person=True),
            PersonalField("email", Category.CONTACT, "content", supplied_by_person=True),
            PersonalField("birth_date", Category.PROFILE, "content", supplied_by_person=True),
            PersonalField("phone", Category.CONTACT, "content", supplied_by_person=True),
            PersonalField("mobile", Category.CONTACT, "content", supplied_by_person=True),
            PersonalField("language", Category.PROFILE, "content", supplied_by_person=True),
            PersonalField("attributes", Category.TECHNICAL, "content", Erase.EMPTY_JSON),
        ),
        purpose=_PURPOSE_SERVICE,
        origin=_("The channel (website chat: what the site verified; Facebook: the public profile) and end users"),
        recipients=_RECIPIENTS_ORG),
    PersonalModel(
        "conversations.VisitorNote", "visitor", (
            PersonalField("body", Category.CONTENT, "content", Erase.DELETE_ROW),
        ),
        purpose=_("Follow-up of the visitor by the organisation's end users"),
        origin=_("Written by the organisation's end users"), recipients=_RECIPIENTS_ORG),
    PersonalModel(
        "conversations.Message", "conversation__visitor", (
            PersonalField("body", Category.CONTENT, "transcript", supplied_by_person=True),
            PersonalField("meta", Category.CONTENT, "transcript", Erase.EMPTY_JSON),
            PersonalField("delivery_error", Category.TECHNICAL, "transcript"),
        ),
        purpose=_PURPOSE_SERVICE, origin=_ORIGIN_PERSON,
        recipients=_("The organisation's end users; its chatbot, if one answers the channel; the network "
                     "(Facebook) the conversation took place on"),
        conversation_path="conversation"),
    PersonalModel(
        "conversations.Event", "conversation__visitor", (
            PersonalField("payload", Category.CONTENT, "transcript", Erase.SCRUB_EVENT),
        ),
        purpose=_("Live updates of the inbox and the chat window"), origin=_ORIGIN_PERSON,
        recipients=_RECIPIENTS_ORG, conversation_path="conversation", export=False),
    PersonalModel(
        "connectors.WebhookEvent", None, (
            PersonalField("body", Category.CONTENT, "raw_webhook", Erase.REDACT_WEBHOOK),
            PersonalField("error", Category.TECHNICAL, "raw_webhook", Erase.NONE),
        ),
        purpose=_("Proof of what Meta delivered, kept until processed"), origin=_("Meta (Facebook) webhooks"),
        recipients=_("Nobody: read by the platform only"), export=False),
    PersonalModel(
        "bots.BotPause", "visitor", (
            PersonalField("detail", Category.TECHNICAL, "content", Erase.DELETE_ROW),
        ),
        purpose=_("Handover between the chatbot and a person"), origin=_("The chatbot or end users"),
        recipients=_RECIPIENTS_ORG),
    # End users (the client's employees) and the order form: account data, kept while the account
    # exists and deleted with the organisation (TEN-4); not part of a visitor's erasure.
    PersonalModel(
        "accounts.User", None, (
            PersonalField("email", Category.ACCOUNT, "account", Erase.NONE),
            PersonalField("first_name", Category.ACCOUNT, "account", Erase.NONE),
            PersonalField("last_name", Category.ACCOUNT, "account", Erase.NONE),
            PersonalField("mother_tongue", Category.ACCOUNT, "account", Erase.NONE),
        ), export=False),
    PersonalModel(
        "accounts.OrderForm", None, (
            PersonalField("first_user_first_name", Category.ACCOUNT, "account", Erase.NONE),
            PersonalField("first_user_last_name", Category.ACCOUNT, "account", Erase.NONE),
            PersonalField("first_user_email", Category.ACCOUNT, "account", Erase.NONE),
        ), export=False),
    PersonalModel(
        "accounts.ConfigurationBackup", None, (
            PersonalField("payload", Category.ACCOUNT, "account", Erase.NONE),
        ), export=False),
    # The privacy context's own records: what they keep is pseudonymous or purged on its schedule.
    PersonalModel(
        "privacy.DataSubjectRequest", None, (
            PersonalField("identifier", Category.IDENTITY, "request_trail", Erase.NONE),
            PersonalField("changes", Category.IDENTITY, "request_trail", Erase.NONE),
            PersonalField("notes", Category.CONTENT, "request_trail", Erase.NONE),
        ), export=False),
)

# Fields that look personal but are not, each with the reason. Keyed "app.Model.field".
EXEMPT: dict[str, str] = {
    "auth.Permission.name": "Django's permission names, no person",
    "auth.Group.name": "group names, no person",
    "sessions.Session.session_data": "signed session of a signed-in end user (user id only), expires in 2 weeks",
    "accounts.Organisation.name": "the client company's name, not a natural person",
    "accounts.Organisation.options": "plan options",
    "accounts.OrderForm.options": "plan options",
    "accounts.User.password": "argon2 hash, never exported",
    "accounts.User.sub_profiles": "permission codes",
    "accounts.ApiToken.name": "a label the end user chose for a token",
    "admin_portal.Skill.name": "configuration", "admin_portal.Skill.description": "configuration",
    "admin_portal.Topic.name": "configuration", "admin_portal.Topic.description": "configuration",
    "admin_portal.ClosureDay.label": "configuration (holiday names)",
    "connectors.Channel.name": "configuration", "connectors.Channel.away_message": "configuration",
    "connectors.Channel.allowed_origins": "configuration (web sites)",
    "connectors.Channel.last_error": "errors of the network's API about the channel, no visitor data",
    "connectors.FacebookPage.name": "a Facebook Page's public name (a business)",
    "connectors.FacebookPage.access_token_encrypted": "encrypted secret",
    "connectors.FacebookPage.app_secret_encrypted": "encrypted secret",
    "conversations.Conversation.declined_by": "end-user ids",
    "bots.Chatbot.name": "configuration", "bots.Chatbot.secret_encrypted": "encrypted secret",
    "bots.Chatbot.last_error": "errors of the bot's endpoint (status, time-out), no message text",
    "contenttypes.ContentType.app_label": "Django's model registry",
    "accounts.ConfigurationBackup.reason": "why the snapshot was taken (activation)",
    "accounts.ApiToken.digest": "SHA-256 of a token secret",
    "conversations.Presence.channel_name": "a socket's channel-layer name",
    "bots.BotPause.reason": "one of three reason codes",
    "privacy.DataSubjectRequest.identifier_kind": "e-mail, phone, channel identity or visitor number",
    "privacy.DataSubjectRequest.identifier_digest": "keyed hash (HMAC) of the identifier: cannot be reversed",
    "privacy.DataSubjectRequest.outcome": "counts and reasons of the outcome, never personal values",
    "privacy.DataSubjectRequest.visitor_ids": "row ids",
    "privacy.ErasureRecord.report": "counts per store",
    "privacy.ConsentRecord.subject_kind": "e-mail, phone, channel identity or visitor number",
    "privacy.RetentionCursor.data_class": "a retention class code",
    "privacy.Breach.late_reason": "why the authority was notified after 72 hours",
    "privacy.RequestStep.detail": "what happened, with ids and field names only, never values",
    "privacy.ErasureRecord.digests": "keyed hashes (HMAC) of identifiers: cannot be reversed",
    "privacy.ErasureRecord.held": "kinds, ids and reasons of records under legal hold",
    "privacy.ConsentRecord.subject_digest": "keyed hash (HMAC) of the identifier: cannot be reversed",
    "privacy.ConsentRecord.wording_version": "version label of the consent text",
    "privacy.ConsentRecord.source": "where consent was collected (form, channel)",
    "privacy.LegalHold.reason": "the legal reason for a hold, written by the Administrator about records",
    "privacy.RetentionRun.report": "counts per data class",
    "privacy.Backup.path": "file name",
    "privacy.Restore.report": "counts",
    "privacy.AccessLogEntry.reason": "why operator staff opened client content",
    "privacy.OperatorAccess.reason": "why operator staff opened client content",
    "privacy.Breach.description": "what happened, written by operator staff; no data of the people affected",
    "privacy.Breach.consequences": "likely consequences, in general terms",
    "privacy.Breach.measures": "measures taken",
    "privacy.Breach.categories": "categories of data concerned",
    "privacy.Breach.authority_reference": "reference of the supervisory authority's file",
    "privacy.BreachNotice.subjects_note": "how the organisation informed the people (art. 34), no names",
}

# Words of a field name that suggest a person (the name is split on "_"), and fragments that do
# wherever they appear ("emailaddress", "birthday").
_PERSONAL_WORDS = frozenset({
    "name", "names", "mail", "email", "phone", "mobile", "birth", "address", "ip", "agent", "body", "text",
    "note", "notes", "comment", "payload", "attributes", "meta", "detail", "message", "error", "description",
    "label", "attachment", "file", "identifier", "subject", "reason", "data", "digest", "report", "ids"})
_PERSONAL_FRAGMENT = re.compile(r"(mail|phone|birth|surname|firstname|lastname|fullname|address)")
_ALWAYS_DECLARED = (models.TextField, models.JSONField, models.BinaryField, models.EmailField,
                    models.GenericIPAddressField, models.FileField)


def looks_personal(f: models.Field) -> bool:
    """A field the registry must account for: free text, JSON, binary, e-mail, IP, files always;
    short text and dates when their name suggests a person."""
    if isinstance(f, _ALWAYS_DECLARED):
        return True
    if isinstance(f, models.CharField | models.DateField) and not isinstance(f, models.DateTimeField):
        words = set(f.name.lower().split("_"))
        return bool(words & _PERSONAL_WORDS or _PERSONAL_FRAGMENT.search(f.name.lower()))
    return False


BY_LABEL: dict[str, PersonalModel] = {m.label: m for m in REGISTRY}


def declared(label: str, name: str) -> PersonalField | None:
    entry = BY_LABEL.get(label)
    return entry.field(name) if entry else None


def visitor_models() -> list[tuple[type[models.Model], PersonalModel]]:
    """The registered models that hold a visitor's data, with their declarations, in an order
    that erases dependants before the visitor row itself."""
    from django.apps import apps

    found = [(apps.get_model(m.label), m) for m in REGISTRY if m.visitor_path is not None]
    return sorted(found, key=lambda pair: pair[1].visitor_path == "")


def undeclared_fields() -> list[str]:
    """Every personal-looking field of every installed model that is neither declared nor exempt."""
    from django.apps import apps

    missing = []
    for model in apps.get_models():
        label = model._meta.label
        for f in model._meta.concrete_fields:
            key = f"{label}.{f.name}"
            if looks_personal(f) and declared(label, f.name) is None and key not in EXEMPT:
                missing.append(key)
    return missing
