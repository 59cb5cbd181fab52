"""Worked examples (STA-2, STA-3): a hand-built course of events and the exact figures expected.

Peers' users report first-response times measured from a conversation's first opening after it
was reopened, and resolution times inflated by the time a conversation sat resolved. Each example
below states the figure a person would compute with a clock in hand; the definitions are in
docs/metrics.md. Office hours: Monday to Friday 09:00–17:00, Brussels (UTC+1 in March).
"""

from __future__ import annotations

import datetime as dt

from interact.stats.business_time import Calendar, always_open
from interact.stats.facts import Duration, Ev, Msg, compute

BRU = dt.timezone(dt.timedelta(hours=1))  # Brussels in winter time; 2 March 2026 is a Monday
OFFICE = Calendar(periods=tuple((d, dt.time(9), dt.time(17)) for d in range(5)))


def at(hhmm: str, day: int = 2) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2026, 3, day, h, m, tzinfo=BRU)


def test_sta3_simple_conversation_first_response_is_from_queue_not_from_take():
    events = [Ev("conversation.queued", at("10:00")), Ev("conversation.taken", at("10:04"), 7),
              Ev("conversation.ended", at("10:20"))]
    messages = [Msg("visitor", at("10:00")), Msg("agent", at("10:05"), 7), Msg("visitor", at("10:06"))]
    f = compute(events, messages, OFFICE)
    assert f.first_response == Duration(300, 300)
    assert f.wait == Duration(240, 240)
    assert f.handling == Duration(960, 960)
    assert f.resolution == Duration(1200, 1200)
    assert f.resolver == 7 and f.users[7].resolved and f.users[7].replies == 1
    assert f.users[7].first_response == Duration(300, 300)
    assert f.messages == {"visitor": 2, "agent": 1, "system": 0, "bot": 0}
    assert (f.closed, f.human, f.with_bot, f.abandoned, f.requeues) == (True, True, False, False, 0)


def test_sta3_requeued_across_closing_time_one_first_response_waits_summed_business_hours_cut():
    """Queued 16:50, taken by 7 at 16:52, released 16:55 without a word, taken by 8 at 17:10,
    answered 17:15, ended 17:30. Office closes at 17:00."""
    events = [Ev("conversation.queued", at("16:50")), Ev("conversation.taken", at("16:52"), 7),
              Ev("conversation.requeued", at("16:55")), Ev("conversation.offered", at("16:55")),
              Ev("conversation.taken", at("17:10"), 8), Ev("conversation.ended", at("17:30"))]
    messages = [Msg("visitor", at("16:50")), Msg("agent", at("17:15"), 8)]
    f = compute(events, messages, OFFICE)
    assert f.first_response == Duration(25 * 60, 10 * 60)   # 16:50 → 17:15; open only until 17:00
    assert f.wait == Duration(2 * 60 + 15 * 60, 2 * 60 + 5 * 60)
    assert f.users[7].handling == Duration(180, 180)
    assert f.users[8].handling == Duration(20 * 60, 0)
    assert f.handling == Duration(23 * 60, 180)
    assert f.resolution == Duration(40 * 60, 10 * 60)
    assert f.resolver == 8 and not f.users[7].resolved
    assert f.users[8].first_response == Duration(25 * 60, 10 * 60) and f.users[7].first_response is None
    assert f.requeues == 1


def test_sta3_visitor_writing_again_after_the_end_gets_a_new_conversation_with_its_own_first_response():
    """Chatwoot's complaint: after a reopen, first response measured from the first opening. In
    Interact the second contact is a new conversation: its clock starts when it is queued."""
    first = compute([Ev("conversation.queued", at("09:00")), Ev("conversation.taken", at("09:01"), 7),
                     Ev("conversation.ended", at("09:10"))],
                    [Msg("visitor", at("09:00")), Msg("agent", at("09:02"), 7)], OFFICE)
    second = compute([Ev("conversation.queued", at("09:00", day=3)), Ev("conversation.taken", at("09:03", day=3), 7),
                      Ev("conversation.ended", at("09:05", day=3))],
                     [Msg("visitor", at("09:00", day=3)), Msg("agent", at("09:04", day=3), 7)], OFFICE)
    assert first.first_response == Duration(120, 120)
    assert second.first_response == Duration(240, 240)  # not 24 h 4 min
    assert first.resolution == Duration(600, 600)
    assert second.resolution == Duration(300, 300)       # the night in between is nobody's resolution time


def test_sta3_bot_handover_bot_messages_never_count_as_a_response():
    events = [Ev("conversation.bot", at("09:00")), Ev("bot.handover", at("09:03")),
              Ev("conversation.queued", at("09:03")), Ev("conversation.taken", at("09:05"), 7),
              Ev("conversation.ended", at("09:10"))]
    messages = [Msg("visitor", at("09:00")), Msg("bot", at("09:00")), Msg("visitor", at("09:01")),
                Msg("bot", at("09:02")), Msg("system", at("09:03")), Msg("agent", at("09:06"), 7)]
    f = compute(events, messages, OFFICE)
    assert (f.with_bot, f.handed_over, f.human, f.bot_only) == (True, True, True, False)
    assert f.first_response == Duration(180, 180)   # 09:03 → 09:06, the bot's 09:00 answer ignored
    assert f.wait == Duration(120, 120)             # the bot's three minutes are no waiting
    assert f.handling == Duration(300, 300)
    assert f.resolution == Duration(420, 420)
    assert f.messages == {"visitor": 2, "agent": 1, "system": 1, "bot": 2}


