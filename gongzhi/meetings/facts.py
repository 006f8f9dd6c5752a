"""What meetings announce to the points ledger (core.contributions): a person present at a
meeting, and the post-holders of the units bound by a slip once it is done. Built here, announced
by the services in their own transaction; the ledger decides what earns points."""

from collections.abc import Iterable

from django.utils import timezone

from gongzhi.core.contributions import ATTEND_MEETING, SLIP_DONE, ServiceFact, on_service_facts
from gongzhi.meetings.kinds import Attendance
from gongzhi.meetings.models import Meeting, Participant, Slip


def _attendee(participant: Participant) -> int | None:
    if participant.person_id is not None:
        return participant.person_id
    return participant.post.person_id if participant.post is not None else None


def announce_attendance(meeting: Meeting, participant_ids: Iterable[int]) -> None:
    """Present is a fact; a mark changed to absent or delegated withdraws it."""
    day = timezone.localtime(meeting.starts_at).date()
    facts = []
    for p in meeting.participants.filter(pk__in=list(participant_ids)).select_related("post"):
        person_id = _attendee(p)
        if person_id is None:
            continue
        facts.append(
            ServiceFact(
                kind=ATTEND_MEETING,
                source_key=f"meeting:{meeting.pk}:participant:{p.pk}",
                person_id=person_id,
                occurred_on=day,
                node_path=meeting.node_path,
                detail=meeting.kind,
                label=meeting.title,
                withdrawn=p.attendance != Attendance.PRESENT,
            )
        )
    on_service_facts.announce(facts)


def announce_slip(slip: Slip, *, withdrawn: bool = False) -> None:
    """A slip done: a fact for the holder of each bound unit's post; reopened: withdrawn."""
    day = timezone.localtime(slip.done_at or timezone.now()).date()
    facts = [
        ServiceFact(
            kind=SLIP_DONE,
            source_key=f"slip:{slip.pk}:party:{party.pk}",
            person_id=party.post.person_id,
            occurred_on=day,
            node_path=slip.node_path,
            detail=party.role,
            label=f"{slip.number} {slip.action[:60]}",
            withdrawn=withdrawn,
        )
        for party in slip.parties.select_related("post")
        if party.post is not None
    ]
    on_service_facts.announce(facts)
