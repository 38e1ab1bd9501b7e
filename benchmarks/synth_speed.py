"""Synthetic metaphase generation speed on one core (printed, not asserted).

    python benchmarks/synth_speed.py [--num-images 20] [--width 1024 ...]

Prints images per second for rendering alone and for the whole
``generate_dataset`` (rendering + PNG writing + json), and the ratio to
the 5 images/s target.
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault('OMP_NUM_THREADS', '1')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--num-images', type=int, default=20)
    parser.add_argument('--width', type=int, default=1024)
    parser.add_argument('--height', type=int, default=768)
    args = parser.parse_args()
    import cv2
    import numpy as np

    from deepacc.synthesis import (
        SynthOptions,
        generate_dataset,
        render_metaphase,
    )

    cv2.setNumThreads(1)
    opts = SynthOptions(width=args.width, height=args.height)
    start = time.perf_counter()
    for i in range(args.num_images):
        render_metaphase(np.random.default_rng(i), opts)
    render = args.num_images / (time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        generate_dataset(
            tmp,
            args.num_images,
            progress=False,
            width=args.width,
            height=args.height,
        )
        full = args.num_images / (time.perf_counter() - start)
    print(f'{args.width}x{args.height}, {args.num_images} images, 1 thread')
    print(
        f'render only      : {render:6.2f} images/s '
        f'({render / 5:.2f}x the 5 images/s target)'
    )
    print(
        f'generate_dataset : {full:6.2f} images/s '
        f'({full / 5:.2f}x the 5 images/s target)'
    )


if __name__ == '__main__':
    main()
