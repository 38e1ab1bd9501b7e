"""Import hygiene of the package, read from the source (no imports run).

- No function-local ``import deepacc...`` / ``from deepacc... import`` /
  relative ``from . import`` outside the entry points (``deepacc/cli``,
  ``deepacc/demo.py``, where lazy imports keep ``--help`` fast): a lazy
  import hides an import circle instead of breaking it.
- No private name (leading underscore) imported from another package.
- ``deepacc/visualization`` sits at the bottom: it imports only
  :mod:`deepacc.chromosomes` and itself, so everything that draws can
  import it.
"""

import ast
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / 'deepacc'

ENTRY_POINTS = ('deepacc/cli/', 'deepacc/demo.py')

VISUALIZATION_MAY_IMPORT = ('deepacc.chromosomes', 'deepacc.visualization')

# (path relative to the repository, line, imported module, names)
Import = Tuple[str, int, str, Tuple[str, ...]]


def module_name(path: str) -> str:
    """``'deepacc/a/b.py'`` -> ``'deepacc.a.b'`` (packages without
    ``__init__``)."""
    parts = list(Path(path).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def resolve(path: str, node: ast.ImportFrom) -> str:
    """The absolute module of a (possibly relative) ``from`` import."""
    if not node.level:
        return node.module or ''
    package = module_name(path).split('.')
    if not path.endswith('__init__.py'):
        package.pop()  # a module's package is its folder
    if node.level > 1:
        package = package[: len(package) - (node.level - 1)]
    return '.'.join(package + ([node.module] if node.module else []))


def imports(path: str, source: str) -> Iterator[Tuple[Import, bool]]:
    """Every import of deepacc in ``source``, and whether it is inside a
    function."""

    def walk(node: ast.AST, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split('.')[0] == 'deepacc':
                        entry = (path, child.lineno, alias.name, ())
                        yield entry, in_function
            elif isinstance(child, ast.ImportFrom):
                target = resolve(path, child)
                if target.split('.')[0] == 'deepacc':
                    names = tuple(a.name for a in child.names)
                    yield (path, child.lineno, target, names), in_function
            inside = in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            )
            yield from walk(child, inside)

    yield from walk(ast.parse(source), False)


def is_private(name: str) -> bool:
    return name.startswith('_') and not name.startswith('__')


def private_across(entry: Import) -> Optional[str]:
    """The private name an import takes from another package, or None.

    The package of ``deepacc.a.b`` is ``deepacc.a``; a module inside
    ``deepacc/a`` may use its privates, nothing else may.
    """
    path, _, target, names = entry
    parts = target.split('.')
    package = '.'.join(parts[:2])
    importer = module_name(path)
    if importer == package or importer.startswith(package + '.'):
        return None
    private = [p for p in parts if is_private(p)]
    private += [n for n in names if is_private(n)]
    return ', '.join(private) or None


def describe(entry: Import) -> str:
    path, line, target, names = entry
    what = f'from {target} import {", ".join(names)}' if names else target
    return f'{path}:{line}: {what}'


def offenders(files) -> Tuple[List[str], List[str], List[str]]:
    """Function-local deepacc imports, private names across packages and
    upward imports of the visualization package.

    Args:
        files (iterable[tuple[str, str]]): ``(path, source)`` pairs, paths
            relative to the repository (``'deepacc/...'``).

    Returns:
        tuple[list[str], list[str], list[str]]: One line per offence.
    """
    local, private, upward = [], [], []
    for path, source in files:
        for entry, in_function in imports(path, source):
            if in_function and not path.startswith(ENTRY_POINTS):
                local.append(describe(entry))
            name = private_across(entry)
            if name:
                private.append(f'{describe(entry)} ({name})')
            target = entry[2]
            if path.startswith('deepacc/visualization/') and not any(
                target == m or target.startswith(m + '.')
                for m in VISUALIZATION_MAY_IMPORT
            ):
                upward.append(describe(entry))
    return local, private, upward


def package_files():
    for file in sorted(PACKAGE.rglob('*.py')):
        yield file.relative_to(ROOT).as_posix(), file.read_text('utf-8')


def test_package_imports_are_clean():
    local, private, upward = offenders(package_files())
    report = []
    if local:
        report.append(
            'function-local deepacc imports outside deepacc/cli and '
            'deepacc/demo.py (import at module level):'
        )
        report += local
    if private:
        report.append('private names imported from another package:')
        report += private
    if upward:
        report.append(
            'deepacc/visualization imports above deepacc.chromosomes:'
        )
        report += upward
    assert not report, '\n'.join(report)


def test_the_checks_catch_each_kind_of_offence():
    lazy = (
        'import os\n'
        'def f():\n'
        '    import numpy\n'
        '    import deepacc\n'
        '    from deepacc.karyotype import draw_overlay\n'
        '    from ..synthesis import layout\n'
        '    return lambda: 1\n'
        'class A:\n'
        '    def g(self):\n'
        '        from .types import CLUSTER_TYPES\n'
    )
    private = (
        'from deepacc.synthesis.layout import _window, contacts\n'
        'from ._helpers import x\n'
        'from .types import _private_here\n'
        'from deepacc.clusters.types import _ok_inside\n'
    )
    upward = (
        'from deepacc.chromosomes import CLASSES\n'
        'from .palette import bgr\n'
        'from deepacc.karyotype.iscn import counts_to_dict\n'
        'from ..evaluation import functional\n'
    )
    local, priv, up = offenders(
        [
            ('deepacc/clusters/overlay.py', lazy),
            ('deepacc/cli/karyotype.py', lazy),
            ('deepacc/clusters/objects.py', private),
            ('deepacc/visualization/header.py', upward),
        ]
    )
    assert local == [
        'deepacc/clusters/overlay.py:4: deepacc',
        'deepacc/clusters/overlay.py:5: '
        'from deepacc.karyotype import draw_overlay',
        'deepacc/clusters/overlay.py:6: from deepacc.synthesis import layout',
        'deepacc/clusters/overlay.py:10: '
        'from deepacc.clusters.types import CLUSTER_TYPES',
    ]
    assert priv == [
        'deepacc/clusters/objects.py:1: from deepacc.synthesis.layout '
        'import _window, contacts (_window)',
    ]
    assert up == [
        'deepacc/visualization/header.py:3: '
        'from deepacc.karyotype.iscn import counts_to_dict',
        'deepacc/visualization/header.py:4: from deepacc.evaluation import '
        'functional',
    ]
