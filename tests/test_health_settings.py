"""health.yaml: which fields are required and how the score weighs each problem.

The defaults give the score every earlier report gave. A team's file changes the score and the
share "fine as it is" together, over every stored month; a mistake fails with the file and the
key named. The score and "fine as it is" stand side by side, so a month with 40% on the prune
list cannot read as healthy without the report saying so.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hygiene_pipeline.report import monthly_report as report_module
from hygiene_pipeline.report.health_score import health_trend
from hygiene_pipeline.report.health_settings import (
    PROBLEMS,
    HealthSettings,
    HealthSettingsError,
    load_health_settings,
)
from hygiene_pipeline.store import HygieneStore
from tests.builders import clusters_frame, contacts_frame, prune_frame, validation_frame

AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)
TEAM_FILE = """\
# Our standard: every contact has an owner, a source, an email and a company.
required: [email, owner, lead_source, company]
weights:
  invalid_email: 20
  missing_email: 15
  stale: 15
  bounced_but_marketable: 10
  bad_phone: 5
  missing_owner: 10
  missing_source: 5
  missing_company: 10
  duplicate: 10
min_group_size: 5
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "health.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_defaults_are_the_score_every_earlier_report_gave():
    settings = load_health_settings(None)
    assert settings == HealthSettings()
    assert settings.weights == {
        "invalid_email": 20, "missing_email": 15, "stale": 15, "bounced_but_marketable": 10,
        "bad_phone": 10, "missing_owner": 10, "missing_source": 10, "duplicate": 10,
    }  # fmt: skip
    assert sum(settings.weights.values()) == 100
    assert settings.required == ("email", "owner", "lead_source")
    assert settings.weight("missing_phone") == settings.weight("missing_company") == 0
    assert settings.counted == ("invalid_email", "missing_email", "stale",
                                "bounced_but_marketable", "bad_phone", "missing_owner",
                                "missing_source", "duplicate")  # fmt: skip


def test_the_shipped_file_documents_every_problem_and_sets_the_defaults():
    shipped = Path(__file__).resolve().parent.parent / "data" / "health.yaml"
    settings = load_health_settings(shipped.parent)
    assert settings == HealthSettings(source=str(shipped))
    text = shipped.read_text(encoding="utf-8")
    assert all(f"#   {problem} " in text for problem in PROBLEMS)


def test_a_team_file_sets_required_fields_weights_and_the_group_floor(tmp_path):
    settings = load_health_settings(_write(tmp_path, TEAM_FILE))
    assert settings.required == ("email", "owner", "lead_source", "company")
    assert settings.weight("missing_company") == 10 and settings.weight("missing_phone") == 0
    assert settings.min_group_size == 5
    assert settings.source == str(tmp_path / "health.yaml")
    assert "missing_company" in settings.counted
    assert settings.describe()["weights"]["missing_company"] == 10
    assert load_health_settings(tmp_path / "elsewhere") == HealthSettings()  # no file: defaults


def test_a_required_field_may_cost_no_points_and_still_count_against_fine(tmp_path):
    text = TEAM_FILE.replace("missing_company: 10", "missing_company: 0").replace(
        "duplicate: 10", "duplicate: 20"
    )
    settings = load_health_settings(_write(tmp_path, text))
    assert settings.weight("missing_company") == 0 and "missing_company" in settings.counted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weigths: {}\n", "unknown settings ['weigths']"),
        ("required: [email, fax]\n", "required ['fax'] cannot be required"),
        ("required: email\n", "`required` must be a list"),
        ("weights: {invalid_email: 60, spam_trap: 40}\n", "weights.spam_trap is not a problem"),
        ("weights: {invalid_email: 60, stale: 30}\n", "the weights sum to 90, not 100"),
        ("weights: {invalid_email: 110, stale: -10}\n", "weights.stale must be a number"),
        ("weights: {invalid_email: true, stale: 99}\n", "weights.invalid_email must be a number"),
        ("weights: [invalid_email]\n", "`weights` must map problems to points"),
        ("required: [email]\n", "weights.missing_owner is 10 but `owner` is not in `required`"),
        ("weights: {invalid_email: 90, missing_phone: 10}\n",
         "Add phone to required, or set weights.missing_phone to 0"),
        ("min_group_size: 0\n", "min_group_size must be a whole number"),
        ("- a list\n", "expected a mapping of settings"),
        ("required: [email\n", "not valid YAML"),
    ],
)  # fmt: skip
def test_a_mistake_names_the_file_and_the_key(tmp_path, text, expected):
    with pytest.raises(HealthSettingsError) as error:
        load_health_settings(_write(tmp_path, text))
    assert str(tmp_path / "health.yaml") in str(error.value)
    assert expected in str(error.value)


