"""Where the pipeline keeps its data, and how it reaches DNS: one resource, read from the env."""

import os
from pathlib import Path

import dagster as dg

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
