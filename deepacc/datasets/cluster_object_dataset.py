from typing import List

import torch
from mmdet.registry import DATASETS
from mmengine.dataset import BaseDataset
from mmengine.structures import BaseDataElement

from deepacc.clusters import CLUSTER_TYPES, NUM_FEATURES, image_sample
from deepacc.clusters.objects import BlankImageError, NoForegroundError


@DATASETS.register_module()
class ClusterObjectDataset(BaseDataset):
    """The foreground objects of made-on-the-fly metaphases, typed.

    Wraps a metaphase dataset that renders images
    (:class:`SynthMetaphaseDataset`, :class:`ComposedMetaphaseDataset`):
    item ``i`` is metaphase ``i`` split into its connected objects
    (:func:`deepacc.clusters.find_objects`), each with its patch, shape
    features and true type from the sprites the image was made of
    (:func:`deepacc.clusters.label_objects`). In training every draw is a
    new metaphase, in test mode a fixed one, as for the wrapped dataset.

    Items: ``inputs`` = ``dict(patches=(N, 2, S, S), features=(N, F))``
    float tensors, ``data_samples`` = a ``BaseDataElement`` with
    ``gt_labels`` ((N,) long; -1 for fragments, pieces of a chromosome
    whose larger part is another object: kept, not scored), ``img_id``
    and ``num_objects``. An image without objects gives N = 0.

    Args:
        metaphases (dict): Config of the wrapped dataset (its
            ``pipeline`` and ``test_mode`` are set here).
        polarity (str): ``'auto'``, ``'dark'`` or ``'light'``.
        min_area (int): Smallest object, pixels.
        patch_size (int): Patch side.
        **kwargs: :class:`~mmengine.dataset.BaseDataset` arguments
            (``test_mode``...).
    """

    METAINFO = {'classes': CLUSTER_TYPES}

    def __init__(
        self,
        metaphases: dict,
        polarity: str = 'auto',
        min_area: int = 12,
        patch_size: int = 64,
        **kwargs,
    ) -> None:
        self.metaphases = DATASETS.build(
            dict(
                metaphases,
                pipeline=[],
                test_mode=kwargs.get('test_mode', False),
            )
        )
        self.polarity = polarity
        self.min_area = int(min_area)
        self.patch_size = int(patch_size)
        kwargs.setdefault('serialize_data', False)
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        return [dict(img_id=i) for i in range(len(self.metaphases))]

    def prepare_data(self, idx: int) -> dict:
        meta = self.metaphases
        image, sprites, _ = meta.render(idx, meta.image_rng(idx))
        size, feats = self.patch_size, NUM_FEATURES
        try:
            sample = image_sample(
                image, sprites, self.polarity, self.min_area, size
            )
        except (BlankImageError, NoForegroundError):
            sample = None
        if sample is None:
            patches = torch.zeros((0, 2, size, size))
            features = torch.zeros((0, feats))
            labels = torch.zeros(0, dtype=torch.long)
        else:
            patches = torch.from_numpy(sample['patches'])
            features = torch.from_numpy(sample['features'])
            labels = torch.from_numpy(sample['types']).long()
        data_sample = BaseDataElement(
            metainfo=dict(img_id=idx, num_objects=len(labels))
        )
        data_sample.gt_labels = labels
        return dict(
            inputs=dict(patches=patches, features=features),
            data_samples=data_sample,
        )
