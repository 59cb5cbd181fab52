"""What one conversation's event log says, as figures (STA-2, STA-3). Pure: no database.

The definitions are in ``docs/metrics.md``; in short:

* the *human start* is the first time the conversation needs a person: it joins the queue
  (``conversation.queued``, also after a bot's handover) or an end user takes it from the bot;
* *first response* runs from the human start to the first message an end user writes; bot and
  automatic (away) messages never count, and a conversation gets one first response however often
  it is requeued;
* *waiting* sums every spell in the queue or in someone's queue (queued, assigned) until an end
  user takes it, the bot gets it back or it ends;
* *handling* sums every spell in progress, per end user;
* *resolution* runs from the human start to the end, credited to the end user chatting when it
  ended; a conversation ended while waiting is *abandoned*, one ended by the bot without a person
  is *handled by the bot*.

Interact never reopens an ended conversation: a visitor writing again opens a new one, with its
own first response. So the peers' errors (first response measured from the first opening, time
between a resolution and a reopening counted as resolution time) cannot arise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .business_time import Calendar, business_seconds, wall_seconds

WAITING, HANDLING, BOT, ENDED, NEW = "waiting", "handling", "bot", "ended", "new"

# Event kinds that change a conversation's course; anything else leaves the state alone.
LIFECYCLE_KINDS = frozenset({
    "conversation.bot", "conversation.queued", "conversation.requeued", "conversation.taken",
    "conversation.assigned", "conversation.ended", "conversation.archived", "bot.handover",
    "bot.restarted", "bot.paused",
})


@dataclass(frozen=True)
class Ev:
    kind: str
    at: dt.datetime
    assignee: int | None = None


@dataclass(frozen=True)
class Msg:
    sender: str  # visitor / agent / system / bot
    at: dt.datetime
    author: int | None = None


@dataclass
class Duration:
    wall: int
    business: int


@dataclass
class PerUser:
    handling: Duration = field(default_factory=lambda: Duration(0, 0))
    replies: int = 0
    resolved: bool = False
    first_response: Duration | None = None


@dataclass
class Facts:
    closed: bool = False
    ended_at: dt.datetime | None = None
    with_bot: bool = False
    human: bool = False
    handed_over: bool = False
    abandoned: bool = False
    requeues: int = 0
    messages: dict[str, int] = field(default_factory=lambda: {"visitor": 0, "agent": 0, "system": 0, "bot": 0})
    first_response: Duration | None = None
    wait: Duration | None = None
    handling: Duration | None = None
    resolution: Duration | None = None
    resolver: int | None = None
    users: dict[int, PerUser] = field(default_factory=dict)

    @property
    def bot_only(self) -> bool:
        return self.with_bot and not self.human


def compute(events: Iterable[Ev], messages: Iterable[Msg], cal: Calendar) -> Facts:
    """Replay a conversation's lifecycle events (in order) and its messages into :class:`Facts`.

    Durations are filled once the conversation has ended: until then they would still grow."""
    facts = Facts()
    state, since, agent = NEW, None, None
    human_start: dt.datetime | None = None
    wait, handling = Duration(0, 0), Duration(0, 0)

    def span(a: dt.datetime, b: dt.datetime) -> Duration:
        return Duration(wall_seconds(a, b), business_seconds(a, b, cal))

    def leave(at: dt.datetime) -> None:
        """Close the current spell at ``at`` and add it where it belongs."""
        if since is None:
            return
        piece = span(since, at)
        if state == WAITING:
            wait.wall += piece.wall
            wait.business += piece.business
        elif state == HANDLING and agent is not None:
            user = facts.users.setdefault(agent, PerUser())
            user.handling.wall += piece.wall
            user.handling.business += piece.business
            handling.wall += piece.wall
            handling.business += piece.business

    for ev in sorted(events, key=lambda e: e.at):
        kind = ev.kind
        if state == ENDED:
            continue  # archiving (topics) changes no figure
        if kind == "conversation.bot":
            if state == NEW:
                facts.with_bot = True
            leave(ev.at)
            state, since, agent = BOT, ev.at, None
        elif kind in ("conversation.queued", "conversation.requeued"):
            if kind == "conversation.requeued" or human_start is not None:
                facts.requeues += 1
            if state == WAITING:
                continue  # already waiting: the spell goes on
            leave(ev.at)
            if state == BOT:
                facts.handed_over = True
            human_start = human_start or ev.at
            state, since, agent = WAITING, ev.at, None
        elif kind == "bot.handover":
            facts.handed_over = True
        elif kind == "conversation.assigned":
            leave(ev.at)
            if state == BOT:
                facts.handed_over = True
            human_start = human_start or ev.at
            state, since, agent = WAITING, ev.at, None
        elif kind == "conversation.taken":
            if state == HANDLING and agent == ev.assignee:
                continue
            leave(ev.at)
            if state == BOT:
                facts.handed_over = True
            human_start = human_start or ev.at
            state, since, agent = HANDLING, ev.at, ev.assignee
            if agent is not None:
                facts.users.setdefault(agent, PerUser())
        elif kind == "bot.restarted":
            if state != BOT:
                leave(ev.at)
                state, since, agent = BOT, ev.at, None
        elif kind == "conversation.ended":
            leave(ev.at)
            facts.closed, facts.ended_at = True, ev.at
            if state == HANDLING and agent is not None:
                facts.resolver = agent
                facts.users.setdefault(agent, PerUser()).resolved = True
            elif state == WAITING:
                facts.abandoned = True
            state, since = ENDED, None

    facts.human = human_start is not None
    facts.handed_over = facts.handed_over and facts.with_bot and facts.human
    first_reply: Msg | None = None
    for msg in sorted(messages, key=lambda m: m.at):
        facts.messages[msg.sender] = facts.messages.get(msg.sender, 0) + 1
        if msg.sender == "agent":
            if msg.author is not None:
                facts.users.setdefault(msg.author, PerUser()).replies += 1
            if first_reply is None:
                first_reply = msg
    if first_reply is not None and human_start is not None:
        facts.first_response = span(human_start, max(first_reply.at, human_start))
        if first_reply.author is not None:
            facts.users[first_reply.author].first_response = facts.first_response
    if facts.closed:
        if facts.human:
            facts.wait, facts.handling = wait, handling
        if facts.resolver is not None:
            facts.resolution = span(human_start, facts.ended_at)
    return facts
