import sys

from deepacc.cli import main

sys.exit(main())
