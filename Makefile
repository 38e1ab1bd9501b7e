# deepacc: set-up, demo and tests on a fresh Linux machine with Python 3.11.
#
#   make demo   installs (once), then runs the main job on built-in data
#   make test   installs (once), then runs the test suite
#
# The environment lives in .venv. A GPU user who wants CUDA ops picks the
# CUDA build of the same torch version before the first `make`, e.g.
#   make install TORCH_INDEX=https://download.pytorch.org/whl/cu128
# (mmcv's ops then compile against that torch; nvcc must be on PATH).

PYTHON      ?= python3.11
VENV        ?= .venv
TORCH_VER   ?= 2.13.0
MMCV_VER    ?= 2.1.0
TORCH_INDEX ?=
JOBS        ?= $(shell nproc)
DEMO_OUT    ?= work_dirs/demo

PY   := $(VENV)/bin/python
PIP  := $(PY) -m pip
STAMP := $(VENV)/.deepacc-installed

.PHONY: install demo test lint clean-venv

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null || { \
	  echo "error: $(PYTHON) not found; deepacc needs Python 3.11 (set PYTHON=...)"; exit 1; }
	@command -v gcc >/dev/null && command -v g++ >/dev/null || { \
	  echo "error: gcc/g++ not found; mmcv's ops are compiled from source (apt-get install build-essential)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "error: could not create $(VENV) (apt-get install python3.11-venv)"; exit 1; }
	$(PIP) install -q --upgrade 'pip>=23' 'setuptools<82' wheel
	@echo '>> torch $(TORCH_VER)'
	$(PIP) install -q torch==$(TORCH_VER) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) || { \
	  echo "error: could not install torch==$(TORCH_VER)"; exit 1; }
	$(PIP) install -q 'numpy>=1.24' ninja psutil
	@echo '>> mmcv $(MMCV_VER) with compiled ops (first time: ~15-20 min on 2 cores; cached after)'
	MMCV_WITH_OPS=1 MAX_JOBS=$(JOBS) $(PIP) install -q --no-build-isolation mmcv==$(MMCV_VER) || { \
	  echo "error: building mmcv $(MMCV_VER) failed (needs torch first, setuptools<82, gcc)"; exit 1; }
	$(PIP) install -q -e '.[dev]' || { echo "error: installing deepacc failed"; exit 1; }
	$(PY) -c 'import mmcv.ops, mmdet, deepacc; print("deepacc", deepacc.__version__, "mmdet", mmdet.__version__, "mmcv", mmcv.__version__)'
	@touch $@

demo: install
	$(PY) -m deepacc.demo --out $(DEMO_OUT)

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check deepacc tools tests benchmarks
	$(VENV)/bin/ruff format --check deepacc tools tests benchmarks

clean-venv:
	rm -rf $(VENV)
