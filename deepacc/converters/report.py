from collections import Counter
from typing import List, Optional, Tuple

from deepacc.chromosomes import CLASSES


class ConversionError(ValueError):
    """Invalid input records; the message lists each as file: record:
    problem."""


class ConversionReport:
    """What a conversion did: images, boxes per class, problems, notes.

    Without ``skip_invalid`` a problem is fatal (:meth:`finish` raises
    :class:`ConversionError` listing all of them); with it the record is
    left out and listed among the skipped. A note is something done that
    the user should check (a record kept as it was, or mended), never
    fatal.

    Args:
        fmt (str): Source format name, for the summary.
        skip_invalid (bool): Skip and list invalid records.
        unit (str): What is counted per class in the summary (``box``;
            ``crop`` for karyograms cut into crops).
    """

    def __init__(
        self, fmt: str, skip_invalid: bool = False, unit: str = 'box'
    ) -> None:
        self.fmt = fmt
        self.skip_invalid = skip_invalid
        self.unit = unit
        self.images = 0
        self.boxes: Counter = Counter()
        self.problems: List[Tuple[str, Optional[str], str]] = []
        self.notes: List[Tuple[str, Optional[str], str]] = []

    def problem(self, file: str, record: Optional[str], reason: str) -> None:
        """Note an invalid file (``record`` None) or record in it."""
        self.problems.append((file, record, reason))

    def note(self, file: str, record: Optional[str], text: str) -> None:
        """Note something kept or mended in a file or record."""
        self.notes.append((file, record, text))

    def add_box(self, label: int) -> None:
        self.boxes[CLASSES[label]] += 1

    @staticmethod
    def _line(file, record, reason) -> str:
        return f'{file}: {record}: {reason}' if record else f'{file}: {reason}'

    def finish(self) -> None:
        """Raise :class:`ConversionError` if there were problems and they
        are not to be skipped."""
        if self.problems and not self.skip_invalid:
            lines = [self._line(*p) for p in self.problems]
            shown = '\n  '.join(lines[:50])
            more = (
                f'\n  ... and {len(lines) - 50} more'
                if len(lines) > 50
                else ''
            )
            raise ConversionError(
                f'{len(lines)} invalid record(s) in the {self.fmt} '
                f'input (pass --skip-invalid to leave them out):\n  '
                f'{shown}{more}'
            )

    def summary(self) -> str:
        """Human-readable summary: totals, boxes per class, skipped."""
        total = sum(self.boxes.values())
        plural = 'es' if self.unit.endswith('x') else 's'
        lines = [
            f'{self.fmt}: converted {self.images} image(s), {total} '
            f'{self.unit}({plural})'
        ]
        per_class = '  '.join(
            f'{name}:{self.boxes[name]}'
            for name in CLASSES
            if self.boxes[name]
        )
        if per_class:
            lines.append(f'{self.unit}{plural} per class: {per_class}')
        if self.problems:
            lines.append(f'skipped {len(self.problems)} invalid record(s):')
            lines += [f'  {self._line(*p)}' for p in self.problems]
        if self.notes:
            lines.append(f'{len(self.notes)} note(s), to check:')
            lines += [f'  {self._line(*n)}' for n in self.notes]
        return '\n'.join(lines)
