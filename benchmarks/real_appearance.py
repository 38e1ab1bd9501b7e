"""How real metaphase captures look next to the images deepacc makes.

Measures, on the real dev cells (``../shared/data/real-metaphases``,
never copied into the repository) and on training images drawn from the
shipped recipes' datasets (the crop composer and the generator), what a
detector sees and a made image may lack: the chromosomes' shape (width,
length, their ratio, solidity), sister chromatids apart (rows of an
object with a light gap along its axis), grey levels (background,
chromosome, darkest bands, contrast), the background's gradient and
noise, blur (edge width, Laplacian variance), JPEG blockiness, and the
clutter (large round blobs: nuclei; specks). Objects come from
:func:`deepacc.clusters.objects.find_objects`, widths from
:func:`deepacc.scale.estimate.object_widths`.

Usage::

    python benchmarks/real_appearance.py [--num 10] \
        [--look configs/deepacc/...-real-look-cpu.py] \
        [--synth-look configs/deepacc/...synth-real-look-wide-cpu.py]

``--look CFG`` adds a column per made set with the appearance options of
``CFG``'s training compose options (``condense``, ``degrade``,
``clutter``; the generator takes ``condense`` and ``degrade``, or those
of ``--synth-look CFG``'s training synth options). Prints a
markdown table: one row per statistic, one column per set (median over
images, or over the objects of all images for per-object rows).
"""

import argparse
import glob
import os
import os.path as osp
import sys

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import REPO_ROOT  # noqa: E402

DATA = osp.join(REPO_ROOT, '..', 'shared', 'data')
COMPOSE_CFG = 'configs/deepacc/deepacc_r18-c32_fpn_3500it_gband-crops-cpu.py'
SYNTH_CFG = 'configs/deepacc/deepacc_r18-c32_fpn_2100it_synth-cpu.py'
# What the generator understands of a look config's compose options.
SYNTH_LOOK_KEYS = ('condense', 'degrade')

# (key, label); see set_stats for how each is pooled over a set.
ROWS = [
    ('objects', 'objects per image'),
    ('width', 'chromosome width (px)'),
    ('length', 'chromosome length (px)'),
    ('ratio', 'width / length'),
    ('solidity', 'solidity (area / convex hull)'),
    ('gap_rows', 'rows with a chromatid gap (%)'),
    ('background', 'background grey'),
    ('chromosome', 'chromosome grey (median)'),
    ('dark', 'darkest bands grey (5th pct)'),
    ('contrast', 'contrast (bg - chromosome) / bg'),
    ('gradient', 'background gradient (grey, plane range)'),
    ('noise', 'background noise sigma (grey)'),
    ('edge', 'edge width (px)'),
    ('edge_rel', 'edge width / chromosome width'),
    ('laplacian', 'Laplacian variance / contrast^2'),
    ('blockiness', 'JPEG blockiness (8-px grid / rest)'),
    ('blobs', 'large round blobs per image'),
    ('specks', 'specks per image'),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default=DATA, help='the shared data folder')
    parser.add_argument('--compose-config', default=COMPOSE_CFG)
    parser.add_argument('--synth-config', default=SYNTH_CFG)
    parser.add_argument(
        '--num', type=int, default=10, help='made images per set'
    )
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--look',
        default=None,
        help='config whose training compose options give the real look',
    )
    parser.add_argument(
        '--synth-look',
        default=None,
        help='config whose training synth options give the generator its '
        'real look (default: --look)',
    )
    return parser.parse_args()


