"""The vectorized dedupe paths give what the straightforward ones they replaced gave.

Each test runs the engine and a short reference implementation (the earlier, slower code) on
the same messy month: international names, accents, Greek and Cyrillic, swapped fields, role
mailboxes, +tags, odd addresses, placeholder phones, blanks, whitespace-only values and ties.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from hygiene_pipeline import schema
from hygiene_pipeline.dedupe.clustering import _greedy_clusters, cluster_pairs
from hygiene_pipeline.dedupe.find import find_duplicate_clusters, find_duplicate_clusters_with_stats
from hygiene_pipeline.dedupe.keys import (
    BLOCK_TYPES,
    _holds_name_part,
    _local_part,
    _name_keys,
    _spelled_from_name,
    blocking_keys,
    candidate_pairs,
    contact_features,
    identifier_columns,
    key_hash,
    rows_of,
)
from hygiene_pipeline.dedupe.merge_plan import MERGE_FIELDS, MERGE_PLAN, build_merge_plan
from hygiene_pipeline.dedupe.name_similarity import _sorted_letters
from hygiene_pipeline.dedupe.scoring import _join_sides
from hygiene_pipeline.normalize.mailboxes import ROLE_ACCOUNTS
from tests.builders import contacts_frame

SNAPSHOT = dt.date(2026, 10, 1)
FIRST = [
    "Jan",
    "Jürgen",
    "Juergen",
    "Sanne",
    "Chloé",
    "Γιώργος",
    "Ирина",
    "J.",
    "S",
    "Wim",
    "Willem",
    "de Wit",
    "Anne-Marie",
    "  Kees ",
    None,
    "",
    "Ólafur",
    "Łukasz",
    "María José",
]
LAST = [
    "Jansen",
    "Janssen",
    "Müller",
    "Mueller",
    "van der Berg",
    "Berg",
    "Παπαδόπουλος",
    "Иванова",
    "O'Brien",
    "Nguyễn",
    "de Vries",
    "Vso",
    "Vos",
    None,
    " ",
    "Hartmann",
]
LOCALS = [
    "jan.jansen",
    "jjansen",
    "jansenj",
    "jan",
    "info",
    "sales",
    "bolle",
    "j.jansen1978",
    "jansen2",
    "jan.jansen+crm",
    "kees.berg",
    "muller.jurgen",
    "ab",
    "x@y",
    "a\nb",
    "giorgos.papadopoulos",
    "irina",
    "mueller",
    "Jurgen.Mueller",
    "jan jansen",
    "+tag",
]
DOMAINS = ["brouwer.nl", "gmail.com", "web.de", "example.gr", "", "@", "acme.co.uk"]
PHONES = [
    "+31612345678",
    "+31201234567",
    "+31612873402",
    "+33612873402",
    "+15550100123",
    "+491701111111",
    None,
    " +31612873402 ",
]
COMPANIES = [
    "Brouwer Logistiek B.V.",
    "brouwer logistiek",
    "ACME Ltd",
    "n/a",
    "Student",
    None,
    "Müller GmbH",
    "  ",
]
TITLES = ["CEO", "Geschäftsführer", "Sales Manager", None, "sales manager", ""]  # fmt: skip


def _plain(name: str | None) -> str:
    """Letters without accents or dots (Jürgen: jurgen), the way people spell their mailbox."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in decomposed if c.isascii() and c.isalpha()).lower()


def _email(rng: random.Random, first: str | None, last: str | None) -> str | None:
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.12:
        return rng.choice(["no-address", "@brouwer.nl", "jan@", "a@b@c.nl", " Jan@Brouwer.NL "])
    f, l = _plain(first), _plain(last)  # noqa: E741
    spelled = [f + l, l + f, f[:1] + l, l + f[:1], f + l[:1], l[:1] + f, f, l]
    local = rng.choice(spelled) if roll < 0.45 and f + l else rng.choice(LOCALS)
    if rng.random() < 0.2:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(DOMAINS)}"


