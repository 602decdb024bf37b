"""Where the pipeline keeps its data, and how it reaches DNS: one resource, read from the env."""

import functools
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import dagster as dg

from assets.process_exit import skip_collections_at_exit
from hygiene_pipeline.store import HygieneStore

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class HygieneResource(dg.ConfigurableResource):
    """The data root ($HYGIENE_DATA_DIR, default `data/` in the project) and its DuckDB file."""

    data_dir: str | None = None
    nameservers: str | None = None

    @property
    def root(self) -> Path:
        configured = self.data_dir or os.environ.get("HYGIENE_DATA_DIR")
        return Path(configured).resolve() if configured else PROJECT_ROOT / "data"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def nameserver_setting(self) -> str | None:
        """HYGIENE_NAMESERVERS: unset = system resolver, `off` = no network checks."""
        return (
            self.nameservers
            if self.nameservers is not None
            else os.environ.get("HYGIENE_NAMESERVERS")
        )

    @property
    def policy_file(self) -> Path:
        """The prune policy (YAML); absent means the balanced defaults."""
        return self.root / "prune_policy.yaml"

    @property
    def erasure_register(self) -> Path:
        return self.root / "erasure_requests.csv"

    def out_dir(self, month: str) -> Path:
        """Where a month's CRM import files go: out/YYYY-MM/."""
        return self.root / "out" / month

    def store(self) -> HygieneStore:
        return HygieneStore(self.root / "hygiene.duckdb")


_Step = TypeVar("_Step", bound=Callable)


def in_one_session(step: _Step) -> _Step:
    """Run a step (an asset or its checks) with one DuckDB connection for all its reads and
    writes (`HygieneStore.session`), closed when the step ends; its process then skips the
    garbage collections at exit (`assets.process_exit`). The step keeps its signature, so Dagster
    still sees its context and resources."""

    def store_of(kwargs: dict) -> HygieneStore:
        skip_collections_at_exit()
        return kwargs["hygiene"].store()

    if inspect.isgeneratorfunction(step):

        @functools.wraps(step)
        def generator(*args, **kwargs):
            with store_of(kwargs).session():
                yield from step(*args, **kwargs)

        return generator  # type: ignore[return-value]

    @functools.wraps(step)
    def function(*args, **kwargs):
        with store_of(kwargs).session():
            return step(*args, **kwargs)

    return function  # type: ignore[return-value]
