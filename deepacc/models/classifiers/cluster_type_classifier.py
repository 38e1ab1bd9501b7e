from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement

from deepacc.clusters import CLUSTER_TYPES, NUM_FEATURES


@MODELS.register_module()
class ClusterTypeClassifier(BaseModel):
    """Cluster type of every foreground object of a metaphase.

    A small CNN backbone (by default mmdet's ResNet-18 with few channels)
    reads each object's two-channel patch (opacity and mask, see
    :func:`deepacc.clusters.object_patches`); its pooled feature, joined
    with the object's shape features, goes through a two-layer MLP to the
    type logits. Trained with cross-entropy (``class_weight`` for the
    rarer types; label -1, a fragment, is ignored). In training, patches
    are flipped and transposed at random (the types do not depend on the
    pose).

    Args:
        backbone (dict): Backbone config; its last output is pooled.
        backbone_channels (int): Channels of that output.
        num_classes (int): Number of types.
        num_features (int): Shape features per object.
        hidden (int): MLP width.
        class_weight (list[float], optional): Per-type loss weight.
        augment (bool): Random flips / transposes in training.
        data_preprocessor (dict, optional): Moves the data to the device.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(
        self,
        backbone: dict,
        backbone_channels: int,
        num_classes: int = len(CLUSTER_TYPES),
        num_features: int = NUM_FEATURES,
        hidden: int = 128,
        class_weight: Optional[Sequence[float]] = None,
        augment: bool = True,
        data_preprocessor: Optional[dict] = None,
        init_cfg: Optional[dict] = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        self.backbone = MODELS.build(backbone)
        self.num_classes = num_classes
        self.head = nn.Sequential(
            nn.Linear(backbone_channels + num_features, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, num_classes),
        )
        if class_weight is not None and len(class_weight) != num_classes:
            raise ValueError(
                f'class_weight has {len(class_weight)} values for '
                f'{num_classes} classes'
            )
        self.register_buffer(
            'class_weight',
            None
            if class_weight is None
            else torch.tensor(class_weight, dtype=torch.float32),
            persistent=False,
        )
        self.augment = augment

    def logits(
        self, patches: torch.Tensor, features: torch.Tensor
    ) -> torch.Tensor:
        """Type logits.

        Args:
            patches (Tensor): (N, 2, S, S) object patches.
            features (Tensor): (N, num_features) shape features.

        Returns:
            Tensor: (N, num_classes) logits.
        """
        if len(patches) == 0:
            return patches.new_zeros((0, self.num_classes))
        feat = self.backbone(patches)
        if isinstance(feat, (list, tuple)):
            feat = feat[-1]
        pooled = F.adaptive_avg_pool2d(feat, 1).flatten(1)
        return self.head(torch.cat([pooled, features], dim=1))

    @staticmethod
    def _flatten(inputs: dict) -> tuple:
        patches, features = inputs['patches'], inputs['features']
        if isinstance(patches, (list, tuple)):
            patches, features = torch.cat(patches), torch.cat(features)
        return patches.float(), features.float()

    def _augment(self, patches: torch.Tensor) -> torch.Tensor:
        """Each patch flipped / transposed at random (8 poses)."""
        n = len(patches)
        if n == 0:
            return patches
        draw = torch.randint(0, 2, (3, n), device=patches.device).bool()
        patches = torch.where(
            draw[0, :, None, None, None], patches.flip(-1), patches
        )
        patches = torch.where(
            draw[1, :, None, None, None], patches.flip(-2), patches
        )
        return torch.where(
            draw[2, :, None, None, None], patches.transpose(-1, -2), patches
        )

    def forward(
        self,
        inputs: dict,
        data_samples: Optional[List[BaseDataElement]] = None,
        mode: str = 'tensor',
    ) -> Union[Dict[str, torch.Tensor], List[BaseDataElement], torch.Tensor]:
        """``loss``, ``predict`` or ``tensor`` (logits) mode.

        Args:
            inputs (dict): ``patches`` and ``features``, as tensors or as
                per-image lists of them (as the dataloader collates).
            data_samples (list[BaseDataElement], optional): Per image,
                ``gt_labels`` (N_i,) in ``loss`` mode.
            mode (str): ``'loss'``, ``'predict'`` or ``'tensor'``.

        Returns:
            dict | list | Tensor: Losses (``loss_cls``) and the log-only
            ``acc``; per-image samples with ``pred_labels``,
            ``pred_scores`` (N_i,) and ``scores`` (N_i, num_classes); or
            (N, num_classes) logits.
        """
        patches, features = self._flatten(inputs)
        if mode == 'loss':
            if self.training and self.augment:
                patches = self._augment(patches)
            logits = self.logits(patches, features)
            labels = torch.cat([s.gt_labels for s in data_samples]).long()
            valid = labels >= 0
            if not valid.any():
                return dict(
                    loss_cls=logits.sum() * 0, acc=logits.new_zeros(())
                )
            loss = F.cross_entropy(
                logits[valid], labels[valid], weight=self.class_weight
            )
            acc = (logits[valid].argmax(1) == labels[valid]).float().mean()
            return dict(loss_cls=loss, acc=acc.detach())
        logits = self.logits(patches, features)
        if mode == 'tensor':
            return logits
        if mode != 'predict':
            raise ValueError(f'unknown mode {mode!r}')
        scores = logits.softmax(-1)
        if data_samples is None:
            data_samples = [BaseDataElement()]
            sizes = [len(scores)]
        else:
            sizes = [
                s.metainfo.get('num_objects', len(s.get('gt_labels', ())))
                for s in data_samples
            ]
        out = []
        for sample, part in zip(data_samples, scores.split(sizes)):
            best, labels = (
                part.max(-1) if len(part) else (part[:, 0], part[:, 0].long())
            )
            sample.pred_labels = labels
            sample.pred_scores = best
            sample.scores = part
            out.append(sample)
        return out
