"""Which corrections go back to the CRM: a validated settings file, `writeback.yaml`.

A team decides what the pipeline may change in its CRM: never the job titles, say, or the lead
sources only once their picklist holds the standard values. Unknown keys and fields fail the run
with the file and key named, so a typo never silently writes a field nobody asked for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

SETTINGS_FILE = "writeback.yaml"
# Fields a correction can be written back to, and the default set. lead_source is off by
# default: CRMs keep it in a picklist (Salesforce) or a read-only property (HubSpot's Original
# Source), which the standard values may not fit. lifecycle_stage is never written: it decides
# protection, and the pipeline only reads it.
WRITABLE_FIELDS = ("first_name", "last_name", "email", "phone", "company", "job_title",
                   "country", "lead_source", "owner")  # fmt: skip
DEFAULT_FIELDS = ("first_name", "last_name", "email", "phone", "company", "job_title", "country")


class WritebackSettingsError(ValueError):
    """A writeback.yaml that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class WritebackSettings:
    """What the update files may change."""

    fields: tuple[str, ...] = DEFAULT_FIELDS
    email_suggestions: bool = False  # write "did you mean" typo fixes (gmial.com -> gmail.com)
    golden_record: bool = True  # fill a survivor's blanks from the records merged into it

    def describe(self) -> dict[str, Any]:
        return {**asdict(self), "fields": list(self.fields)}


def load_writeback_settings(data_dir: Path | None) -> WritebackSettings:
    """The defaults, with what `data_dir/writeback.yaml` sets."""
    path = Path(data_dir) / SETTINGS_FILE if data_dir is not None else None
    if path is None or not path.exists():
        return WritebackSettings()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise WritebackSettingsError(f"{path}: not valid YAML: {error}") from None
    return writeback_settings_from_mapping(data, str(path))


def writeback_settings_from_mapping(data: Any, source: str = "writeback") -> WritebackSettings:
    if not isinstance(data, dict):
        raise WritebackSettingsError(f"{source}: expected a mapping of settings")
    known = ("fields", "email_suggestions", "golden_record")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise WritebackSettingsError(f"{source}: unknown settings {unknown}; known: {list(known)}")
    settings: dict[str, Any] = {}
    if "fields" in data:
        fields = data["fields"]
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise WritebackSettingsError(f"{source}: `fields` must be a list of field names")
        wrong = sorted(set(fields) - set(WRITABLE_FIELDS))
        if wrong:
            raise WritebackSettingsError(
                f"{source}: `fields` {wrong} cannot be written back; writable: "
                f"{list(WRITABLE_FIELDS)}"
            )
        settings["fields"] = tuple(dict.fromkeys(fields))
    for name in ("email_suggestions", "golden_record"):
        if name in data:
            if not isinstance(data[name], bool):
                raise WritebackSettingsError(f"{source}: `{name}` must be true or false")
            settings[name] = data[name]
    return WritebackSettings(**settings)
