"""Registries: how an app lower in the import order lets the apps above plug in what they own
(ADR 0011). The lower app declares a :class:`Registry` and reads it; each owning app registers
its entries in its ``AppConfig.ready``. No import goes upward, and an app that is absent simply
registers nothing.
"""

from __future__ import annotations

from collections.abc import Iterator


class Registry[T]:
    """An ordered set of entries under a name (for messages and the docs)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: list[T] = []

    def register(self, entry: T) -> T:
        """Add ``entry`` once (registering it again is a no-op); returns it, so it decorates."""
        if entry not in self._entries:
            self._entries.append(entry)
        return entry

    def unregister(self, entry: T) -> None:
        if entry in self._entries:
            self._entries.remove(entry)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self)} entries>"