def test_every_problem_of_the_settings_is_one_the_score_can_measure(tmp_path):
    weights = dict.fromkeys(PROBLEMS, 0) | {"invalid_email": 100 - len(PROBLEMS) + 1}
    weights |= {p: 1 for p in PROBLEMS if p != "invalid_email"}
    required = "[email, phone, company, owner, lead_source]"
    text = f"required: {required}\nweights: {weights}\n"
    settings = load_health_settings(_write(tmp_path, text))
    assert settings.counted == tuple(PROBLEMS)  # every problem weighed: every one counted


def _store(tmp_path: Path) -> HygieneStore:
    """Three months of 20 contacts. October: four without company, two stale, eight on the
    prune list for inactivity (a rule no weight reads), one merged duplicate."""
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    for snapshot in (AUG, SEP, OCT):
        late = snapshot == OCT
        contacts = contacts_frame(snapshot, [{"contact_id": f"c{i}"} for i in range(20)])
        overrides = {f"c{i}": {"issues": ["missing_company"]} for i in range(4)} if late else {}
        overrides |= {"c4": {"issues": ["stale"]}, "c5": {"issues": ["stale"]}} if late else {}
        prune = [(f"c{i}", "re_engage", ["no_engagement_since: 2026-03-01"], None)
                 for i in range(10, 18)] if late else []  # fmt: skip
        prune += [("c19", "merge", ["duplicate_of: c18"], "c18")]
        clusters = clusters_frame(snapshot, [("c18", "k", True), ("c19", "k", False)])
        store.replace_partition(snapshot, {
            "normalized_contacts": contacts,
            "validation_results": validation_frame(contacts, overrides),
            "duplicate_clusters": clusters,
            "prune_list": prune_frame(snapshot, prune),
        })  # fmt: skip
    return store


def test_the_team_weights_change_the_score_of_every_stored_month(tmp_path):
    store = _store(tmp_path)
    default = health_trend(store, OCT)
    team = health_trend(store, OCT, load_health_settings(_write(tmp_path, TEAM_FILE)))
    assert default["score"].to_list() == [99.5, 99.5, 98.0]  # 1 duplicate; + 2 stale
    assert team["score"].to_list() == [99.5, 99.5, 96.0]  # + 4 of 20 without company x 10
    assert default["missing_company"].to_list() == team["missing_company"].to_list()


def test_fine_as_it_is_counts_the_prune_list_and_the_required_fields(tmp_path):
    store = _store(tmp_path)
    default = report_module.build_report(store, OCT)
    # 9 on the prune list (8 inactive, 1 merge), 2 stale: 9 fine. Missing company: not required.
    assert (default.pruned_contacts, default.kept_with_problems, default.fine_contacts) == (9, 2, 9)
    assert default.score == 98.0 and default.fine_share == pytest.approx(9 / 20)
    team = report_module.build_report(store, OCT, load_health_settings(_write(tmp_path, TEAM_FILE)))
    assert (team.pruned_contacts, team.kept_with_problems, team.fine_contacts) == (9, 6, 5)
    assert team.trend["fine_contacts"].to_list() == [19, 19, 5]


def test_a_score_of_98_beside_45_percent_fine_cannot_be_read_alone(tmp_path):
    report = report_module.build_report(_store(tmp_path), OCT)
    headline = report_module.headline_text(report)
    assert headline.startswith("Health score 98.0 / 100 · fine as it is 45.0% (9 of 20")
    assert "on the prune list 45.0% (9)" in headline
    html = report_module.render_html(report)
    score, fine = html.index('id="health-score">98.0<'), html.index('id="fine-as-is">45.0%<')
    assert 0 < fine - score < 400  # side by side, in one headline
    assert "| 2026-10 | 20 | 98.0 | 45.0% | 45.0% |" in report_module.trend_markdown(report)


def test_the_audit_shows_missing_phone_and_company_with_their_points(tmp_path):
    store = _store(tmp_path)
    team = report_module.build_report(store, OCT, load_health_settings(_write(tmp_path, TEAM_FILE)))
    markdown = report_module.audit_markdown(team)
    assert "| No company name | 4 | 20.0% | 10 pts · required |" in markdown
    assert "| No phone | 0 | 0.0% | 0 pts |" in markdown
    assert "| Contacts without email | 0 | 0.0% | 15 pts · required |" in markdown
    html = report_module.render_html(team)
    assert "Required fields: email, owner, lead_source, company" in html
    assert str(tmp_path / "health.yaml") in html
