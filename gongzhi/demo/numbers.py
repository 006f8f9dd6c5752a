"""Phone and ID numbers that cannot belong to anyone.

Phones use the prefix 100: no Chinese mobile number starts with 100, so a demo number never
reaches a real subscriber, yet it passes the product's 11-digit check. ID numbers use the
region code 990000, which names no administrative division, with a correct ISO 7064 MOD 11-2
check digit so they pass the same validation as real ones.
"""

import operator
import random
from datetime import date

from gongzhi.core.pii import lookup_hash

PHONE_PREFIX = "100"
ID_REGION = "990000"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643)."""
    total = sum(map(operator.mul, map(int, first17), _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


class NumberBook:
    """Hands out distinct fictitious numbers, reproducibly for a given random generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._phones: set[str] = set()
        self._id_serials: dict[tuple[date, int], int] = {}
        # Lookup hashes of numbers already in the database (a district grown street by street:
        # demo.generator), never handed out again. Empty for a fresh demo: no hashing then.
        self._taken: set[str] = set()

    def avoid(self, hashes: set[str]) -> None:
        self._taken = hashes

    def _free(self, number: str) -> bool:
        return not self._taken or lookup_hash(number) not in self._taken

    def phone(self) -> str:
        while True:
            number = f"{PHONE_PREFIX}{self._rng.randrange(10**8):08d}"
            if number not in self._phones and self._free(number):
                self._phones.add(number)
                return number

    def id_number(self, birth_date: date, gender: str) -> str:
        # The 17th digit is odd for men and even for women; serials count up per birth day.
        parity = 1 if gender == "M" else 0
        while True:
            serial = self._id_serials.get((birth_date, parity), 0)
            self._id_serials[(birth_date, parity)] = serial + 1
            sequence = (serial * 2 + parity) % 1000
            first17 = f"{ID_REGION}{birth_date:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if self._free(number):
                return number
