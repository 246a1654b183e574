"""Adapters to the population registry (Cơ sở dữ liệu quốc gia về dân cư).

Identity is verified against the national population database (Law 26/2023/QH15 on
Identification; Decree 70/2024/NĐ-CP). The platform ships two adapters behind one interface:

- :class:`LocalRegistry` — the embedded default: the ``RegistryRecord`` table (demo and tests);
- :class:`HttpRegistry` — a client for the real service, reached over HTTPS with a bearer token.

``settings.THUDO["POPULATION_REGISTRY"]`` picks one (``"local"`` by default, or ``"http"``);
the HTTP adapter reads ``POPULATION_REGISTRY_URL`` and ``POPULATION_REGISTRY_TOKEN``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from thudo.core.config import config
from thudo.core.errors import DomainError
from thudo.core.text import clean, fold


@dataclass(frozen=True)
class RegistryPerson:
    """What the registry answers about a person whose number, name and date of birth matched."""

    pin: str
    full_name: str
    birth_date: date
    sex: str
    permanent_address: str
    current_address: str = ""
    ethnicity: str = ""
    nationality: str = "Việt Nam"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["birth_date"] = self.birth_date.isoformat()
        return data


class RegistryUnavailable(DomainError):
    """The population registry could not be asked (network, timeout, unexpected answer)."""

    code = "registry_unavailable"
    status = 503

    def default_message(self) -> str:
        return _("Không kết nối được Cơ sở dữ liệu quốc gia về dân cư. Vui lòng thử lại sau.")


class PopulationRegistry(Protocol):
    def verify(self, pin: str, full_name: str, birth_date: date) -> RegistryPerson | None:
        """The registry's data of the person when all three match; ``None`` otherwise."""
        ...


class LocalRegistry:
    """The embedded registry: ``RegistryRecord`` rows, names compared folded (case, diacritics)."""

    def verify(self, pin: str, full_name: str, birth_date: date) -> RegistryPerson | None:
        from thudo.identity.models import RegistryRecord

        record = RegistryRecord.objects.filter(pin=(pin or "").strip()).first()
        if record is None or record.name_key != fold(full_name) or record.birth_date != birth_date:
            return None
        return RegistryPerson(**{f.name: getattr(record, f.name) for f in fields(RegistryPerson)})


class HttpRegistry:
    """Client for the national population database service.

    Request: ``POST {base_url}/citizens/verify`` with ``Authorization: Bearer <token>`` and JSON
    ``{"pin", "full_name", "birth_date": "YYYY-MM-DD"}``.
    Answer: 200 ``{"match": true, "person": {pin, full_name, birth_date, sex, permanent_address,
    current_address?, ethnicity?, nationality?}}`` or ``{"match": false}``; 404 means no match.
    Anything else (network error, timeout, 5xx, malformed body) raises :class:`RegistryUnavailable`.
    """

    def __init__(self, base_url: str, token: str = "", *, timeout: float = 5.0):
        if not base_url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("POPULATION_REGISTRY_URL must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def verify(self, pin: str, full_name: str, birth_date: date) -> RegistryPerson | None:
        body = json.dumps(
            {"pin": pin, "full_name": clean(full_name), "birth_date": birth_date.isoformat()}
        ).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            f"{self.base_url}/citizens/verify", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise RegistryUnavailable() from exc
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise RegistryUnavailable() from exc
        return self._person(payload, pin, full_name, birth_date)

    @staticmethod
    def _person(payload, pin: str, full_name: str, birth_date: date) -> RegistryPerson | None:
        if not isinstance(payload, dict) or "match" not in payload:
            raise RegistryUnavailable()
        if not payload["match"]:
            return None
        data = payload.get("person") or {}
        try:
            person = RegistryPerson(
                pin=str(data["pin"]),
                full_name=clean(data["full_name"]),
                birth_date=date.fromisoformat(data["birth_date"]),
                sex=str(data["sex"]),
                permanent_address=clean(data.get("permanent_address", "")),
                current_address=clean(data.get("current_address", "")),
                ethnicity=clean(data.get("ethnicity", "")),
                nationality=clean(data.get("nationality", "")) or "Việt Nam",
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RegistryUnavailable() from exc
        # Trust, but check: an answer about somebody else is no match.
        if person.pin != pin or fold(person.full_name) != fold(full_name) or person.birth_date != birth_date:
            return None
        return person


def get_registry() -> PopulationRegistry:
    """The adapter named by ``THUDO["POPULATION_REGISTRY"]`` (``local`` by default)."""
    conf = config()
    kind = conf.population_registry
    if kind == "local":
        return LocalRegistry()
    if kind == "http":
        return HttpRegistry(
            conf.population_registry_url,
            conf.population_registry_token,
            timeout=conf.population_registry_timeout,
        )
    raise ImproperlyConfigured(f"Unknown POPULATION_REGISTRY {kind!r} (expected 'local' or 'http')")