def messy_month(size: int = 400, seed: int = 7) -> pl.DataFrame:
    """`size` contacts drawn from small pools, so many share emails, phones and names."""
    rng = random.Random(seed)
    rows = []
    for number in range(size):
        day = dt.datetime(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 3))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append(
            {
                "contact_id": f"c{rng.randint(0, size * 3):05d}",  # some listed twice
                "first_name": first,
                "last_name": last,
                "email": _email(rng, first, last),
                "phone": rng.choice(PHONES),
                "phone_type": rng.choice(["mobile", "landline", None]),
                "company": rng.choice(COMPANIES),
                "job_title": rng.choice(TITLES),
                "owner": rng.choice(["sales-1", None, " "]),
                "lifecycle_stage": rng.choice(["lead", "customer", "Opportunity", None]),
                "lead_status": rng.choice(["new", None, ""]),
                "country": rng.choice(["NL", "DE", "GR", None]),
                "created_at": day,
                "updated_at": rng.choice([day, None, day + dt.timedelta(days=1)]),
                "last_activity_at": rng.choice([day, None]),
                "source_row": number,
            }
        )
    return contacts_frame(SNAPSHOT, rows)


@pytest.fixture(scope="module")
def month() -> pl.DataFrame:
    return messy_month()


@pytest.fixture(scope="module")
def features(month: pl.DataFrame) -> pl.DataFrame:
    rows = month.unique("contact_id", keep="first", maintain_order=True)
    rng = random.Random(5)
    rows = rows.with_columns(  # two identifiers, often blank, sometimes equal to each other
        date_of_birth=pl.Series(
            [rng.choice(["1978-01-02", "1980-05-06", None, " "]) for _ in rows.iter_rows()]
        ),
        national_id=pl.Series(
            [rng.choice(["1978-01-02", "123456782", None]) for _ in rows.iter_rows()]
        ),
    )
    identifiers = ("date_of_birth", "national_id")
    return contact_features(rows.sort("contact_id").with_row_index("idx"), identifiers)


# --- references: the earlier implementations -------------------------------------------------


_LOCAL_CORE = pl.col("local").str.replace_all(r"[^a-z0-9]", "").str.replace(r"(\D)\d{1,2}$", "${1}")


def _reference_personal_local() -> pl.Expr:
    """Every test on every row (needs column local_core); the module runs the exact spellings
    only on the rows the cheap tests leave undecided."""
    local, core = pl.col("local"), pl.col("local_core")
    from_name = _spelled_from_name()
    for name in ("first", "first_canon", "last", "last_full"):
        part = pl.col(name).fill_null("")
        part = part.str.slice(0, 3) if name.startswith("last") else part
        from_name = from_name | (
            (part.str.len_chars() >= 3) & core.str.contains(part, literal=True)
        )
    unreadable = pl.any_horizontal(
        pl.col(name).fill_null("").str.contains(r"[^a-z]") for name in ("first", "last_full")
    )
    usable = (
        (core.str.len_chars() >= 5)
        & ~local.is_in(ROLE_ACCOUNTS)
        & (core.str.contains(r"\d") | ~(from_name | unreadable))
    )
    return pl.when(usable).then(local)


def _reference_blocking_keys(features: pl.DataFrame) -> pl.DataFrame:
    names = pl.concat(
        [features.select("idx", "company", "personal_local", name_key=key) for key in _name_keys()]
    ).drop_nulls("name_key")

    def block(frame: pl.DataFrame, block_type: str, *columns: str) -> pl.DataFrame:
        return frame.select(
            block_type=pl.lit(BLOCK_TYPES.index(block_type), dtype=pl.UInt8),
            key=key_hash(*columns),
            idx="idx",
        )

    parts = [
        block(features, "email", "email"),
        block(features, "phone", "phone"),
        block(names, "name+company", "name_key", "company"),
        block(names, "name+local", "name_key", "personal_local"),
    ]
    for position, column in enumerate(identifier_columns(features)):
        tagged = pl.concat_str(pl.lit(f"{position}:"), pl.col(column)).alias("identifier")
        parts.append(block(features.with_columns(tagged), "identifier", "identifier"))
        with_names = pl.concat(
            [features.select("idx", column, name_key=key) for key in _name_keys()]
        ).drop_nulls("name_key")
        parts.append(block(with_names, "name+identifier", "name_key", column))
    return pl.concat(parts).drop_nulls("key").unique()


