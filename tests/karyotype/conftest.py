"""The session's tiny detector, as the CLI/API tests take it."""

import pytest


@pytest.fixture(scope='session')
def tiny_checkpoint(tiny_detector):
    """(config, checkpoint, image folder) of the session's tiny detector
    (see ``tests/conftest.py``): the config is the one the Runner saved
    beside the checkpoint, with its data paths, as a user would have it.
    """
    return (
        tiny_detector['dumped_config'],
        tiny_detector['checkpoint'],
        tiny_detector['images'],
    )
