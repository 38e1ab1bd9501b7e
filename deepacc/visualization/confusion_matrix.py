"""Drawing and saving the chromosome confusion matrix (PNG + CSV)."""

import csv
from typing import List, Optional, Sequence, Tuple

import numpy as np

from deepacc.chromosomes import CLASSES, DENVER_GROUPS

# Names of the last row (calls on no chromosome) and the last column
# (chromosomes no call found).
SPURIOUS = 'spurious'
MISSED = 'missed'


def denver_order() -> Tuple[List[int], List[Tuple[str, int, int]]]:
    """Class order grouped by Denver group (X in C, Y in G).

    Returns:
        tuple: ``order`` (24 label indices: 1-3, 4-5, 6-12, X, 13-15,
        16-18, 19-20, 21-22, Y) and ``spans``: ``(group, start, stop)``
        positions of each group in that order.
    """
    order, spans = [], []
    for group, members in DENVER_GROUPS.items():
        start = len(order)
        order += [CLASSES.index(m) for m in members]
        spans.append((group, start, len(order)))
    return order, spans


def reorder(matrix: np.ndarray, order: Sequence[int]) -> np.ndarray:
    """Permute the class rows and columns, keeping spurious / missed last.

    Args:
        matrix (np.ndarray): (C + 1, C + 1) confusion matrix.
        order (Sequence[int]): The C class indices in their new order.

    Returns:
        np.ndarray: The permuted (C + 1, C + 1) matrix.
    """
    full = list(order) + [matrix.shape[0] - 1]
    return matrix[np.ix_(full, full)]


def confusion_labels(denver: bool = True):
    """Row and column names of the saved matrix.

    Args:
        denver (bool): Classes grouped by Denver group (X after 12, Y after
            22) instead of the canonical order.

    Returns:
        tuple[list[int], list[str], list[str]]: Class order, row names
        (truth, then 'spurious') and column names (called, then 'missed').
    """
    order = denver_order()[0] if denver else list(range(len(CLASSES)))
    names = [CLASSES[i] for i in order]
    return order, names + [SPURIOUS], names + [MISSED]


def save_confusion_csv(
    matrix: np.ndarray, path: str, denver: bool = True
) -> None:
    """Write the matrix as CSV with row and column names.

    Args:
        matrix (np.ndarray): (25, 25) matrix in canonical order (see
            :func:`deepacc.evaluation.functional.confusion_matrix`).
        path (str): Output file.
        denver (bool): Write classes in Denver-group order.
    """
    order, rows, cols = confusion_labels(denver)
    matrix = reorder(np.asarray(matrix), order)
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['truth \\ called'] + cols)
        for name, row in zip(rows, matrix):
            writer.writerow([name] + [int(v) for v in row])


def plot_confusion_matrix(
    matrix: np.ndarray,
    path: str,
    title: Optional[str] = None,
    denver: bool = True,
    dpi: int = 120,
    names: Optional[Sequence[str]] = None,
) -> None:
    """Save the matrix as a PNG with the Denver groups outlined.

    Cell colours are row-normalised (the share of each true class that
    went to each column); the numbers are counts. Rows are true classes
    plus 'spurious', columns called classes plus 'missed'.

    Args:
        matrix (np.ndarray): (25, 25) matrix in canonical order.
        path (str): Output PNG.
        title (str, optional): Figure title.
        denver (bool): Order classes by Denver group and draw the group
            boundaries (in canonical order X and Y sit apart from their
            groups, so only the boundaries of contiguous groups are drawn).
        dpi (int): Resolution.
        names (list[str], optional): Class names of another (C, C)
            matrix, e.g. the cluster types: drawn in that order, rows
            true and columns predicted, without Denver groups.
    """
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    if names is None:
        order, rows, cols = confusion_labels(denver)
        matrix = reorder(np.asarray(matrix), order)
    else:
        rows = cols = list(names)
        matrix, denver = np.asarray(matrix), False
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(
        matrix, totals, out=np.zeros(matrix.shape), where=totals > 0
    )
    n = len(matrix)
    side = 12 if n > 12 else 3 + 0.9 * n
    fig, ax = plt.subplots(figsize=(side, side * 11 / 12))
    image = ax.imshow(share, cmap='Blues', vmin=0, vmax=1)
    fig.colorbar(
        image, ax=ax, fraction=0.046, pad=0.04, label='share of the row'
    )
    for i in range(n):
        for j in range(n):
            if matrix[i, j]:
                ax.text(
                    j,
                    i,
                    str(int(matrix[i, j])),
                    ha='center',
                    va='center',
                    fontsize=7,
                    color='white' if share[i, j] > 0.5 else 'black',
                )
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(cols, rotation=90)
    ax.set_yticklabels(rows)
    ax.set_xlabel('called class')
    ax.set_ylabel('true class')
    if denver:
        for group, start, stop in denver_order()[1]:
            ax.add_patch(
                plt.Rectangle(
                    (start - 0.5, start - 0.5),
                    stop - start,
                    stop - start,
                    fill=False,
                    edgecolor='red',
                    linewidth=1.5,
                )
            )
            for pos in (start - 0.5, stop - 0.5):
                ax.axhline(pos, color='grey', linewidth=0.6)
                ax.axvline(pos, color='grey', linewidth=0.6)
            ax.text(
                (start + stop - 1) / 2,
                -1.0,
                group,
                ha='center',
                va='bottom',
                fontsize=10,
                fontweight='bold',
            )
    if names is None:  # the spurious row and missed column
        ax.axhline(n - 1.5, color='black', linewidth=1.2)
        ax.axvline(n - 1.5, color='black', linewidth=1.2)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    if title:
        ax.set_title(title, pad=34)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
