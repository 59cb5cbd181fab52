"""The permission matrix of the whole product, in one place (IAM-3, IAM-4).

Every page, API route, websocket and export asks :func:`has_perm`; nothing else decides.
``docs/permissions.md`` is rendered from :data:`MATRIX` by ``manage.py render_permissions``
and a test fails when the two drift apart.

A *principal* is what a user holds: an #Interact role (``role:agent``), an organisation
profile (``profile:access_manager``) or a portal sub-profile (``sub:buyer``). Permissions
marked ``content`` touch client content (conversations, visitors, statistics): an Access
Manager never receives them, whatever role they also hold (001 §8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from interact.accounts.models import User


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    ANALYST = "analyst", _("Analyst")


class OrgProfile(models.TextChoices):
    NONE = "", _("None")
    ACCESS_OWNER = "access_owner", _("Access Owner")
    ACCESS_MANAGER = "access_manager", _("Access Manager")
    PORTAL_USER = "portal_user", _("Portal user")
    SERVICE_USER = "service_user", _("Service user")


class SubProfile(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    INCIDENT_ADMINISTRATOR = "incident_administrator", _("Incident administrator")
    FINANCIAL_ADMINISTRATOR = "financial_administrator", _("Financial administrator")


ADMIN = f"role:{Role.ADMINISTRATOR}"
SUPERVISOR = f"role:{Role.SUPERVISOR}"
AGENT = f"role:{Role.AGENT}"
ANALYST = f"role:{Role.ANALYST}"
OWNER = f"profile:{OrgProfile.ACCESS_OWNER}"
MANAGER = f"profile:{OrgProfile.ACCESS_MANAGER}"
BUYER = f"sub:{SubProfile.BUYER}"
INCIDENT_ADMIN = f"sub:{SubProfile.INCIDENT_ADMINISTRATOR}"
FINANCIAL_ADMIN = f"sub:{SubProfile.FINANCIAL_ADMINISTRATOR}"


@dataclass(frozen=True)
class Permission:
    code: str
    description: str
    granted_to: frozenset[str]
    content: bool = False


def _p(code: str, description: str, *granted: str, content: bool = False) -> Permission:
    return Permission(code, description, frozenset(granted), content)


MATRIX: tuple[Permission, ...] = (
    _p("portal.use", "Sign in to the portal, read the FAQ, manage one's own API tokens",
       ADMIN, SUPERVISOR, AGENT, ANALYST, OWNER, MANAGER),
    _p("users.view", "List and search end users", ADMIN, OWNER, MANAGER),
    _p("users.manage", "Create, update, deactivate and delete end users", ADMIN, OWNER, MANAGER),
    _p("profiles.manage", "Grant organisation profiles; transfer Access Owner", OWNER),
    _p("skills.manage", "Create, update and delete skills and their members", ADMIN),
    _p("topics.manage", "Create, update and delete topics", ADMIN),
    _p("languages.manage", "Edit the list of languages offered in profiles", ADMIN),
    _p("settings.manage", "Switch routing and dispatch on or off", ADMIN),
    _p("channels.manage", "Connect and disconnect channels, write away messages", ADMIN),
    _p("office_hours.manage", "Edit office hours and closure days", ADMIN),
    _p("seats.view", "See the licensed seat count and its history", ADMIN, OWNER, BUYER, FINANCIAL_ADMIN),
    _p("seats.manage", "Raise or lower the licensed seat count", OWNER, BUYER),
    _p("faq.view", "Read the FAQ", ADMIN, SUPERVISOR, AGENT, ANALYST),
    _p("conversations.handle", "Take conversations from the queue and chat", ADMIN, SUPERVISOR, AGENT,
       content=True),
    _p("conversations.dispatch", "Dispatch conversations to end users, add skills", ADMIN, SUPERVISOR,
       content=True),
    _p("history.view", "Browse and search past conversations", ADMIN, SUPERVISOR, OWNER, content=True),
    _p("visitors.view", "See visitor profiles and previous conversations", ADMIN, SUPERVISOR, AGENT,
       content=True),
    _p("stats.view", "See the statistics dashboard", ADMIN, SUPERVISOR, ANALYST, OWNER, content=True),
    _p("stats.per_end_user", "See statistics per end user", ADMIN, SUPERVISOR, OWNER, content=True),
    _p("bots.manage", "Connect a chatbot to a channel (Bot plan)", ADMIN),
    _p("bots.handover", "Pause and restart the bot for a visitor (Bot plan)", ADMIN, SUPERVISOR, AGENT,
       content=True),
    _p("incidents.manage", "Report and follow incidents with the operator's service desk",
       ADMIN, OWNER, INCIDENT_ADMIN),
    _p("invoices.view", "See invoices", OWNER, FINANCIAL_ADMIN),
    _p("privacy.manage", "Handle data-subject requests and consent records", ADMIN, OWNER, content=True),
    _p("privacy.access_log", "Review who opened visitor profiles, conversations and exports", ADMIN, OWNER,
       content=True),
)

BY_CODE: dict[str, Permission] = {p.code: p for p in MATRIX}


def principals_of(user: User) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.organisation_id is None:
        return frozenset()
    held = {f"profile:{user.org_profile}"} if user.org_profile else set()
    if user.role:
        held.add(f"role:{user.role}")
    held.update(f"sub:{s}" for s in user.sub_profiles)
    return frozenset(held)


def permissions_of(user: User) -> frozenset[str]:
    held = principals_of(user)
    is_manager = MANAGER in held
    return frozenset(
        p.code for p in MATRIX if p.granted_to & held and not (p.content and is_manager)
    )


def has_perm(user: User, code: str) -> bool:
    if code not in BY_CODE:
        raise KeyError(f"unknown permission {code!r}: add it to interact.core.permissions.MATRIX")
    return code in permissions_of(user)


PRINCIPAL_COLUMNS: tuple[tuple[str, str], ...] = (
    (ADMIN, "Administrator"),
    (SUPERVISOR, "Supervisor"),
    (AGENT, "Agent"),
    (ANALYST, "Analyst"),
    (OWNER, "Access Owner"),
    (MANAGER, "Access Manager"),
    (BUYER, "Buyer"),
    (INCIDENT_ADMIN, "Incident admin"),
    (FINANCIAL_ADMIN, "Financial admin"),
)


def render_markdown() -> str:
    """The matrix as the Markdown table kept in ``docs/permissions.md``."""
    header = "| permission | what it allows | " + " | ".join(n for _, n in PRINCIPAL_COLUMNS) + " |"
    rule = "|---|---|" + "---|" * len(PRINCIPAL_COLUMNS)
    rows = []
    for p in MATRIX:
        cells = []
        for principal, _name in PRINCIPAL_COLUMNS:
            granted = principal in p.granted_to and not (p.content and principal == MANAGER)
            cells.append("yes" if granted else "—")
        marker = " (client content)" if p.content else ""
        rows.append(f"| `{p.code}` | {p.description}{marker} | " + " | ".join(cells) + " |")
    intro = (
        "# Permission matrix\n\n"
        "Rendered from `interact.core.permissions.MATRIX` by `interact manage render_permissions`; "
        "a test fails when this file and the code disagree. Do not edit by hand.\n\n"
        "A user holds the union of what their role, organisation profile and portal sub-profiles grant. "
        "Permissions marked *client content* are never granted to an Access Manager (001 §8), whatever "
        "else they hold. Operator staff are a separate realm and hold none of these.\n\n"
    )
    return intro + "\n".join([header, rule, *rows]) + "\n"
