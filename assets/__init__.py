"""The Dagster layer: one module per asset, plus partitions, schedules, resources, Definitions.

Loaded from the project root (workspace.yaml `working_directory`), never pip-installed, so the
generic package name `assets` cannot clash with another installed package.
"""
