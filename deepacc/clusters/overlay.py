"""Objects outlined on the image and labelled by cluster type.

Single chromosomes get a thin grey outline and a short ``S`` (``S*``
where the shape overruled the model's cluster call), debris and nuclei
a coloured one and ``D`` / ``N``; clusters a thicker coloured
outline and their type name with the score, so the places that need a
reviewer stand out (:func:`deepacc.visualization.draw_outlines`). A
header strip gives the counts per type and the colour key.
"""

import os.path as osp

import cv2
import numpy as np

from deepacc.visualization import (
    TYPE_COLORS,
    TYPE_SHORT,
    draw_outlines,
    draw_text_key,
    header_strip,
    outline_sizes,
    put_text,
    text_size,
    to_grey,
)

from .types import CLUSTER_TYPES


def draw_clusters(image: np.ndarray, record: dict) -> np.ndarray:
    """The overlay picture of a clusters record.

    Args:
        image (np.ndarray): (H, W) grey or (H, W, 3) BGR uint8 image.
        record (dict): From :meth:`ClusterTyper.predict`.

    Returns:
        np.ndarray: (header + H, W, 3) uint8 BGR picture.
    """
    img = cv2.cvtColor(to_grey(image), cv2.COLOR_GRAY2BGR)
    draw_outlines(img, record['objects'])
    return np.concatenate([_header(record, img.shape[1]), img])


def _header(record: dict, width: int) -> np.ndarray:
    _, scale, text_thick = outline_sizes(width)
    (_, th), base = text_size('0', scale, text_thick)
    line = th + base + 6
    strip = header_strip(2 * line + 8, width)
    counts = record['counts']
    name = osp.basename(record.get('image') or 'array')
    text = f'{name}: {record["num_objects"]} objects, ' + ', '.join(
        f'{counts[c]} {c}' for c in CLUSTER_TYPES if counts[c]
    )
    by_shape = sum(
        o.get('shape', {}).get('one_band', False) for o in record['objects']
    )
    if by_shape:
        text += f' ({by_shape} single by shape: S*)'
    put_text(strip, text, (4, line - base), scale, (30, 30, 30), text_thick)
    key = [(f'{TYPE_SHORT[c]} = {c}', TYPE_COLORS[c]) for c in CLUSTER_TYPES]
    draw_text_key(strip, key, (4, 2 * line - base), scale, text_thick)
    return strip
