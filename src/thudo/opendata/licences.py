"""The licences a dataset may carry. Open data must be free to copy, share, combine and use
commercially (Law on E-Transactions 20/2023/QH15 Art. 43); the default is CC BY 4.0 because no
official Vietnamese open-data licence was found (docs/adr, opendata)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    url: str


LICENCES: dict[str, Licence] = {
    lic.id: lic
    for lic in (
        Licence(
            "cc-by-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"
        ),
        Licence("cc-zero", "Creative Commons CCZero", "https://creativecommons.org/publicdomain/zero/1.0/"),
        Licence(
            "odc-by", "Open Data Commons Attribution License", "https://opendatacommons.org/licenses/by/1-0/"
        ),
        Licence(
            "odc-odbl",
            "Open Data Commons Open Database License (ODbL)",
            "https://opendatacommons.org/licenses/odbl/1-0/",
        ),
    )
}
DEFAULT_LICENCE = "cc-by-4.0"
