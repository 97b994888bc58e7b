"""Backprop submissions that attack grading (issue 8), built for one course folder.

Each attack sits in a cell of its own (after the set-up cell) and lets the refusal
surface as the cell's error, so the student's feedback shows what was refused.
The answers around it are either the untouched stubs (an attack to *gain*
points: grading must give 0) or right (an attack to *harm* classmates or later
runs: the attacker keeps the points, nobody else loses any). Paths are the real
ones of the course and of the repository, as a student who knows the set-up would
write them. Attacks that would change a file if the sandbox failed only open it
for writing or create a harmless new file, so a broken sandbox is detected
without damage (the test removes such a file and fails).
"""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import numpy as np
from nbformat.notebooknode import NotebookNode

from dnn_ref import network
from dnn_ref.grading import cases
from submissions import Submission, cell_source, insert_after
from submissions.roster import VECTORISED

ROOT = Path(__file__).resolve().parents[2]
PTH = Path(sysconfig.get_paths()["purelib"]) / "zz_dnn_attack.pth"
"""The file the .pth attack tries to create (the test asserts it never exists)."""
DAEMON_MARK, BOMB_MARK = "3601", "3602"
"""``sleep`` durations that mark the attackers' processes in /proc."""
STUBS = frozenset({"one_layer_backward", "backprop", "update_parameters"})


def _attack(student: str, source: str, *, answers: dict[str, str] | None = None,
            zero: frozenset[str] = frozenset(), refused: tuple[str, ...] = (),
            points: dict[str, float] | None = None) -> Submission:
    """A submission with the attack in a cell after the set-up cell.

    ``refused`` are the words its feedback must contain.
    """
    def edit(nb: NotebookNode) -> None:
        insert_after(nb, "setup", source)
    phrases = {"attack": refused} if refused else {}
    return Submission(student, dict(answers if answers is not None else VECTORISED), zero,
                      phrases, edit=edit, points=points or {})


def lookup_table_source() -> str:
    """one_layer_backward as a table of the reference's answers on every case the package has."""
    table = {}
    for case in cases("one_layer_backward"):
        dA, cache = case.args
        key = np.concatenate([dA.ravel(), cache[1].ravel()]).round(10).tobytes().hex()
        table[key] = [a.tolist() for a in network.one_layer_backward(dA, cache)]
    return (f"TABLE = {table!r}\n\n"
            "def one_layer_backward(dA, cache):\n"
            "    key = np.concatenate([dA.ravel(), cache[1].ravel()]).round(10).tobytes().hex()\n"
            "    return tuple(np.array(a) for a in TABLE[key])\n")


