"""Every write of the accounts context: one function per use case, each in a transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from interact.core import clock, languages
from interact.core.errors import Conflict, ServiceError
from interact.core.events import end_sessions_of
from interact.core.permissions import OrgProfile, Role, SubProfile
from interact.core.plans import Option, Plan

from .models import (
    ActivationStep,
    ActivationStepKind,
    ApiToken,
    ConfigurationBackup,
    OrderForm,
    Organisation,
    OrganisationStatus,
    Realm,
    SeatChange,
    User,
)

# --- login security (IAM-1, IAM-2) -------------------------------------------------------


def record_failed_login(user: User) -> None:
    """Count a failure; the fifth blocks the account and mails an unlock link to its owner only."""
    from .emails import send_password_email

    with transaction.atomic():
        User.objects.filter(pk=user.pk, locked_at__isnull=True).update(failed_logins=F("failed_logins") + 1)
        blocked = User.objects.filter(
            pk=user.pk, locked_at__isnull=True, failed_logins__gte=settings.LOGIN_FAILURE_LIMIT
        ).update(locked_at=clock.now())
        if blocked:
            user.refresh_from_db()
            transaction.on_commit(lambda: send_password_email(user, "unlock"))


def record_successful_login(user: User) -> None:
    if user.failed_logins:
        User.objects.filter(pk=user.pk).update(failed_logins=0)
        user.failed_logins = 0


def set_password(user: User, raw_password: str) -> None:
    """A new password, from a reset/unlock link or a change: clears the block (IAM-2).

    Other sessions end by themselves: Django ties a session to the password hash (IAM-6).
    """
    user.set_password(raw_password)
    user.failed_logins = 0
    user.locked_at = None
    user.save(update_fields=["password", "failed_logins", "locked_at"])


def request_password_reset(email: str, realm: str = Realm.CLIENT) -> None:
    """Mail a reset link if the address belongs to an active account; say nothing either way."""
    from .emails import send_password_email

    user = User.objects.filter(email=email.strip().lower(), realm=realm, is_active=True).first()
    if user is not None:
        send_password_email(user, "unlock" if user.is_locked else "reset")


# --- organisations from order forms (TEN-1) ----------------------------------------------


@dataclass
class OrderFormData:
    name: str
    plan: str
    options: list[str] = field(default_factory=list)
    min_end_users: int = 1
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    language: str = "fr"


def _validate_order_form(data: OrderFormData) -> None:
    if not data.name.strip():
        raise ServiceError("name_required", _("The organisation needs a name."), field="name")
    if data.plan not in Plan.values:
        raise ServiceError("invalid_plan", _("Choose the Hub, Pro or Bot plan."), field="plan")
    unknown = set(data.options) - set(Option.values)
    if unknown:
        raise ServiceError("invalid_option", _("Unknown option: %s.") % ", ".join(sorted(unknown)), field="options")
    if data.min_end_users < 1 or data.min_end_users > 10000:
        raise ServiceError("invalid_minimum", _("The minimum number of end users must be between 1 and 10,000."),
                           field="min_end_users")
    if not (data.first_name.strip() and data.last_name.strip() and data.email.strip()):
        raise ServiceError("first_user_required", _("The first end user needs a first name, last name and e-mail."),
                           field="email")
    if not languages.is_known(data.language):
        raise ServiceError("invalid_language", _("Unknown language."), field="language")
    if User.objects.filter(email=data.email.strip().lower()).exists():
        raise Conflict("email_taken", _("This e-mail address already has an account."), field="email")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _record_step(org: Organisation, step: str, actor: User | None) -> None:
    ActivationStep.objects.get_or_create(
        organisation=org, step=step, defaults={"done_at": clock.now(), "done_by": actor}
    )


@transaction.atomic
def create_organisation_from_order_form(data: OrderFormData, actor: User | None) -> Organisation:
    """Steps 1 and 2 of 003 §4.2: the account and its first end user, an Administrator who
    is also the Access Owner and receives an e-mail to set a password."""
    from .emails import send_password_email

    _validate_order_form(data)
    options = sorted(set(data.options))
    org = Organisation.objects.create(
        name=data.name.strip(), slug=_unique_slug(data.name), plan=data.plan, options=options,
        min_end_users=data.min_end_users, seats=data.min_end_users,
    )
    OrderForm.objects.create(
        organisation=org, plan=data.plan, options=options, min_end_users=data.min_end_users,
        first_user_first_name=data.first_name.strip(), first_user_last_name=data.last_name.strip(),
        first_user_email=data.email.strip().lower(), first_user_language=data.language, entered_by=actor,
    )
    _record_step(org, ActivationStepKind.ACCOUNT, actor)
    SeatChange.objects.create(organisation=org, previous_seats=0, new_seats=org.seats,
                              effective_date=clock.today(), registered_at=clock.now(), registered_by=actor)
    first = User.objects.create_user(
        data.email, organisation=org, first_name=data.first_name.strip(), last_name=data.last_name.strip(),
        role=Role.ADMINISTRATOR, org_profile=OrgProfile.ACCESS_OWNER, mother_tongue=data.language,
        ui_language=data.language if data.language in dict(settings.LANGUAGES) else "",
    )
    _record_step(org, ActivationStepKind.FIRST_ADMINISTRATOR, actor)
    from interact.admin_portal.services import initialise_organisation

    initialise_organisation(org)
    transaction.on_commit(lambda: send_password_email(first, "invitation"))
    return org


def configuration_snapshot(org: Organisation) -> dict:
    from interact.admin_portal.selectors import configuration_of

    users = [
        {"email": u.email, "first_name": u.first_name, "last_name": u.last_name, "role": u.role,
         "org_profile": u.org_profile, "sub_profiles": u.sub_profiles, "mother_tongue": u.mother_tongue,
         "is_active": u.is_active}
        for u in org.users.order_by("id")
    ]
    return {"organisation": {"name": org.name, "plan": org.plan, "options": org.options,
                             "min_end_users": org.min_end_users, "seats": org.seats},
            "users": users, **configuration_of(org)}


@transaction.atomic
def backup_configuration(org: Organisation, reason: str) -> ConfigurationBackup:
    return ConfigurationBackup.objects.create(
        organisation=org, reason=reason, payload=configuration_snapshot(org), created_at=clock.now()
    )


@transaction.atomic
def activate_organisation(org: Organisation, actor: User | None) -> Organisation:
    """Steps 3 and 4 of 003 §4.2: back up the configuration, then activate; records the date."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if org.status == OrganisationStatus.ACTIVE:
        raise Conflict("already_active", _("This organisation is already active."))
    backup_configuration(org, "activation")
    _record_step(org, ActivationStepKind.CONFIGURATION_BACKUP, actor)
    org.status = OrganisationStatus.ACTIVE
    org.activated_at = clock.now()
    org.save(update_fields=["status", "activated_at"])
    _record_step(org, ActivationStepKind.ACTIVATION, actor)
    return org


