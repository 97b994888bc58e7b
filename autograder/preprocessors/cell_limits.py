"""nbgrader's Execute, made so that one cell's runaway costs that cell, not the notebook.

:class:`CellLimits` is the base of :class:`autograder.preprocessors.execute.SandboxedExecute`:

* a cell that fails on its own account (once interrupted at the timeout it does
  not go idle within the IOPub wait; the kernel dies) gets an error output saying
  what happened, and the notebook goes on; after a dead kernel the cells left are
  not run (``stopped`` says why, and their tests fail with that reason);
* the cells of a notebook share ``notebook_time_limit`` seconds: each cell's
  timeout is cut to what is left, and once it is spent the cells left are not run;
* output is capped while it arrives, before it can fill the grader's memory:
  ``cell_output_limit`` bytes a cell, ``notebook_output_limit`` a notebook; what
  is dropped is counted, and the cell ends with a note saying how much; the
  client queues few messages (:class:`CappedClient`), so a flood waits in the
  kernel's memory, not the grader's;
* a notebook of more than ``max_cells`` cells or ``max_source_bytes`` of source
  is not run at all (:meth:`CellLimits.too_big` says why).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import zmq
import zmq.asyncio
from jupyter_client import AsyncKernelClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Float, Integer, default

from dnn_ref.i18n import _

#: The output messages the budgets count (errors are always kept: the judge reads them).
CAPPED = {"stream", "display_data", "execute_result", "update_display_data"}


def stopped_output(ename: str, reason: str) -> NotebookNode:
    """The error output of a cell that failed for the grader's reasons, not the kernel's."""
    return NotebookNode(output_type="error", ename=ename, evalue=reason,
                        traceback=[f"{ename}: {reason}"])


def cell_name(cell: NotebookNode, index: int) -> str:
    """How messages name a cell: its grade_id, else "cell <number>" (counted from 1)."""
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    return grade_id or _("cell {number}").format(number=index + 1)


def _size(content: dict[str, Any]) -> int:
    """About how many bytes an output message's content holds."""
    part = content.get("data") or content.get("text") or content.get("traceback") or ""
    return len(part) if isinstance(part, str) else len(json.dumps(part))


QUEUED = 2
"""Messages a grading kernel's client keeps queued (ZMQ's RCVHWM; ZMQ's default is 1000)."""


class CappedClient(AsyncKernelClient):
    """A kernel client whose sockets queue at most :data:`QUEUED` messages on the grader's
    side: the rest of a flood of huge displays waits in the kernel's own queue (the
    sandbox's memory, where ZMQ drops what overflows) instead of the grader's. Measured with
    60 displays of 32 MB: the grader's peak memory 1051 MB without it, 348 MB with it."""

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RCVHWM, QUEUED)
        return context


