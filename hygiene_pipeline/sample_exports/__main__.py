"""``python -m hygiene_pipeline.sample_exports --out data/exports [--people N] [--seed S]
[--months YYYY-MM ...] [--truth PATH]``."""

import sys

from .cli import main

sys.exit(main())
