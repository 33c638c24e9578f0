"""Integrity of the status-code registry data file (logstat/data/status_codes.toml).

The reference list of codes and the seed-article facts are copied into this file as
literals, and checks them against the copy of the reference fact sheet in tests/reference/.
When that CSV is checked out next to the repository, the literals are checked against it.
"""

import csv
import tomllib
from pathlib import Path

import pytest

TOML_PATH = Path(__file__).resolve().parents[1] / "logstat" / "data" / "status_codes.toml"
# A copy of the project's reference fact sheet (shared/reference/status-codes.csv).
CSV_PATH = Path(__file__).resolve().parent / "reference" / "status-codes.csv"

# The `code` column of shared/reference/status-codes.csv (87 rows).
REFERENCE_CODES = frozenset({
    "000", "009", "100", "101", "102", "103", "104", "200", "201", "202", "203", "204",
    "205", "206", "207", "208", "226", "300", "301", "302", "303", "304", "305", "306",
    "307", "308", "400", "401", "402", "403", "404", "405", "406", "407", "408", "409",
    "410", "411", "412", "413", "414", "415", "416", "417", "418", "421", "422", "423",
    "424", "425", "426", "428", "429", "431", "444", "449", "451", "456", "457", "460",
    "463", "464", "494", "495", "496", "497", "499", "500", "501", "502", "503", "504",
    "505", "506", "507", "508", "510", "511", "520", "521", "522", "523", "524", "525",
    "526", "530", "561",
})

# Codes listed by the 2016 seed article (CSV in_seed == yes), mapped to whether the article
# tags them "（HTTP 1.1新）" (CSV seed_http11_new == yes). Codes absent here are not in the seed.
SEED = {
    "100": True, "101": True, "200": False, "201": False, "202": False, "203": True,
    "204": False, "205": True, "206": True, "300": False, "301": False, "302": False,
    "303": True, "304": False, "305": True, "307": True, "400": False, "401": False,
    "403": False, "404": False, "405": True, "406": True, "407": True, "408": True,
    "409": True, "410": True, "411": True, "412": True, "413": True, "414": True,
    "416": True, "500": False, "501": False, "502": False, "503": False, "504": True,
    "505": True,
}

KINDS = {"standard", "nginx", "vendor", "unassigned", "pseudo"}
REGISTRATIONS = {"permanent", "deprecated", "obsoleted", "temporary", "unregistered"}
VENDORS = {"", "nginx", "Cloudflare", "AWS ALB", "Microsoft"}

# CSV `kind` -> (kind, registration, vendor) in the TOML.
CSV_KIND_MAP = {
    "standard": ("standard", "permanent", ""),
    "deprecated": ("standard", "deprecated", ""),
    "obsoleted": ("standard", "obsoleted", ""),
    "temporary": ("standard", "temporary", ""),
    "unused": ("unassigned", "permanent", ""),
    "nginx-nonstandard": ("nginx", "unregistered", "nginx"),
    "log-pseudo": ("pseudo", "unregistered", "nginx"),
    "vendor-cloudflare": ("vendor", "unregistered", "Cloudflare"),
    "vendor-aws-alb": ("vendor", "unregistered", "AWS ALB"),
    "vendor-microsoft": ("vendor", "unregistered", "Microsoft"),
}

STRING_FIELDS = ("reason", "reason_zh", "kind", "registration", "vendor", "spec")
BOOL_FIELDS = ("in_seed", "seed_http11_new")
LANG_FIELDS = ("meaning", "causes", "check")


@pytest.fixture(scope="module")
def data() -> dict:
    with TOML_PATH.open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def csv_rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_schema_version(data):
    assert data["schema_version"] == 1


def test_classes(data):
    assert set(data["classes"]) == {"1", "2", "3", "4", "5"}
    for num, cls in data["classes"].items():
        assert set(cls) == {"label_en", "label_zh", "meaning_en", "meaning_zh"}, num
        for key, value in cls.items():
            assert isinstance(value, str) and value.strip(), (num, key)


def test_codes_match_reference(data):
    assert set(data["codes"]) == REFERENCE_CODES


def test_reference_literals_match_csv(csv_rows):
    codes = [row["code"] for row in csv_rows]
    assert len(codes) == len(set(codes))
    assert set(codes) == REFERENCE_CODES
    for row in csv_rows:
        assert (row["in_seed"] == "yes") == (row["code"] in SEED), row["code"]
        assert (row["seed_http11_new"] == "yes") == SEED.get(row["code"], False), row["code"]


def test_entries_follow_csv(data, csv_rows):
    for row in csv_rows:
        entry = data["codes"][row["code"]]
        assert (entry["kind"], entry["registration"], entry["vendor"]) == CSV_KIND_MAP[row["kind"]], row["code"]
        assert entry["spec"] == row["spec"], row["code"]


@pytest.mark.parametrize("code", sorted(REFERENCE_CODES))
def test_entry_fields(data, code):
    entry = data["codes"][code]
    assert len(code) == 3 and code.isdigit()
    assert set(entry) == set(STRING_FIELDS) | set(BOOL_FIELDS) | {"en", "zh"}
    for key in STRING_FIELDS:
        assert isinstance(entry[key], str), key
    for key in ("reason", "reason_zh", "kind", "registration", "spec"):
        assert entry[key].strip(), key
    for key in BOOL_FIELDS:
        assert isinstance(entry[key], bool), key

    assert entry["kind"] in KINDS
    assert entry["registration"] in REGISTRATIONS
    assert entry["vendor"] in VENDORS
    if entry["kind"] == "vendor":
        assert entry["vendor"] in {"Cloudflare", "AWS ALB", "Microsoft"}
    elif entry["kind"] in {"nginx", "pseudo"}:
        assert entry["vendor"] == "nginx"
    else:
        assert entry["vendor"] == ""
    if entry["kind"] in {"nginx", "pseudo", "vendor"}:
        assert entry["registration"] == "unregistered"
        assert not entry["reason"].startswith("(")
    else:
        assert entry["registration"] != "unregistered"

    for lang in ("en", "zh"):
        block = entry[lang]
        assert set(block) == set(LANG_FIELDS), lang
        assert isinstance(block["meaning"], str) and block["meaning"].strip(), lang
        for key in ("causes", "check"):
            items = block[key]
            assert isinstance(items, list) and items, (lang, key)
            assert all(isinstance(i, str) and i.strip() for i in items), (lang, key)
    assert 1 <= len(entry["en"]["causes"]) <= 5
    assert 1 <= len(entry["en"]["check"]) <= 4
    assert len(entry["en"]["causes"]) == len(entry["zh"]["causes"])
    assert len(entry["en"]["check"]) == len(entry["zh"]["check"])


@pytest.mark.parametrize("code", sorted(REFERENCE_CODES))
def test_seed_flags(data, code):
    entry = data["codes"][code]
    assert entry["in_seed"] is (code in SEED)
    assert entry["seed_http11_new"] is SEED.get(code, False)


def test_seed_counts(data):
    codes = data["codes"].values()
    assert sum(e["in_seed"] for e in codes) == 37
    assert sum(e["seed_http11_new"] for e in codes) == 21
    assert len(SEED) == 37
    assert sum(SEED.values()) == 21
