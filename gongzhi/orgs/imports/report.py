"""The outcome of an import: every problem found (sheet, Excel row, column, reason) and the counts."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None  # the row number Excel shows; None for a problem with the whole file
    column: str  # the column header, or "" for the whole row or file
    reason: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, sheet: str, row: int | None, column: str, reason: str) -> None:
        self.errors.append(RowError(sheet, row, column, reason))

    def count(self, action: str) -> None:
        setattr(self, action, getattr(self, action) + 1)

    def reset_counts(self) -> None:
        self.created = self.updated = self.unchanged = 0
