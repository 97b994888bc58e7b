"""The student kit, as a student gets it: built, installed and used as a normal user.

``python -m autograder.kit.build`` (what ``make student-kit`` runs) writes the kit of the
three assignments, forward closed (backprop's notebook imports forward's functions).
Then, as a throwaway non-root account (made with useradd when the tests run as root, as
CI does), with the machine's own Python: a fresh virtualenv, ``pip install`` of the kit's
wheel, and in it

* the three notebooks with the solutions' code executed (nbconvert): every visible check
  passes;
* a ``one_layer_backward`` that delegates to ``dnn_ref``'s, or that differentiates with
  autograd (an automatic-differentiation library grading blocks), is told why at home,
  in its test cell and by nbgrader's Validate;
* ``dnn-course-lab``: Validate answers, the instructor and exchange extensions do not.

The kit (folder, zip, and the wheel inside them) is scanned for solutions, hidden test
code, the course secret and instructor files; a planted solution line is found.
"""

from __future__ import annotations

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
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.kit import answers as answers_tables
from autograder.kit import build, lab_launcher, scan

ROOT = Path(__file__).resolve().parents[2]
PIP_CACHE = Path("/var/tmp/dnn-kit-test-pip-cache")
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


# ------------------------------------------------------------------------------ the kit
@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/ of the kit of all three assignments, forward closed."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "autograder.kit.build", "--assignments", "forward",
                    "graphs", "backprop", "--closed", "forward", "--out", str(out)],
                   cwd=ROOT, check=True)
    return out


def _texts(root: Path) -> list[tuple[str, str]]:
    return [(where, data.decode("utf-8", errors="replace")) for where, data in scan.files(root)]


def test_the_kit_holds_exercises_wheel_readme_and_nothing_of_the_instructor(kit):
    folder = kit / build.KIT
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    wheel = next(folder.glob("dnn_ref-*.whl"))
    assert names == sorted(["README.md", wheel.name, "exercises/forward/forward.ipynb",
                            "exercises/graphs/graphs.ipynb",
                            "exercises/backprop/backprop.ipynb"]), names
    with zipfile.ZipFile(kit / f"{build.KIT}.zip") as z:
        zipped = {n for n in z.namelist() if not n.endswith("/")}
    assert zipped == {f"{build.KIT}/{n}" for n in names}, zipped
    with zipfile.ZipFile(wheel) as z:
        top = {n.split("/")[0] for n in z.namelist()}
    assert top == {"dnn_ref", wheel.name.split("-py3")[0] + ".dist-info"}, top


def test_no_solution_hidden_test_or_secret_in_the_folder_the_zip_or_the_wheel(kit):
    secret = (ROOT / ".course_secret").read_text().strip()
    hidden = set()
    for notebook in (ROOT / "solutions").glob("*/*.ipynb"):
        for cell in json.loads(notebook.read_text())["cells"]:
            source = "".join(cell["source"])
            if "BEGIN HIDDEN TESTS" in source:
                hidden |= scan.hidden_test_lines(
                    source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0])
    assert hidden, "no hidden test cell found in solutions/: the comparison would be empty"
    for root in (kit / build.KIT, kit / f"{build.KIT}.zip"):
        for where, text in _texts(root):
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN" not in text, where
            assert secret not in text, f"{where} holds the course secret"
            assert not hidden & scan.hidden_test_lines(text), f"{where} holds a hidden test"
            parts = where.replace("!", "/").split("/")
            assert not {"solutions", "assignments", "autograder"} & set(parts), where
    closed = ["forward"]
    tabulated = [f"{m}:{f}" for m, names in answers_tables.TABULATED.items() for f in names]
    answers = scan.answer_statements(build.edition.package_dir(), [
        "network:one_layer_backward", "network:backprop", "network:linear_backward",
        "network:update_parameters", "graph:Value.*._backward", *tabulated])
    assert any("W.T @ dZ" in s for s in answers), "the reference's statements were not read"
    assert scan.scan([kit / build.KIT, kit / f"{build.KIT}.zip"], ROOT, answers,
                     allowed=set(build.GIVEN), closed=closed) == []


def test_the_scan_finds_a_solution_planted_in_the_wheel(kit, tmp_path):
    planted = tmp_path / build.KIT
    shutil.copytree(kit / build.KIT, planted)
    wheel = next(planted.glob("dnn_ref-*.whl"))
    with zipfile.ZipFile(wheel, "a") as z:
        z.writestr("dnn_ref/leak.py", "def f(W, dZ):\n    dA_prev = W.T @ dZ\n"
                   "    return dA_prev\n")
    findings = scan.scan([planted], ROOT, {})
    assert any("leak.py" in f and "a solution of solutions/backprop" in f for f in findings), \
        findings


