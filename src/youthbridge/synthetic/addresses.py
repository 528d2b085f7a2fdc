"""Home addresses and phone numbers: real zip codes, invented streets and numbers.

Zip codes and street names are public geography of the Aurora and Cherry Creek
area; house numbers are drawn at random and phone numbers use the 555 exchange
that is reserved for fiction.
"""

from __future__ import annotations

import polars as pl

from youthbridge.synthetic.draws import below, choose, uniform
from youthbridge.synthetic.facts import DistrictProfile

CITY_OF_ZIP: dict[str, str] = {
    "80010": "Aurora", "80011": "Aurora", "80012": "Aurora", "80013": "Aurora",
    "80014": "Aurora", "80015": "Aurora", "80016": "Aurora", "80017": "Aurora",
    "80018": "Aurora", "80019": "Aurora", "80045": "Aurora", "80047": "Aurora",
    "80111": "Greenwood Village", "80112": "Centennial", "80121": "Centennial",
    "80122": "Centennial", "80231": "Denver", "80237": "Denver", "80247": "Denver",
}  # fmt: skip

STREETS: tuple[str, ...] = (
    "E Colfax Ave", "S Havana St", "E Iliff Ave", "S Buckley Rd",
    "E Mississippi Ave", "S Chambers Rd", "E Alameda Ave", "S Peoria St",
    "E Hampden Ave", "S Parker Rd", "E Arapahoe Rd", "S Quebec St", "E Yale Ave",
    "S Tower Rd", "E Jewell Ave", "S Picadilly Rd", "E 6th Ave", "E 17th Ave",
    "S Dayton St", "E Evans Ave", "Columbine Ct", "Meadowlark Ln", "Piñon Pl",
    "Aspen Way", "Blue Spruce Dr", "Kittredge Cir", "Smoky Hill Rd",
)  # fmt: skip


def with_address(
    frame: pl.DataFrame, key: str, profile: DistrictProfile, seed: int, stream: str
) -> pl.DataFrame:
    """Add street, city, state, zip and phone drawn for each row's key."""

    def draw(name: str) -> pl.Expr:
        return uniform(pl.col(key), seed, f"{stream}/{name}")

    zips = list(profile.zip_weights)
    number = (below(draw("number"), 19_900) + 100).cast(pl.String)
    unit = (below(draw("unit"), 40) + 1).cast(pl.String)
    street = pl.format("{} {}", number, choose(draw("street"), STREETS))
    line = below(draw("line"), 10_000).cast(pl.String).str.zfill(4)
    area = choose(draw("area"), ("303", "720"))
    return frame.with_columns(
        street=pl.when(draw("has-unit") < 0.3)
        .then(pl.format("{} Apt {}", street, unit))
        .otherwise(street),
        zip=choose(draw("zip"), zips, list(profile.zip_weights.values())),
        state=pl.lit("CO"),
        phone=pl.format(profile.phone_format, area, line),
    ).with_columns(city=pl.col("zip").replace_strict(CITY_OF_ZIP))
