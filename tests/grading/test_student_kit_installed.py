"""The student kit used as a student would: installed by a normal user, notebooks, Validate.

As a throwaway non-root account (made with useradd when the tests run as root, as CI
does), with the machine's own Python: a fresh virtualenv and ``pip install`` of the kit's
wheel (:mod:`student_kit` builds the kit), and in it

* the three notebooks with the solutions' code executed (nbconvert): every visible check
  passes;
* a ``one_layer_backward`` that delegates to ``dnn_ref``'s, or that differentiates with
  autograd (an automatic-differentiation library grading blocks), is told why at home,
  in its test cell and by nbgrader's Validate;
* ``dnn-course-lab``: Validate answers, the instructor and exchange extensions do not;
  it starts as root too.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from student_kit import build_kit, filled

from autograder.kit import build, lab_launcher

TOKEN = "kit-test"

DELEGATING = '''def one_layer_backward(dA, cache):
    import dnn_ref
    return dnn_ref.one_layer_backward(dA, cache)
'''
AUTOGRAD = '''import autograd.numpy as anp
from autograd import grad

def one_layer_backward(dA, cache):
    (A_prev, W, b), Z = cache
    m = A_prev.shape[1]
    dZ = dA * grad(lambda z: anp.sum(1 / (1 + anp.exp(-z))))(Z)
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m
'''

pytestmark = pytest.mark.slow


class Student:
    """A non-root account with a fresh virtualenv holding the installed kit."""

    def __init__(self, home: Path, user: str | None) -> None:
        self.home, self.user = home, user
        self.venv = home / "venv"

    def run(self, args: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        env = {"HOME": str(self.home), "PATH": f"{self.venv}/bin:/usr/bin:/bin",
               "LANG": "C.UTF-8"}
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run([*prefix, "env", "-i", *(f"{k}={v}" for k, v in env.items()),
                               *args], cwd=self.home, text=True, capture_output=True, **kwargs)

    def give(self, name: str, data: bytes) -> Path:
        path = self.home / name
        path.write_bytes(data)
        if self.user:
            shutil.chown(path, self.user)
        return path


def _python_for(user: str | None) -> str:
    """The machine's Python 3.11+ that ``user`` can run (root's pyenv is not readable)."""
    for candidate in ([sys.executable] if not user else []) + ["/usr/bin/python3"]:
        check = subprocess.run([*(["runuser", "-u", user, "--"] if user else []), candidate,
                                "-c", "import sys, venv; print(sys.version_info >= (3, 11))"],
                               capture_output=True, text=True)
        if check.stdout.strip() == "True":
            return candidate
    pytest.fail("no Python 3.11+ with venv that a normal user can run (apt-get install "
                "python3 python3-venv)")


@pytest.fixture(scope="module")
def student(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Student]:
    """The kit unpacked and installed (pip, fresh venv) by a non-root account."""
    user = None
    # not under pytest's temporary folder, which only its owner may enter
    home = Path(tempfile.mkdtemp(prefix="dnn-kit-student-"))
    if os.geteuid() == 0:
        user = f"kit{uuid.uuid4().hex[:8]}"
        subprocess.run(["useradd", "--home-dir", str(home), "--shell", "/bin/sh", user],
                       check=True)
        shutil.chown(home, user)
        home.chmod(0o700)
    someone = Student(home, user)
    try:
        kit = build_kit(tmp_path_factory.mktemp("dist"))
        someone.give("student-kit.zip", (kit / f"{build.KIT}.zip").read_bytes())
        steps = [["python3", "-m", "zipfile", "-e", "student-kit.zip", "."],
                 [_python_for(user), "-m", "venv", str(someone.venv)],
                 ["sh", "-c", "pip install --quiet student-kit/dnn_ref-*.whl autograd"]]
        for step in steps:
            done = someone.run(step, timeout=900)
            assert done.returncode == 0, f"{step} failed:\n{done.stdout}\n{done.stderr}"
        yield someone
    finally:
        if user:
            subprocess.run(["pkill", "-KILL", "-u", user], check=False)
            subprocess.run(["userdel", user], check=False)
        shutil.rmtree(home, ignore_errors=True)


def _execute(student: Student, name: str, notebook: bytes) -> dict[str, str]:
    """Run the notebook in the student's venv; grade_id -> the text of the cell's outputs."""
    (student.home / "work").mkdir(exist_ok=True)
    if student.user:
        shutil.chown(student.home / "work", student.user)
    student.give(f"work/{name}", notebook)
    done = student.run(["jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                        "--allow-errors", f"work/{name}"], timeout=600)
    assert done.returncode == 0, f"nbconvert failed:\n{done.stderr[-3000:]}"
    out = {}
    for cell in json.loads((student.home / "work" / name).read_text())["cells"]:
        texts = []
        for o in cell.get("outputs", []):
            texts.append("".join(o.get("text", "")) if o["output_type"] == "stream" else
                         "\n".join(o.get("traceback", [])) + o.get("evalue", ""))
        out[cell["metadata"].get("nbgrader", {}).get("grade_id", "")] = "\n".join(texts)
    return out


@pytest.mark.parametrize("assignment", ["forward", "graphs", "backprop"])
def test_a_right_notebook_passes_its_visible_checks_in_the_installed_kit(student, assignment):
    outputs = _execute(student, f"{assignment}.ipynb", filled(assignment))
    tests = {g: text for g, text in outputs.items() if g.startswith("test_")}
    assert len(tests) >= 3, outputs.keys()
    for grade_id, text in tests.items():
        assert "✓" in text and "Error" not in text, f"{assignment} {grade_id}:\n{text}"


def test_delegating_to_the_reference_is_told_at_home(student):
    outputs = _execute(student, "delegating.ipynb",
                       filled("backprop", {"one_layer_backward": DELEGATING}))
    text = outputs["test_one_layer_backward"]
    assert "calls dnn_ref.network.one_layer_backward" in text and "score 0" in text, text
    assert "✓ backprop" in outputs["test_backprop"] and "your one_layer_backward" in \
        outputs["test_backprop"], outputs["test_backprop"]


def test_differentiating_with_autograd_is_told_at_home(student):
    outputs = _execute(student, "autograd.ipynb",
                       filled("backprop", {"one_layer_backward": AUTOGRAD}))
    text = outputs["test_one_layer_backward"]
    assert "uses autograd" in text and "score 0" in text, text


VERDICTS = """
import contextlib, io, json, sys
import grading_mistakes as gm
import dnn_ref.grading as g
out = {}
for key, name, source in json.load(sys.stdin):
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            g.check(name, gm.load(source, key)[name])
        out[key] = "passed: " + printed.getvalue()
    except AssertionError as failure:
        out[key] = "failed: " + str(failure)