# --- end users (ADM-1) --------------------------------------------------------------------


MAX_CONVERSATIONS_LIMIT = 50


@dataclass
class EndUserData:
    first_name: str
    last_name: str
    email: str
    role: str
    mother_tongue: str = ""
    org_profile: str = ""
    sub_profiles: list[str] = field(default_factory=list)
    max_conversations: int = 5


def _validate_end_user(org: Organisation, data: EndUserData, instance: User | None) -> None:
    if not data.first_name.strip() or not data.last_name.strip():
        raise ServiceError("name_required", _("First name and last name are required."), field="first_name")
    if data.role and data.role not in Role.values:
        raise ServiceError("invalid_role", _("Unknown role."), field="role")
    if not data.role and not data.org_profile:
        raise ServiceError("role_required", _("Choose a role or an organisation profile."), field="role")
    if data.mother_tongue and not languages.is_known(data.mother_tongue):
        raise ServiceError("invalid_language", _("Unknown language."), field="mother_tongue")
    if not isinstance(data.max_conversations, int) or not (0 <= data.max_conversations <= MAX_CONVERSATIONS_LIMIT):
        raise ServiceError("invalid_capacity", _("Simultaneous conversations: between 0 and %(max)d.")
                           % {"max": MAX_CONVERSATIONS_LIMIT}, field="max_conversations")
    if data.org_profile not in OrgProfile.values:
        raise ServiceError("invalid_profile", _("Unknown organisation profile."), field="org_profile")
    if set(data.sub_profiles) - set(SubProfile.values):
        raise ServiceError("invalid_sub_profile", _("Unknown portal sub-profile."), field="sub_profiles")
    if data.sub_profiles and data.org_profile != OrgProfile.PORTAL_USER:
        raise ServiceError("sub_profile_needs_portal_user",
                           _("Sub-profiles belong to portal users only."), field="sub_profiles")
    clash = User.objects.filter(email=data.email.strip().lower())
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise Conflict("email_taken", _("This e-mail address already has an account."), field="email")