def test_sta3_conversation_the_bot_handles_alone_has_no_human_figures():
    f = compute([Ev("conversation.bot", at("09:00")), Ev("conversation.ended", at("09:04"))],
                [Msg("visitor", at("09:00")), Msg("bot", at("09:00"))], OFFICE)
    assert f.bot_only and not f.handed_over and f.closed
    assert (f.first_response, f.wait, f.handling, f.resolution, f.resolver) == (None, None, None, None, None)


def test_sta3_abandoned_on_saturday_with_away_message_waits_in_wall_clock_only():
    events = [Ev("conversation.queued", at("10:00", day=7)), Ev("conversation.ended", at("10:30", day=7))]
    messages = [Msg("visitor", at("10:00", day=7)), Msg("system", at("10:00", day=7))]
    f = compute(events, messages, OFFICE)
    assert f.abandoned and f.resolver is None and f.resolution is None and f.first_response is None
    assert f.wait == Duration(1800, 0)
    assert f.handling == Duration(0, 0)


def test_sta3_end_user_pausing_the_bot_takes_it_without_waiting():
    events = [Ev("conversation.bot", at("10:00")), Ev("conversation.taken", at("10:02"), 7),
              Ev("bot.paused", at("10:02")), Ev("conversation.ended", at("10:10"))]
    messages = [Msg("visitor", at("10:00")), Msg("bot", at("10:00")), Msg("agent", at("10:03"), 7)]
    f = compute(events, messages, OFFICE)
    assert f.handed_over and f.first_response == Duration(60, 60)
    assert f.wait == Duration(0, 0) and f.handling == Duration(480, 480) and f.resolver == 7


def test_sta3_back_to_the_bot_then_handed_over_again_counts_one_conversation():
    """Taken by 7, given back to the bot (restart), handed over again and taken by 8: the bot's
    spell is neither waiting nor handling; the second queue entry is a requeue."""
    events = [Ev("conversation.queued", at("09:00")), Ev("conversation.taken", at("09:01"), 7),
              Ev("bot.restarted", at("09:05")), Ev("bot.handover", at("09:20")),
              Ev("conversation.queued", at("09:20")), Ev("conversation.taken", at("09:22"), 8),
              Ev("conversation.ended", at("09:30"))]
    messages = [Msg("visitor", at("09:00")), Msg("agent", at("09:02"), 7), Msg("bot", at("09:06")),
                Msg("agent", at("09:23"), 8)]
    f = compute(events, messages, OFFICE)
    assert f.first_response == Duration(120, 120)
    assert f.wait == Duration(180, 180)
    assert f.users[7].handling == Duration(240, 240) and f.users[8].handling == Duration(480, 480)
    assert f.resolution == Duration(1800, 1800) and f.resolver == 8 and f.requeues == 1
    assert not f.with_bot  # it started with people: the bot share counts conversations the bot opened


def test_sta3_open_conversation_has_no_durations_yet():
    f = compute([Ev("conversation.queued", at("09:00")), Ev("conversation.taken", at("09:01"), 7)],
                [Msg("visitor", at("09:00")), Msg("agent", at("09:02"), 7)], always_open())
    assert not f.closed and f.wait is None and f.handling is None and f.resolution is None
    assert f.first_response == Duration(120, 120)  # known as soon as it happens


# --- properties over any course of events (STA-3) ------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

KINDS = ["conversation.queued", "conversation.requeued", "conversation.taken", "conversation.assigned",
         "bot.restarted", "bot.handover", "conversation.offered"]


@st.composite
def courses(draw):
    start = at("08:00") + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 6)))
    first = draw(st.sampled_from(["conversation.queued", "conversation.bot"]))
    events, t = [Ev(first, start)], start
    for _ in range(draw(st.integers(0, 8))):
        t += dt.timedelta(seconds=draw(st.integers(0, 4 * 3600)))
        events.append(Ev(draw(st.sampled_from(KINDS)), t, draw(st.sampled_from([7, 8, 9]))))
    ended = draw(st.booleans())
    if ended:
        t += dt.timedelta(seconds=draw(st.integers(0, 3600)))
        events.append(Ev("conversation.ended", t))
    messages = [Msg(draw(st.sampled_from(["visitor", "agent", "bot", "system"])),
                    start + dt.timedelta(seconds=draw(st.integers(0, int((t - start).total_seconds()) + 1))),
                    draw(st.sampled_from([7, 8, 9])))
                for _ in range(draw(st.integers(0, 6)))]
    return events, messages, start, t


@settings(max_examples=200, deadline=None)
@given(courses())
def test_sta3_figures_obey_their_definitions(course):
    events, messages, start, end = course
    f = compute(events, messages, OFFICE)
    plain = compute(events, messages, always_open())
    assert sum(f.messages.values()) == len(messages)
    for name in ("first_response", "wait", "handling", "resolution"):
        d, p = getattr(f, name), getattr(plain, name)
        assert (d is None) == (p is None)
        if d is not None:
            assert 0 <= d.business <= d.wall          # office hours never exceed the wall clock
            assert p.business == p.wall == d.wall     # open around the clock: the same figure
    if f.closed and f.human:
        span = (end - start).total_seconds()
        assert f.wait.wall + f.handling.wall <= span  # spells never overlap
        assert f.handling.wall == sum(u.handling.wall for u in f.users.values())
        assert f.handling.business == sum(u.handling.business for u in f.users.values())
    if f.resolution is not None:
        assert f.resolver is not None and f.users[f.resolver].resolved
        assert f.wait.wall + f.handling.wall <= f.resolution.wall
    assert [u for u, part in f.users.items() if part.resolved] == ([f.resolver] if f.resolver else [])
    if f.first_response is not None:
        assert f.human and any(m.sender == "agent" for m in messages)
    if not f.closed:
        assert f.wait is None and f.handling is None and f.resolution is None
    assert not (f.bot_only and f.handed_over)
