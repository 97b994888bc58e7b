"""The collector's and the extractor's decisions, fast: real files, no nbgrader command.

:class:`LmsExtractor` unpacks a Canvas-style zip (built here) into a temporary
``extracted/``; :func:`plan_download` matches the files with the pattern of the
repository's ``nbgrader_config.py``. The slow end-to-end runs are
``test_lms.py`` and ``test_hostile_uploads.py``.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
import zipfile
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from autograder.lms.collect import plan_download
from autograder.lms.extract import LmsExtractor
from autograder.lms.names import printable, student_ids

ROOT = Path(__file__).resolve().parents[3]
PATTERN = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config() \
    .FileNameCollectorPlugin.named_regexp
RELEASED = ["backprop.ipynb"]
NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def unpack(tmp: Path, members: dict[str, bytes], links: dict[str, str] | None = None
           ) -> tuple[Path, list[dict]]:
    """Zip ``members`` (and ``links``: name -> target, stored as symbolic links), then extract."""
    archive, extracted = tmp / "archive", tmp / "extracted"
    archive.mkdir()
    extracted.mkdir()
    with zipfile.ZipFile(archive / "canvas.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    extractor = LmsExtractor()
    extractor.extract(str(archive), str(extracted))
    return extracted, extractor.refused


def test_late_marker_and_user_id_come_from_the_names_canvas_wrote(tmp_path):
    extracted, refused = unpack(tmp_path, {
        "smithjane_104233_5501267_backprop.ipynb": NB,
        "doejohn_LATE_88112_5501300_backprop-1.ipynb": NB,
        # an upload *named* like another student's file: Canvas prefixes it with the uploader
        "leekim_99001_5501311_smithjane_LATE_104233_1_backprop.ipynb": NB,
    })
    plan = plan_download(extracted, PATTERN, RELEASED, refused, {})
    assert {s: (r.late, r.lms_user_id) for s, r in plan.records.items()} == {
        "smithjane": (False, "104233"), "doejohn": (True, "88112"), "leekim": (False, "99001")}
    assert sorted(i["student_id"] for i in plan.files.values()) == ["doejohn", "leekim",
                                                                     "smithjane"]


def test_unicode_names_are_kept_and_matched_in_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "núñezlucía")
    extracted, refused = unpack(tmp_path, {
        "müllerjörg_1_10_backprop.ipynb": NB,
        f"{nfd}_2_11_backprop.ipynb": NB,
        "王小明_3_12_Backprop_final.ipynb": NB,
        "अनिलकुमार_4_13_backprop.ipynb": NB,        # vowel signs: marks, not in \w
        "ภูมิใจ_5_14_backprop.ipynb": NB,
    })
    plan = plan_download(extracted, PATTERN, RELEASED, refused, {})
    assert sorted(plan.records) == sorted(["müllerjörg", "núñezlucía", "王小明", "अनिलकुमार",
                                           "ภูมิใจ"])
    assert all(r.status == "collected" for r in plan.records.values())


def test_namesakes_are_two_students_and_disagreeing_names_are_refused(tmp_path):
    extracted, refused = unpack(tmp_path, {
        "smithjohn_501_1_backprop.ipynb": NB,
        "smithjohn_502_2_backprop.ipynb": NB,
        "leekim_600_3_backprop.ipynb": NB,
        "parkmin_600_4_backprop-1.ipynb": NB,     # the same user id under another name
    })
    plan = plan_download(extracted, PATTERN, RELEASED, refused, {})
    assert {s: r.status[:26] for s, r in plan.records.items()} == {
        "smithjohn_501": "collected", "smithjohn_502": "collected",
        "leekim_600": "not graded: refused: the f"}
    assert ("leekim_600: not graded: refused: the files of LMS user id 600 carry different "
            "names (leekim, parkmin)") in plan.lines[0]
    assert not any(i["student_id"] == "leekim_600" for i in plan.files.values())


def test_an_id_once_given_is_kept_and_a_new_namesake_gets_another():
    assert student_ids({"501": "smithjohn", "502": "smithjohn"}, {"501": "smithjohn"}) == {
        "501": "smithjohn", "502": "smithjohn_502"}
    assert student_ids({"502": "smithjohn"}, {"501": "smithjohn"}) == {"502": "smithjohn_502"}
    assert student_ids({"9": "leekim"}, {}) == {"9": "leekim"}


def test_nested_archives_links_and_folders_file_nothing_for_anyone(tmp_path):
    extracted, refused = unpack(tmp_path, {
        "evilemma_700_1_backprop.ipynb": NB,
        "evilemma_700_2_extra.zip": b"PK\x05\x06" + bytes(18),
        "inner/smithjane_104233_9_backprop.ipynb": NB,
        "../escape.ipynb": NB,
    }, links={"sneakysam_701_3_backprop.ipynb": "../../solutions/backprop/backprop.ipynb"})
    assert sorted(p.name for p in extracted.rglob("*") if p.is_file()) == [
        "evilemma_700_1_backprop.ipynb", "smithjane_104233_9_backprop.ipynb"]
    assert not (tmp_path / "escape.ipynb").exists()
    plan = plan_download(extracted, PATTERN, RELEASED, refused, {})
    assert sorted(plan.records) == ["evilemma", "sneakysam"]
    assert plan.records["evilemma"].status == "collected"
    assert plan.records["evilemma"].refused == [
        "extra.zip: an archive inside the download; not unpacked (nothing in it is graded)"]
    assert plan.records["sneakysam"].status == (
        "not graded: no file could be taken (no backprop.ipynb); "
        "refused backprop.ipynb: a symbolic link; not followed")
    assert plan.unrecognised == ["inner/smithjane_104233_9_backprop.ipynb"]
    assert "../escape.ipynb: refused: a path outside the download; not written" in plan.lines


def test_a_zip_bomb_is_refused_before_it_is_written(tmp_path):
    extracted, refused = unpack(tmp_path, {
        "bombbo_800_1_backprop.ipynb": bytes(201 << 20),      # 201 MB of zeros, ~200 KB zipped
        "okayolga_801_2_backprop.ipynb": NB,
    })
    assert os.path.getsize(tmp_path / "archive" / "canvas.zip") < 300_000
    written = sum(p.stat().st_size for p in extracted.rglob("*") if p.is_file())
    assert written == len(NB)
    plan = plan_download(extracted, PATTERN, RELEASED, refused, {})
    assert re.fullmatch(r"not graded: no file could be taken \(no backprop.ipynb\); refused "
                        r"backprop.ipynb: compressed \d+:1 to 201 MB: a zip bomb, not unpacked "
                        r"\(LmsExtractor.max_ratio\)", plan.records["bombbo"].status)


def test_checkpoints_and_macos_folders_are_nobodys_upload(tmp_path):
    extracted, refused = unpack(tmp_path, {
        "smithjane_104233_1_backprop.ipynb": NB,
        "__MACOSX/._smithjane_104233_1_backprop.ipynb": b"\x00",
        ".ipynb_checkpoints/smithjane_104233_1_backprop-checkpoint.ipynb": NB,
    })
    plan = plan_download(extracted, PATTERN, RELEASED, refused, {})
    assert list(plan.records) == ["smithjane"] and plan.lines == [] and not plan.unrecognised


@pytest.mark.parametrize(("name", "shown"), [
    ("a\x1b]0;owned\x07b.ipynb", "a\\x1b]0;owned\\x07b.ipynb"), ("王小明", "王小明")])
def test_names_reach_the_log_without_terminal_escapes(name, shown):
    assert printable(name) == shown
