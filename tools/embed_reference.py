"""Write milex's embedded data (src/milex/data) from the reference compilation in shared/data.

Run from the repository root:  python tools/embed_reference.py [--reference ../shared/data]

It reads every reference observation file, keeps SIPRI's embedded subset only (each SIPRI
edition's own ``embedded`` list in editions.toml), drops exact duplicates (the same figure
reported twice for one edition, e.g. the August 2025 edition's Table 3 and its earlier partial
transcriptions) and refuses conflicting ones, then writes one observation file per dataset
edition, sources.csv (one row per distinct origin text) and copies of the pledges, munitions and
defence-specific PPP tables (``defence_ppp.csv``: published military PPP estimates, each row
with its ``source``). Running it twice on the same input writes the same bytes, so a test can
check the embedded copy is current.

Each row's edition is told from its source text by the registry of ``editions.toml`` (each
edition's ``reader`` and ``match``). Two things are handled here rather than in the reader
(``milex.readers.reference``):

* a SIPRI file is cut to the embedded countries before it is read (the full April 2026 release
  has units such as "million local currency (Pesos) current" for countries not embedded);
* a per-cell remark in a citation ("cell value 1.330681866 rounded here to 2 decimals") is
  cut to a common text, so that one table gives one origin rather than one per figure.

Each file may give only the editions listed for it in ``OBSERVATION_FILES``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from pathlib import Path

import pandas as pd

from milex.readers import edition_rules
from milex.readers.reference import read_observations, read_table

#: Reference observation files and the editions (source, vintage) each one holds, in the order
#: they are read: where two files give the same figure of one edition, the first one's citation
#: is kept (so the partial 2025 transcriptions keep theirs where Table 3 repeats them).
OBSERVATION_FILES: dict[str, set[tuple[str, str]]] = {
    "nato_defence_expenditure.csv": {("nato", "2024-06"), ("nato", "2025-08")},
    "nato_defence_expenditure_2025.csv": {("nato", "2025-08")},
    "nato_defence_expenditure_2025_table3.csv": {("nato", "2025-08")},
    "nato_defence_expenditure_2026.csv": {("nato", "2026-07")},
    "sipri_milex.csv": {("sipri", "2025-04")},
    "sipri_milex_2026.csv": {("sipri", "2026-04")},
    "imf_weo_gdp.csv": {("weo", "2025-04")},
    "imf_weo_oct2025_gdp.csv": {("weo", "2025-10")},
    "imf_weo_apr2026.csv": {("weo", "2026-04")},
    "exchange_ppp_worldbank.csv": {("wdi", "2025-07"), ("wdi", "2026-03")},
}
#: Per-figure remarks cut from citations (pattern, replacement), so an origin is a text shared
#: by the figures read the same way. The unrounded cell values stay in the reference file.
CITATION_EDITS: list[tuple[str, str]] = [
    (
        r"; cell value -?\d+(\.\d+)?(e-?\d+)? rounded here to 2 decimals$",
        "; cell values rounded to 2 decimals by the reference compilation",
    ),
]
#: Reference tables copied as they are (rows re-written with the same line endings).
COPIED = ("pledges.csv", "munitions.csv", "defence_ppp.csv")
KEY = ["source", "vintage", "iso3", "year", "indicator"]
OBS_COLUMNS = ["source_id", "iso3", "year", "indicator", "value", "unit", "status"]


def read_file(
    path: Path, editions: set[tuple[str, str]], sipri_subsets: dict[str, list[str]]
) -> pd.DataFrame:
    """One reference file in the tidy shape, refused if it holds an edition not expected.

    A SIPRI file is cut to its editions' embedded subsets before it is read: the full release
    has rows the reader need not understand (units such as "million local currency (Pesos)
    current" for countries milex does not embed).
    """
    sipri = sorted(vintage for source, vintage in editions if source == "sipri")
    if sipri:
        if set(sipri) - set(sipri_subsets):
            missing = sorted(set(sipri) - set(sipri_subsets))
            raise SystemExit(f"no embedded subset in editions.toml for sipri {missing}")
        members = {iso3 for vintage in sipri for iso3 in sipri_subsets[vintage]}
        raw = read_table(path)
        with tempfile.TemporaryDirectory() as tmp:
            subset = Path(tmp) / path.name
            raw[raw["iso3"].isin(members)].to_csv(subset, index=False, lineterminator="\n")
            obs = read_observations(subset, edition_rules("reference"))
    else:
        obs = read_observations(path, edition_rules("reference"))
    found = set(zip(obs["source"], obs["vintage"], strict=True))
    if not found <= editions:
        raise SystemExit(f"{path.name}: unexpected edition(s) {sorted(found - editions)}")
    for pattern, replacement in CITATION_EDITS:
        obs["citation"] = obs["citation"].str.replace(pattern, replacement, regex=True)
    return obs


def collect(reference: Path, sipri_subsets: dict[str, list[str]]) -> pd.DataFrame:
    """All reference observations, each SIPRI edition limited to its embedded subset,
    duplicates resolved."""
    frames = [
        read_file(reference / name, editions, sipri_subsets)
        for name, editions in OBSERVATION_FILES.items()
    ]
    obs = pd.concat(frames, ignore_index=True)
    in_subset = pd.Series(
        [
            iso3 in sipri_subsets.get(v, ())
            for v, iso3 in zip(obs["vintage"], obs["iso3"], strict=True)
        ],
        index=obs.index,
    )
    obs = obs[(obs["source"] != "sipri") | in_subset]
    dupes = obs[obs.duplicated(KEY, keep=False)]
    conflicts = dupes.groupby(KEY)["value"].nunique()
    if (conflicts > 1).any():
        raise SystemExit(f"conflicting figures for one edition:\n{conflicts[conflicts > 1]}")
    return obs.drop_duplicates(KEY, keep="first")


def number_origins(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct citation within an edition, with a stable id like nato-2026-07-3."""
    origins = obs[["source", "vintage", "citation"]].drop_duplicates().copy()
    origins["n"] = origins.groupby(["source", "vintage"]).cumcount() + 1
    origins["id"] = origins["source"] + "-" + origins["vintage"] + "-" + origins["n"].astype(str)
    return origins[["id", "source", "vintage", "citation"]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("src/milex/data"))
    args = parser.parse_args(argv)
    editions = tomllib.loads((args.out / "editions.toml").read_text(encoding="utf-8"))
    subsets = {vintage: meta["embedded"] for vintage, meta in editions["sipri"].items()}
    obs = collect(args.reference, subsets)
    origins = number_origins(obs)
    obs = obs.merge(origins, on=["source", "vintage", "citation"]).rename(
        columns={"id": "source_id"}
    )
    folder = args.out / "observations"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    for (source, vintage), part in obs.groupby(["source", "vintage"]):
        part = part.sort_values(["iso3", "indicator", "year"])[OBS_COLUMNS]
        part.to_csv(folder / f"{source}_{vintage}.csv", index=False, lineterminator="\n")
    origins.to_csv(args.out / "sources.csv", index=False, lineterminator="\n")
    for name in COPIED:
        read_table(args.reference / name).to_csv(args.out / name, index=False, lineterminator="\n")
    print(
        f"wrote {len(obs)} observations from {len(origins)} origins to {args.out}", file=sys.stderr
    )


if __name__ == "__main__":
    main()
