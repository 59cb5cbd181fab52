"""Records of the privacy centre (PRV-1..7, STO-2, STO-3).

The organisation is the controller of its visitors' data and the operator its processor (PRV-1,
003 §7.8.4): everything here is tenant-scoped except the operator's own breach register and its
staff's access reasons. Audit rows (request steps, consent records, the erasure log, the access
log) are append-only: services only ever insert them, and ``save`` refuses an update.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interact.core.models import TenantModel


class AppendOnly(models.Model):
    """Rows that are evidence: written once, never changed (purged as a whole when due)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection")
    PORTABILITY = "portability", _("Portability")


class IdentifierKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    CHANNEL_IDENTITY = "channel_identity", _("Identity on a channel")
    VISITOR_ID = "visitor_id", _("Visitor number")


class RequestStatus(models.TextChoices):
    AWAITING_IDENTITY = "awaiting_identity", _("Awaiting identity check")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


OPEN_REQUEST_STATUSES = (RequestStatus.AWAITING_IDENTITY, RequestStatus.IN_PROGRESS)


class DataSubjectRequest(TenantModel):
    """A data-subject request the organisation received (PRV-2, 002 §11.2)."""

    kind = models.CharField(_("right exercised"), max_length=20, choices=RequestKind.choices)
    identifier_kind = models.CharField(_("person identified by"), max_length=20, choices=IdentifierKind.choices)
    identifier = models.CharField(_("identifier"), max_length=300, blank=True)
    identifier_digest = models.CharField(max_length=64, db_index=True)
    channel = models.ForeignKey("connectors.Channel", null=True, blank=True, on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+")
    submission_key = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.AWAITING_IDENTITY)
    received_at = models.DateTimeField()
    information_complete_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(default=0)
    extension_notice_at = models.DateTimeField(null=True, blank=True)
    identity_method = models.CharField(max_length=40, blank=True)
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    identity_link_nonce = models.CharField(max_length=32, blank=True)
    identity_link_sent_at = models.DateTimeField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # rectification: field -> corrected value
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    outcome = models.TextField(blank=True)  # counts and reasons only, never personal values
    # The visitor rows matched at the identity check. Ids, not a foreign key: a restore deletes and
    # re-creates visitor rows, and must not take the organisation's request history with them.
    visitor_ids = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    package_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "submission_key"], name="privacy_request_submitted_once"),
            models.CheckConstraint(condition=Q(extended_days__lte=60), name="privacy_extension_at_most_60_days"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def final_due_at(self):
        import datetime as dt

        if self.due_at is None:
            return None
        return self.due_at.astimezone(dt.UTC) + dt.timedelta(days=self.extended_days)


STEP_LABELS = {
    "received": _("Request registered"),
    "identity_link_sent": _("Identity link sent"),
    "identity_checked": _("Identity checked"),
    "deadline_extended": _("Deadline extended"),
    "completed": _("Completed"),
    "refused": _("Refused"),
    "package_downloaded": _("Package downloaded"),
    "package_purged": _("Package deleted (retention)"),
}


class RequestStep(TenantModel, AppendOnly):
    """One step of a request's audit trail, with its actor (PRV-2)."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_kind = models.CharField(max_length=12)  # end_user, person (identity link), system
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def label(self) -> str:
        """What the step was, in the reader's language; the stored code stays for the API."""
        return str(STEP_LABELS.get(self.action, self.action))


class LegalHold(TenantModel):
    """Records that must stay despite an erasure or a purge (e.g. a dispute: 002 §6.3.2.5)."""

    # No database constraint: a restore deletes and re-creates visitor and conversation rows with
    # the same ids, and a hold must survive that (STO-2).
    visitor = models.ForeignKey("conversations.Visitor", on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    conversation = models.ForeignKey("conversations.Conversation", null=True, blank=True,
                                     on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    reason = models.TextField(_("reason"), max_length=1000)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-placed_at", "-id"]


class ErasureRecord(TenantModel, AppendOnly):
    """The erasure log (PRV-3, STO-2): which visitor rows were erased, replayed after every
    restore so a backup never brings an erased person back. Holds no plaintext identifier: only
    row ids and keyed hashes to recognise the person's rows in an older copy."""

    visitor_id = models.BigIntegerField(db_index=True)
    channel_id = models.BigIntegerField(null=True)
    digests = models.JSONField(default=list)
    request = models.ForeignKey(DataSubjectRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    erased_at = models.DateTimeField()
    held = models.JSONField(default=list, blank=True)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["erased_at", "id"]


class ConsentAction(models.TextChoices):
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentRecord(TenantModel, AppendOnly):
    """One consent event (PRV-4). The state at any date is the last record at or before it; the
    proof is kept for the consent's duration + 5 years (002 §6.3.2.5)."""

    subject_kind = models.CharField(max_length=20, choices=IdentifierKind.choices)
    subject_digest = models.CharField(max_length=64)
    visitor = models.ForeignKey("conversations.Visitor", null=True, blank=True, on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=60)
    channel = models.CharField(_("channel"), max_length=30)
    action = models.CharField(max_length=10, choices=ConsentAction.choices)
    at = models.DateTimeField()
    source = models.CharField(_("source"), max_length=200)
    wording_version = models.CharField(_("wording version"), max_length=40)
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    collector_kind = models.CharField(max_length=12, default="end_user")  # end_user, person, system
    expires_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organisation", "subject_digest", "purpose", "at"])]


class PrivacySettings(TenantModel):
    """Per-organisation retention choices (PRV-5, STO-3)."""

    transcript_retention_days = models.PositiveIntegerField(
        _("keep transcripts for (days after the conversation ended)"), null=True, blank=True)
    contract_ends_on = models.DateField(_("contract end"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="privacy_settings_once")]


class RetentionRun(models.Model):
    """One run of a periodic job for one period: the unique (job, period) row that makes the job
    idempotent (DESIGN), and its report."""

    job = models.CharField(max_length=40)
    period = models.CharField(max_length=20)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="retention_run_once_per_period")]


class RetentionCursor(TenantModel):
    """How far a purge has gone through a data class ordered by (time, id): the next run starts
    after it instead of rescanning everything purged before."""

    data_class = models.CharField(max_length=30)
    after_at = models.DateTimeField(null=True, blank=True)
    after_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "data_class"], name="retention_cursor_once")]


