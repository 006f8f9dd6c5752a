"""The demo district (示范区) and its streets: which street the generator is building.

The demo street always sits under a district node, as a real deployment does (docs/tenancy.md);
`gongzhi demo --streets N` puts N streets side by side under it. Street 1 is 枫林街道 (FL), as
before; street k takes the k-th name below, and every code of its tree, roster and Party side
is its own code's (TY-K1, TY-R01-ZR, TY-P0000001...), every 枫林 in a unit's name its own
name's. The phases read the street being built from `current()`, set by `building()` around
each street's generation (a context variable: the pools fork inside it and inherit it).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

DISTRICT_CODE = "SFQ"
DISTRICT_NAME = "示范区"
DISTRICT_ADDRESS = "示范大道 1号"

FIRST_SHORT = "枫林"  # the word the first street's unit names and addresses are written with


@dataclass(frozen=True)
class DemoStreet:
    number: int  # 1-based: street 1 is 枫林街道
    code: str
    name: str

    @property
    def short(self) -> str:
        return self.name.removesuffix("街道")

    @property
    def path(self) -> str:
        return f"/{DISTRICT_CODE}/{self.code}/"

    @property
    def jurisdiction_id(self) -> str:
        """Open311's name of the street (docs/open311.md): lower case, district first."""
        return f"{DISTRICT_CODE}.{self.code}".lower()

    @property
    def login_prefix(self) -> str:
        """Street 1 keeps the bare logins (committee, grid...); street k's are s{k}_committee."""
        return "" if self.number == 1 else f"s{self.number}_"

    def code_of(self, rest: str) -> str:
        """A code of this street's: code_of("POST-JD02") is FL-POST-JD02 in street 1."""
        return f"{self.code}-{rest}"

    def local(self, text: str) -> str:
        """A name written for 枫林 (枫林派出所), in this street's words (桃源派出所)."""
        return text if self.number == 1 else text.replace(FIRST_SHORT, self.short)


# Two-letter codes, none a prefix of another's codes (FL-..., TY-...), none the district's.
STREETS: tuple[DemoStreet, ...] = tuple(
    DemoStreet(i + 1, code, name)
    for i, (code, name) in enumerate(
        (
            ("FL", "枫林街道"),
            ("TY", "桃源街道"),
            ("HB", "湖滨街道"),
            ("MY", "梅园街道"),
            ("QS", "青松街道"),
            ("JH", "金河街道"),
            ("LT", "柳堤街道"),
            ("YS", "云山街道"),
            ("BY", "白杨街道"),
            ("XG", "杏岗街道"),
            ("NP", "南浦街道"),
            ("DC", "东城街道"),
            ("XW", "西湾街道"),
            ("BQ", "北桥街道"),
            ("HS", "荷塘街道"),
            ("ZL", "竹林街道"),
            ("SW", "石湾街道"),
            ("CX", "长兴街道"),
            ("GL", "桂岭街道"),
            ("AF", "安丰街道"),
        )
    )
)
MAX_STREETS = len(STREETS)  # a Shanghai district has 10–20 streets
FIRST = STREETS[0]

_current: ContextVar[DemoStreet] = ContextVar("demo_street", default=FIRST)


def current() -> DemoStreet:
    """The street being generated (street 1 outside `building`)."""
    return _current.get()


@contextmanager
def building(street: DemoStreet) -> Iterator[DemoStreet]:
    token = _current.set(street)
    try:
        yield street
    finally:
        _current.reset(token)


def street_seed(seed: int, street: DemoStreet) -> int:
    """Street 1 draws from the seed itself (the demo as before); the others from their own."""
    return seed if street.number == 1 else seed * 1000 + street.number
