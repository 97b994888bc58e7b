"""A student's kernel on the course hub: what it can reach, and what it cannot.

Everything runs in ``hubtest-bruno``'s own kernel, started through his own server on
the hub (the kernelspec every student gets), after ``hubtest-ana`` has fetched and
submitted (tests/autograder/hub/test_hub_in_browser.py runs first in this folder; the
probes below hold either way).
"""

from __future__ import annotations

import pwd
import re

import pytest
from course_hub import COURSE_ID, STUDENTS, Hub, Kernel, api_call

BRUNO, ANA = STUDENTS[1], STUDENTS[0]


@pytest.fixture(scope="module")
def kernel(hub: Hub) -> Kernel:
    return Kernel(hub, BRUNO)


def test_kernel_runs_as_the_student_with_a_writable_home(kernel: Kernel) -> None:
    home = pwd.getpwnam(BRUNO).pw_dir
    out = kernel.run(f"import os\nprint(os.getuid())\nopen({home!r} + '/note.txt', 'w')"
                     ".write('mine')\nprint(open(" + repr(home) + " + '/note.txt').read())")
    assert out.split() == [str(pwd.getpwnam(BRUNO).pw_uid), "mine"], out


@pytest.mark.parametrize("what", ["home of another student", "exchange inbound",
                                  "course solutions", "course secret", "gradebook"])
def test_kernel_cannot_read(hub: Hub, kernel: Kernel, what: str) -> None:
    path = {"home of another student": pwd.getpwnam(ANA).pw_dir,
            "exchange inbound": str(hub.course / "exchange" / COURSE_ID / "inbound"),
            "course solutions": str(hub.course / "solutions" / "backprop" / "backprop.ipynb"),
            "course secret": str(hub.course / ".course_secret"),
            "gradebook": str(hub.course / "gradebook.db")}[what]
    assert (hub.course / "solutions" / "backprop" / "backprop.ipynb").is_file()
    out = kernel.run(f"import os\np = {path!r}\n"
                     "print(os.listdir(p) if os.path.isdir(p) else open(p, 'rb').read(20))")
    assert re.match(r"ERROR (FileNotFoundError|PermissionError)", out), out


def test_kernel_has_no_network_and_no_hub_api(hub: Hub, kernel: Kernel) -> None:
    port = int(re.search(r":(\d+)/hub/$", hub.api).group(1))
    proxy = int(hub.url.rsplit(":", 1)[1])
    for host, p in (("127.0.0.1", port), ("127.0.0.1", proxy), ("1.1.1.1", 53)):
        out = kernel.run(f"import socket\nsocket.create_connection(({host!r}, {p}), timeout=3)"
                         "\nprint('connected')")
        assert "connected" not in out and "ERROR" in out, (host, p, out)


def test_fork_bomb_and_memory_bomb_are_contained(hub: Hub, kernel: Kernel) -> None:
    forks = kernel.run(
        "import os, signal, time\nkids = []\ntry:\n"
        "    for _ in range(5000):\n        pid = os.fork()\n"
        "        if pid == 0:\n            time.sleep(60)\n            os._exit(0)\n"
        "        kids.append(pid)\nexcept OSError as exc:\n    print('refused', exc.errno)\n"
        "for pid in kids:\n    os.kill(pid, signal.SIGKILL)\n    os.waitpid(pid, 0)\n"
        "print('forked', len(kids))")
    assert "refused 11" in forks, forks                      # EAGAIN: the process limit
    assert int(forks.split("forked")[1]) < 1000, forks
    memory = kernel.run("buf = bytearray(10 * 2**30)\nprint('allocated')")
    assert "ERROR MemoryError" in memory, memory
    assert kernel.run("print(6 * 7)").strip() == "42"        # the kernel lives on
    status, _ = api_call(hub, kernel.token, "GET", "/hub/api/")
    assert status == 200                                      # and the hub did not stall


def test_terminals_are_refused(hub: Hub, kernel: Kernel) -> None:
    status, _ = api_call(hub, kernel.token, "POST", f"/user/{BRUNO}/api/terminals")
    assert status in (403, 404), status


def test_server_does_not_run_config_written_by_the_kernel(hub: Hub, kernel: Kernel) -> None:
    """A kernel may write ~/nbgrader_config.py, but the unsandboxed server never runs it."""
    home = pwd.getpwnam(BRUNO).pw_dir
    kernel.run(f"open({home!r} + '/nbgrader_config.py', 'w').write("
               f"\"open({home!r} + '/escaped', 'w').write('x')\\n\")")
    status, _ = api_call(hub, kernel.token, "GET",
                         f"/user/{BRUNO}/assignments?course_id={COURSE_ID}")
    assert status == 200
    assert "no" == kernel.run(f"import os\nprint('yes' if os.path.exists({home!r} + "
                              "'/escaped') else 'no')").strip()
