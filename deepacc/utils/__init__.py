from .image_io import ImageReadError, as_bgr, read_image
from .model_config import load_model_config
from .path import get_config_path, get_tool_path
from .recipe import read_test_metrics, run_step, schedule_options

__all__ = [
    'ImageReadError',
    'as_bgr',
    'read_image',
    'get_config_path',
    'load_model_config',
    'get_tool_path',
    'read_test_metrics',
    'run_step',
    'schedule_options',
]
