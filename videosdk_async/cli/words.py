"""How the CLI words things: outside text made safe to print (and the SDK's ``plural``).

Kept free of Rich so the error path (``errors.report``) can use it too.
"""

from __future__ import annotations

import re

from .._text import plural

__all__ = ["plural", "printable"]

# C0 and C1 control characters and DEL: a server could send terminal escape sequences.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""``text`` with control characters shown as escapes (``\x1b``, ``\n``), not obeyed.

    Everything else, brackets and colons included, is kept exactly as given.
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
