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


ATTEMPT = """
done = []
def attempt(what, action):
    try:
        action()
    except Exception as exc:
        print(f"refused: {what}: {type(exc).__name__}: {exc}")
    else:
        done.append(what)
        print(f"DONE: {what}")
"""
"""Each attack tries its targets one by one and prints what was refused and why."""

ALL_REFUSED = 'raise RuntimeError(f"every attempt was refused; done: {done}") if not done else None'


def _attempts(body: str) -> str:
    return ATTEMPT + cell_source(body) + "\n" + ALL_REFUSED + "\n"


def attack_class(course: Path, targets: tuple[int, ...]) -> list[Submission]:
    """Every attack of issue 8, aimed at ``course`` (the folder being graded).

    ``targets`` are pids of the grading machine the signaller tries to kill (the
    test process and a canary it started). Each attacker's feedback must show
    "refused: ..." lines and "every attempt was refused".
    """
    honest = course / "submitted" / "honest_vectorised" / "backprop" / "backprop.ipynb"
    refused = ("refused: ", "every attempt was refused")
    return [
        _attack("gradebook_writer", _attempts(f'''
            import sqlite3
            def write(path):
                db = sqlite3.connect(f"file:{{path}}?mode=rw", uri=True)
                db.execute("UPDATE grade SET manual_score = 7")   # every cell, everybody
                db.commit()
            for path in ["../../gradebook.db", "../../../gradebook.db", "{course}/gradebook.db"]:
                attempt(f"write {{path}}", lambda: write(path))
        '''), answers={}, zero=STUBS, refused=refused),
        _attack("grader_file_editor", _attempts(f'''
            import os
            import dnn_ref.grading
            for path in [dnn_ref.grading.__file__, "{ROOT}/dnn_ref/grading.py",
                         "{ROOT}/autograder/judge.py", "{ROOT}/nbgrader_config.py",
                         "{course}/nbgrader_config.py"]:        # opened for appending code
                attempt(f"edit {{path}}",
                        lambda: os.close(os.open(path, os.O_WRONLY | os.O_APPEND)))
        '''), answers={}, zero=STUBS, refused=refused),
        _attack("reference_reader", _attempts(f'''
            import dnn_ref.network
            namespace = {{}}
            for path in [dnn_ref.network.__file__, "{ROOT}/dnn_ref/network.py"]:
                attempt(f"run {{path}}", lambda: exec(open(path).read(), namespace))
            one_layer_backward = namespace["one_layer_backward"]
            done.clear()                        # it ran, but what did it define?
            attempt("call its one_layer_backward",
                    lambda: one_layer_backward(np.ones((1, 1)), ((np.ones((1, 1)),) * 3,
                                                                 np.ones((1, 1)))))
        '''), answers={"one_layer_backward": "# taken from the reference file above"},
            zero=STUBS, refused=refused + ("ReferenceUnavailable",)),
        _attack("solutions_reader", _attempts(f'''
            import json
            for path in ["{ROOT}/solutions/backprop/backprop.ipynb",
                         "{course}/solutions/backprop/backprop.ipynb"]:
                attempt(f"read {{path}}", lambda: json.load(open(path)))
        '''), answers={}, zero=STUBS, refused=refused),
        _attack("classmate_reader", _attempts(f'''
            import json
            for path in ["{honest}", "../../honest_vectorised/backprop/backprop.ipynb",
                         "{course}/autograded/honest_vectorised/backprop/backprop.ipynb"]:
                attempt(f"read {{path}}", lambda: json.load(open(path)))
        '''), answers={}, zero=STUBS, refused=refused),
        _attack("startup_dropper", _attempts(f'''
            import os
            def drop(folder, name, text):
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, name), "w") as f:
                    f.write(text)
            evil = "import dnn_ref.recording as r\\nr.record = lambda *a, **k: None\\n"
            attempt("drop {PTH}", lambda: drop("{PTH.parent}", "{PTH.name}", "# runs at start"))
            attempt("drop an IPython startup file in /root",
                    lambda: drop("/root/.ipython/profile_default/startup", "00-zero.py", evil))
            done.clear()    # the private HOME takes it, and it dies with this sandbox
            drop(os.path.expanduser("~/.ipython/profile_default/startup"), "00-zero.py", evil)
        '''), refused=refused),
        _attack("signaller", _attempts(f'''
            import os
            import signal
            mine, pid = set(), os.getpid()
            while pid > 1:                          # itself and its ancestors are spared
                mine.add(pid)
                pid = int(open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()[1])
            for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
                cmdline = open(f"/proc/{{pid}}/cmdline", "rb").read()
                if pid not in mine and (b"ipykernel" in cmdline or b"nbgrader" in cmdline):
                    attempt(f"kill {{pid}}", lambda: os.kill(pid, signal.SIGKILL))
            for pid in {list(targets)}:             # processes of the grading machine
                attempt(f"kill {{pid}}", lambda: os.kill(pid, signal.SIGKILL))
        '''), refused=refused),
        _attack("bomber", _attempts(f'''
            import subprocess
            children = []
            def fork_bomb():
                for _ in range(400):
                    children.append(subprocess.Popen(["sleep", "{BOMB_MARK}"]))
            def disk_bomb():
                with open("big.bin", "wb") as f:
                    for _ in range(2000):
                        f.write(b"x" * 2**20)                  # 1.95 GB
            attempt("start 400 processes", fork_bomb)
            attempt("write 1.95 GB", disk_bomb)
            print(len(children), "processes started")
        '''), refused=refused + ("Resource temporarily unavailable", "File too large")),
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
            print("daemons started")
        '''),
        _attack("lookup_table", "x_unused = 0", answers={
            "one_layer_backward": lookup_table_source()}, zero=STUBS - {"one_layer_backward"},
            points={"one_layer_backward": 3.0}),
        _attack("hidden_cases_reader", _attempts(f'''
            import os
            import dnn_ref.grading
            # a hidden check in an answer cell: recorded, never judged (not a test cell)
            dnn_ref.grading.check_one_layer_backward(lambda dA, cache: None, hidden=True)
            print(sorted(os.listdir(os.environ["DNN_GRADING_DIR"] + "/cases")))
            for path in ["../../.course_secret", "{course}/.course_secret",
                         "{ROOT}/.course_secret"]:
                attempt(f"read {{path}}", lambda: open(path).read())
        '''), refused=refused),
    ]


def pth_planted() -> bool:
    return PTH.exists()


__all__ = ["attack_class", "cell_source", "pth_planted", "DAEMON_MARK", "BOMB_MARK", "PTH"]
