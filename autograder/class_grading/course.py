"""An nbgrader course folder as class grading sees it, and its files as bytes.

:class:`Course` reads the folder names, the gradebook and the course secret's
path from the course's own ``nbgrader_config.py``; :func:`read_tree` /
:func:`write_tree` move a folder's files as ``{relative path: bytes}`` (what a
shard job carries), :func:`digest` fingerprints them (the journal's "has this
submission changed?").
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

from autograder.judge import secret


@dataclass(frozen=True)
class Course:
    """The folders of an nbgrader course, as its ``nbgrader_config.py`` names them."""

    root: Path
    config_text: str
    course_id: str
    source: str
    submitted: str
    autograded: str
    db: Path
    secret_file: Path

    @classmethod
    def load(cls, root: Path) -> Course:
        path = root / "nbgrader_config.py"
        if not path.is_file():
            raise SystemExit(f"{root} is not an nbgrader course: it has no nbgrader_config.py.")
        cfg = PyFileConfigLoader(path.name, path=str(root)).load_config()
        cd = cfg.get("CourseDirectory", {})
        db_url = cd.get("db_url", f"sqlite:///{root / 'gradebook.db'}")
        if not db_url.startswith("sqlite:///"):
            raise SystemExit(f"class_grade merges SQLite gradebooks; {path} sets db_url={db_url}.")
        return cls(root=root, config_text=path.read_text(), course_id=cd.get("course_id", ""),
                   source=cd.get("source_directory", "source"),
                   submitted=cd.get("submitted_directory", "submitted"),
                   autograded=cd.get("autograded_directory", "autograded"),
                   db=Path(db_url.removeprefix("sqlite:///")),
                   secret_file=Path(cfg.get("SandboxedExecute", {}).get(
                       "secret_file", secret.path_in(root))))

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db}"

    def snapshot_db(self) -> bytes:
        """A consistent copy of the gradebook (SQLite's backup API), as bytes."""
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "gradebook.db"
            src, dst = sqlite3.connect(self.db), sqlite3.connect(copy)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
            return copy.read_bytes()


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative POSIX path -> bytes), hidden ones excluded."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in
                                       p.relative_to(folder).parts)}


def write_tree(folder: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for rel, data in sorted(files.items()):
        h.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()[:16]
