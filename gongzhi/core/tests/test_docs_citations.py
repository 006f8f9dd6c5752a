"""docs/ is self-contained: code and docs cite only the project's own files (issue 12 item 9).

Every `docs/X.md` named anywhere exists; every relative link in a Markdown file resolves inside
the repository; every section cited as `docs/X.md §N` (or `[X.md](X.md) §N` in the docs) is a
numbered heading `## N.` of that file; and nothing points at the notes the project started from
outside the repository. Reads files only: no database.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"

SCANNED_SUFFIXES = {".py", ".md", ".toml", ".html", ".txt", ".cfg", ".ini", ".yml", ".yaml", ".sh"}
SCANNED_NAMES = {"Makefile"}
SKIPPED_DIRS = {".git", ".venv", "node_modules", "var", "test-artifacts", "__pycache__", "vendor", "locale"}
THIS_FILE = Path(__file__).resolve()

# Documents a package already names while the work that writes them is under way (the
# community app is issue 15's); each entry must go once its document lands (a test says so).
PENDING_DOCS: set[str] = set()

# Where the project's first notes lived, outside this repository. Spelled in pieces so this file
# does not cite them itself.
OUTSIDE = re.compile(
    "|".join([r"/work/", r"\.\./shared\b", r"(?<![\w/])shared/[\w-]+\.md", "DEVELOPERS" + r"\.md"])
)
DOC_PATH = re.compile(r"(?<![\w/.])docs/([\w./-]+?\.md)\b")
MD_LINK = re.compile(r"\]\(([^)#\s]+?\.md)(?:#[^)]*)?\)")
# A section citation: the file right before `§N`, as a path (docs/X.md) or a Markdown link target.
SECTION = re.compile(r"([\w./-]+\.md)\)?\s*§\s*(\d+)")


def scanned_files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        if any(part in SKIPPED_DIRS for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and (path.suffix in SCANNED_SUFFIXES or path.name in SCANNED_NAMES):
            found.append(path)
    return found


def sections(doc: Path) -> set[str]:
    """The numbers of a document's numbered headings (`## 5. The case workflow` → "5")."""
    return set(re.findall(r"^#+\s+(\d+)\.\s", doc.read_text(encoding="utf-8"), flags=re.MULTILINE))


def problems(path: Path, text: str) -> list[str]:
    """What in one file cites something that is not the project's own (empty when all is well)."""
    found: list[str] = []
    is_markdown = path.suffix == ".md"
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path.relative_to(ROOT)}:{number}"
        if OUTSIDE.search(line):
            found.append(f"{where}: cites a file outside the repository: {line.strip()}")
        for name in DOC_PATH.findall(line):
            if not (DOCS / name).is_file() and name not in PENDING_DOCS:
                found.append(f"{where}: docs/{name} does not exist")
        if is_markdown:
            for target in MD_LINK.findall(line):
                resolved = (path.parent / target).resolve()
                if not resolved.is_file() or ROOT not in resolved.parents:
                    found.append(f"{where}: link to {target} does not resolve inside the repository")
        for cited, section in SECTION.findall(line):
            if not is_markdown and not cited.startswith("docs/"):
                found.append(f"{where}: cite {cited} §{section} as docs/{Path(cited).name} §{section}")
                continue
            doc = DOCS / Path(cited).name if not cited.startswith("docs/") else ROOT / cited
            if not doc.is_file():
                found.append(f"{where}: {cited} §{section}: no such document in docs/")
            elif section not in sections(doc):
                found.append(f"{where}: {cited} has no section {section}")
    return found


def test_code_and_docs_cite_only_the_projects_own_docs():
    files = [p for p in scanned_files() if p != THIS_FILE]
    assert any(p.name == "design.md" for p in files)  # the walk found the docs
    found = [problem for path in files for problem in problems(path, path.read_text(encoding="utf-8"))]
    assert found == []


def test_pending_documents_are_still_pending():
    """An entry of PENDING_DOCS whose document exists has served its time: remove it."""
    assert [name for name in PENDING_DOCS if (DOCS / name).exists()] == []


def test_the_cited_design_and_domain_sections_exist():
    """The sections code and docs lean on (the case workflow, the targets, the field's figures)."""
    assert {"1", "2", "3", "4", "5", "6"} <= sections(DOCS / "design.md")
    assert {"1", "2", "3", "4", "5", "6"} <= sections(DOCS / "domain.md")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("gongzhi/x.py", '"""Deadlines (docs/design.md §5)."""', None),
        ("gongzhi/x.py", '"""Deadlines (docs/design.md §9)."""', "has no section 9"),
        ("gongzhi/x.py", '"""Deadlines (design.md §5)."""', "cite design.md §5 as docs/design.md §5"),
        ("gongzhi/x.py", '"""See docs/nowhere.md."""', "docs/nowhere.md does not exist"),
        ("gongzhi/x.py", '"""From /work/' + 'shared/design.md."""', "outside the repository"),
        ("gongzhi/x.py", '"""From ../' + 'shared/domain.md."""', "outside the repository"),
        ("docs/adr/x.md", "As in [design.md](../design.md) §2.", None),
        ("docs/adr/x.md", "As in [design.md](../design.md) §7.", "has no section 7"),
        ("docs/adr/x.md", "See [the notes](../../../notes.md).", "does not resolve inside the repository"),
        ("docs/x.md", "The figures ([domain.md](domain.md) §5).", None),
    ],
)
def test_the_check_tells_a_good_citation_from_a_bad_one(name, text, expected):
    found = problems(ROOT / name, text)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0]
