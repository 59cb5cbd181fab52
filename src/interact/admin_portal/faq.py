"""The FAQ (ADM-7, 003 §3.1.12): how to use #Interact, written per role.

Entries are translatable strings kept here so the page and ``GET /api/faq`` say the same thing.
Each entry names the roles it is written for; readers see their own role's section first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from interact.core.permissions import Role

ALL_ROLES = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AGENT, Role.ANALYST)
HANDLERS = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AGENT)


@dataclass(frozen=True)
class Entry:
    key: str
    roles: tuple[str, ...]
    question: Promise
    answer: Promise


ENTRIES: tuple[Entry, ...] = (
    # --- everyone ---------------------------------------------------------------------------
    Entry("sign-in", ALL_ROLES, _("How do I sign in?"), _(
        "Open the portal and sign in with your e-mail address and password. Your first password is set "
        "through the link in the invitation e-mail you received when your account was created. If you forgot "
        "it, choose “Forgot your password?” on the sign-in page and follow the link we e-mail you."
    )),
    Entry("blocked", ALL_ROLES, _("Why is my account blocked?"), _(
        "After 5 failed sign-in attempts in a row your account is blocked, whichever way you signed in "
        "(portal or API). An e-mail with a link is sent to your address: set a new password through that link "
        "and the account is unblocked. Nobody else, not even an Administrator, can unblock it for you."
    )),
    Entry("api-tokens", ALL_ROLES, _("How do I use the API?"), _(
        "Under My account, create a personal API token and copy it at once: it is shown only once. Send it "
        "in the header “Authorization: Bearer ik_…”. A token can do exactly what you can do in "
        "the portal, no more. Revoke a token you no longer use; tokens stop working when your account is "
        "blocked or deactivated. The API documentation is linked in the menu."
    )),
    Entry("language", ALL_ROLES, _("How do I change the portal's language?"), _(
        "Use the FR / NL / EN switch at the top of every page. Your choice is remembered on this browser."
    )),
    # --- Administrators -----------------------------------------------------------------------
    Entry("end-users", (Role.ADMINISTRATOR,), _("How do I add or remove end users?"), _(
        "Open End users and choose New end user: enter first name, last name, e-mail, role and mother tongue. "
        "The person receives an e-mail to set a password. Roles: Administrators configure the portal and "
        "handle conversations; Supervisors handle and dispatch conversations; Agents handle conversations; "
        "Analysts see statistics only. Deactivate someone who leaves: their sessions and API tokens stop "
        "at once. You cannot deactivate or delete yourself, and an organisation keeps at least one Administrator."
    )),
    Entry("seats", (Role.ADMINISTRATOR,), _("What are licensed seats?"), _(
        "Every active end user with a role uses one licensed seat. When all seats are used, new end users "
        "cannot be created until the Access Owner or a buyer raises the number under Licence. A change is "
        "effective and billed from the day it is registered, and never goes below your contract's minimum."
    )),
    Entry("skills", (Role.ADMINISTRATOR,), _("What are skills for?"), _(
        "A skill (for example “Invoices” or “Technical support”) describes what an "
        "Administrator, Supervisor or Agent can answer. Create skills under Skills, then add members there or "
        "on each end user's page. When routing is on, a conversation that needs a skill is offered only to its "
        "members. Deleting a skill removes it from its members and nothing else."
    )),
    Entry("topics", (Role.ADMINISTRATOR,), _("What are topics for?"), _(
        "Topics are the subjects visitors contact you about. Keep the list short and clear under Topics; names "
        "are unique, whatever their case."
    )),
    Entry("channels", (Role.ADMINISTRATOR,), _("How do I connect a channel and write an away message?"), _(
        "Open Channels. A website chat channel is created there: give it a name, list the websites allowed to "
        "show it (one address per line, like https://www.example.be), choose its members and write its away "
        "message. With the SDK option, the channel page shows the snippet to paste in your website. Facebook "
        "Messenger and Facebook Page comments are connected from a Facebook Page connection. The away message "
        "is what visitors read outside office hours (at most 1,000 characters)."
    )),
    Entry("general-settings", (Role.ADMINISTRATOR,), _("What do routing and dispatch do?"), _(
        "Under General settings: with routing on, each conversation is offered only to end users whose "
        "channels, languages and skills match it; with routing off, to every Administrator, Supervisor and "
        "Agent. With dispatch on, Administrators and Supervisors can send conversations to chosen people by "
        "hand. The same page holds the list of languages offered in end users' profiles; removing a language "
        "also removes it from every profile."
    )),
    Entry("office-hours", (Role.ADMINISTRATOR,), _("How do I set office hours and holidays?"), _(
        "Under Office hours, add one or more opening periods per weekday, in Brussels time. A period that "
        "closes at or before its opening time runs past midnight (for example Friday 22:00–02:00). Periods "
        "may not overlap. Add closure days one by one, or import Belgium's public holidays for a year in one "
        "click; importing twice adds nothing. On a closure day you are closed all day."
    )),
    # --- Supervisors ----------------------------------------------------------------------------
    Entry("dispatch", (Role.SUPERVISOR,), _("How do I dispatch conversations?"), _(
        "When an Administrator has switched dispatch on, you can send a waiting conversation to a chosen "
        "Administrator, Supervisor or Agent, and add skills to it so routing offers it to the right people."
    )),
    Entry("supervise-team", (Role.SUPERVISOR,), _("How do I follow my team's work?"), _(
        "The statistics dashboard shows volumes, waiting and handling times per channel and per end user. "
        "History lets you browse and search past conversations."
    )),
    # --- Administrators, Supervisors and Agents ---------------------------------------------------
    Entry("queue", HANDLERS, _("How do I answer visitors?"), _(
        "New conversations wait in your queue. Take one to start chatting; it then belongs to you until you "
        "close or transfer it. You see only the conversations of the channels you are a member of and, when "
        "routing is on, those matching your languages and skills."
    )),
    Entry("away", HANDLERS, _("What do visitors see when nobody is there?"), _(
        "Outside office hours and on closure days, visitors receive the channel's away message, written by an "
        "Administrator under Channels."
    )),
    # --- Analysts -------------------------------------------------------------------------------
    Entry("statistics", (Role.ANALYST,), _("What can I see as an Analyst?"), _(
        "Analysts see the statistics dashboard: conversation volumes, waiting and handling times per channel "
        "and over time. Analysts do not take conversations and do not see their content."
    )),
    Entry("export", (Role.ANALYST,), _("Can I use the figures in my own tools?"), _(
        "Yes: create a personal API token under My account and read the same figures through the API."
    )),
)


def sections_for(role: str) -> list[tuple[str, str, list[Entry]]]:
    """``(key, heading, entries)``: the reader's role first, then what everyone should know, then the
    other roles. Entries for every role appear once, in the "everyone" section."""
    order = [role] + [r for r in ALL_ROLES if r != role] if role in ALL_ROLES else list(ALL_ROLES)
    sections = [(r, str(_("For the %(role)s role") % {"role": Role(r).label}),
                 [e for e in ENTRIES if r in e.roles and set(e.roles) != set(ALL_ROLES)]) for r in order]
    common = ("everyone", str(_("For everyone")), [e for e in ENTRIES if set(e.roles) == set(ALL_ROLES)])
    return [sections[0], common, *sections[1:]] if role in ALL_ROLES else [common, *sections]


def entries_for(role: str) -> list[Entry]:
    return [e for e in ENTRIES if role in e.roles]