class AccessKind(models.TextChoices):
    VISITOR = "visitor", _("Visitor profile")
    CONVERSATION = "conversation", _("Conversation")
    EXPORT = "export", _("Export")
    PACKAGE = "package", _("Data-subject package")


class AccessLogEntry(TenantModel, AppendOnly):
    """Who opened which visitor profile, conversation or export (PRV-6)."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_realm = models.CharField(max_length=10)  # client, operator
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    object_id = models.BigIntegerField()
    visitor_id = models.BigIntegerField(null=True, blank=True)
    via = models.CharField(max_length=10)  # page, api
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "at"], name="privacy_access_org_at")]


class OperatorReason(models.TextChoices):
    """The only grounds on which the operator may open client content (003 §7.8.4)."""

    TASK = "task", _("A task the contract requires (support, incident)")
    INJUNCTION = "injunction", _("An order of a court or public authority")
    PROTECTION = "protection", _("Protecting the network, equipment or interests of the operator")


class OperatorAccess(TenantModel, AppendOnly):
    """Operator staff's recorded reason to open one organisation's content, valid for a while (PRV-6)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ground = models.CharField(max_length=12, choices=OperatorReason.choices)
    reason = models.TextField(max_length=1000)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at", "-id"]


class BackupKind(models.TextChoices):
    ACTIVATION = "activation", _("At activation")
    WEEKLY = "weekly", _("Weekly")
    MANUAL = "manual", _("On request")


class Backup(TenantModel):
    """A full, encrypted backup of one organisation's configuration and content (STO-1, STO-2)."""

    kind = models.CharField(max_length=12, choices=BackupKind.choices)
    period = models.CharField(max_length=20)
    path = models.CharField(max_length=300)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "period"],
                                               name="backup_once_per_period")]


class Restore(TenantModel):
    backup = models.ForeignKey(Backup, null=True, on_delete=models.SET_NULL, related_name="restores")
    restored_at = models.DateTimeField()
    restored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    report = models.JSONField(default=dict, blank=True)


class Breach(models.Model):
    """The operator's breach register (PRV-7, GDPR art. 33(5)): every breach is recorded, with the
    72-hour clock from awareness to the authority's notification, and the organisations told."""

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()
    occurred_at = models.DateTimeField(null=True, blank=True)
    aware_at = models.DateTimeField()
    description = models.TextField(max_length=4000)
    categories = models.TextField(blank=True, max_length=1000)
    approx_subjects = models.PositiveIntegerField(null=True, blank=True)
    consequences = models.TextField(blank=True, max_length=2000)
    measures = models.TextField(blank=True, max_length=2000)
    high_risk = models.BooleanField(default=False)
    authority_notified_at = models.DateTimeField(null=True, blank=True)
    authority_reference = models.CharField(max_length=100, blank=True)
    late_reason = models.TextField(blank=True, max_length=2000)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-aware_at", "-id"]


class BreachNotice(TenantModel):
    """A breach notified to an affected organisation (the controller), which then decides on
    informing the people concerned (art. 34)."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="notices")
    notified_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    subjects_notified_at = models.DateTimeField(null=True, blank=True)
    subjects_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-notified_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["breach", "organisation"], name="breach_notice_once")]


class Restriction(TenantModel):
    """A visitor whose data must only be stored, not processed further (restriction), or who
    objected (PRV-2, 002 §11.1.4, §11.1.7): no chatbot (automated processing) answers them, and
    their consents are withdrawn."""

    visitor = models.ForeignKey("conversations.Visitor", on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    kind = models.CharField(max_length=12, choices=[("restriction", _("Restriction")),
                                                    ("objection", _("Objection"))])
    request = models.ForeignKey(DataSubjectRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    since = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-since", "-id"]
