"""``python -m dpoverify``, as launchers such as ``accelerate launch -m dpoverify`` call it."""
import sys

from .cli import main

sys.exit(main())