def _check_seats(org: Organisation, exclude: User | None = None) -> None:
    used = org.users.filter(is_active=True).exclude(role="")
    if exclude is not None:
        used = used.exclude(pk=exclude.pk)
    if used.count() >= org.seats:
        raise Conflict("no_free_seat", _("All %(seats)d licensed end users are in use: raise the licence first.")
                       % {"seats": org.seats}, field="role")


def _guard_profile_change(actor: User, data: EndUserData, instance: User | None) -> None:
    from interact.core.permissions import has_perm

    current = instance.org_profile if instance else ""
    if data.org_profile == current and (instance is None or data.sub_profiles == instance.sub_profiles):
        return
    if data.org_profile == OrgProfile.ACCESS_OWNER or current == OrgProfile.ACCESS_OWNER:
        raise ServiceError("use_transfer", _("The Access Owner changes only through a transfer."),
                           field="org_profile")
    if not has_perm(actor, "profiles.manage"):
        raise ServiceError("profile_forbidden", _("Only the Access Owner grants organisation profiles."),
                           field="org_profile", status=403)


@transaction.atomic
def create_end_user(actor: User, org: Organisation, data: EndUserData) -> User:
    from .emails import send_password_email

    _validate_end_user(org, data, None)
    _guard_profile_change(actor, data, None)
    if data.role:
        _check_seats(org)
    user = User.objects.create_user(
        data.email, organisation=org, first_name=data.first_name.strip(), last_name=data.last_name.strip(),
        role=data.role, mother_tongue=data.mother_tongue, org_profile=data.org_profile,
        sub_profiles=sorted(set(data.sub_profiles)), max_conversations=data.max_conversations,
    )
    transaction.on_commit(lambda: send_password_email(user, "invitation"))
    return user


@transaction.atomic
def update_end_user(actor: User, user: User, data: EndUserData) -> User:
    _validate_end_user(user.organisation, data, user)
    _guard_profile_change(actor, data, user)
    if data.role and not user.role and user.is_active:
        _check_seats(user.organisation, exclude=user)
    user.first_name, user.last_name = data.first_name.strip(), data.last_name.strip()
    user.email, user.role, user.mother_tongue = data.email.strip().lower(), data.role, data.mother_tongue
    user.org_profile, user.sub_profiles = data.org_profile, sorted(set(data.sub_profiles))
    user.max_conversations = data.max_conversations
    user.save()
    _ensure_an_administrator(user.organisation)
    return user


def _ensure_an_administrator(org: Organisation) -> None:
    if not org.users.filter(role=Role.ADMINISTRATOR, is_active=True).exists():
        raise Conflict("last_administrator", _("An organisation keeps at least one active Administrator."))


