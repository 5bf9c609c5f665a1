"""Long work on SAQ: the kinds of job, the queue, and the worker that keeps the tasks table current.

Importing this package registers every area's job kinds, so the web app (which starts tasks) and
``renum workers run`` (which runs them) know the same kinds before a worker is built.
"""

from renum.jobs import postrapido

__all__ = ["postrapido"]
