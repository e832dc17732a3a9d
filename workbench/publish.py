"""Publishing a guideline version: what annotators read in Argilla, and what the store remembers.

``workbench guidelines publish TASK VERSION``:

1. sets the guidelines text of every **open** round of the task to that version
   (:func:`~workbench.guidelines.render_for_argilla`: the body with the version stamped at the
   top). A round is open while its dataset has pending records; a finished round keeps the text
   its annotators worked under;
2. records the publication in the history store, for each dataset it changed and task-wide
   (under the key ``task:<name>``, :func:`workbench.rounds.task_key`), at the time the
   publication started. A round created later runs under the version then in force, and every
   response synced afterwards gets the version in force on its dataset when it was submitted
   (:meth:`~workbench.store.HistoryStore.guideline_version_at`).

Publishing the version already in force changes no dataset text but is recorded again (the
history shows it was re-published).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbench.guidelines import render_for_argilla
from workbench.rounds import task_key
from workbench.tasks import Task

if TYPE_CHECKING:
    import argilla as rg

    from workbench.store import HistoryStore


@dataclass
class PublishReport:
    task: str
    version: int
    label: str
    updated: list = field(default_factory=list)  # dataset names whose text changed
    already: list = field(default_factory=list)  # open datasets that already showed this version
    finished: list = field(default_factory=list)  # rounds left alone (no pending record)
    missing: list = field(default_factory=list)  # recorded rounds whose dataset is gone

    def __str__(self) -> str:
        lines = [f"published {self.task} guideline {self.label}: in force for new rounds and responses from now on"]
        if self.updated:
            lines.append(f"  guidelines text updated on: {', '.join(self.updated)}")
        if self.already:
            lines.append(f"  already showing v{self.version}: {', '.join(self.already)}")
        if self.finished:
            lines.append(f"  finished rounds left as they were: {', '.join(self.finished)}")
        if self.missing:
            lines.append(f"  recorded rounds whose dataset no longer exists: {', '.join(self.missing)}")
        if not (self.updated or self.already):
            lines.append("  no open round to update")
        return "\n".join(lines)


def publish_guideline(cl: rg.Argilla, store: HistoryStore, task: Task, version: int | str) -> PublishReport:
    """Publish ``version`` of ``task``'s guideline (see the module docstring)."""
    from workbench.argilla_client import quiet
    from workbench.store import utcnow

    gv = task.load_guideline().get(version)
    text = render_for_argilla(gv)
    report = PublishReport(task.name, gv.version, gv.label)
    published_at = utcnow()
    targets = []
    rounds = store.rounds(task.name)
    for row in rounds.itertuples(index=False):
        ws = quiet(cl.workspaces, row.workspace)
        ds = quiet(cl.datasets, name=row.dataset, workspace=ws) if ws is not None else None
        if ds is None:
            report.missing.append(row.dataset)
            continue
        progress = ds.progress()
        if int(progress.get("pending", 0)) == 0 and int(progress.get("total", 0)) > 0:
            report.finished.append(row.dataset)
            continue
        targets.append(ds)
    for ds in targets:
        if (ds.settings.guidelines or "") == text:
            report.already.append(ds.name)
        else:
            ds.settings.guidelines = text
            ds.update()
            report.updated.append(ds.name)
        store.record_guideline_publication(task=task.name, dataset_id=str(ds.id), version=gv.version,
                                           published_at=published_at)
    store.record_guideline_publication(task=task.name, dataset_id=task_key(task.name), version=gv.version,
                                       published_at=published_at)
    return report
