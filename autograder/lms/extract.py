"""Unpack an LMS download, only its top level: no nested archive, no link, no bomb.

nbgrader's ``ExtractorPlugin`` unzips every archive it finds, also the ones students
uploaded inside the LMS's zip (so an inner file named after a classmate replaced
the classmate's notebook), copies through symbolic links (a link to
``solutions/…`` was graded as the student's work) and writes whatever an archive
expands to (205 KB became 201 MB). :class:`LmsExtractor` replaces it
(``ZipCollectApp.extractor_plugin`` in ``nbgrader_config.py``):

* the ``.zip`` files directly in ``downloaded/<assignment>/archive/`` are unpacked
  into ``extracted/``; other files and folders there are copied, as they are;
* an archive inside them (``.zip``, ``.tar``, ``.gz``, ``.7z``, ``.rar`` …) is not
  unpacked, a symbolic link (in a zip or in a folder) is not followed, a path that
  leaves the folder is not written: each is *refused*;
* a file that would unpack to more than ``max_file_bytes``, or a file over 1 MB
  compressed more than ``max_ratio``:1, or anything past ``max_total_bytes`` for the
  whole download, is refused, and zipfile reads no more than a member's stated size.

Refusals are kept in ``downloaded/<assignment>/refused.json`` (name as the LMS wrote
it, and why); the collector (``autograder/lms/collect.py``) reports each under its
student.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from nbgrader.plugins import ExtractorPlugin
from traitlets import Int

from autograder.lms.names import nfc, printable

REFUSED_FILE = "refused.json"
ARCHIVES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".jar")
MB = 1 << 20


def is_archive(name: str) -> bool:
    """Whether ``name`` looks like an archive (by its extension)."""
    return name.lower().endswith(ARCHIVES)


class LmsExtractor(ExtractorPlugin):
    """zip_collect's extractor: the download's top level only, bounded (module docstring)."""

    max_file_bytes = Int(50 * MB, help="A file unpacking to more is refused.").tag(config=True)
    max_total_bytes = Int(1024 * MB, help="The whole download may write at most this "
                                          "much.").tag(config=True)
    max_ratio = Int(100, help="A file over 1 MB compressed more than this (x:1) is "
                              "refused as a zip bomb.").tag(config=True)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        """Unpack/copy ``archive_path``'s top level into ``extracted_path``; record refusals."""
        self.refused: list[dict[str, str]] = []
        self.written = 0
        self.count = 0
        source, dest = Path(archive_path), Path(extracted_path)
        for entry in sorted(source.iterdir()):
            if entry.is_symlink():
                self._refuse(entry.name, f"a symbolic link (to {os.readlink(entry)}); not followed")
            elif entry.is_dir():
                self._copy_folder(entry, dest, source)
            elif entry.suffix.lower() == ".zip":
                self._unzip(entry, dest)
            elif is_archive(entry.name):
                self._refuse(entry.name, "an archive this collector does not unpack; unpack "
                                         "it into downloaded/<assignment>/archive/ yourself")
            else:
                self._copy_file(entry, dest / entry.name, entry.name)
        (dest.parent / REFUSED_FILE).write_text(json.dumps(self.refused, indent=1,
                                                           ensure_ascii=False))
        if not self.count:
            for item in self.refused:
                self.log.warning("%s: refused: %s", printable(item["name"]), item["reason"])
            self.log.warning("nothing to collect in %s", archive_path)

    def _refuse(self, name: str, reason: str) -> None:
        self.refused.append({"name": nfc(name), "reason": reason})

    def _room(self, name: str, size: int) -> bool:
        """Whether ``size`` more bytes may be written for ``name`` (refused if not)."""
        if size > self.max_file_bytes:
            self._refuse(name, f"{size / MB:.0f} MB unpacked, over the limit of "
                               f"{self.max_file_bytes / MB:.0f} MB a file "
                               "(LmsExtractor.max_file_bytes)")
        elif self.written + size > self.max_total_bytes:
            self._refuse(name, f"the download would unpack to more than "
                               f"{self.max_total_bytes / MB:.0f} MB (LmsExtractor.max_total_bytes)")
        else:
            return True
        return False

    def _copy_folder(self, folder: Path, dest: Path, source: Path) -> None:
        for root, dirs, files in os.walk(folder):   # os.walk does not descend into links
            for name in sorted(dirs + files):
                path = Path(root, name)
                rel = path.relative_to(source).as_posix()
                if path.is_symlink():
                    self._refuse(rel, f"a symbolic link (to {os.readlink(path)}); not followed")
                elif name in files and is_archive(name):
                    self._refuse(rel, "an archive inside the download; not unpacked")
                elif name in files and path.is_file():
                    self._copy_file(path, dest / rel, rel)
            dirs[:] = [d for d in dirs if not Path(root, d).is_symlink()]

    def _copy_file(self, path: Path, target: Path, rel: str) -> None:
        size = path.lstat().st_size
        if target.exists():
            self._refuse(rel, "a second file of that name in the download")
            return
        if not stat.S_ISREG(path.lstat().st_mode) or not self._room(rel, size):
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "rb") as src, open(target, "xb") as out:
            shutil.copyfileobj(src, out)
        self.written += size
        self.count += 1

    def _unzip(self, path: Path, dest: Path) -> None:
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as err:
            self._refuse(path.name, f"not a readable zip file ({err})")
            return
        with archive:
            for info in archive.infolist():
                name = info.filename
                parts = PurePosixPath(name).parts
                if info.is_dir():
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    self._refuse(name, "a symbolic link; not followed")
                elif name.startswith("/") or ".." in parts or "\\" in name:
                    self._refuse(name, "a path outside the download; not written")
                elif is_archive(name):
                    self._refuse(name, "an archive inside the download; not unpacked "
                                       "(nothing in it is graded)")
                elif (dest / name).exists():
                    self._refuse(name, f"a second file of that name (in {path.name})")
                elif info.file_size > MB and info.file_size > self.max_ratio * max(
                        info.compress_size, 1):
                    self._refuse(name, f"compressed {info.file_size // max(info.compress_size, 1)}"
                                       f":1 to {info.file_size / MB:.0f} MB: a zip bomb, not "
                                       f"unpacked (LmsExtractor.max_ratio)")
                elif self._room(name, info.file_size):
                    self._write_member(archive, info, dest / name)

    def _write_member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
        """Write one member; zipfile stops at its stated size and checks its CRC."""
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(info) as src, open(target, "xb") as out:
                shutil.copyfileobj(src, out, MB)
        except (zipfile.BadZipFile, OSError, NotImplementedError) as err:
            target.unlink(missing_ok=True)
            self._refuse(info.filename, f"could not be unpacked ({err})")
            return
        self.written += info.file_size
        self.count += 1
