"""Argilla -> history store: pull every response and suggestion of the project's datasets.

:func:`sync` reads, for each dataset registered as a round in the :class:`~workbench.store.HistoryStore`
(and, with ``workspaces=``, every dataset of those workspaces), every record with its responses
and suggestions through Argilla's REST API, and appends what changed to the store.

Skeleton: the implementation follows in the next commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.argilla_client import Connection
from workbench.store import HistoryStore


@dataclass
class DatasetReport:
    """What the sync of one dataset did."""

    dataset: str
    dataset_id: str
    records_fetched: int = 0
    responses_seen: int = 0
    new_response_versions: int = 0
    new_suggestion_versions: int = 0
    incremental: bool = False
    seconds: float = 0.0


@dataclass
class SyncReport:
    """What a whole sync did: one :class:`DatasetReport` per dataset."""

    datasets: list[DatasetReport] = field(default_factory=list)
    api_calls: int = 0

    @property
    def new_response_versions(self) -> int:
        return sum(d.new_response_versions for d in self.datasets)

    @property
    def new_suggestion_versions(self) -> int:
        return sum(d.new_suggestion_versions for d in self.datasets)

    @property
    def records_fetched(self) -> int:
        return sum(d.records_fetched for d in self.datasets)


def sync(conn: Connection, store: HistoryStore, *, task: str | None = None, full: bool = False,
         workspaces: tuple[str, ...] = ()) -> SyncReport:
    """Pull responses and suggestions of every registered round (of ``task`` when given) into ``store``.

    One transaction per dataset: an interrupted sync leaves each dataset as it was before it.
    Incremental unless ``full``: only records updated since the dataset's watermark are fetched.
    Raises :class:`~workbench.errors.ServiceError` when Argilla does not answer.
    """
    raise NotImplementedError
