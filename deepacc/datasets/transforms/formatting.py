"""Packing that carries each chromosome's polarity into ``gt_instances``."""

import numpy as np
from mmdet.datasets.transforms import PackDetInputs
from mmdet.registry import TRANSFORMS

# A flip about the horizontal axis swaps a chromosome's upper and lower
# ends; a left-right flip keeps them.
_SWAPS_ENDS = ('vertical', 'diagonal')


@TRANSFORMS.register_module()
class PackChromosomeInputs(PackDetInputs):
    """mmdet's ``PackDetInputs`` plus ``gt_instances.polarity``.

    ``results['gt_polarity']`` (from :class:`LoadChromosomeAnnotations`)
    is packed like the labels (ignored boxes into ``ignored_instances``).
    After a vertical or diagonal ``RandomFlip`` the known polarities are
    inverted, because the p-arm's end moved from top to bottom;
    horizontal flips and resizing keep it. Transforms that drop or
    reorder boxes without knowing ``gt_polarity`` (crops, rotations) are
    not supported with polarity.
    """

    mapping_table = {
        **PackDetInputs.mapping_table,
        'gt_polarity': 'polarity',
    }

    def transform(self, results: dict) -> dict:
        polarity = results.get('gt_polarity')
        if polarity is not None:
            n_boxes = len(results.get('gt_bboxes', []))
            if len(polarity) != n_boxes:
                raise ValueError(
                    f'{results.get("img_path", results.get("img_id"))}: '
                    f'{len(polarity)} polarities for {n_boxes} boxes; a '
                    'transform between LoadChromosomeAnnotations and '
                    'PackChromosomeInputs dropped boxes without them'
                )
            if (
                results.get('flip')
                and results.get('flip_direction') in _SWAPS_ENDS
            ):
                polarity = np.where(polarity >= 0, 1 - polarity, polarity)
                results['gt_polarity'] = polarity
        return super().transform(results)
