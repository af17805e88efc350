from cairn.db import InsightBase
from cairn.migrations import run_env
from cairn.models import import_all

import_all()
run_env(InsightBase.metadata)
