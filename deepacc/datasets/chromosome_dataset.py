from typing import List, Optional

from mmdet.datasets import CocoDataset
from mmdet.datasets.api_wrappers import COCO
from mmdet.registry import DATASETS

from deepacc.chromosomes import CLASSES, PALETTE, class_index


class ChromosomeCOCO(COCO):
    """A COCO index whose categories are the 24 chromosome classes.

    Whatever a json calls its categories (``'1'``, ``'chr1'``, ``'A1'``,
    ``'23'`` for X...) and in whatever order it lists them, the loaded index
    has exactly the canonical categories ``1..24`` (ids) named as in
    :data:`deepacc.chromosomes.CLASSES`, in canonical order, and every
    annotation's ``category_id`` is rewritten to match. Stock CocoDataset
    numbers labels in the json's category order, which silently mislabels a
    file written in another order; normalising here fixes that for the
    dataset and for anything that reads the index.

    Args:
        annotation_file (str, optional): Path of the COCO json.

    Raises:
        ValueError: A category name is not a chromosome class, or an
            annotation refers to a category the file does not define.
    """

    def __init__(self, annotation_file: Optional[str] = None) -> None:
        self._source = annotation_file or '<in-memory COCO>'
        super().__init__(annotation_file)

    def createIndex(self) -> None:  # noqa: N802 (pycocotools' name)
        if self.dataset:
            self.dataset = normalise_categories(self.dataset, self._source)
        super().createIndex()


def canonical_categories() -> List[dict]:
    """The 24 chromosome categories, ids 1..24 in canonical order."""
    return [
        dict(id=i + 1, name=name, supercategory='chromosome')
        for i, name in enumerate(CLASSES)
    ]


def normalise_categories(coco_dict: dict, source: str) -> dict:
    """Rewrite a COCO dict to the canonical chromosome categories.

    Args:
        coco_dict (dict): Loaded COCO json (``images``, ``annotations``,
            ``categories``).
        source (str): File name, used in error messages.

    Returns:
        dict: The same dict with canonical ``categories`` (ids 1..24) and
        remapped annotation ``category_id``.
    """
    id_map = {}
    for cat in coco_dict.get('categories', []):
        label = class_index(cat.get('name'))
        if label is None:
            raise ValueError(
                f'{source}: category id={cat.get("id")} is named '
                f'{cat.get("name")!r}, which is not a chromosome class; '
                f'expected one of 1..22, X, Y (or chr1, A1..G22, 23/24)'
            )
        id_map[cat['id']] = label + 1
    for ann in coco_dict.get('annotations', []):
        if ann.get('category_id') not in id_map:
            raise ValueError(
                f'{source}: annotation id={ann.get("id")} (image '
                f'{ann.get("image_id")}) has category_id='
                f'{ann.get("category_id")!r}, which the file does not '
                f'define in "categories"'
            )
        ann['category_id'] = id_map[ann['category_id']]
    coco_dict['categories'] = canonical_categories()
    return coco_dict


@DATASETS.register_module()
class ChromosomeDataset(CocoDataset):
    """Chromosomes in COCO format, labelled 1..22, X, Y.

    Labels are assigned by category NAME (see :class:`ChromosomeCOCO`), so
    the json's category order and spelling do not matter.
    """

    METAINFO = {'classes': CLASSES, 'palette': PALETTE}
    COCOAPI = ChromosomeCOCO
