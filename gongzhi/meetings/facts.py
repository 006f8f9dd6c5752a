"""What meetings announce to the points ledger (core.contributions): a person present at a
meeting, and the post-holders of the units bound by a slip once it is done. Built here, announced
by the services in their own transaction; the ledger decides what earns points."""

from collections.abc import Iterable

from django.utils import timezone

from gongzhi.core.contributions import ATTEND_MEETING, SLIP_DONE, ServiceFact, on_service_facts
from gongzhi.meetings.kinds import Attendance
from gongzhi.meetings.models import Meeting, Participant, Slip
from gongzhi.orgs.models import Person


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


def _answering(slip: Slip) -> dict[int, int]:
    """party id → the person who answers for its unit on the slip: the holder of the post named on the
    slip, else whoever signed the slip's current version for the unit."""
    signed = slip.signatures.filter(slip_version=slip.version).values_list("unit_id", "signer_id")
    people = dict(Person.objects.filter(user_id__in=[u for _unit, u in signed]).values_list("user_id", "pk"))
    signers = {unit_id: people[user_id] for unit_id, user_id in signed if user_id in people}
    out: dict[int, int] = {}
    for party in slip.parties.select_related("post"):
        person_id = party.post.person_id if party.post is not None else signers.get(party.unit_id)
        if person_id is not None:
            out[party.pk] = person_id
    return out


def announce_slip(slip: Slip, *, withdrawn: bool = False) -> None:
    """A slip done: a fact for the person answering for each bound unit; reopened: withdrawn."""
    day = timezone.localtime(slip.done_at or timezone.now()).date()
    roles = dict(slip.parties.values_list("pk", "role"))
    facts = [
        ServiceFact(
            kind=SLIP_DONE,
            source_key=f"slip:{slip.pk}:party:{party_id}",
            person_id=person_id,
            occurred_on=day,
            node_path=slip.node_path,
            detail=roles[party_id],
            label=f"{slip.number} {slip.action[:60]}",
            withdrawn=withdrawn,
        )
        for party_id, person_id in _answering(slip).items()
    ]
    on_service_facts.announce(facts)
