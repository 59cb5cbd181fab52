"""TEN-2 plan gating and IAM-3 the one permission matrix."""

from __future__ import annotations

from pathlib import Path

import pytest

from interact.core import permissions
from interact.core.plans import Feature, PlanRequired, has_feature, require_feature

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize(("plan", "options", "feature", "allowed"), [
    ("hub", [], Feature.CHATBOT, False), ("pro", [], Feature.CHATBOT, False), ("bot", [], Feature.CHATBOT, True),
    ("hub", [], Feature.SDK, False), ("hub", ["sdk"], Feature.SDK, True), ("bot", [], Feature.SDK, False),
    ("hub", [], Feature.SLA, False), ("pro", [], Feature.SLA, True), ("bot", [], Feature.SLA, True),
])
def test_ten2_plan_matrix(make_org, plan, options, feature, allowed):
    org = make_org(plan=plan, options=tuple(options))
    assert has_feature(org, feature) is allowed
    if not allowed:
        with pytest.raises(PlanRequired) as refused:
            require_feature(org, feature)
        body = refused.value.as_dict()
        assert body["code"] == "plan_required" and body["feature"] == feature
        assert body["required_option"] == "sdk" if feature == Feature.SDK else body["required_plans"]


def test_iam3_docs_permissions_md_is_rendered_from_the_matrix():
    assert (ROOT / "docs" / "permissions.md").read_text() == permissions.render_markdown(), (
        "run: interact manage render_permissions")


def test_iam3_unknown_permission_codes_fail_loudly():
    with pytest.raises(KeyError):
        permissions.has_perm(object(), "no.such.permission")


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "granted", "denied"), [
    ("administrator", {"skills.manage", "history.view", "stats.per_end_user"}, set()),
    ("supervisor", {"conversations.dispatch", "history.view"}, {"skills.manage", "users.manage"}),
    ("agent", {"conversations.handle", "faq.view"}, {"history.view", "stats.view", "conversations.dispatch"}),
    ("analyst", {"stats.view", "faq.view"}, {"stats.per_end_user", "conversations.handle", "history.view"}),
])
def test_iam3_roles_of_the_seed(make_user, org, role, granted, denied):
    user = make_user(org, role=role)
    held = permissions.permissions_of(user)
    assert granted <= held and not (denied & held)


@pytest.mark.django_db
def test_iam3_inactive_users_and_operators_hold_nothing(make_user, org):
    from interact.accounts.models import User

    user = make_user(org, role="administrator")
    user.is_active = False
    assert permissions.permissions_of(user) == frozenset()
    staff = User.objects.create_user("s@example.test", "x-long-password-1", realm="operator", first_name="S",
                                     last_name="T", staff_role="operator_admin")
    assert permissions.permissions_of(staff) == frozenset()
