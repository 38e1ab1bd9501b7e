"""Annotation loading that keeps each chromosome's polarity."""

import numpy as np
from mmdet.datasets.transforms import LoadAnnotations
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadChromosomeAnnotations(LoadAnnotations):
    """mmdet's ``LoadAnnotations`` plus ``gt_polarity``.

    Each instance's ``polarity`` (set by :class:`ChromosomeDataset` from
    the COCO field ``p_arm_up``, and by the on-the-fly datasets from the
    rendered chromosome) becomes ``results['gt_polarity']``, int64
    ``(num_instances,)``: 1 when the p-arm is the chromosome's upper end
    (smaller image y), 0 when it is the lower end, -1 when unknown.
    Instances without the key are unknown: never guessed.

    Args:
        with_polarity (bool): Load ``gt_polarity``. Defaults to True.
        **kwargs: :class:`LoadAnnotations` arguments.
    """

    def __init__(self, with_polarity: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.with_polarity = with_polarity

    def transform(self, results: dict) -> dict:
        results = super().transform(results)
        if self.with_polarity:
            results['gt_polarity'] = np.array(
                [
                    int(inst.get('polarity', -1))
                    for inst in results.get('instances', [])
                ],
                dtype=np.int64,
            )
        return results

    def __repr__(self) -> str:
        return (
            super().__repr__()[:-1] + f', with_polarity={self.with_polarity})'
        )
