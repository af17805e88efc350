from cairn.db import Base
from cairn.migrations import run_env
from cairn.models import import_all

import_all()
run_env(Base.metadata)
