"""Organisations, order forms, activation, seats, users and API tokens (TEN-1, TEN-2, IAM, ADM-8)."""

from __future__ import annotations

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interact.core import languages
from interact.core.permissions import OrgProfile, Role, SubProfile
from interact.core.plans import Option, Plan


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Being activated")
    ACTIVE = "active", _("Active")
    DEACTIVATED = "deactivated", _("Deactivated")


class Organisation(models.Model):
    """A client of the operator: the tenant every client-owned row belongs to."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    plan = models.CharField(_("plan"), max_length=10, choices=Plan.choices)
    options = models.JSONField(_("options"), default=list, blank=True)
    min_end_users = models.PositiveIntegerField(_("minimum end users"), default=1)
    seats = models.PositiveIntegerField(_("licensed end users"), default=1)
    status = models.CharField(max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.PENDING)
    activated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=models.F("min_end_users")), name="org_seats_at_least_minimum"
            ),
            models.CheckConstraint(condition=Q(min_end_users__gte=1), name="org_minimum_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def option_labels(self) -> list[str]:
        return [str(Option(o).label) for o in self.options if o in Option.values]


class OrderForm(models.Model):
    """The signed order form an organisation was created from (003 §4.1); never edited afterwards."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="order_form")
    plan = models.CharField(max_length=10, choices=Plan.choices)
    options = models.JSONField(default=list, blank=True)
    min_end_users = models.PositiveIntegerField()
    first_user_first_name = models.CharField(max_length=100)
    first_user_last_name = models.CharField(max_length=100)
    first_user_email = models.EmailField()
    first_user_language = models.CharField(max_length=8)
    entered_by = models.ForeignKey("User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class ActivationStepKind(models.TextChoices):
    """The four implementation steps of 003 §4.2, in order."""

    ACCOUNT = "account", _("Client account created")
    FIRST_ADMINISTRATOR = "first_administrator", _("First end user (Administrator) created")
    CONFIGURATION_BACKUP = "configuration_backup", _("Configuration backed up")
    ACTIVATION = "activation", _("Service activated")


class ActivationStep(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="activation_steps")
    step = models.CharField(max_length=30, choices=ActivationStepKind.choices)
    done_at = models.DateTimeField()
    done_by = models.ForeignKey("User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["done_at", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "step"], name="activation_step_once")]


class ConfigurationBackup(models.Model):
    """A snapshot of an organisation's configuration (003 §4.2 step 3, STO-2)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="configuration_backups")
    reason = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField()


class SeatChange(models.Model):
    """Each raise or lowering of licensed end users, effective from its registration date (ADM-8, 003 §7.3.3)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="seat_changes")
    previous_seats = models.PositiveIntegerField()
    new_seats = models.PositiveIntegerField()
    effective_date = models.DateField()
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey("User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-registered_at", "-id"]


class Realm(models.TextChoices):
    CLIENT = "client", _("Client organisation")
    OPERATOR = "operator", _("Operator staff")


class StaffRole(models.TextChoices):
    OPERATOR_ADMIN = "operator_admin", _("Operator administrator")
    SERVICE_DESK = "service_desk", _("Service-desk agent")
    SALES = "sales", _("Sales and rewards manager")


class UserManager(BaseUserManager):
    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """One login: an organisation's end user or portal user, or a member of operator staff (IAM-7)."""

    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    realm = models.CharField(max_length=10, choices=Realm.choices, default=Realm.CLIENT)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    org_profile = models.CharField(_("organisation profile"), max_length=20, choices=OrgProfile.choices,
                                   blank=True, default="")
    sub_profiles = models.JSONField(_("portal sub-profiles"), default=list, blank=True)
    staff_role = models.CharField(max_length=20, choices=StaffRole.choices, blank=True)
    mother_tongue = models.CharField(_("mother tongue"), max_length=8, choices=languages.choices, blank=True)
    ui_language = models.CharField(max_length=8, blank=True)
    max_conversations = models.PositiveSmallIntegerField(
        _("maximum simultaneous conversations"), default=5,
        help_text=_("Routing offers no new conversation to this person beyond this number (CNV-2)."))
    is_active = models.BooleanField(default=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(org_profile="access_owner"), name="one_access_owner_per_org"
            ),
            models.CheckConstraint(
                condition=(Q(realm="client") & Q(organisation__isnull=False) & Q(staff_role=""))
                | (Q(realm="operator") & Q(organisation__isnull=True) & Q(role="") & Q(org_profile="")),
                name="user_realm_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_end_user(self) -> bool:
        """Holds an #Interact role, and so takes a licensed seat."""
        return bool(self.role)

    @property
    def is_operator(self) -> bool:
        return self.realm == Realm.OPERATOR

    def sub_profile_labels(self) -> list[str]:
        return [str(SubProfile(s).label) for s in self.sub_profiles if s in SubProfile.values]

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the secret is shown once (IAM-3)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
