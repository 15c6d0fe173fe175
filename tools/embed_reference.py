"""Write milex's embedded data (src/milex/data) from the reference compilation in shared/data.

Run from the repository root:  python tools/embed_reference.py [--reference ../shared/data]

It reads every reference observation file, keeps SIPRI's embedded subset only (see
editions.toml), drops exact duplicates (the same figure reported twice for one edition) and
refuses conflicting ones, then writes one observation file per dataset edition, sources.csv
(one row per distinct origin text) and copies of the pledges and munitions tables. Running it
twice on the same input writes the same bytes, so a test can check the embedded copy is current.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import pandas as pd

from milex.sources.reference import read_observations, read_table

OBSERVATION_FILES = [
    "nato_defence_expenditure.csv",
    "nato_defence_expenditure_2025.csv",
    "nato_defence_expenditure_2026.csv",
    "sipri_milex.csv",
    "imf_weo_gdp.csv",
    "imf_weo_oct2025_gdp.csv",
    "exchange_ppp_worldbank.csv",
]
KEY = ["source", "vintage", "iso3", "year", "indicator"]
OBS_COLUMNS = ["source_id", "iso3", "year", "indicator", "value", "unit", "status"]


def collect(reference: Path, sipri_subset: list[str]) -> pd.DataFrame:
    """All reference observations, SIPRI limited to its subset, duplicates resolved."""
    frames = [read_observations(reference / name) for name in OBSERVATION_FILES]
    obs = pd.concat(frames, ignore_index=True)
    obs = obs[(obs["source"] != "sipri") | obs["iso3"].isin(sipri_subset)]
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
    obs = collect(args.reference, editions["sipri"]["2025-04"]["embedded"])
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
    for name in ("pledges.csv", "munitions.csv"):
        read_table(args.reference / name).to_csv(args.out / name, index=False, lineterminator="\n")
    print(
        f"wrote {len(obs)} observations from {len(origins)} origins to {args.out}", file=sys.stderr
    )


if __name__ == "__main__":
    main()
