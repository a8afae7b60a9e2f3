"""No circle of imports between the modules of automl, architectures and desktop.

The check is docs/architecture.md's grimp snippet: every import counts, including those
inside functions (they run too), except imports under `if TYPE_CHECKING:`, which never run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph():
    """Returns the import graph of this checkout (not of an installed copy)."""
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph(
            "automl", "architectures", "desktop", exclude_type_checking_imports=True
        )
    finally:
        sys.path.remove(str(ROOT))


def import_cycles(graph) -> set[tuple[str, ...]]:
    """Returns each circle of imports once, as a tuple starting at its smallest module."""
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                loop = (module, *chain[:-1])
                start = loop.index(min(loop))
                cycles.add(loop[start:] + loop[:start])
    return cycles


def test_the_packages_hold_no_import_cycle(graph):
    cycles = sorted(" -> ".join((*loop, loop[0])) for loop in import_cycles(graph))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_cycle_check_finds_a_cycle():
    class Graph:
        modules = {"a", "b", "c"}
        edges = {"a": {"b"}, "b": {"a"}, "c": {"a"}}

        def find_modules_directly_imported_by(self, module):
            return self.edges[module]

        def find_shortest_chain(self, importer, imported):
            return (importer, imported) if imported in self.edges[importer] else None

    assert import_cycles(Graph()) == {("a", "b")}


def test_data_knows_no_kind_of_data(graph):
    """`automl.data` stays modality-free: the kinds' loaders live in their rooms."""
    data = {m for m in graph.modules if m == "automl.data" or m.startswith("automl.data.")}
    rooms = [
        (importer, imported)
        for importer in sorted(data)
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.startswith("automl.modalities")
    ]
    assert not rooms, rooms
