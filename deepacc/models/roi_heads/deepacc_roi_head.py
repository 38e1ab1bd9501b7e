"""StandardRoIHead that tells the bbox head which image each RoI is from
and also emits top-1-class-per-proposal detections."""

from typing import List, Optional, Tuple

import torch
from mmdet.models.layers import multiclass_nms
from mmdet.models.roi_heads import StandardRoIHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.models.utils import empty_instances, unpack_gt_instances
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample, SampleList
from mmdet.structures.bbox import bbox2roi, get_box_tensor, scale_boxes
from mmdet.utils import ConfigType, InstanceList
from mmengine.structures import InstanceData
from torch import Tensor


def top1_scores(scores: Tensor) -> Tensor:
    """Keep only each row's best foreground score.

    Args:
        scores (Tensor): Softmax scores, shape (num_rois, num_classes + 1),
            background last.

    Returns:
        Tensor: Same shape; every entry except the best foreground class
        of each row is 0 (background column included), so
        ``multiclass_nms`` with a non-negative ``score_thr`` keeps at most
        one class per proposal.
    """
    top1 = torch.zeros_like(scores)
    if scores.numel() == 0:
        return top1
    foreground = scores[:, :-1]
    best = foreground.argmax(dim=1, keepdim=True)
    top1[:, :-1].scatter_(1, best, foreground.gather(1, best))
    return top1