@transaction.atomic
def set_active(actor: User, user: User, active: bool) -> User:
    """Deactivation ends the user's sessions and API tokens at once (IAM-6)."""
    if user.pk == actor.pk and not active:
        raise Conflict("self_deactivation", _("You cannot deactivate your own account."))
    if user.org_profile == OrgProfile.ACCESS_OWNER and not active:
        raise Conflict("owner_required", _("Transfer the Access Owner profile before deactivating this user."))
    if active and user.role and not user.is_active:
        _check_seats(user.organisation, exclude=user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    _ensure_an_administrator(user.organisation)
    if not active:
        end_sessions_of(user.pk)
    return user


@transaction.atomic
def delete_end_user(actor: User, user: User) -> None:
    if user.pk == actor.pk:
        raise Conflict("self_deletion", _("You cannot delete your own account."))
    if user.org_profile == OrgProfile.ACCESS_OWNER:
        raise Conflict("owner_required", _("Transfer the Access Owner profile before deleting this user."))
    org, user_id = user.organisation, user.pk
    user.delete()
    end_sessions_of(user_id)
    _ensure_an_administrator(org)


@transaction.atomic
def transfer_access_owner(actor: User, new_owner: User) -> None:
    """Exactly one Access Owner per organisation (IAM-4): the swap happens in one transaction."""
    org = actor.organisation
    if actor.org_profile != OrgProfile.ACCESS_OWNER:
        raise ServiceError("owner_only", _("Only the Access Owner can transfer the profile."), status=403)
    if new_owner.organisation_id != org.pk or not new_owner.is_active or new_owner.pk == actor.pk:
        raise ServiceError("invalid_new_owner", _("Choose another active user of your organisation."))
    User.objects.filter(pk=actor.pk).update(org_profile=OrgProfile.NONE)
    User.objects.filter(pk=new_owner.pk).update(org_profile=OrgProfile.ACCESS_OWNER, sub_profiles=[])
    actor.refresh_from_db()
    new_owner.refresh_from_db()


# --- licensed seats (ADM-8) ---------------------------------------------------------------


@transaction.atomic
def change_seats(actor: User, org: Organisation, new_seats: int) -> SeatChange:
    """Effective and billed from its registration date (003 §7.3.3); never below the contract minimum
    nor below the end users already active."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if new_seats < org.min_end_users:
        raise ServiceError("below_minimum", _("Your contract requires at least %(n)d end users.")
                           % {"n": org.min_end_users}, field="seats")
    if new_seats > 10000:
        raise ServiceError("too_many", _("Contact us for more than 10,000 end users."), field="seats")
    active = org.users.filter(is_active=True).exclude(role="").count()
    if new_seats < active:
        raise Conflict("seats_in_use", _("%(n)d end users are active: deactivate some before lowering the licence.")
                       % {"n": active}, field="seats")
    if new_seats == org.seats:
        raise ServiceError("unchanged", _("That is already your number of licensed end users."), field="seats")
    change = SeatChange.objects.create(
        organisation=org, previous_seats=org.seats, new_seats=new_seats, effective_date=clock.today(),
        registered_at=clock.now(), registered_by=actor,
    )
    org.seats = new_seats
    org.save(update_fields=["seats"])
    return change


# --- personal API tokens ------------------------------------------------------------------

TOKEN_PREFIX = "ik"


@transaction.atomic
def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError("invalid_name", _("Give the token a name of at most 100 characters."), field="name")
    if user.api_tokens.filter(revoked_at__isnull=True).count() >= 20:
        raise Conflict("too_many_tokens", _("Revoke an old token first (20 at most)."))
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=ApiToken.digest_of(secret))
            return token, secret
        except IntegrityError:
            continue
    raise Conflict("token_collision", _("Could not create a token, try again."))


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])


# --- routing profile of an end user (ADM-1) ----------------------------------------------

ROUTABLE_ROLES = {Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AGENT}


@transaction.atomic
def set_routing_profile(user: User, skill_ids: list[int], channel_ids: list[int], language_codes: list[str]) -> None:
    """Skills, channels and languages an end user is routed by; only Administrators, Supervisors and
    Agents take conversations, so others hold none (003 §3.1.2). Ids of another organisation are refused."""
    from interact.admin_portal.models import Language, Skill
    from interact.connectors.models import Channel

    org = user.organisation
    if user.role not in ROUTABLE_ROLES and (skill_ids or channel_ids or language_codes):
        raise ServiceError("not_routable", _("Only Administrators, Supervisors and Agents take conversations."),
                           field="skills")
    skills = list(Skill.objects.for_org(org).filter(pk__in=skill_ids))
    channels = list(Channel.objects.for_org(org).filter(pk__in=channel_ids))
    langs = list(Language.objects.for_org(org).filter(code__in=language_codes))
    if len(skills) != len(set(skill_ids)):
        raise ServiceError("unknown_skill", _("Unknown skill."), field="skills")
    if len(channels) != len(set(channel_ids)):
        raise ServiceError("unknown_channel", _("Unknown channel."), field="channels")
    if len(langs) != len(set(language_codes)):
        raise ServiceError("unknown_language", _("That language is not in your organisation's list."),
                           field="languages")
    user.skills.set(skills)
    user.channels.set(channels)
    user.languages.set(langs)
