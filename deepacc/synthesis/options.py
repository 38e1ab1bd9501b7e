"""Settings of the two image makers: the synthetic generator and the
composer of metaphases from crops."""

from dataclasses import asdict, dataclass, fields, replace
from typing import ClassVar, Optional, Tuple

import numpy as np

from .appearance import ClutterOptions, CondenseOptions, DegradeOptions
from .bend import BendOptions
from .karyotype import COMMON_ANEUPLOIDIES


class _Options:
    """``from_kwargs`` for the option dataclasses below."""

    kind: ClassVar[str] = ''

    @classmethod
    def from_kwargs(cls, **kwargs):
        """Options from keyword arguments, refusing unknown names."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise TypeError(
                f'unknown {cls.kind} options {unknown}; known: {sorted(known)}'
            )
        return cls(**kwargs)

    def image_look(self, rng: np.random.Generator):
        """The options one image is made with.

        With probability ``1 - real_look_rate`` the image gets the plain
        look: its appearance steps (``condense``, ``degrade``,
        ``clutter``) are off. At the default rate 1 nothing is drawn from
        ``rng``, so images read as they did before the rate.

        Returns:
            tuple: The options (``self`` or a copy with the steps off)
            and whether the image has the real look (``None`` when the
            rate is 1).
        """
        if self.real_look_rate >= 1.0:
            return self, None
        if rng.random() < self.real_look_rate:
            return self, True
        off = {f.name: None for f in fields(self) if f.name in _APPEARANCE}
        return replace(self, **off), False

    def _check_rate(self) -> None:
        if not 0.0 <= self.real_look_rate <= 1.0:
            raise ValueError(
                'real_look_rate must be in [0, 1], got '
                f'{self.real_look_rate!r}'
            )


_APPEARANCE = dict(
    condense=CondenseOptions,
    degrade=DegradeOptions,
    clutter=ClutterOptions,
    bend=BendOptions,
)


def _appearance(options) -> None:
    """Appearance options given as dicts (as configs give them) become
    their dataclasses."""
    for field in fields(options):
        if field.name in _APPEARANCE:
            value = getattr(options, field.name)
            setattr(options, field.name, _APPEARANCE[field.name].coerce(value))


def _appearance_dict(options, out: dict) -> None:
    """Appearance options in ``out`` as their ``to_dict``; those that
    are off, and the real-look rate at 1, are left out (such options
    read as they did before them)."""
    for name in _APPEARANCE:
        if name in out:
            value = getattr(options, name)
            if value is None:
                del out[name]
            else:
                out[name] = value.to_dict()
    if out.get('real_look_rate') == 1.0:
        del out['real_look_rate']


@dataclass
class SynthOptions(_Options):
    """Settings of the synthetic metaphase generator.

    Args:
        width (int): Image width in pixels.
        height (int): Image height in pixels.
        batch_effect (float): Strength 0..1 of the per-image variation in
            condensation (overall chromosome length, up to x/÷1.4), width,
            stain contrast, band resolution, blur, background and noise.
            At 0 every image shares one scale, so absolute size identifies
            a class; at 1 only the relative size within an image does.
        touch_rate (float): Probability that a chromosome touches another.
        overlap_rate (float): Probability that a chromosome crosses
            another.
        aneuploidy_rate (float): Probability of an abnormal karyotype.
        aneuploidies (tuple[str]): Abnormalities drawn uniformly (``'+21'``,
            ``'45,X'``, ``'47,XXY'``...).
        male_rate (float): Probability of an XY cell.
        nucleus_rate (float): Probability of an interphase nucleus.
        debris (float): Mean number of debris specks per image / 10.
        noise (float): Sensor noise multiplier (0: none).
        chromosome_scale (float): Length multiplier; by default chromosome
            1 is about 0.18 of the image height.
        density (float): Fraction of the spread's ellipse covered.
        condense (CondenseOptions | dict, optional): Metaphase-condensed
            chromosomes (shorter, wider, chromatids apart); off if None.
        degrade (DegradeOptions | dict, optional): Capture degradation
            (:func:`~deepacc.synthesis.appearance.degrade`); off if None.
        real_look_rate (float): Probability that an image gets the
            appearance steps that are set (``condense``, ``degrade``);
            below 1 a data set mixes the real look with the plain one.
    """

    width: int = 1024
    height: int = 768
    batch_effect: float = 0.5
    touch_rate: float = 0.1
    overlap_rate: float = 0.04
    aneuploidy_rate: float = 0.2
    aneuploidies: Tuple[str, ...] = COMMON_ANEUPLOIDIES
    male_rate: float = 0.5
    nucleus_rate: float = 0.3
    debris: float = 1.0
    noise: float = 1.0
    chromosome_scale: float = 1.0
    density: float = 0.16
    condense: Optional[CondenseOptions] = None
    degrade: Optional[DegradeOptions] = None
    real_look_rate: float = 1.0

    kind: ClassVar[str] = 'synth'

    def __post_init__(self) -> None:
        _appearance(self)
        self._check_rate()

    def to_dict(self) -> dict:
        out = asdict(self)
        out['aneuploidies'] = list(self.aneuploidies)
        _appearance_dict(self, out)
        return out


@dataclass
class ComposeOptions(_Options):
    """Settings of metaphases composed from labelled crops.

    One set of defaults for ``deepacc compose``,
    :func:`~deepacc.synthesis.compose_dataset`,
    :func:`~deepacc.synthesis.compose_metaphase` and
    :class:`~deepacc.datasets.ComposedMetaphaseDataset` (its configs set
    ``compose=dict(...)``).

    Args:
        width (int): Image width in pixels.
        height (int): Image height in pixels.
        scale (float): Resize factor of the crops.
        touch_rate (float): Probability that a chromosome touches another.
        overlap_rate (float): Probability that a chromosome crosses
            another.
        background (str): ``'auto'`` (from each crop's border), ``'white'``
            (G-band) or ``'black'`` (Q-band).
        noise (float): Sensor noise sigma, grey levels.
        batch_effect (float): Strength 0..1 of the per-image variation in
            the size of all the cell's chromosomes, stain contrast, blur,
            background and noise; 0 gives every image the same scale,
            contrast, background and noise.
        density (float): Fraction of the spread covered by chromosomes.
        condense (CondenseOptions | dict, optional): Metaphase-condensed
            chromosomes from the crops (shorter, wider, chromatids apart:
            :func:`~deepacc.synthesis.appearance.condense`); off if None.
        degrade (DegradeOptions | dict, optional): Capture degradation
            (:func:`~deepacc.synthesis.appearance.degrade`); off if None.
        clutter (ClutterOptions | dict, optional): Nuclei, specks and
            fibres, never annotated; off if None.
        bend (BendOptions | dict, optional): Bent chromosomes
            (:func:`~deepacc.synthesis.bend.bend`); off if None.
        real_look_rate (float): Probability that an image gets the
            appearance steps that are set (``condense``, ``degrade``,
            ``clutter``, ``bend``); below 1 a data set mixes the real
            look with the plain one.
    """

    width: int = 1024
    height: int = 768
    scale: float = 1.0
    touch_rate: float = 0.1
    overlap_rate: float = 0.0
    background: str = 'auto'
    noise: float = 2.0
    batch_effect: float = 0.0
    density: float = 0.16
    condense: Optional[CondenseOptions] = None
    degrade: Optional[DegradeOptions] = None
    clutter: Optional[ClutterOptions] = None
    bend: Optional[BendOptions] = None
    real_look_rate: float = 1.0

    kind: ClassVar[str] = 'compose'

    def __post_init__(self) -> None:
        _appearance(self)
        self._check_rate()
        if self.background not in ('auto', 'white', 'black'):
            raise ValueError(
                'background must be auto, white or black, got '
                f'{self.background!r}'
            )
