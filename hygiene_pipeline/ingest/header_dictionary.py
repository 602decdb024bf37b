"""The headers each canonical field goes by, per CRM and language: data in `headers/*.yaml`.

One file per system (hubspot, salesforce, pipedrive, spreadsheet). Each lists the formats of that
system (how to recognise them, their record-id header, constants such as "a Salesforce Lead is a
lead"), and per canonical field the headers that hold it, grouped by language. Headers are
compared folded (`fold`): case, accents, punctuation, spacing and Salesforce's `__c` suffix do not
count, so "E-mail", "e_mail" and "EMAIL" are one header. A list's order is its priority: when a
file has several columns of one field, the first listed wins where both are filled.

Beside plain headers a system may declare:
- `entity_prefixes`: Pipedrive's "Person - Email - Work": the entity ("Person") and a type
  ("Work", ranked by `types`) around the field; an organization entity's name is the company.
- `relationships`: Salesforce's "Account.Name", "Owner.Name": a related record's field.
- `custom_fields`: Salesforce custom fields (`Lifecycle_Stage__c`) whose name says what they hold.
- `not_mapped`: headers the system writes that no field takes, on purpose (documentation).

The files are validated when loaded: an unknown key, an unknown field, or one folded header
listed under two fields of one system fails with the file and key named.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from hygiene_pipeline.ingest.formats import SOURCE_FIELDS

SYSTEM_FILES = ("hubspot", "salesforce", "pipedrive", "spreadsheet")
# Fields a dictionary may name: the canonical source fields, the record id, and mobile_phone
# (read as `phone`, after the landline and work numbers).
DICTIONARY_FIELDS = (*SOURCE_FIELDS, "record_id", "mobile_phone")
_SYSTEM_KEYS = {"system", "formats", "fields", "entity_prefixes", "types", "relationships",
                "custom_fields", "content_hints", "not_mapped"}  # fmt: skip
_FORMAT_KEYS = {"name", "record_id", "identified_by", "requires", "constants"}
_ENTITIES = ("person", "organization")
_CUSTOM_SUFFIX = re.compile(r"__c$", re.IGNORECASE)
_NOT_ALNUM = re.compile(r"[^0-9a-z\u0370-\u03ff]+")


class HeaderDictionaryError(ValueError):
    """A header dictionary file that cannot be used; the message names the file and key."""


def fold(header: str) -> str:
    """The comparison form of a header: lower-case letters and digits only, accents off.

    Greek stays Greek (its accents off, final sigma as sigma); Salesforce's `__c` goes.
    """
    text = _CUSTOM_SUFFIX.sub("", header.strip())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_ALNUM.sub("", plain.replace("ς", "σ"))


@dataclass(frozen=True)
class FormatRule:
    """One export format of a system: how a file is recognised as it, and what it implies."""

    name: str
    system: str
    record_id: tuple[str, ...]  # folded headers, in priority order
    identified_by: frozenset[str]  # folded; one of them present (empty: no marker needed)
    requires: frozenset[str]  # folded; all present
    constants: Mapping[str, str]

    def recognises(self, folded_headers: set[str]) -> bool:
        if not self.requires <= folded_headers:
            return False
        return not self.identified_by or bool(self.identified_by & folded_headers)


@dataclass(frozen=True)
class SystemDictionary:
    """Everything one system's file says about headers, folded and ready to look up."""

    system: str
    source: str
    formats: tuple[FormatRule, ...]
    fields: Mapping[str, tuple[str, int]]  # folded header -> (field, priority)
    entity_prefixes: Mapping[str, str] = field(default_factory=dict)  # folded prefix -> entity
    types: Mapping[str, int] = field(default_factory=dict)  # folded type word -> rank
    organization_fields: Mapping[str, str] = field(default_factory=dict)  # folded -> field
    relationships: Mapping[tuple[str, str], str] = field(default_factory=dict)
    custom_fields: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    content_hints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def format_named(self, name: str) -> FormatRule | None:
        return next((rule for rule in self.formats if rule.name == name), None)