def _reference_candidate_pairs(keys: pl.DataFrame, block_cap: int) -> tuple[pl.DataFrame, dict]:
    sizes = keys.group_by("block_type", "key").agg(size=pl.len())
    stats = {}
    for block_type, name in enumerate(BLOCK_TYPES):
        size = sizes.filter(pl.col("block_type") == block_type).get_column("size")
        stats[name] = {
            "blocks": int((size >= 2).sum()),
            "skipped_blocks": int((size > block_cap).sum()),
            "skipped_block_rows": int(size.filter(size > block_cap).sum()),
        }
    usable = sizes.filter((pl.col("size") >= 2) & (pl.col("size") <= block_cap))
    members = keys.join(usable, on=["block_type", "key"], how="semi")
    pairs = (
        members.join(members, on=["block_type", "key"], suffix="_b")
        .filter(pl.col("idx") < pl.col("idx_b"))
        .select(a="idx", b="idx_b")
        .unique()
    )
    return pairs, stats


def _reference_merge_plan(contacts: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    members = clusters.select("snapshot", "contact_id", "cluster_id", "is_survivor").join(
        contacts.select(
            "snapshot", "contact_id", "updated_at", "last_activity_at", "created_at",
            *[pl.col(name).cast(pl.String) for name in MERGE_FIELDS],
        ).unique(["snapshot", "contact_id"], keep="first", maintain_order=True),
        on=["snapshot", "contact_id"], how="left",
    )  # fmt: skip
    survivors = members.filter("is_survivor").select(
        "snapshot", "cluster_id", survivor_id="contact_id"
    )
    index = ["snapshot", "contact_id", "cluster_id", "is_survivor", "updated_at",
             "last_activity_at", "created_at"]  # fmt: skip
    long = members.unpivot(index=index, on=list(MERGE_FIELDS), variable_name="field")
    long = long.with_columns(value=pl.col("value").str.strip_chars())
    chosen = (
        long.filter(pl.col("value").str.len_chars() > 0)
        .sort(
            ["is_survivor", "updated_at", "last_activity_at", "created_at", "contact_id"],
            descending=[True, True, True, True, False],
            nulls_last=True,
        )
        .group_by("snapshot", "cluster_id", "field", maintain_order=True)
        .first()
        .select(
            "snapshot", "cluster_id", "field", "contact_id", "value",
            rule=pl.when("is_survivor").then(pl.lit("survivor")).otherwise(pl.lit("filled_from_newest")),
        )
    )  # fmt: skip
    grid = survivors.join(pl.DataFrame({"field": list(MERGE_FIELDS)}), how="cross")
    plan = grid.join(chosen, on=["snapshot", "cluster_id", "field"], how="left").with_columns(
        contact_id=pl.coalesce("contact_id", "survivor_id"), rule=pl.col("rule").fill_null("blank")
    )
    order = pl.col("field").replace_strict({n: i for i, n in enumerate(MERGE_FIELDS)})
    return schema.conform(plan.sort("snapshot", "cluster_id", order), MERGE_PLAN)


# --- the tests ---------------------------------------------------------------------------------


def test_local_part_matches_the_capture_group_it_replaces():
    emails = pl.Series(
        "email",
        ["jan@x.nl", "jan+crm@x.nl", "a@b@c.nl", "@x.nl", "jan@", "a\nb@x.nl", "jan@x\n.nl",
         "ø@ü.de", "no-address", "", None, "+tag@x.nl", "a+b+c@x.nl", "a@@x.nl", "@"],
    )  # fmt: skip
    reference = emails.str.extract(r"^(.+)@[^@]+$").str.replace(r"\+.*$", "")
    ours = pl.select(_local_part(pl.lit(emails))).to_series()
    assert ours.to_list() == reference.to_list()


def test_personal_local_parts_match_the_all_rows_expression(features: pl.DataFrame):
    expected = features.with_columns(local_core=_LOCAL_CORE).select(
        pl.col("idx"), personal_local=_reference_personal_local()
    )
    assert_frame_equal(features.select("idx", "personal_local"), expected)
    # The data exercise every branch, among them local parts only an exact spelling catches
    # (jurgenm@ for Jürgen Müller: no "juergen", no "mue" in it).
    branches = features.with_columns(local_core=_LOCAL_CORE).select(
        personal=pl.col("personal_local").is_not_null().sum(),
        name_spelled=(pl.col("local").is_not_null() & pl.col("personal_local").is_null()).sum(),
        exact_only=(
            _spelled_from_name() & ~_holds_name_part() & (pl.col("local_core").str.len_chars() >= 5)
        ).sum(),
    )
    assert all(count > 0 for count in branches.row(0)), branches


def test_blocking_keys_and_candidate_pairs_match_the_unique_based_ones(features: pl.DataFrame):
    keys = blocking_keys(features)
    expected = _reference_blocking_keys(features)
    assert set(keys.get_column("block_type")) == set(range(len(BLOCK_TYPES)))
    order = ["block_type", "key", "idx"]
    assert_frame_equal(keys.sort(order), expected.sort(order))
    for cap in (2, 3, 200):
        pairs, stats = candidate_pairs(keys, cap)
        expected_pairs, expected_stats = _reference_candidate_pairs(expected, cap)
        assert stats == expected_stats
        assert_frame_equal(pairs.sort("a", "b"), expected_pairs.sort("a", "b"))
    assert candidate_pairs(keys.clear(), 200)[0].height == 0


def test_join_sides_is_an_inner_join_on_both_ends():
    per_record = pl.DataFrame(
        {"idx": [5, 0, 3, 9], "name": ["e", "a", "c", None], "n": [5, 0, 3, 9]},
        schema={"idx": pl.UInt32, "name": pl.String, "n": pl.Int64},
    )
    pairs = pl.DataFrame({"a": [0, 3, 0, 4, 9], "b": [5, 9, 12, 5, 3]}, schema_overrides={
        "a": pl.UInt32, "b": pl.UInt32})  # fmt: skip
    expected = pairs.join(
        per_record.rename(lambda name: f"{name}_a"), left_on="a", right_on="idx_a"
    ).join(per_record.rename(lambda name: f"{name}_b"), left_on="b", right_on="idx_b")
    assert_frame_equal(_join_sides(pairs, per_record), expected, check_row_order=False)
    assert _join_sides(pairs.clear(), per_record).height == 0
    assert rows_of(pl.Series([4, 1]), pl.Series([1, 7, 4])).to_list() == [1, None, 0]


def test_sorted_letters_per_distinct_name():
    names = pl.Series(["bos", "bso", None, "ñandú", "bos", "a"])
    expected = names.str.split("").list.sort().list.join("")
    assert _sorted_letters(names).to_list() == expected.to_list()


def test_merge_plan_matches_the_sort_and_group_one(month: pl.DataFrame):
    contacts = month.unique("contact_id", keep="first", maintain_order=True)
    later = contacts.with_columns(snapshot=pl.lit(SNAPSHOT + dt.timedelta(days=31)))
    both = pl.concat([contacts, later.sample(fraction=0.7, seed=3)])
    clusters = find_duplicate_clusters(both)
    assert clusters.get_column("snapshot").n_unique() == 2
    assert_frame_equal(build_merge_plan(both, clusters), _reference_merge_plan(both, clusters))


def test_clusters_do_not_depend_on_row_order_with_contact_ids_listed_twice(month: pl.DataFrame):
    assert month.get_column("contact_id").is_duplicated().any()
    clusters, stats = find_duplicate_clusters_with_stats(month)
    shuffled, shuffled_stats = find_duplicate_clusters_with_stats(
        month.sample(fraction=1.0, shuffle=True, seed=11)
    )
    assert clusters.height > 0
    assert_frame_equal(clusters, shuffled)
    assert stats == shuffled_stats


@pytest.mark.parametrize("max_cluster_size", [1, 2, 3, 10])
def test_lone_pairs_cluster_as_the_greedy_loop_would(max_cluster_size: int):
    rng = random.Random(max_cluster_size)
    tangled = {tuple(sorted(rng.sample(range(40), 2))) for _ in range(60)}
    lone = [(100 + 2 * number, 101 + 2 * number) for number in range(10)]  # match nothing else
    matches = pl.DataFrame(
        [(a, b, rng.choice([0.7, 0.8, 0.9])) for a, b in sorted(tangled) + lone],
        schema={"a": pl.UInt32, "b": pl.UInt32, "score": pl.Float64},
        orient="row",
    )
    # Known apart: two lone pairs, some tangled matches and a pair that did not match.
    known_apart = [lone[0], lone[3], *sorted(tangled)[::7], (1, 99)]
    apart = pl.DataFrame(known_apart, schema={"a": pl.UInt32, "b": pl.UInt32}, orient="row")
    expected = _greedy_clusters(matches, max_cluster_size, apart)
    assert cluster_pairs(matches, max_cluster_size, apart) == expected
    assert cluster_pairs(matches, max_cluster_size) == _greedy_clusters(
        matches, max_cluster_size, apart.clear()
    )
    if max_cluster_size >= 2:
        assert expected[1]["refused_apart"] >= 2 and expected[0][lone[1][1]] == lone[1][0]
