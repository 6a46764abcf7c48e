"""The one error type of revexport.

Every problem a user can cause (a bad scenario file, an unknown doctrine, an
out-of-range parameter, an unwritable output directory) is raised as
:class:`RevexportError`. Its message is a single line that names the file or
field, what is allowed and what was given; the CLI prints it as it is and
exits with status 2, without a traceback.
"""

from __future__ import annotations


class RevexportError(Exception):
    """A user-facing error whose message is the one line the CLI prints."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


def check_seed(seed: int, name: str = "seed") -> None:
    """Refuse a seed outside [0, 2**63 - 1] (what NumPy's ``SeedSequence`` and the run catalog
    hold), before anything is run or written; ``name`` starts the message."""
    if not 0 <= seed < 2**63:
        raise RevexportError(f"{name} must be in [0, 2**63 - 1], got {seed}")
