"""Print the README's Python quick start (the first ```python block) so CI can run it as written."""

import re
import sys
from pathlib import Path

blocks = re.findall(r"```python\n(.*?)```", Path(sys.argv[1]).read_text(), flags=re.S)
if not blocks:
    sys.exit(f"{sys.argv[1]}: no ```python block")
print(blocks[0])