def attack_class(course: Path) -> list[Submission]:
    """Every attack of issue 8, aimed at ``course`` (the folder being graded)."""
    honest = course / "submitted" / "honest_vectorised" / "backprop" / "backprop.ipynb"
    return [
        _attack("gradebook_writer", f'''
            import sqlite3
            for path in ["../../gradebook.db", "../../../gradebook.db", "{course}/gradebook.db"]:
                db = sqlite3.connect(path)
                db.execute("UPDATE grade SET manual_score = 7")   # every cell, everybody
                db.commit()
        ''', answers={}, zero=STUBS, refused=("OperationalError",)),
        _attack("grader_file_editor", f'''
            import os
            import dnn_ref.grading
            for path in [dnn_ref.grading.__file__, "{ROOT}/dnn_ref/grading.py",
                         "{ROOT}/autograder/judge.py", "{ROOT}/nbgrader_config.py",
                         "{course}/nbgrader_config.py"]:
                os.close(os.open(path, os.O_WRONLY | os.O_APPEND))   # would append code
        ''', answers={}, zero=STUBS, refused=("Read-only file system",)),
        _attack("reference_reader", f'''
            import dnn_ref.network
            namespace = {{}}
            exec(open(dnn_ref.network.__file__).read(), namespace)  # whatever is there
            one_layer_backward = namespace["one_layer_backward"]
            exec(open("{ROOT}/dnn_ref/network.py").read(), namespace)
        ''', answers={}, zero=STUBS, refused=("No such file or directory",)),
        _attack("solutions_reader", f'''
            import json
            nb = json.load(open("{ROOT}/solutions/backprop/backprop.ipynb"))
            for cell in nb["cells"]:
                if cell["cell_type"] == "code":
                    exec("".join(cell["source"]))
        ''', answers={}, zero=STUBS, refused=("No such file or directory",)),
        _attack("classmate_reader", f'''
            import json
            nb = json.load(open("{honest}"))
            for cell in nb["cells"]:
                if cell["metadata"].get("nbgrader", {{}}).get("solution"):
                    exec("".join(cell["source"]))
        ''', answers={}, zero=STUBS, refused=("No such file or directory",)),
        _attack("startup_dropper", f'''
            import os
            startup = os.path.expanduser("~/.ipython/profile_default/startup")
            os.makedirs(startup, exist_ok=True)     # private HOME: lands in this scratch only
            with open(os.path.join(startup, "00-zero-everyone.py"), "w") as f:
                f.write("import dnn_ref.recording as r\\nr.record = lambda *a, **k: None\\n")
            with open("{PTH}", "w") as f:
                f.write("# a .pth file runs at every interpreter start\\n")
        ''', refused=("Read-only file system",)),
        _attack("signaller", f'''
            import os
            import signal
            mine, pid = set(), os.getpid()
            while pid > 1:                          # itself and its ancestors are spared
                mine.add(pid)
                pid = int(open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()[1])
            for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
                if pid not in mine and pid != 1:
                    os.kill(pid, signal.SIGKILL)    # other kernels, the grader, anyone seen
            os.kill({os.getpid()}, signal.SIGKILL)  # the process that runs the grading test
        ''', refused=("No such process",)),
        _attack("bomber", f'''
            import subprocess
            children = []
            try:
                for _ in range(400):
                    children.append(subprocess.Popen(["sleep", "{BOMB_MARK}"]))
            except OSError as exc:
                print(len(children), "processes, then:", exc)
            with open("big.bin", "wb") as f:
                for _ in range(2000):
                    f.write(b"x" * 2**20)                  # 1.95 GB
        ''', refused=("Resource temporarily unavailable", "File too large")),
        _attack("daemon", f'''
            import subprocess
            import sys
            code = ("import os, time\\n"
                    "for _ in range(3600):\\n"
                    "    for p in ['{course}/gradebook.db', '../../gradebook.db']:\\n"
                    "        try: open(p, 'r+b').write(b'garbage')\\n"
                    "        except OSError: pass\\n"
                    "    time.sleep(0.5)\\n")
            subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.Popen(["sh", "-c", "nohup sleep {DAEMON_MARK} >/dev/null 2>&1 &"])
            raise RuntimeError("daemons started")
        ''', refused=("daemons started",)),
        _attack("lookup_table", "x_unused = 0", answers={
            "one_layer_backward": lookup_table_source()}, zero=STUBS - {"one_layer_backward"},
            points={"one_layer_backward": 3.0}),
        _attack("hidden_cases_reader", f'''
            import os
            import dnn_ref.grading
            # a hidden check in an answer cell: recorded, never judged (not a test cell)
            dnn_ref.grading.check_one_layer_backward(lambda dA, cache: None, hidden=True)
            print(sorted(os.listdir(os.environ["DNN_GRADING_DIR"] + "/cases")))
            for path in ["../../.course_secret", "{course}/.course_secret",
                         "{ROOT}/.course_secret"]:
                try:
                    print(open(path).read())
                    break
                except OSError as exc:
                    print("refused:", exc)
            else:
                raise FileNotFoundError("no course secret readable")
        ''', refused=("no course secret readable",)),
    ]


def pth_planted() -> bool:
    return PTH.exists()


__all__ = ["attack_class", "cell_source", "pth_planted", "DAEMON_MARK", "BOMB_MARK", "PTH"]