def test_a_notebook_needing_an_open_assignments_answers_is_refused(tmp_path):
    with pytest.raises(build.KitError, match="backprop's notebook imports .*forward_prop"):
        build.build(ROOT, ["forward", "graphs", "backprop"], [], tmp_path)
    assert not (tmp_path / build.KIT).exists(), "a refused kit was left behind"


# ----------------------------------------------------------------------- the student
class Student:
    """A non-root account with a fresh virtualenv holding the installed kit."""

    def __init__(self, home: Path, user: str | None) -> None:
        self.home, self.user = home, user
        self.venv = home / "venv"

    def run(self, args: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        env = {"HOME": str(self.home), "PATH": f"{self.venv}/bin:/usr/bin:/bin",
               "PIP_CACHE_DIR": str(PIP_CACHE), "LANG": "C.UTF-8"}
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
def student(kit: Path) -> Iterator[Student]:
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
        PIP_CACHE.mkdir(exist_ok=True)
        for path in [PIP_CACHE, *PIP_CACHE.rglob("*")]:
            os.chown(path, pwd.getpwnam(user).pw_uid, -1, follow_symlinks=False)
    someone = Student(home, user)
    try:
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


def _filled(assignment: str, replace: dict[str, str] | None = None) -> bytes:
    """The released notebook with the solutions' code in its answer cells (``replace``:
    grade_id -> other code)."""
    solution = json.loads((ROOT / "solutions" / assignment / f"{assignment}.ipynb").read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
               for c in solution["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}
    notebook = json.loads((ROOT / "exercises" / assignment / f"{assignment}.ipynb").read_text())
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in (replace or {}):
            cell["source"] = replace[grade_id]
        elif grade_id in answers:
            cell["source"] = "\n".join(line for line in answers[grade_id].splitlines()
                                       if "### BEGIN SOLUTION" not in line
                                       and "### END SOLUTION" not in line)
    return json.dumps(notebook).encode()


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
    outputs = _execute(student, f"{assignment}.ipynb", _filled(assignment))
    tests = {g: text for g, text in outputs.items() if g.startswith("test_")}
    assert len(tests) >= 3, outputs.keys()
    for grade_id, text in tests.items():
        assert "✓" in text and "Error" not in text, f"{assignment} {grade_id}:\n{text}"


def test_delegating_to_the_reference_is_told_at_home(student):
    outputs = _execute(student, "delegating.ipynb",
                       _filled("backprop", {"one_layer_backward": DELEGATING}))
    text = outputs["test_one_layer_backward"]
    assert "calls dnn_ref.network.one_layer_backward" in text and "score 0" in text, text
    assert "✓ backprop" in outputs["test_backprop"] and "your one_layer_backward" in \
        outputs["test_backprop"], outputs["test_backprop"]


def test_differentiating_with_autograd_is_told_at_home(student):
    outputs = _execute(student, "autograd.ipynb",
                       _filled("backprop", {"one_layer_backward": AUTOGRAD}))
    text = outputs["test_one_layer_backward"]
    assert "uses autograd" in text and "score 0" in text, text


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


@pytest.fixture(scope="module")
def lab(student: Student) -> Iterator[str]:
    """``dnn-course-lab`` started by the student in the unpacked kit; its URL."""
    port = _free_port()
    kit_dir = student.home / "student-kit"
    for name, notebook in (("right.ipynb", _filled("backprop")), ("delegating.ipynb", _filled(
            "backprop", {"one_layer_backward": DELEGATING}))):
        student.give(f"student-kit/exercises/backprop/{name}", notebook)
    prefix = ["runuser", "-u", student.user, "--"] if student.user else []
    server = subprocess.Popen(
        [*prefix, "env", "-i", f"HOME={student.home}", f"PATH={student.venv}/bin:/usr/bin:/bin",
         "dnn-course-lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}"], cwd=kit_dir,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


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
    port = _free_port()
    server = subprocess.Popen(
        [str(student.venv / "bin" / "dnn-course-lab"), "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={TOKEN}"],
        cwd=tmp_path, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(240):
            assert server.poll() is None, f"dnn-course-lab exited:\n{server.stdout.read()}"
            try:
                if _request(f"http://127.0.0.1:{port}/api/status")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("dnn-course-lab did not answer in 120 s")
    finally:
        server.terminate()
        server.wait(timeout=60)