@MODELS.register_module()
class DeepAccRoIHead(StandardRoIHead):
    """RoI head for DeepACC and its baselines.

    Two additions to :class:`StandardRoIHead`:

    - A bbox head with ``accepts_img_inds = True`` (``DeepAccBBoxHead``)
      gets the image index of every RoI (``rois[:, 0]``) in training and
      at test time, and returns a third output, a dict of extra tensors
      that its ``loss_and_target`` takes. Any other bbox head (e.g. the
      stock ``Shared2FCBBoxHead``) is called exactly as in mmdet.
    - ``predict`` also sets ``pred_top1_instances`` on every data sample:
      each proposal contributes only its top-1 foreground class (that
      class's box and score), followed by the same ``score_thr``,
      per-class NMS and ``max_per_img`` as ``test_cfg.rcnn``. This is what
      mAP_max, Acc and AER are computed from. ``pred_instances`` stays
      exactly what mmdet produces: both come from one forward pass and the
      same ``multiclass_nms`` call mmdet makes.
    - With a polarity head (``bbox_head.with_polarity``), training pairs
      each positive RoI with its chromosome's ``gt_instances.polarity``
      (1 p-arm up, 0 down, -1 unknown), and every detection of both sets
      gets ``polarity``, the probability that its p-arm is the upper end,
      from the proposal it came from.
    - Every top-1 detection also carries ``class_scores``, the whole
      softmax (``num_classes + 1`` columns, background last) of the
      proposal it came from: what a reading of the whole cell (e.g.
      :func:`deepacc.karyotype.assign_karyotype`) weighs its calls by.
    """

    def loss(
        self,
        x: Tuple[Tensor],
        rpn_results_list: InstanceList,
        batch_data_samples: List[DetDataSample],
    ) -> dict:
        """As :meth:`StandardRoIHead.loss`; each sampling result also
        gets ``pos_gt_polarity`` when the bbox head predicts polarity.

        Args:
            x (tuple[Tensor]): Multi-level features.
            rpn_results_list (list[InstanceData]): Proposals per image.
            batch_data_samples (list[DetDataSample]): Data samples with
                ``gt_instances`` (``polarity`` optional: unknown when
                absent).

        Returns:
            dict[str, Tensor]: The losses.
        """
        assert len(rpn_results_list) == len(batch_data_samples)
        batch_gt_instances, batch_gt_instances_ignore, _ = unpack_gt_instances(
            batch_data_samples
        )
        with_polarity = getattr(self.bbox_head, 'with_polarity', False)
        sampling_results = []
        for i, gt_instances in enumerate(batch_gt_instances):
            rpn_results = rpn_results_list[i]
            rpn_results.priors = rpn_results.pop('bboxes')
            assign_result = self.bbox_assigner.assign(
                rpn_results, gt_instances, batch_gt_instances_ignore[i]
            )
            sampling_result = self.bbox_sampler.sample(
                assign_result,
                rpn_results,
                gt_instances,
                feats=[lvl_feat[i][None] for lvl_feat in x],
            )
            if with_polarity and 'polarity' in gt_instances:
                sampling_result.pos_gt_polarity = gt_instances.polarity[
                    sampling_result.pos_assigned_gt_inds
                ]
            sampling_results.append(sampling_result)
        losses = dict()
        if self.with_bbox:
            bbox_results = self.bbox_loss(x, sampling_results)
            losses.update(bbox_results['loss_bbox'])
        if self.with_mask:
            mask_results = self.mask_loss(
                x,
                sampling_results,
                bbox_results['bbox_feats'],
                batch_gt_instances,
            )
            losses.update(mask_results['loss_mask'])
        return losses

    def _bbox_forward(self, x: Tuple[Tensor], rois: Tensor) -> dict:
        """Box head forward, passing image indices when the head takes
        them.

        Args:
            x (tuple[Tensor]): Multi-level features.
            rois (Tensor): RoIs, shape (num_rois, 5), image index first.

        Returns:
            dict: ``cls_score``, ``bbox_pred``, ``bbox_feats`` and
            ``head_outs`` (a dict, empty for stock heads).
        """
        bbox_feats = self.bbox_roi_extractor(
            x[: self.bbox_roi_extractor.num_inputs], rois
        )
        if self.with_shared_head:
            bbox_feats = self.shared_head(bbox_feats)
        if getattr(self.bbox_head, 'accepts_img_inds', False):
            cls_score, bbox_pred, head_outs = self.bbox_head(
                bbox_feats, img_inds=rois[:, 0]
            )
        else:
            cls_score, bbox_pred = self.bbox_head(bbox_feats)
            head_outs = {}
        return dict(
            cls_score=cls_score,
            bbox_pred=bbox_pred,
            bbox_feats=bbox_feats,
            head_outs=head_outs,
        )

    def bbox_loss(
        self, x: Tuple[Tensor], sampling_results: List[SamplingResult]
    ) -> dict:
        """Box head forward and loss; ``head_outs`` go to the loss.

        Args:
            x (tuple[Tensor]): Multi-level features.
            sampling_results (list[SamplingResult]): Sampled RoIs.

        Returns:
            dict: As :meth:`StandardRoIHead.bbox_loss`.
        """
        rois = bbox2roi([res.priors for res in sampling_results])
        bbox_results = self._bbox_forward(x, rois)
        bbox_loss_and_target = self.bbox_head.loss_and_target(
            cls_score=bbox_results['cls_score'],
            bbox_pred=bbox_results['bbox_pred'],
            rois=rois,
            sampling_results=sampling_results,
            rcnn_train_cfg=self.train_cfg,
            **bbox_results['head_outs'],
        )
        bbox_results.update(loss_bbox=bbox_loss_and_target['loss_bbox'])
        return bbox_results

    def predict(
        self,
        x: Tuple[Tensor],
        rpn_results_list: InstanceList,
        batch_data_samples: SampleList,
        rescale: bool = False,
    ) -> InstanceList:
        """Predict, and set ``pred_top1_instances`` on each data sample.

        Args:
            x (tuple[Tensor]): Multi-level features.
            rpn_results_list (list[InstanceData]): Proposals per image.
            batch_data_samples (list[DetDataSample]): Data samples; each
                gets ``pred_top1_instances`` (``bboxes`` (N, 4) xyxy,
                ``scores`` (N, ), ``labels`` (N, ), ``class_scores``
                (N, num_classes + 1)), in original image coordinates when
                ``rescale`` is True.
            rescale (bool): Return boxes in original image space.

        Returns:
            list[InstanceData]: The usual detections, as mmdet's.
        """
        assert self.with_bbox, 'Bbox head must be implemented.'
        batch_img_metas = [
            data_samples.metainfo for data_samples in batch_data_samples
        ]
        bbox_rescale = rescale if not self.with_mask else False
        results_list, top1_list = self.predict_bbox_and_top1(
            x,
            batch_img_metas,
            rpn_results_list,
            rcnn_test_cfg=self.test_cfg,
            rescale=bbox_rescale,
        )
        if self.with_mask:
            results_list = self.predict_mask(
                x, batch_img_metas, results_list, rescale=rescale
            )
            if rescale:
                for top1, meta in zip(top1_list, batch_img_metas):
                    if top1.bboxes.size(0) > 0:
                        top1.bboxes = scale_boxes(
                            top1.bboxes, [1 / s for s in meta['scale_factor']]
                        )
        for data_sample, top1 in zip(batch_data_samples, top1_list):
            data_sample.pred_top1_instances = top1
        return results_list

    def predict_bbox(
        self,
        x: Tuple[Tensor],
        batch_img_metas: List[dict],
        rpn_results_list: InstanceList,
        rcnn_test_cfg: ConfigType,
        rescale: bool = False,
    ) -> InstanceList:
        """As :meth:`StandardRoIHead.predict_bbox` (image indices passed)."""
        return self.predict_bbox_and_top1(
            x, batch_img_metas, rpn_results_list, rcnn_test_cfg, rescale
        )[0]

    def predict_bbox_and_top1(
        self,
        x: Tuple[Tensor],
        batch_img_metas: List[dict],
        rpn_results_list: InstanceList,
        rcnn_test_cfg: ConfigType,
        rescale: bool = False,
    ) -> Tuple[InstanceList, InstanceList]:
        """Detections per image: all classes (mmdet's) and top-1 only.

        Args:
            x (tuple[Tensor]): Multi-level features.
            batch_img_metas (list[dict]): Image metas.
            rpn_results_list (list[InstanceData]): Proposals per image.
            rcnn_test_cfg (ConfigDict): ``test_cfg.rcnn``; None returns
                raw per-class boxes and scores (aug test), top-1 masked.
            rescale (bool): Return boxes in original image space.

        Returns:
            tuple[list[InstanceData], list[InstanceData]]: The usual
            detections and the top-1 detections of each image.
        """
        proposals = [res.bboxes for res in rpn_results_list]
        rois = bbox2roi(proposals)
        if rois.shape[0] == 0:
            results_list, top1_list = (
                empty_instances(
                    batch_img_metas,
                    rois.device,
                    task_type='bbox',
                    box_type=self.bbox_head.predict_box_type,
                    num_classes=self.bbox_head.num_classes,
                    score_per_cls=rcnn_test_cfg is None,
                )
                for _ in range(2)
            )
            for top1 in top1_list:
                top1.class_scores = rois.new_zeros(
                    (0, self.bbox_head.num_classes + 1)
                )
            return results_list, top1_list

        bbox_results = self._bbox_forward(x, rois)
        num_proposals_per_img = tuple(len(p) for p in proposals)
        rois = rois.split(num_proposals_per_img, 0)
        cls_scores = bbox_results['cls_score'].split(num_proposals_per_img, 0)
        polarity = bbox_results['head_outs'].get('polarity_pred')
        polarity = (
            (None,) * len(proposals)
            if polarity is None
            else polarity.sigmoid().split(num_proposals_per_img, 0)
        )
        bbox_preds = bbox_results['bbox_pred']
        if bbox_preds is None:
            bbox_preds = (None,) * len(proposals)
        elif isinstance(bbox_preds, torch.Tensor):
            bbox_preds = bbox_preds.split(num_proposals_per_img, 0)
        else:
            bbox_preds = self.bbox_head.bbox_pred_split(
                bbox_preds, num_proposals_per_img
            )

        # Decoded boxes and scores of every proposal and class, before
        # NMS: the head's own decoding (and rescaling) is reused as is.
        raw_list = self.bbox_head.predict_by_feat(
            rois=rois,
            cls_scores=cls_scores,
            bbox_preds=bbox_preds,
            batch_img_metas=batch_img_metas,
            rcnn_test_cfg=None,
            rescale=rescale,
        )
        if rcnn_test_cfg is None:
            top1_list = [
                InstanceData(
                    bboxes=raw.bboxes,
                    scores=top1_scores(raw.scores),
                    class_scores=raw.scores,
                )
                for raw in raw_list
            ]
            return raw_list, top1_list
        results_list, top1_list = [], []
        for raw, pol in zip(raw_list, polarity):
            results_list.append(
                self._nms(raw.bboxes, raw.scores, rcnn_test_cfg, pol)
            )
            top1_list.append(
                self._nms(
                    raw.bboxes,
                    top1_scores(raw.scores),
                    rcnn_test_cfg,
                    pol,
                    class_scores=raw.scores,
                )
            )
        return results_list, top1_list

    def _nms(
        self,
        bboxes: Tensor,
        scores: Tensor,
        rcnn_test_cfg: ConfigType,
        polarity: Optional[Tensor] = None,
        class_scores: Optional[Tensor] = None,
    ) -> InstanceData:
        """``multiclass_nms`` exactly as ``BBoxHead`` calls it.

        Args:
            bboxes (Tensor): Shape (num_rois, num_classes * 4) or
                (num_rois, 4).
            scores (Tensor): Shape (num_rois, num_classes + 1).
            rcnn_test_cfg (ConfigDict): ``test_cfg.rcnn``.
            polarity (Tensor, optional): P-arm-up probability of each
                RoI, shape (num_rois, ).
            class_scores (Tensor, optional): Per-RoI vectors to carry
                along, shape (num_rois, K).

        Returns:
            InstanceData: ``bboxes`` (N, 4), ``scores`` (N, ),
            ``labels`` (N, ) and, given ``polarity`` / ``class_scores``,
            ``polarity`` (N, ) / ``class_scores`` (N, K), those of the
            proposal each detection comes from.
        """
        results = InstanceData()
        bboxes = get_box_tensor(bboxes)
        if bboxes.size(0) == 0:
            results.bboxes = bboxes.new_zeros((0, 4))
            results.scores = scores.new_zeros((0,))
            results.labels = scores.new_zeros((0,), dtype=torch.long)
            if polarity is not None:
                results.polarity = scores.new_zeros((0,))
            if class_scores is not None:
                results.class_scores = class_scores.new_zeros(
                    (0, class_scores.size(1))
                )
            return results
        det_bboxes, det_labels, inds = multiclass_nms(
            bboxes,
            scores,
            rcnn_test_cfg.score_thr,
            rcnn_test_cfg.nms,
            rcnn_test_cfg.max_per_img,
            return_inds=True,
            box_dim=4,
        )
        results.bboxes = det_bboxes[:, :-1]
        results.scores = det_bboxes[:, -1]
        results.labels = det_labels
        # multiclass_nms indexes the (num_rois * num_classes) flat list of
        # class candidates.
        rois = inds // (scores.size(1) - 1)
        if polarity is not None:
            results.polarity = polarity[rois]
        if class_scores is not None:
            results.class_scores = class_scores[rois]
        return results
