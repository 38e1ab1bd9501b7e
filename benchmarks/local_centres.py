"""Would the local centres switch on, and would they be right?

For a trained DeepACC checkpoint and the config's test images: the RPN's
proposals go through the bbox head (the test-time path: every proposal may
become a centre), each proposal takes the label of the ground-truth box it
overlaps at IoU >= 0.5 (background otherwise), and for every (image,
class present in the image) the best margin-branch score of the class is
taken under both readings of the paper's threshold: the cosine
(``center_score='cos'``) and ``softmax(s * cos)`` (``'prob'``). For a
sweep of delta the table gives the fraction of present classes whose
centre switches on and, of those, the fraction whose centre proposal is a
chromosome of that class.

    python benchmarks/local_centres.py CONFIG CHECKPOINT [--images 20]
"""

import argparse

import numpy as np
import torch
from mmdet.registry import DATASETS, MODELS
from mmdet.structures.bbox import bbox2roi, bbox_overlaps
from mmdet.utils import register_all_modules
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner import load_checkpoint

import deepacc  # noqa: F401
from deepacc.models.utils import top_proposal_per_class

DELTAS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--images', type=int, default=20)
    return parser.parse_args()


@torch.no_grad()
def best_scores(model, data):
    """Per present class of one image: best cos, best prob, and whether
    the best proposal (by each score) is of that class."""
    data = model.data_preprocessor(data, False)
    inputs, samples = data['inputs'], data['data_samples']
    feats = model.extract_feat(inputs)
    proposals = model.rpn_head.predict(feats, samples, rescale=False)
    head = model.roi_head.bbox_head
    rois = bbox2roi([p.bboxes for p in proposals])
    out = model.roi_head._bbox_forward(feats, rois)['head_outs']
    cos = out['cos_score']
    prob = torch.softmax(head.scale * cos, dim=1)
    gt = samples[0].gt_instances
    gt_boxes = getattr(gt.bboxes, 'tensor', gt.bboxes)
    iou = bbox_overlaps(rois[:, 1:], gt_boxes)
    best_iou, best_gt = iou.max(dim=1)
    labels = torch.where(best_iou >= 0.5, gt.labels[best_gt], head.num_classes)
    rows = []
    for scores in (cos, prob):
        _, inds, best = top_proposal_per_class(scores, rois[:, 0])
        rows.append((inds[0], best[0]))
    present = torch.unique(gt.labels)
    return [
        (
            rows[0][1][j].item(),
            rows[1][1][j].item(),
            bool(labels[rows[0][0][j]] == j),
            bool(labels[rows[1][0][j]] == j),
        )
        for j in present.tolist()
    ]


def main():
    args = parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.eval()
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    records = []
    for i in range(min(args.images, len(dataset))):
        records += best_scores(model, pseudo_collate([dataset[i]]))
    arr = np.array(records, dtype=float)
    print(
        f'{len(arr)} present (image, class) pairs in '
        f'{min(args.images, len(dataset))} images; best score median: '
        f'cos {np.median(arr[:, 0]):.3f}, prob {np.median(arr[:, 1]):.3f}'
    )
    print(
        '\n| delta | cos: centres on | cos: right | prob: centres on '
        '| prob: right |'
    )
    print('|--:|--:|--:|--:|--:|')
    for delta in DELTAS:
        cells = []
        for col in (0, 1):
            on = arr[:, col] > delta
            right = arr[on, col + 2].mean() if on.any() else float('nan')
            cells += [f'{100 * on.mean():.1f}%', f'{100 * right:.1f}%']
        print(f'| {delta} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
