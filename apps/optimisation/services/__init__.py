"""Writes of parameter studies, by sub-domain: `studies` (create, pause, resume, cancel),
`runner` (what a worker does with a study), `walk_forward` (windows, out-of-sample, stitching),
`validation` (shared input checks)."""

from .runner import study_work
from .studies import study_cancel, study_create, study_pause, study_resume
from .walk_forward import walk_forward_cancel, walk_forward_create

__all__ = [
    "study_cancel",
    "study_create",
    "study_pause",
    "study_resume",
    "study_work",
    "walk_forward_cancel",
    "walk_forward_create",
]
