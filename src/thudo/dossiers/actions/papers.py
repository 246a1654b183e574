"""Which papers a dossier must carry: the one rule that the submission page and the write path share.

Do not ask for what the state holds (Decree 104/2022/NĐ-CP; Law 20/2023/QH15 on identification;
Decision 06/QĐ-TTg): a paper marked ``from_population_db`` is not asked of a person whose identity
was verified against the population registry (the commune reads it from the national population
database). A declaration (tờ khai) is satisfied by the procedure's interactive e-form when the
procedure defines one and the answers are given (Circular 04/2024/TT-BTP: mẫu hộ tịch điện tử
tương tác). Every other mandatory paper needs a file or a re-used earlier paper.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from thudo.core import eform
from thudo.core.text import fold

ASKED = "upload"
FROM_POPULATION_DB = "population_db"
BY_EFORM = "eform"


def verified_citizen(person):
    """The person's citizen record when it was verified against the registry, else None."""
    try:
        citizen = person.citizen
    except (ObjectDoesNotExist, AttributeError):
        return None
    if citizen is None or not getattr(citizen, "pin", None) or getattr(citizen, "verified_at", None) is None:
        return None
    return citizen


def has_eform(procedure) -> bool:
    return bool(procedure.eform_schema)


@dataclass(frozen=True)
class PaperNeed:
    paper: Any
    how: str  # ASKED, FROM_POPULATION_DB or BY_EFORM

    @property
    def asked(self) -> bool:
        return self.how == ASKED


def paper_needs(procedure, *, by, eform_given: bool) -> list[PaperNeed]:
    """Each paper of ``procedure`` and how it is provided for an online submission by ``by``."""
    verified = verified_citizen(by) is not None
    out = []
    for paper in procedure.papers.all():
        if verified and paper.from_population_db:
            out.append(PaperNeed(paper, FROM_POPULATION_DB))
        elif eform_given and paper.kind == "declaration" and has_eform(procedure):
            out.append(PaperNeed(paper, BY_EFORM))
        else:
            out.append(PaperNeed(paper, ASKED))
    return out


def not_asked(procedure, *, by, form_data: dict | None) -> set[int]:
    """Ids of the mandatory papers that need no file (for the completeness check)."""
    given = bool((form_data or {}).get("eform"))
    return {n.paper.pk for n in paper_needs(procedure, by=by, eform_given=given) if not n.asked}


def missing(papers: Iterable, *, covered: Collection[int], not_asked: Collection[int] = ()) -> list:
    """The one completeness rule: the mandatory papers (of ``papers``) that have neither a file
    nor a re-used earlier paper (``covered``: paper ids) and are asked for (not in ``not_asked``).
    The actions refuse a dossier with any; the forms show the same papers as errors."""
    return [p for p in papers if p.mandatory and p.pk not in not_asked and p.pk not in covered]


def clean_form_data(procedure, form_data: dict | None) -> dict:
    """``form_data`` with its e-form answers checked against the procedure's schema."""
    data = dict(form_data or {})
    if data.get("eform") is not None:
        if not has_eform(procedure):
            data.pop("eform")
        else:
            data["eform"] = eform.clean_answers(procedure.eform_schema, data["eform"])
    return data


def fits(paper, earlier) -> bool:
    """May ``earlier`` (an attachment of an earlier dossier) stand for ``paper``? Only a paper of
    the same kind; for papers of no particular kind, one with the same name."""
    other = getattr(earlier, "paper", None)
    if other is None:
        return False
    if paper.kind != "other":
        return other.kind == paper.kind
    return fold(other.name) == fold(paper.name)
