"""Plan gating (TEN-2): one mechanism for pages, API and websockets.

Callers ask :func:`require_feature`; a refusal is a :class:`PlanRequired` exception that the
portal middleware, the API and consumers each turn into a 403 naming the missing plan or option.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from interact.accounts.models import Organisation


class Plan(models.TextChoices):
    HUB = "hub", "#Interact Hub"
    PRO = "pro", "#Interact Pro"
    BOT = "bot", "#Interact Bot"


class Option(models.TextChoices):
    SDK = "sdk", _("#Interact SDK")
    INTEGRATION = "integration", _("Integration")
    TRAINING = "training", _("Training")


@dataclass(frozen=True)
class Requirement:
    label: str
    plans: frozenset[str] = frozenset(Plan.values)
    option: str | None = None


class Feature(models.TextChoices):
    CHATBOT = "chatbot", _("Chatbot and handover")
    SDK = "sdk", _("Website chat SDK")
    SLA = "sla", _("Service levels (SLA)")


REQUIREMENTS: dict[str, Requirement] = {
    Feature.CHATBOT: Requirement("chatbot", plans=frozenset({Plan.BOT})),
    Feature.SDK: Requirement("sdk", option=Option.SDK),
    Feature.SLA: Requirement("sla", plans=frozenset({Plan.PRO, Plan.BOT})),
}


class PlanRequired(PermissionDenied):
    """Raised when an organisation's plan or options do not include a feature."""

    def __init__(self, feature: str, requirement: Requirement):
        self.feature = feature
        self.required_plans = sorted(requirement.plans)
        self.required_option = requirement.option
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.required_option:
            return str(_("This feature needs the %(option)s option.") % {
                "option": Option(self.required_option).label})
        names = ", ".join(str(Plan(p).label) for p in self.required_plans)
        return str(_("This feature needs one of these plans: %(plans)s.") % {"plans": names})

    def as_dict(self) -> dict:
        return {
            "code": "plan_required",
            "feature": self.feature,
            "required_plans": self.required_plans,
            "required_option": self.required_option,
            "message": self.message,
        }


def has_feature(organisation: Organisation, feature: str) -> bool:
    requirement = REQUIREMENTS[feature]
    if organisation.plan not in requirement.plans:
        return False
    return requirement.option is None or requirement.option in organisation.options


def require_feature(organisation: Organisation, feature: str) -> None:
    if not has_feature(organisation, feature):
        raise PlanRequired(feature, REQUIREMENTS[feature])
