"""Water use in half-hour slots: the rolling aggregate the ingest upsert keeps on the last-seen
row, so the rule pass never reads raw events.

A ring holds the litres of the last RING half hours, slot 0 being the oldest (`start`, counted
in half hours since the epoch). None marks a slot before the meter was first heard: a window
that reaches into it is not yet known, so a new meter opens no "too little water" alert.
A meter's consumption between two readings is credited to the slot of the later one.
"""

from datetime import UTC, datetime, timedelta

SLOT_SECONDS = 1800
RING = 48  # 24 hours
Ring = tuple[int, list[float | None]]


def slot_of(at: datetime) -> int:
    return int(at.timestamp()) // SLOT_SECONDS


def slot_start(slot: int) -> datetime:
    return datetime.fromtimestamp(slot * SLOT_SECONDS, tz=UTC)


def new_ring(at: datetime) -> Ring:
    """The ring of a meter first heard at `at`: observed from that slot on, nothing used yet."""
    return new_ring_at(slot_of(at))


def new_ring_at(slot: int) -> Ring:
    return slot - RING + 1, [None] * (RING - 1) + [0.0]


def advance(ring: Ring, slot: int) -> Ring:
    """Move the ring so that `slot` is its newest slot (later slots observed, nothing used)."""
    start, slots = ring
    newest = start + RING - 1
    if slot <= newest:
        return ring
    shift = slot - newest
    if shift >= RING:
        return slot - RING + 1, [0.0] * RING
    return start + shift, slots[shift:] + [0.0] * shift


def add(ring: Ring, at: datetime, litres: float) -> Ring:
    """Credit `litres` to the slot of `at` (moving the ring forward when `at` is newer; a slot
    older than the ring is dropped: it lies outside every window the rules read)."""
    return add_at(ring, slot_of(at), litres)


def add_at(ring: Ring, slot: int, litres: float) -> Ring:
    start, slots = advance(ring, slot)
    index = slot - start
    if index < 0:
        return start, slots
    slots = list(slots)
    slots[index] = (slots[index] or 0.0) + litres
    return start, slots


def quiet_at(ring: Ring, *, window_hours: float, min_litres: float) -> datetime | None:
    """When use over the last `window_hours` first falls under `min_litres` if no more water
    flows (the start of that slot): the low-water rule fires once the clock passes it. None
    when the window is longer than the ring."""
    start, slots = ring
    width = max(1, round(window_hours * 3600 / SLOT_SECONDS))
    if width > RING:
        return None
    newest = start + RING - 1
    # The window ending with slot t covers t-width+1 … t; slots after `newest` hold nothing.
    first_known = next((start + i for i, v in enumerate(slots) if v is not None), newest)
    # Past newest + width every slot has left the window: the loop always ends by then.
    for t in range(max(newest, first_known + width - 1), newest + width + 1):
        used = sum(slots[s - start] or 0.0 for s in range(max(t - width + 1, start), newest + 1))
        if used < min_litres:
            return slot_start(t)
    return slot_start(newest + width)


def leaking(ring: Ring, *, max_litres_day: float) -> bool:
    """More than `max_litres_day` over the ring's 24 hours, or water in every half hour of it."""
    _, slots = ring
    if any(v is None for v in slots):
        return sum(v or 0.0 for v in slots) > max_litres_day
    return sum(v or 0.0 for v in slots) > max_litres_day or all((v or 0.0) > 0 for v in slots)


def ring_from_row(start: int | None, slots: list[float | None]) -> Ring | None:
    return (start, list(slots)) if start is not None and len(slots) == RING else None


def ago(at: datetime, hours: float) -> datetime:
    return at - timedelta(hours=hours)
