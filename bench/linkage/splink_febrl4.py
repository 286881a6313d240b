"""Splink (DuckDB) on FEBRL4, following Splink's own FEBRL4 example model
("detailed model": NameComparison with term-frequency adjustments, date of
birth, Damerau-Levenshtein on soc_sec_id and postcode, exact street number;
u by random sampling, m by EM blocked on date of birth then postcode), scored
at match probability 0.5 against the true pairs.

usage: splink_febrl4.py DATA_DIR [--no-ssid] [--max-pairs N]
prints one JSON line.
"""
import json
import sys
import time

t0 = time.time()
import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

data = sys.argv[1]
no_ssid = "--no-ssid" in sys.argv
max_pairs = 1e6
if "--max-pairs" in sys.argv:
    max_pairs = float(sys.argv[sys.argv.index("--max-pairs") + 1])


def load(name):
    return duckdb.sql(
        f"select * from read_csv('{data}/{name}', all_varchar=true, header=true)"
    ).arrow().read_all()


dfs = [load("febrl4a.csv"), load("febrl4b.csv")]

blocking = [
    block_on("given_name", "surname"),
    "l.given_name = r.surname and l.surname = r.given_name",
    block_on("date_of_birth"),
    block_on("state", "address_1"),
    block_on("street_number", "address_1"),
    block_on("postcode"),
]
comparisons = [
    cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
    cl.NameComparison("surname").configure(term_frequency_adjustments=True),
    cl.DateOfBirthComparison(
        "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
    ),
    cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
    cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
]
deterministic = [block_on("given_name", "surname", "date_of_birth")]
if not no_ssid:
    blocking.insert(3, block_on("soc_sec_id"))
    comparisons.insert(3, cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]))
    deterministic.insert(0, block_on("soc_sec_id"))

settings = SettingsCreator(
    unique_id_column_name="rec_id",
    link_type="link_only",
    blocking_rules_to_generate_predictions=blocking,
    comparisons=comparisons,
)
db_api = DuckDBAPI()
linker = Linker([db_api.register(d) for d in dfs], settings)
linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs)
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("date_of_birth"), estimate_without_term_frequencies=True
)
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("postcode"), estimate_without_term_frequencies=True
)
pred = linker.inference.predict(threshold_match_probability=0.5)
rows = pred.as_duckdbpyrelation().select("rec_id_l, rec_id_r").fetchall()
secs = time.time() - t0

truth = set()
with open(f"{data}/febrl4_true_pairs.csv") as f:
    next(f)
    for line in f:
        a, b = line.strip().split(",")
        truth.add((a, b))
found = set()
for l, r in rows:
    found.add((l, r) if l.endswith("org") or r.endswith("dup-0") else (r, l))
tp = len(found & truth)
p = tp / len(found) if found else 0.0
rc = tp / len(truth)
f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
import splink

print(json.dumps({
    "tool": "splink", "version": splink.__version__, "duckdb": duckdb.__version__,
    "no_ssid": no_ssid, "max_pairs": max_pairs, "matches": len(found), "tp": tp,
    "precision": round(p, 5), "recall": round(rc, 5), "f1": round(f1, 5), "total_s": round(secs, 3),
}))
