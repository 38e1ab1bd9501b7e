"""``generate_dataset``: a folder of synthetic metaphases with COCO json."""

import os
import os.path as osp
import sys
from typing import Optional, Sequence

import cv2
import numpy as np
from tqdm import tqdm

from deepacc.converters.coco import CocoBuilder, write_coco
from deepacc.converters.split import split_coco

from .metaphase import render_metaphase
from .options import SynthOptions


def image_rng(seed: int, index: int) -> np.random.Generator:
    """The random source of image ``index``: N images are a prefix of N+1."""
    return np.random.default_rng(
        np.random.SeedSequence([int(seed), int(index)])
    )


def add_sprites(builder: CocoBuilder, image_id: int, sprites) -> None:
    """Write placed chromosome sprites as annotations with extra fields.

    ``touching`` / ``overlapping`` become annotation ids; ``angle``,
    ``p_arm_up``, ``p_ter`` / ``q_ter`` and ``centromere`` (when known) are
    image coordinates; ``segmentation`` is the mask's outer polygon.
    """
    first = len(builder.annotations) + 1
    for sprite in sprites:
        x, y, w, h = sprite.bbox()
        extra = dict(sprite.extra)
        extra['touching'] = [first + j for j in extra.get('touching', [])]
        extra['overlapping'] = [
            first + j for j in extra.get('overlapping', [])
        ]
        p_ter, q_ter = (
            sprite.to_image(sprite.p_ter),
            sprite.to_image(sprite.q_ter),
        )
        fields = dict(angle=round(sprite.angle, 2))
        if sprite.p_arm_up is not None:
            fields.update(
                p_arm_up=sprite.p_arm_up,
                p_ter=[round(v, 2) for v in p_ter],
                q_ter=[round(v, 2) for v in q_ter],
            )
        cen = sprite.to_image(sprite.centromere)
        if cen is not None:
            fields['centromere'] = [round(v, 2) for v in cen]
        for key in ('length', 'width'):
            if key in extra:
                extra[key] = round(float(extra[key]), 2)
        builder.add_annotation(
            image_id,
            sprite.label,
            [x, y, w, h],
            area=int(sprite.mask.sum()),
            segmentation=[_polygon(sprite)],
            **fields,
            **extra,
        )


def _polygon(sprite):
    contours, _ = cv2.findContours(
        sprite.mask.astype(np.uint8),
        cv2.RETR_EXTERNAL,
        cv2.CHAIN_APPROX_SIMPLE,
    )
    contour = max(contours, key=cv2.contourArea).reshape(-1, 2)
    contour = contour + np.asarray(sprite.offset)
    if len(contour) < 3:
        x, y, w, h = sprite.bbox()
        contour = np.array([[x, y], [x + w, y], [x + w, y + h]])
    return [int(v) for v in contour.reshape(-1)]


def generate_dataset(
    out_dir: str,
    num_images: int,
    seed: int = 0,
    split: Optional[Sequence[float]] = None,
    force: bool = False,
    progress: bool = True,
    **options,
) -> str:
    """Generate ``out_dir/images/*.png`` and ``annotations/all.json``.

    Args:
        out_dir (str): Dataset root (the configs' ``data_root``).
        num_images (int): Number of images.
        seed (int): Seed; image i uses its own seed derived from (seed, i).
        split (list[float], optional): Also write ``train/val/test.json``
            with these ratios (see :func:`deepacc.converters.split_coco`).
        force (bool): Overwrite an existing dataset.
        progress (bool): Show a progress bar on stderr.
        **options: :class:`SynthOptions` fields (``width``, ``height``,
            ``batch_effect``, ``touch_rate``, ``aneuploidy_rate``...).

    Returns:
        str: Path of ``annotations/all.json``.
    """
    opts = SynthOptions.from_kwargs(**options)
    ann_path = osp.join(out_dir, 'annotations', 'all.json')
    if osp.exists(ann_path) and not force:
        raise FileExistsError(
            f'{ann_path} exists; pass --force (force=True) to overwrite'
        )
    img_dir = osp.join(out_dir, 'images')
    os.makedirs(img_dir, exist_ok=True)
    builder = CocoBuilder()
    indices = range(num_images)
    if progress:
        indices = tqdm(indices, desc='synth', unit='img', file=sys.stderr)
    for index in indices:
        image, sprites, info = render_metaphase(image_rng(seed, index), opts)
        file_name = f'synth_{index:05d}.png'
        cv2.imwrite(
            osp.join(img_dir, file_name),
            image,
            [cv2.IMWRITE_PNG_COMPRESSION, 1],
        )
        image_id = builder.add_image(
            file_name, opts.width, opts.height, seed=[int(seed), index], **info
        )
        add_sprites(builder, image_id, sprites)
    coco = builder.to_dict(
        info=dict(
            description='deepacc synthetic G-banded metaphases',
            seed=int(seed),
            options=opts.to_dict(),
        )
    )
    write_coco(coco, ann_path, force=True)
    if split:
        split_coco(ann_path, split, seed=seed, force=True, coco=coco)
    return ann_path
