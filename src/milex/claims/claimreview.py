"""A check's claims as schema.org ClaimReview JSON-LD, for fact-checkers' sites.

One ``ClaimReview`` per claim (https://schema.org/ClaimReview): the sentence as
``claimReviewed``, the verdict as a ``Rating`` (3 supported, 2 partly supported, 1 contradicted;
a claim that is not checkable has no rating value, only its name) in the text's language, the
reason as ``reviewBody`` and the editions behind the evidence as ``citation``.
"""

from __future__ import annotations

import datetime as dt

from milex.claims import wording
from milex.result import Result

#: Rating values of the verdicts (best 3, worst 1); not checkable has none.
RATINGS = {"supported": 3, "partly supported": 2, "contradicted": 1}


def claimreview(result: Result, published: dt.date | None = None) -> list[dict]:
    """The ClaimReview objects of a ``check`` result (one per claim), dated ``published``
    (default: today)."""
    day = (published or dt.date.today()).isoformat()
    urls = {row.id: row.url for row in result.sources.itertuples()} if len(result.sources) else {}
    reviews = []
    for claim in result.extra["claims"]:
        rating = {
            "@type": "Rating",
            "alternateName": wording.verdict(claim["verdict"], claim["lang"]),
            "bestRating": 3,
            "worstRating": 1,
        }
        if claim["verdict"] in RATINGS:
            rating["ratingValue"] = RATINGS[claim["verdict"]]
        ids = {i for e in claim["evidence"] if e["source_id"] for i in e["source_id"].split(";")}
        item = {"@type": "Claim"}
        if result.query.get("date"):
            item["datePublished"] = result.query["date"]
        reviews.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "datePublished": day,
                "inLanguage": claim["lang"],
                "claimReviewed": claim["text"],
                "itemReviewed": item,
                "author": {"@type": "Organization", "name": "milex"},
                "reviewRating": rating,
                "reviewBody": claim["reason"],
                "citation": sorted({urls[i] for i in ids if urls.get(i)}),
            }
        )
    return reviews
