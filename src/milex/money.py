"""Money behind NATO's figures: the GDP behind a share, the edition's euro rates, scales.

Amounts are million national currency or million USD/EUR, at current prices or at NATO's
constant (2021) prices, as each function says; shares are percent of GDP, never fractions.
Scales change only through :func:`milex.vocab.rescale`.
"""

from __future__ import annotations

import pandas as pd

from milex.catalog import read_toml

#: NATO indicators behind a gap and behind the GDP of a NATO figure.
GAP_INDICATORS = [
    "share_gdp",
    "spend_usd_current",
    "spend_usd_const",
    "gdp_usd_const",
    "equipment_share",
    "spend_national_current",
    "spend_national_const",
]


def euro_reference() -> str:
    """The euro-area ally whose figures give an edition's EUR/USD rates (``conventions.toml``)."""
    return read_toml("conventions.toml")["money"]["euro_reference"]


def gdp_behind(wide: pd.DataFrame) -> pd.DataFrame:
    """The GDP behind NATO's figures (million, current prices): ``gdp_usd_current`` and
    ``gdp_national_current``.

    NATO's share of GDP is the ratio of spending to GDP at constant prices, equal to the ratio
    at current prices, so GDP at current prices = Table 5 GDP (2021 prices) x current / constant
    spending; unlike spending / share it does not carry the rounding of the share to two
    decimals. Editions without constant-price tables (2024) fall back on spending / share.
    ``wide`` has one row per country-year and the :data:`GAP_INDICATORS` as columns.
    """
    wide = wide.reindex(columns=GAP_INDICATORS)
    scale = wide["gdp_usd_const"] / wide["spend_usd_const"]
    fallback = 100 / wide["share_gdp"]
    return pd.DataFrame(
        {
            "gdp_usd_current": wide["spend_usd_current"] * scale.fillna(fallback),
            "gdp_national_current": wide["spend_national_current"] * scale.fillna(fallback),
        },
        index=wide.index,
    )


def euro_rates(wide: pd.DataFrame) -> tuple[float, float]:
    """EUR per USD at current and at constant prices, from one edition's own figures of the
    euro reference ally (NaN, NaN when the edition has no such figures)."""
    reference = euro_reference()
    if reference not in wide.index:
        return float("nan"), float("nan")
    ref = wide.loc[reference]
    return (
        ref["spend_national_current"] / ref["spend_usd_current"],
        ref["spend_national_const"] / ref["spend_usd_const"],
    )