class CellLimits(Execute):
    """Execute with per-cell failure containment, a notebook time limit and output caps."""

    notebook_time_limit = Float(
        600, help="Seconds all the cells of one notebook may run together; once spent, the "
                  "cells left are not run (their tests fail saying so).").tag(config=True)
    cell_output_limit = Integer(
        2_000_000, help="Bytes of output one cell keeps while it runs; the rest is dropped "
                        "and a note says how much.").tag(config=True)
    notebook_output_limit = Integer(
        20_000_000, help="Bytes of output all the cells of one notebook keep while they "
                         "run.").tag(config=True)
    max_cells = Integer(
        2_000, help="A notebook with more cells is not run at all (its tests fail saying "
                    "why): tens of thousands of cells cost minutes and memory outside every "
                    "time limit.").tag(config=True)
    max_source_bytes = Integer(
        2_000_000, help="A notebook whose cells' source holds more characters is not run at "
                        "all.").tag(config=True)

    def too_big(self, nb: NotebookNode) -> str:
        """Why ``nb`` is not run at all ('' when it is within the bounds)."""
        cells = len(nb.cells)
        size = sum(len(c.get("source", "")) for c in nb.cells)
        if cells > self.max_cells:
            what = _("{n} cells (at most {limit} are run)").format(
                n=f"{cells:,}", limit=f"{self.max_cells:,}")
        elif size > self.max_source_bytes:
            what = _("{n} characters of code and text (at most {limit} are run)").format(
                n=f"{size:,}", limit=f"{self.max_source_bytes:,}")
        else:
            return ""
        return _("not run: the notebook has {what}; delete the extra cells (scratch work, "
                 "pasted data) and submit it again").format(what=what)

    def capped(self, km: Any) -> Any:
        """``km``, making clients that queue few messages (:class:`CappedClient`)."""
        km.client_factory = CappedClient
        return km

    def reset_limits(self) -> None:
        """Start a notebook: full time budget, no output kept, nothing stopped."""
        self._started, self.stopped = time.monotonic(), ""
        self._kept: dict[int, int] = {}
        self._dropped: dict[int, int] = {}

    def start_clock(self) -> None:
        """The notebook's time counts from now (the kernel is up)."""
        self._started = time.monotonic()

    def run_or_skip(self, cell: NotebookNode, resources: Any, index: int
                    ) -> tuple[NotebookNode, Any]:
        """Run a code cell, or give it a NotRun error when grading has stopped."""
        if not (cell.cell_type == "code" and cell.source.strip()):
            return self._run_cell(cell, resources, index)
        if not self.stopped and self._time_left() <= 0:
            self.stopped = _("not run: the notebook's time for grading ({seconds} s for all "
                             "its cells) was spent").format(
                                 seconds=f"{self.notebook_time_limit:g}")
        if self.stopped:
            cell.outputs = [stopped_output("NotRun", self.stopped)]
            return cell, resources
        return self._run_cell(cell, resources, index)

    def _run_cell(self, cell: NotebookNode, resources: Any, index: int
                  ) -> tuple[NotebookNode, Any]:
        """Run one cell; its own failure (IOPub timeout, dead kernel) costs only that cell."""
        where = cell_name(cell, index)
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except (CellTimeoutError, DeadKernelError) as exc:
            task = getattr(self, "_output_task", None)
            if task is not None and not task.done():
                task.cancel()   # else it would eat the next cell's output
            dead = isinstance(exc, DeadKernelError) or not self._kernel_alive()
            if dead:
                reason = _("the kernel died while {cell} ran (out of memory, or the code "
                           "ended the process)").format(cell=where)
                self.stopped = _("not run: {reason}; nothing after it could run").format(
                    reason=reason)
                self.log.warning("%s: kernel died; the cells after it are not run", where)
            else:
                reason = _("the cell was interrupted after the time limit and then took "
                           "more than {seconds} s to stop ({error})").format(
                               seconds=self.iopub_timeout, error=exc)
                self.log.warning("%s: %s", where, reason)
            cell.outputs = [o for o in cell.get("outputs", []) if o.output_type != "error"]
            cell.outputs.append(stopped_output("KernelDied" if dead else "CellTimeoutError",
                                                reason))
            resources = self.resources
        if self._dropped.get(index):
            cell.outputs.append(NotebookNode(
                output_type="stream", name="stderr", text=_(
                    "[output truncated while grading: {size} MB dropped]").format(
                        size=f"{self._dropped[index] / 1e6:.1f}") + "\n"))
        return cell, resources

    def _kernel_alive(self) -> bool:
        try:
            return bool(run_sync(ensure_async)(self.km.is_alive()))
        except Exception:
            return False

    def _time_left(self) -> float:
        return self.notebook_time_limit - (time.monotonic() - self._started)

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        """nbgrader's per-cell timeout, but never past the notebook's time limit."""
        timeout, left = super()._get_timeout(cell), max(1, int(self._time_left()) + 1)
        return left if timeout is None else min(timeout, left)

    async def _async_poll_output_msg(self, parent_msg_id: str, cell: NotebookNode,
                                     cell_index: int) -> None:
        self._output_task = asyncio.current_task()
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)

    def process_message(self, msg: dict[str, Any], cell: NotebookNode, cell_index: int
                        ) -> NotebookNode | None:
        """Keep an output (or a display update) only within the output budgets.

        Display updates count too: each rewrites outputs already kept, so a small
        display updated to a huge one would otherwise bypass the caps.
        """
        if msg.get("msg_type") in CAPPED:
            size = _size(msg.get("content", {}))
            kept = self._kept.get(cell_index, 0)
            if (kept + size > self.cell_output_limit
                    or sum(self._kept.values()) + size > self.notebook_output_limit):
                self._dropped[cell_index] = self._dropped.get(cell_index, 0) + size
                return None
            self._kept[cell_index] = kept + size
        return super().process_message(msg, cell, cell_index)
