"""The outcome of an import: the problems found (sheet, Excel row, column, reason) and the counts.

Only the first IMPORT_MAX_LISTED_ERRORS problems are kept: a file with 20,000 bad rows gets a
readable report ("还有 K 条错误未列出"), not a page of 20,000 lines held in memory."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import ngettext


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
    omitted: int = 0  # problems found beyond the listed ones

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.omitted

    @property
    def omitted_note(self) -> str:
        if not self.omitted:
            return ""
        return ngettext("还有 %(n)d 条错误未列出", "还有 %(n)d 条错误未列出", self.omitted) % {
            "n": self.omitted
        }

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, sheet: str, row: int | None, column: str, reason: str) -> None:
        if len(self.errors) < int(settings.IMPORT_MAX_LISTED_ERRORS):
            self.errors.append(RowError(sheet, row, column, reason))
        else:
            self.omitted += 1

    def count(self, action: str) -> None:
        setattr(self, action, getattr(self, action) + 1)

    def reset_counts(self) -> None:
        self.created = self.updated = self.unchanged = 0
