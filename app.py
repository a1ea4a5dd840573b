"""The Streamlit app: `make app`, or `streamlit run app.py [-- PORTFOLIO.yaml]` (see appraise/ui)."""

import sys
from pathlib import Path

from appraise.ui.main import main

# `streamlit run app.py -- FILE` puts FILE in argv; under a test runner argv is the runner's own.
main(sys.argv[1:] if Path(sys.argv[0]).resolve() == Path(__file__).resolve() else [])
