"""The tests behind every exercise's ``check(...)``, one module per notebook.

Importing this package registers every exercise with :mod:`course_utils.checks`.
Each test takes the learner's answer and raises :class:`~course_utils.checks.Wrong`
with a specific message when it is not right. Reference solutions are not here:
they live in the notebooks, in collapsed cells, so that student handouts can drop them.
"""

from course_utils.exercises import nb00

__all__ = ["nb00"]