def _words(value: Any, where: str) -> list[str]:
    """Headers of one list, or of every language of a {language: [headers]} mapping, in order."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    if isinstance(value, Mapping):
        return [word for language in value for word in _words(value[language], where)]
    raise HeaderDictionaryError(f"{where}: expected a header, a list or {{language: [headers]}}")


def _refuse_unknown(data: Mapping, allowed: Iterable[str], where: str) -> None:
    unknown = sorted(str(key) for key in data if key not in set(allowed))
    if unknown:
        raise HeaderDictionaryError(f"{where}: unknown key(s) {unknown}; allowed {sorted(allowed)}")


def _field_table(
    entries: Mapping, where: str, taken: dict[str, tuple[str, int]] | None = None
) -> dict[str, tuple[str, int]]:
    """folded header -> (field, priority); a folded header under two fields is an error."""
    table: dict[str, tuple[str, int]] = {} if taken is None else taken
    if not isinstance(entries, Mapping):
        raise HeaderDictionaryError(f"{where}: expected field: headers")
    _refuse_unknown(entries, DICTIONARY_FIELDS, where)
    for name, value in entries.items():
        for priority, header in enumerate(_words(value, f"{where}.{name}")):
            key = fold(header)
            if not key:
                raise HeaderDictionaryError(f"{where}.{name}: {header!r} has no letters or digits")
            if key in table and table[key][0] != name:
                raise HeaderDictionaryError(
                    f"{where}: {header!r} is listed under both {table[key][0]} and {name}"
                )
            table.setdefault(key, (name, priority))
    return table


def _format_rule(data: Any, system: str, where: str) -> FormatRule:
    if not isinstance(data, Mapping) or "name" not in data:
        raise HeaderDictionaryError(f"{where}: each format needs a `name`")
    _refuse_unknown(data, _FORMAT_KEYS, where)
    constants = data.get("constants") or {}
    if not isinstance(constants, Mapping):
        raise HeaderDictionaryError(f"{where}.constants: expected field: value")
    _refuse_unknown(constants, SOURCE_FIELDS, f"{where}.constants")
    record_id = tuple(dict.fromkeys(fold(h) for h in _words(data.get("record_id"), where)))
    if not record_id:
        raise HeaderDictionaryError(f"{where}: `record_id` names no header")
    return FormatRule(
        name=str(data["name"]),
        system=system,
        record_id=record_id,
        identified_by=frozenset(fold(h) for h in _words(data.get("identified_by"), where)),
        requires=frozenset(fold(h) for h in _words(data.get("requires"), where)),
        constants={str(key): str(value) for key, value in constants.items()},
    )


def system_dictionary(document: Any, source: str) -> SystemDictionary:
    """Validate one parsed `headers/<system>.yaml` and fold it for lookups."""
    if not isinstance(document, Mapping):
        raise HeaderDictionaryError(f"{source}: expected a mapping at the top")
    _refuse_unknown(document, _SYSTEM_KEYS, source)
    system = document.get("system")
    if not isinstance(system, str) or not system:
        raise HeaderDictionaryError(f"{source}: `system` is required")
    formats = document.get("formats")
    if not isinstance(formats, list) or not formats:
        raise HeaderDictionaryError(f"{source}: `formats` must list at least one format")
    rules = tuple(
        _format_rule(item, system, f"{source}: formats[{n}]") for n, item in enumerate(formats)
    )
    fields = _field_table(document.get("fields") or {}, f"{source}: fields")
    prefixes: dict[str, str] = {}
    organization: dict[str, str] = {}
    entity_data = document.get("entity_prefixes") or {}
    _refuse_unknown(entity_data, _ENTITIES, f"{source}: entity_prefixes")
    for entity in _ENTITIES:
        section = entity_data.get(entity) or {}
        words = section.get("prefix") if isinstance(section, Mapping) else None
        for word in _words(words, f"{source}: entity_prefixes.{entity}.prefix"):
            prefixes[fold(word)] = entity
        if entity == "organization" and isinstance(section, Mapping):
            organization = {
                key: name
                for key, (name, _) in _field_table(
                    section.get("fields") or {}, f"{source}: entity_prefixes.organization.fields"
                ).items()
            }
    type_data = document.get("types") or {}
    if not isinstance(type_data, Mapping):
        raise HeaderDictionaryError(f"{source}: types: expected {{type: {{language: [words]}}}}")
    types = {
        fold(word): rank
        for rank, kind in enumerate(type_data)
        for word in _words(type_data[kind], f"{source}: types.{kind}")
    }
    _words(document.get("not_mapped"), f"{source}: not_mapped")  # documentation: headers read
    # as nothing on purpose; validated so a typo in the file is still caught
    relationships: dict[tuple[str, str], str] = {}
    for relation, columns in (document.get("relationships") or {}).items():
        table = _field_table(columns or {}, f"{source}: relationships.{relation}", None)
        for key, (name, _) in table.items():
            relationships[(fold(relation), key)] = name
    custom = _field_table(document.get("custom_fields") or {}, f"{source}: custom_fields")
    hints = document.get("content_hints") or {}
    _refuse_unknown(hints, DICTIONARY_FIELDS, f"{source}: content_hints")
    return SystemDictionary(
        system=system,
        source=source,
        formats=rules,
        fields=fields,
        entity_prefixes=prefixes,
        types=types,
        organization_fields=organization,
        relationships=relationships,
        custom_fields=custom,
        content_hints={
            name: tuple(fold(word) for word in _words(words, f"{source}: content_hints.{name}"))
            for name, words in hints.items()
        },
    )


@lru_cache(maxsize=1)
def shipped_dictionaries() -> tuple[SystemDictionary, ...]:
    """The dictionaries in `headers/`, in SYSTEM_FILES order (the order formats are tried)."""
    folder = resources.files(__package__).joinpath("headers")
    loaded = []
    for system in SYSTEM_FILES:
        source = f"hygiene_pipeline/ingest/headers/{system}.yaml"
        try:
            document = yaml.safe_load(folder.joinpath(f"{system}.yaml").read_text("utf-8"))
        except yaml.YAMLError as error:
            raise HeaderDictionaryError(f"{source}: not valid YAML: {error}") from None
        loaded.append(system_dictionary(document, source))
    names = [rule.name for dictionary in loaded for rule in dictionary.formats]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise HeaderDictionaryError(f"header dictionaries: format names used twice: {repeated}")
    return tuple(loaded)


def format_names() -> tuple[str, ...]:
    """Every built-in format name, in the order they are tried."""
    return tuple(rule.name for dictionary in shipped_dictionaries() for rule in dictionary.formats)


def system_of_format(name: str) -> str:
    """The system a built-in format belongs to (salesforce for salesforce-lead)."""
    return next(
        rule.system
        for dictionary in shipped_dictionaries()
        for rule in dictionary.formats
        if rule.name == name
    )
