"""Task names: tasks.py registers them, services enqueue them by name (apps/ops/enqueue.py)."""

STUDY_WORK = "optimisation.study_work_task"