print(json.dumps(out))
"""
"""What the checks say about each function of tests/fixtures/grading_mistakes.py."""


def test_the_kits_checks_say_what_the_instructors_checks_say(student):
    """The kit's answers are tables of the visible cases: every diagnosis is unchanged."""
    import grading_mistakes as gm
    functions = [(f"right {n}", n, src) for n, src in gm.CORRECT.items()] + [
        (key, m.function, m.source) for key, m in {**gm.MISTAKES, **gm.HELPER_FAULTS}.items()]
    student.give("grading_mistakes.py", Path(gm.__file__).read_bytes())
    here = subprocess.run([sys.executable, "-c", VERDICTS], input=json.dumps(functions),
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(Path(gm.__file__).parent)})
    kit = student.run(["env", f"PYTHONPATH={student.home}", "python", "-c", VERDICTS],
                      input=json.dumps(functions), timeout=300)
    assert kit.returncode == 0, kit.stderr
    expected, found = json.loads(here.stdout), json.loads(kit.stdout)
    assert len(expected) >= 70 and sum(v.startswith("failed") for v in expected.values()) > 50
    assert found == expected, {k: (expected[k], found[k]) for k in expected
                               if found.get(k) != expected[k]}


# ----------------------------------------------------------------------- JupyterLab
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=300) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, ""


@contextlib.contextmanager
def _serving(command: list[str], cwd: Path, env: dict[str, str], user: str | None = None
             ) -> Iterator[str]:
    """``dnn-course-lab`` (``command``) on a free loopback port until it answers; its URL.

    Started as ``user`` directly (no runuser in between), so terminating it stops the server.
    """
    port = _free_port()
    as_user = {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []} \
        if user else {}
    server = subprocess.Popen([*command, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                               f"--IdentityProvider.token={TOKEN}"], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              **as_user)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            assert server.poll() is None, f"dnn-course-lab exited:\n{server.stdout.read()}"
            try:
                if _request(f"{base}/api/status")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("dnn-course-lab did not answer in 120 s")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def lab(student: Student) -> Iterator[str]:
    """``dnn-course-lab`` started by the student in the unpacked kit; its URL."""
    for name, notebook in (("right.ipynb", filled("backprop")), ("delegating.ipynb", filled(
            "backprop", {"one_layer_backward": DELEGATING}))):
        student.give(f"student-kit/exercises/backprop/{name}", notebook)
    env = {"HOME": str(student.home), "PATH": f"{student.venv}/bin:/usr/bin:/bin"}
    with _serving([str(student.venv / "bin" / "dnn-course-lab")], student.home / "student-kit",
                  env, student.user) as url:
        yield url


def test_the_lab_keeps_validate_and_turns_off_instructor_and_exchange_tools(lab):
    status, page = _request(f"{lab}/lab")
    assert status == 200
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page,
                                  re.S).group(1))
    disabled = config["disabledExtensions"]
    for plugin in ("assignment-list", "course-list", "formgrader", "create-assignment"):
        assert f"@jupyter/nbgrader:{plugin}" in disabled, disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled, disabled
    assert _request(f"{lab}/formgrader")[0] == 404, "the formgrader is served to students"
    assert _request(f"{lab}/assignments")[0] == 404, "the exchange's assignment list is on"


def test_validate_passes_a_right_notebook_and_names_the_delegation(lab):
    status, body = _request(f"{lab}/assignments/validate",
                            {"path": "exercises/backprop/right.ipynb"})
    right = json.loads(body)
    assert status == 200 and right["success"] and not right["value"].get("failed"), right
    status, body = _request(f"{lab}/assignments/validate",
                            {"path": "exercises/backprop/delegating.ipynb"})
    failed = json.loads(body)["value"].get("failed", [])
    assert any("calls dnn_ref.network.one_layer_backward" in f.get("error", "")
               for f in failed), failed


def test_dnn_course_lab_adds_allow_root_for_root_only():
    assert "--allow-root" in lab_launcher.command(["--port=1"], root=True)
    assert "--allow-root" not in lab_launcher.command(["--port=1"], root=False)
    env = lab_launcher.environment({"JUPYTER_CONFIG_PATH": "/etc/x"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(lab_launcher.CONFIG), "/etc/x"]


def test_dnn_course_lab_starts_for_whoever_runs_the_tests(student, tmp_path):
    """As root in CI (a container, a lab VM): Jupyter refuses root unless --allow-root."""
    with _serving([str(student.venv / "bin" / "dnn-course-lab")], tmp_path,
                  {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}) as url:
        assert _request(f"{url}/api/status")[0] == 200
