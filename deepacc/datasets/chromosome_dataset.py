from typing import List, Optional, Union

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


def polarity_code(p_arm_up) -> int:
    """An annotation's ``p_arm_up`` as a polarity target.

    Args:
        p_arm_up: True / 1 (the p-arm is the chromosome's upper end, its
            tip has the smaller image y), False / 0 (the lower end) or
            None (unknown).

    Returns:
        int: 1, 0 or -1 (unknown).

    Raises:
        ValueError: Any other value.
    """
    if p_arm_up is None:
        return -1
    if isinstance(p_arm_up, bool) or p_arm_up in (0, 1):
        return int(p_arm_up)
    raise ValueError(
        f'p_arm_up must be true, false or absent, got {p_arm_up!r}'
    )


@DATASETS.register_module()
class ChromosomeDataset(CocoDataset):
    """Chromosomes in COCO format, labelled 1..22, X, Y.

    Labels are assigned by category NAME (see :class:`ChromosomeCOCO`), so
    the json's category order and spelling do not matter. Each instance
    also gets ``polarity`` from the annotation's optional ``p_arm_up``
    field (:func:`polarity_code`; absent means unknown, -1).
    """

    METAINFO = {'classes': CLASSES, 'palette': PALETTE}
    COCOAPI = ChromosomeCOCO

    def parse_data_info(self, raw_data_info: dict) -> Union[dict, List]:
        data_info = super().parse_data_info(raw_data_info)
        img_info = raw_data_info['raw_img_info']
        kept = [
            ann
            for ann in raw_data_info['raw_ann_info']
            if self._kept(ann, img_info)
        ]
        if len(kept) != len(data_info['instances']):
            raise RuntimeError(
                f'{self.ann_file}: image {img_info.get("file_name")}: '
                'cannot pair annotations with the instances mmdet kept'
            )
        for instance, ann in zip(data_info['instances'], kept):
            try:
                instance['polarity'] = polarity_code(ann.get('p_arm_up'))
            except ValueError as err:
                raise ValueError(
                    f'{self.ann_file}: annotation id={ann.get("id")} '
                    f'(image {img_info.get("file_name")}): {err}'
                ) from None
        return data_info

    def _kept(self, ann: dict, img_info: dict) -> bool:
        """Whether ``CocoDataset.parse_data_info`` makes an instance of
        ``ann`` (the same tests, in its order)."""
        if ann.get('ignore', False):
            return False
        x1, y1, w, h = ann['bbox']
        inter_w = max(0, min(x1 + w, img_info['width']) - max(x1, 0))
        inter_h = max(0, min(y1 + h, img_info['height']) - max(y1, 0))
        return (
            inter_w * inter_h > 0
            and ann['area'] > 0
            and w >= 1
            and h >= 1
            and ann['category_id'] in self.cat_ids
        )