def _single_like(areas: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Objects that are probably one chromosome: measurable, not specks
    (under a tenth of the median area), not among the largest tenth
    (clusters, nuclei)."""
    return (
        (widths > 0)
        & (areas >= 0.1 * np.median(areas))
        & (areas <= np.percentile(areas, 90))
    )


def _upright(mask: np.ndarray, opacity: np.ndarray) -> tuple:
    """An object's mask and opacity turned so its long axis is vertical
    (principal axis of its pixels)."""
    ys, xs = np.nonzero(mask)
    cov = np.cov(np.stack([xs, ys]).astype(np.float64))
    vals, vecs = np.linalg.eigh(cov)
    vx, vy = vecs[:, np.argmax(vals)]
    angle = np.degrees(np.arctan2(vy, vx)) - 90.0
    h, w = mask.shape
    side = int(np.ceil(np.hypot(h, w))) + 4
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[:, 2] += (side / 2 - w / 2, side / 2 - h / 2)
    turned = cv2.warpAffine(
        (opacity * mask).astype(np.float32), matrix, (side, side)
    )
    turned_mask = (
        cv2.warpAffine(mask.astype(np.uint8), matrix, (side, side)) > 0
    )
    return turned_mask, turned


def gap_rows(mask: np.ndarray, opacity: np.ndarray, width: float) -> tuple:
    """Rows (across the long axis) of one object, and how many of them
    cross a light gap between two darker sides (chromatids apart): a
    minimum in the middle half of the row at least 25% below the lower
    of the two maxima beside it (a threshold that tells the real dev
    cells, 46%, from the composed ones, 19%: light bands alone dip
    less).

    Returns:
        tuple: ``(rows, gap_rows)`` counts.
    """
    turned_mask, turned = _upright(mask, opacity)
    turned = cv2.GaussianBlur(turned, (0, 0), 0.7)
    rows = gaps = 0
    for y in range(turned.shape[0]):
        xs = np.flatnonzero(turned_mask[y])
        if len(xs) < max(4, 0.6 * width):
            continue
        rows += 1
        profile = turned[y, xs[0] : xs[-1] + 1]
        n = len(profile)
        lo, hi = n // 4, n - n // 4
        mid = lo + int(np.argmin(profile[lo:hi]))
        left, right = profile[: mid + 1].max(), profile[mid:].max()
        side = min(left, right)
        if side > 0 and profile[mid] <= 0.75 * side:
            gaps += 1
    return rows, gaps


def _noise_sigma(grey: np.ndarray, keep: np.ndarray) -> float:
    """Immerkaer's noise estimate over the pixels in ``keep``."""
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    response = cv2.filter2D(grey.astype(np.float32), -1, kernel)
    if not keep.any():
        return float('nan')
    return float(np.sqrt(np.pi / 2) / 6 * np.abs(response[keep]).mean())


def _blockiness(grey: np.ndarray) -> float:
    """Mean absolute step across the 8-pixel grid lines over the mean
    step elsewhere (1: no JPEG blocks), both directions."""
    g = grey.astype(np.float32)
    ratios = []
    for diff in (np.abs(np.diff(g, axis=1)), np.abs(np.diff(g, axis=0).T)):
        cols = np.arange(diff.shape[1])
        on = (cols % 8) == 7
        ratios.append(diff[:, on].mean() / max(diff[:, ~on].mean(), 1e-6))
    return float(np.mean(ratios))


def _plane_range(grey: np.ndarray, keep: np.ndarray) -> float:
    """Range over the image of a plane fitted to the ``keep`` pixels."""
    ys, xs = np.nonzero(keep)
    if len(xs) < 10:
        return float('nan')
    step = max(1, len(xs) // 20000)
    xs, ys = xs[::step], ys[::step]
    design = np.stack([np.ones_like(xs), xs, ys], 1).astype(np.float64)
    coef, *_ = np.linalg.lstsq(
        design, grey[ys, xs].astype(np.float64), rcond=None
    )
    h, w = grey.shape
    corners = np.array([[1, 0, 0], [1, w, 0], [1, 0, h], [1, w, h]], float)
    values = corners @ coef
    return float(values.max() - values.min())


def image_stats(image: np.ndarray) -> tuple:
    """Appearance statistics of one grey metaphase image.

    Args:
        image (np.ndarray): (H, W) uint8 grey.

    Returns:
        tuple: per-image values (dict) and per-object values (dict of
        lists) for the single-chromosome-like objects.
    """
    from deepacc.clusters.objects import find_objects
    from deepacc.scale.estimate import object_widths

    objects = find_objects(image, polarity='dark')
    areas = objects.areas.astype(np.float64)
    widths = object_widths(objects)
    single = _single_like(areas, widths)
    grey = image.astype(np.float32)
    foreground = objects.labels > 0
    far = ~cv2.dilate(
        foreground.astype(np.uint8), np.ones((9, 9), np.uint8)
    ).astype(bool)
    background = float(np.median(grey[far]))
    chromosome = float(np.median(grey[foreground]))
    gx = cv2.Sobel(objects.opacity, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(objects.opacity, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    gradient = np.hypot(gx, gy)
    per_object = {k: [] for k in ('width', 'length', 'ratio', 'solidity')}
    rows = gaps = 0
    edges = []
    blobs = 0
    for k in range(len(objects)):
        mask = objects.mask(k)
        x, y, w, h = objects.boxes[k]
        contour = max(
            cv2.findContours(
                mask.astype(np.uint8),
                cv2.RETR_EXTERNAL,
                cv2.CHAIN_APPROX_NONE,
            )[0],
            key=cv2.contourArea,
        )
        hull = max(cv2.contourArea(cv2.convexHull(contour)), 1.0)
        solidity = min(areas[k] / hull, 1.0)
        (_, _), (rw, rh), _ = cv2.minAreaRect(contour)
        length = max(rw, rh) + 1.0
        if (
            areas[k] > 3 * np.median(areas)
            and solidity > 0.85
            and min(rw, rh) > 0.6 * max(rw, rh)
        ):
            blobs += 1
        if not single[k]:
            continue
        per_object['width'].append(widths[k])
        per_object['length'].append(length)
        per_object['ratio'].append(widths[k] / length)
        per_object['solidity'].append(solidity)
        window = objects.opacity[y : y + h, x : x + w]
        r, g = gap_rows(mask, window, widths[k])
        rows, gaps = rows + r, gaps + g
        # Edge width: the object's step (median opacity inside) over the
        # steepest slope on its rim; a step blurred by a Gaussian of
        # sigma s gives s * sqrt(2 pi).
        padded = np.pad(mask.astype(np.uint8), 1)
        rim = mask & ~cv2.erode(padded, np.ones((3, 3)))[1:-1, 1:-1]
        slope = np.percentile(gradient[y : y + h, x : x + w][rim > 0], 90)
        step = float(np.median(window[mask]))
        if slope > 0:
            edges.append(step / slope)
    per_object['gap_rows'] = [100.0 * gaps / max(rows, 1)]
    width = float(np.median(widths[single])) if single.any() else np.nan
    contrast = (background - chromosome) / max(background, 1.0)
    lap = cv2.Laplacian(grey, cv2.CV_32F, ksize=1)
    near = cv2.dilate(foreground.astype(np.uint8), np.ones((5, 5), np.uint8))
    edge = float(np.median(edges)) if edges else np.nan
    per_image = dict(
        objects=len(objects),
        background=background,
        chromosome=chromosome,
        dark=float(np.percentile(grey[foreground], 5)),
        contrast=contrast,
        gradient=_plane_range(grey, far),
        noise=_noise_sigma(grey, far),
        edge=edge,
        edge_rel=edge / width,
        laplacian=float(lap[near > 0].var())
        / max(background - chromosome, 1.0) ** 2,
        blockiness=_blockiness(image),
        blobs=blobs,
        specks=int(objects.num_small + (areas < 0.1 * np.median(areas)).sum()),
    )
    return per_image, per_object


def set_stats(images) -> dict:
    """Median of every row over a set's images (per-object rows: over
    the objects of all of them)."""
    per_image, per_object = {}, {}
    for image in images:
        values, objects = image_stats(image)
        for key, value in values.items():
            per_image.setdefault(key, []).append(value)
        for key, value in objects.items():
            per_object.setdefault(key, []).extend(value)
    out = {key: float(np.nanmedian(v)) for key, v in per_image.items()}
    # Gap rows are pooled per image above; the median over images.
    out.update(
        {key: float(np.nanmedian(v)) for key, v in per_object.items() if v}
    )
    out['images'] = len(images)
    return out


def real_images(data: str) -> list:
    paths = sorted(glob.glob(osp.join(data, 'real-metaphases/images/*.TIF')))
    if not paths:
        raise FileNotFoundError(f'no real metaphases under {data}')
    return [cv2.imread(p, cv2.IMREAD_GRAYSCALE) for p in paths]


def made_images(config: str, num: int, seed: int, look=None) -> list:
    """``num`` training images of ``config``'s training dataset, image
    ``i`` drawn from ``(seed, i)``; ``look`` (dict) adds appearance
    options to its ``compose`` or ``synth`` options."""
    from mmdet.registry import DATASETS
    from mmengine.config import Config

    import deepacc  # noqa: F401 (registers the datasets)

    cfg = Config.fromfile(config).train_dataloader.dataset
    cfg.pipeline = []
    key = 'compose' if 'compose' in cfg else 'synth'
    if look:
        if key == 'synth':
            look = {k: v for k, v in look.items() if k in SYNTH_LOOK_KEYS}
        cfg[key] = {**(cfg.get(key) or {}), **look}
    if 'num_samples' in cfg:
        cfg.num_samples = num
    dataset = DATASETS.build(cfg)
    return [
        dataset.render(i, np.random.default_rng([seed, i]))[0]
        for i in range(num)
    ]


def look_options(config: str) -> dict:
    """The appearance options of a config's training compose (or synth)
    options, drawn for every image (the real-look rate left out)."""
    from mmengine.config import Config

    dataset = Config.fromfile(config).train_dataloader.dataset
    compose = dataset.compose if 'compose' in dataset else dataset.synth
    keys = ('condense', 'degrade', 'clutter')
    return {
        k: compose[k].to_dict()
        if hasattr(compose[k], 'to_dict')
        else compose[k]
        for k in keys
        if compose.get(k) is not None
    }


def _fmt(value: float) -> str:
    if np.isnan(value):
        return '-'
    if abs(value) >= 100:
        return f'{value:.0f}'
    if abs(value) >= 10:
        return f'{value:.1f}'
    return f'{value:.2f}' if abs(value) >= 1 else f'{value:.3f}'


def main():
    args = parse_args()
    os.chdir(REPO_ROOT)
    sets = {'real': set_stats(real_images(args.data))}
    look = look_options(args.look) if args.look else None
    synth_look = look_options(args.synth_look) if args.synth_look else look
    for name, config, look in (
        ('composed', args.compose_config, look),
        ('generated', args.synth_config, synth_look),
    ):
        sets[name] = set_stats(made_images(config, args.num, args.seed))
        if look:
            sets[f'{name} + look'] = set_stats(
                made_images(config, args.num, args.seed, look)
            )
    names = list(sets)
    print('| statistic | ' + ' | '.join(names) + ' |')
    print('|---|' + '---:|' * len(names))
    print(
        '| images | '
        + ' | '.join(str(sets[n]['images']) for n in names)
        + ' |'
    )
    for key, label in ROWS:
        print(
            f'| {label} | '
            + ' | '.join(_fmt(sets[n].get(key, np.nan)) for n in names)
            + ' |'
        )


if __name__ == '__main__':
    main()
