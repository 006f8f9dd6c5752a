"""Seal (encrypt, hash, mask) the demo's phone and ID numbers, in the background when it pays.

Sealing goes through orgs.services.sealed_phone / sealed_id_number, exactly as the services
store personal data. Fernet encryption is the generator's main CPU cost (~75 µs a person on
one core here), so large batches go to a process pool that starts before the tree is written
and works while the main process inserts nodes. Results come back in input order, so the rows
are the same whatever the number of workers; only the ciphertexts differ from run to run,
because Fernet draws a fresh IV and timestamp for every token by design.
"""

import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from gongzhi.orgs.services import sealed_id_number, sealed_phone

Sealed = dict[str, str]
Advance = Callable[[int], None]
Collect = Callable[[Advance], list[Sealed]]
PARALLEL_FROM = 5000  # below this a pool costs more to start than it saves
CHUNK = 2000


def seal_one(pair: tuple[str, str]) -> Sealed:
    phone, id_number = pair
    return sealed_phone(phone) | sealed_id_number(id_number)


@contextmanager
def sealing(pairs: list[tuple[str, str]], *, workers: int | None = None) -> Iterator[Collect]:
    """Start sealing each (phone, ID number); the yielded function waits for the results
    (in order), reporting progress as chunks arrive."""
    # One core short of all: the main process keeps planning and writing meanwhile.
    workers = workers if workers is not None else max(1, (os.cpu_count() or 1) - 1)
    chunks = [pairs[i : i + CHUNK] for i in range(0, len(pairs), CHUNK)]
    if workers < 1 or len(pairs) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda advance: _gather(map(_seal_chunk, chunks), advance)
        return
    # fork: workers inherit the configured settings (keys) without setting Django up again;
    # they never touch the database connection they inherit.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.imap(_seal_chunk, chunks)  # dispatched now, gathered later
        yield lambda advance: _gather(results, advance)


def _gather(results: Iterator[list[Sealed]], advance: Advance) -> list[Sealed]:
    out: list[Sealed] = []
    for sealed in results:
        out.extend(sealed)
        advance(len(sealed))
    return out


def _seal_chunk(chunk: list[tuple[str, str]]) -> list[Sealed]:
    return [seal_one(pair) for pair in chunk]


@contextmanager
def background(
    func: Callable[[Any], list[Any]], chunks: list[Any], *, workers: int | None = None
) -> Iterator[Callable[[], list[Any]]]:
    """Run `func` over `chunks` in a process pool started now; the yielded function waits for
    the results, concatenated in chunk order (so they do not depend on the number of workers).
    Small jobs, or `workers=0`, run in this process when the results are asked for."""
    workers = workers if workers is not None else max(1, (os.cpu_count() or 1) - 1)
    size = sum(len(c[-1]) if isinstance(c, tuple) else 1 for c in chunks)
    if workers < 1 or size < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: [x for chunk in chunks for x in func(chunk)]
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.imap(func, chunks)
        yield lambda: [x for result in results for x in result]
